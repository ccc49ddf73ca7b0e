#include "embark/config.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "embark/strategies/registry.hpp"

#include "internal/core/invalid.hpp"

namespace embark {
namespace {

using internal::invalid;

}  // namespace

std::string_view to_string(RolePolicy policy) noexcept {
  return policy == RolePolicy::enforce ? "enforce" : "on-create";
}

Result<RolePolicy> parse_role_policy(std::string_view text) {
  if (text == "on-create") return RolePolicy::on_create;
  if (text == "enforce") return RolePolicy::enforce;
  return invalid("role_policy", "expected on-create or enforce");
}

Result<void> validate_config(const OnboarderConfig& config) {
  if (!config.ensure_user_strategy) {
    if (auto s = make_ensure_user_strategy(config.ensure_user); !s) return s.error();
  }
  if (!config.set_attributes_strategy) {
    if (auto s = make_set_attributes_strategy(config.set_attributes); !s) return s.error();
  }
  if (!config.impersonate_strategy) {
    if (auto s = make_impersonate_strategy(config.impersonate); !s) return s.error();
  }
  using std::chrono::seconds;
  if (config.deadline <= std::chrono::milliseconds(0))
    return invalid("deadline", "must be positive");
  if (config.directory_ttl <= seconds(0)) return invalid("directory_ttl", "must be positive");
  if (config.min_refresh_interval < seconds(0))
    return invalid("min_refresh_interval", "must not be negative");
  if (config.token_reuse_margin < seconds(0) || config.token_reuse_margin >= seconds(3600)) {
    return invalid("token_reuse_margin",
                   "must be between 0 and 3600 seconds (tokens live one hour)");
  }
  if (config.premint_lead <= config.token_reuse_margin || config.premint_lead >= seconds(3600)) {
    return invalid("premint_lead", "must exceed token_reuse_margin and be under 3600 seconds");
  }
  if (!config.directory && config.directory_max_entries == 0)
    return invalid("directory_max_entries", "must be positive");
  if (!config.token_cache && config.token_cache_max_entries == 0) {
    return invalid("token_cache_max_entries", "must be positive");
  }
  if (!config.clock) return invalid("clock", "must be set");
  if (config.lock_service && config.lock_ttl <= std::chrono::milliseconds(0))
    return invalid("lock_ttl", "must be positive");
  if (config.lock_wait < std::chrono::milliseconds(0))
    return invalid("lock_wait", "must not be negative");
  if (!config.default_workspace.empty() &&
      config.default_workspace.size() > config.validation.max_id_length) {
    return invalid("default_workspace", "too long");
  }
  if (!config.embed_base_url.empty()) {
    auto url = boost::urls::parse_absolute_uri(config.embed_base_url);
    if (!url || (url->scheme() != "https" && url->scheme() != "http") ||
        url->encoded_host().empty() || url->has_query() || url->has_fragment()) {
      return invalid("embed_base_url", "must be an http(s) origin such as https://acme.wisdom.ai");
    }
  }
  for (std::size_t i = 0; i < config.observers.size(); ++i) {
    if (!config.observers[i]) return invalid("observers[" + std::to_string(i) + "]", "is null");
  }
  for (const auto& key : config.validation.required_attribute_keys) {
    AttributeMap probe{{key, "x"}};
    if (auto r =
            validate_attributes(probe, "validation.required_attribute_keys", config.validation);
        !r)
      return r;
  }
  return {};
}

}  // namespace embark
