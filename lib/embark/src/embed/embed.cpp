#include "embark/embed.hpp"

#include <array>
#include <ctime>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

#include "internal/core/invalid.hpp"

namespace embark {
namespace {

using internal::invalid;

struct KindName {
  EmbedKind kind;
  std::string_view name;
  bool id_optional;
};

constexpr KindName kKinds[] = {
    {EmbedKind::dashboard, "dashboard", false},
    {EmbedKind::chat, "chat", true},
    {EmbedKind::legacy_chat, "legacy-chat", true},
    {EmbedKind::legacy_dashboard, "legacy-dashboard", false},
    {EmbedKind::story, "story", false},
};

const KindName* find_kind(EmbedKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

std::array<std::string_view, 2> path_of(EmbedKind kind) {
  switch (kind) {
    case EmbedKind::dashboard:
      return {"embed", "dashboards"};
    case EmbedKind::chat:
      return {"embed", "chat"};
    case EmbedKind::legacy_chat:
      return {"chat", "embed"};
    case EmbedKind::legacy_dashboard:
      return {"dashboards", "embed"};
    case EmbedKind::story:
      return {"stories", "embed"};
    case EmbedKind::none:
      break;
  }
  return {};
}

}  // namespace

Result<EmbedTarget> parse_embed_target(std::string_view spec) {
  if (spec.empty() || spec == "none") return EmbedTarget{};
  const auto colon = spec.find(':');
  const auto name = spec.substr(0, colon);
  const std::string id =
      colon == std::string_view::npos ? std::string() : std::string(spec.substr(colon + 1));
  for (const auto& k : kKinds) {
    if (k.name == name) {
      EmbedTarget target{k.kind, id};
      if (auto r = validate_embed_target(target); !r) return r.error();
      return target;
    }
  }
  return invalid(
      "embed",
      "expected none, dashboard:ID, chat[:ID], legacy-chat[:ID], legacy-dashboard:ID or story:ID");
}

std::string to_string(const EmbedTarget& target) {
  const auto* k = find_kind(target.kind);
  if (k == nullptr) return "none";
  std::string out(k->name);
  if (!target.id.empty()) out.append(":").append(target.id);
  return out;
}

Result<void> validate_embed_target(const EmbedTarget& target) {
  if (target.kind == EmbedKind::none) return {};
  const auto* k = find_kind(target.kind);
  if (k == nullptr) return invalid("embed", "unknown embed kind");
  if (target.id.empty()) {
    if (k->id_optional) return {};
    return invalid("embed.id", "this embed kind needs an id");
  }
  if (target.id.size() > 256) return invalid("embed.id", "longer than 256 characters");
  for (char c : target.id) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return invalid("embed.id", "contains control characters");
  }
  return {};
}

Result<Secret> build_embed_url(std::string_view base_url, const EmbedTarget& target,
                               const Secret& token) {
  if (auto r = validate_embed_target(target); !r) return r.error();
  if (target.kind == EmbedKind::none) return invalid("embed", "no embed target given");
  auto parsed = boost::urls::parse_absolute_uri(base_url);
  if (!parsed) return invalid("embed_base_url", "not an absolute URL");
  boost::urls::url url(*parsed);
  if (url.scheme_id() != boost::urls::scheme::https &&
      url.scheme_id() != boost::urls::scheme::http) {
    return invalid("embed_base_url", "scheme must be https (or http)");
  }
  if (url.encoded_host().empty()) return invalid("embed_base_url", "has no host");
  if (url.has_query() || url.has_fragment())
    return invalid("embed_base_url", "must not carry a query or fragment");
  auto segments = url.segments();
  // A base of "https://host/" or "https://host/prefix/" leaves an empty last segment.
  while (!segments.empty() && segments.back().empty()) segments.pop_back();
  for (auto part : path_of(target.kind)) segments.push_back(part);
  if (!target.id.empty()) segments.push_back(target.id);
  url.set_path_absolute(true);
  // Encode everything but unreserved characters, so '+', '/' and '=' survive form decoders too.
  const std::string encoded = boost::urls::encode(token.reveal(), boost::urls::unreserved_chars);
  url.set_encoded_query("token=" + encoded);
  return Secret(std::string(url.buffer()));
}

std::string refresh_response_body(const SessionToken& token) {
  const std::time_t t = std::chrono::system_clock::to_time_t(token.expires_at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  boost::json::object body;
  body["token"] = token.jwt.reveal();
  body["expiresAt"] = when;
  return boost::json::serialize(body);
}

}  // namespace embark
