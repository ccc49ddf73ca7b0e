#include "embark/config.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "embark/strategies/registry.hpp"

#include "internal/core/invalid.hpp"

namespace embark {
namespace {

using internal::invalid;

// A strategy's own options, checked with the stage named in the error's field.
template <class Strategy>
Result<void> validate_strategy(const std::shared_ptr<Strategy>& strategy, std::string_view stage) {
  auto checked = strategy->validate();
  if (checked) return checked;
  Error error = checked.error();
  std::string field(stage);
  if (!error.field().empty()) field += "." + error.field();
  error.with_field(std::move(field));
  return error;
}

}  // namespace

Result<void> validate_config(const OnboarderConfig& config) {
  if (config.ensure_user_strategy) {
    if (auto r = validate_strategy(config.ensure_user_strategy, "ensure_user"); !r) return r;
  } else if (auto s = make_ensure_user_strategy(config.ensure_user); !s) {
    return s.error();
  }
  if (config.set_attributes_strategy) {
    if (auto r = validate_strategy(config.set_attributes_strategy, "set_attributes"); !r) return r;
  } else if (auto s = make_set_attributes_strategy(config.set_attributes); !s) {
    return s.error();
  }
  if (config.impersonate_strategy) {
    if (auto r = validate_strategy(config.impersonate_strategy, "impersonate"); !r) return r;
  } else if (auto s = make_impersonate_strategy(config.impersonate); !s) {
    return s.error();
  }
  if (config.deadline <= std::chrono::milliseconds(0))
    return invalid("deadline", "must be positive");
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
