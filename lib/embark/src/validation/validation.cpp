#include "embark/validation.hpp"

#include <string>

#include "embark/fingerprint.hpp"
#include "embark/roles.hpp"

#include "internal/core/invalid.hpp"

namespace embark {
namespace {

using internal::invalid;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322 atext (dot-atom local part without quoting).
bool is_atext(char c) {
  if (is_alnum(c)) return true;
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return kSpecials.find(c) != std::string_view::npos;
}

// Well-formed UTF-8 with no C0/C1 control characters and no DEL.
bool is_clean_text(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > text.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    const bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (cp >= 0x80 && cp <= 0x9f) return false;  // C1 controls
    i += len;
  }
  return true;
}

bool is_attribute_key(std::string_view key, std::size_t max_length) {
  if (key.empty() || key.size() > max_length) return false;
  if (!(key[0] == '_' || (key[0] >= 'a' && key[0] <= 'z') || (key[0] >= 'A' && key[0] <= 'Z')))
    return false;
  for (char c : key) {
    if (!(is_alnum(c) || c == '_' || c == '.' || c == ':' || c == '-')) return false;
  }
  return true;
}

Result<void> validate_id(std::string_view value, std::string field, std::size_t max_length) {
  if (value.empty()) return invalid(std::move(field), "must not be empty");
  if (value.size() > max_length) {
    return invalid(std::move(field), "longer than " + std::to_string(max_length) + " characters");
  }
  if (!is_clean_text(value))
    return invalid(std::move(field), "contains control characters or invalid UTF-8");
  for (char c : value) {
    if (c == ' ') return invalid(std::move(field), "contains a space");
  }
  return {};
}

}  // namespace

Result<void> validate_email(std::string_view email, std::string_view field,
                            std::size_t max_length) {
  const std::string f(field);
  if (email.empty()) return invalid(f, "is required");
  if (email.size() > max_length) {
    return invalid(f, "longer than " + std::to_string(max_length) + " characters");
  }
  const auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return invalid(f, "must contain exactly one '@'");
  }
  const auto local = email.substr(0, at);
  const auto domain = email.substr(at + 1);
  if (local.empty() || local.size() > 64)
    return invalid(f, "local part must be 1 to 64 characters");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return invalid(f, "local part has a misplaced '.'");
  }
  for (char c : local) {
    if (!(is_atext(c) || c == '.'))
      return invalid(f, "local part has a character outside the allowed set");
  }
  if (domain.empty() || domain.size() > 253)
    return invalid(f, "domain must be 1 to 253 characters");
  std::size_t labels = 0;
  std::size_t start = 0;
  while (start <= domain.size()) {
    auto end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const auto label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63)
      return invalid(f, "domain has an empty or over-long label");
    if (label.front() == '-' || label.back() == '-')
      return invalid(f, "domain label starts or ends with '-'");
    for (char c : label) {
      if (!(is_alnum(c) || c == '-'))
        return invalid(f, "domain has a character outside letters, digits and '-'");
    }
    ++labels;
    start = end + 1;
  }
  if (labels < 2) return invalid(f, "domain must have at least two labels");
  return {};
}

Result<void> validate_attributes(const AttributeMap& attributes, std::string_view field,
                                 const ValidationPolicy& policy) {
  const std::string base(field);
  if (attributes.size() > policy.max_attributes) {
    return invalid(base, "more than " + std::to_string(policy.max_attributes) + " attributes");
  }
  std::size_t index = 0;
  for (const auto& [key, value] : attributes) {
    if (!is_attribute_key(key, policy.max_attribute_key_length)) {
      // The key itself may hold control characters, so it is named by position, not echoed.
      return invalid(base, "attribute key #" + std::to_string(index) +
                               " must match [A-Za-z_][A-Za-z0-9_.:-]* and be at most " +
                               std::to_string(policy.max_attribute_key_length) + " characters");
    }
    std::string f = base;
    f += '.';
    f += key;
    if (value.size() > policy.max_attribute_value_length) {
      return invalid(
          f, "value longer than " + std::to_string(policy.max_attribute_value_length) + " bytes");
    }
    if (!is_clean_text(value))
      return invalid(f, "value contains control characters or invalid UTF-8");
    ++index;
  }
  return {};
}

Result<void> validate_request(const OnboardRequest& request, const ValidationPolicy& policy) {
  if (auto r = validate_email(request.email, "email", policy.max_email_length); !r) return r;
  if (!request.workspace.empty()) {
    if (auto r = validate_id(request.workspace, "workspace", policy.max_id_length); !r) return r;
  }
  for (std::size_t i = 0; i < request.roles.size(); ++i) {
    const auto& role = request.roles[i];
    const std::string prefix = "roles[" + std::to_string(i) + "]";
    if (auto id = resolve_role_id(role.role_id, prefix + ".role_id"); !id) return id.error();
    for (std::size_t j = 0; j < role.scopes.size(); ++j) {
      if (auto r = validate_id(role.scopes[j], prefix + ".scopes[" + std::to_string(j) + "]",
                               policy.max_id_length);
          !r) {
        return r;
      }
    }
  }
  if (auto r = validate_attributes(request.attributes, "attributes", policy); !r) return r;
  if (request.attributes.contains(kImpersonatedUserIdKey)) {
    return invalid("attributes.impersonated_user_id", "is a reserved claim of the session token");
  }
  if (request.session_attributes.contains(kImpersonatedUserIdKey)) {
    return invalid("session_attributes.impersonated_user_id",
                   "is reserved: the vendor never lets a session attribute override it");
  }
  if (auto r = validate_attributes(request.session_attributes, "session_attributes", policy); !r)
    return r;
  for (std::size_t i = 0; i < request.groups.size(); ++i) {
    if (auto r = validate_id(request.groups[i], "groups[" + std::to_string(i) + "]",
                             policy.max_id_length);
        !r)
      return r;
  }
  if (!request.display_name.empty()) {
    if (request.display_name.size() > policy.max_display_name_length) {
      return invalid("display_name",
                     "longer than " + std::to_string(policy.max_display_name_length) + " bytes");
    }
    if (!is_clean_text(request.display_name)) {
      return invalid("display_name", "contains control characters or invalid UTF-8");
    }
    if (auto it = request.attributes.find("display_name");
        it != request.attributes.end() && it->second != request.display_name) {
      return invalid("display_name", "differs from attributes.display_name");
    }
  }
  if (auto r = validate_embed_target(request.embed); !r) return r;
  for (const auto& key : policy.required_attribute_keys) {
    const bool present = request.attributes.contains(key) ||
                         request.session_attributes.contains(key) ||
                         (key == "display_name" && !request.display_name.empty());
    if (!present)
      return invalid("attributes." + key, "is required by the onboarding policy and missing");
  }
  return {};
}

namespace {

// The normalization of a validated request.
OnboardRequest normalize_validated(OnboardRequest request) {
  for (auto& role : request.roles) role.role_id = resolve_role_id(role.role_id).value();
  if (!request.display_name.empty()) request.attributes["display_name"] = request.display_name;
  return request;
}

}  // namespace

Result<OnboardRequest> normalize_request(const OnboardRequest& request,
                                         const ValidationPolicy& policy) {
  if (auto r = validate_request(request, policy); !r) return r.error();
  return normalize_validated(request);
}

Result<OnboardRequest> normalize_request(OnboardRequest&& request, const ValidationPolicy& policy) {
  if (auto r = validate_request(request, policy); !r) return r.error();
  return normalize_validated(std::move(request));
}

Result<std::string> tenant_email(std::string_view email, std::string_view tenant) {
  if (auto r = validate_email(email, "email"); !r) return r.error();
  if (tenant.empty() || tenant.size() > 64) return invalid("tenant", "must be 1 to 64 characters");
  for (char c : tenant) {
    if (!(is_alnum(c) || c == '_' || c == '-'))
      return invalid("tenant", "may hold only letters, digits, '_' and '-'");
  }
  // The vendor keys users by lower-cased email: "Acme" and "acme" must be one tag, not two
  // tenants sharing a user.
  const std::string tag = lower_email(tenant);
  const auto at = email.find('@');
  const std::string_view local = email.substr(0, at);
  if (const auto plus = local.find('+'); plus != std::string_view::npos) {
    // Already tagged: its own tag is kept as it is (idempotent); any other tag could be another
    // tenant's, and re-tagging it would let one tenant's user stand for another's.
    if (lower_email(local.substr(plus + 1)) == tag) {
      std::string out(local.substr(0, plus));
      out.append("+").append(tag).append(email.substr(at));
      return out;
    }
    return invalid("email", "already carries a +tag other than this tenant's");
  }
  std::string out;
  out.reserve(email.size() + tag.size() + 1);
  out.append(local).append("+").append(tag).append(email.substr(at));
  if (auto r = validate_email(out, "email"); !r) {
    return invalid("email",
                   "with the tenant tag the address becomes invalid: " + r.error().message());
  }
  return out;
}

}  // namespace embark
