// OnboarderConfig: the immutable settings an Onboarder is created with (validated once).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "embark/clock.hpp"
#include "embark/result.hpp"
#include "embark/validation.hpp"

namespace embark {

class EnsureUserStrategy;
class SetAttributesStrategy;
class ImpersonateStrategy;
class UserDirectory;
class TokenCache;
class LockService;
class Observer;

/// Everything an Onboarder needs besides the connection. Plain value type; copied and validated
/// by Onboarder::create, immutable afterwards.
struct OnboarderConfig {
  /// Strategy names (see strategies/registry.hpp), built with their default options; ignored for
  /// a stage whose object is given below.
  std::string ensure_user = "directory";
  std::string set_attributes = "diff";
  std::string impersonate = "reuse";
  /// Strategy objects built by code, with their own options (take precedence over the names),
  /// e.g. std::make_shared<PreMintImpersonate>(PreMintImpersonate::Options{...}). Their options
  /// are validated by Onboarder::create. Must be thread-safe.
  std::shared_ptr<EnsureUserStrategy> ensure_user_strategy;
  std::shared_ptr<SetAttributesStrategy> set_attributes_strategy;
  std::shared_ptr<ImpersonateStrategy> impersonate_strategy;

  /// Workspace of requests that name none (empty: the vendor's default workspace).
  std::string default_workspace;

  /// Directory backend; null = InMemoryUserDirectory with `directory_max_entries`.
  std::shared_ptr<UserDirectory> directory;
  std::size_t directory_max_entries = 2'000'000;

  /// Token cache backend; null = InMemoryTokenCache with `token_cache_max_entries`.
  std::shared_ptr<TokenCache> token_cache;
  std::size_t token_cache_max_entries = 100'000;

  /// Input limits and required attribute keys (deny by default when non-empty).
  ValidationPolicy validation;
  /// Tenant origin for embed URLs, e.g. "https://acme.wisdom.ai" (empty: no embed URLs).
  std::string embed_base_url;

  /// Concurrent identical onboardings share one run.
  bool single_flight = true;
  /// Single flight across processes (e.g. RedisSharedState::lock_service): an onboarding takes a
  /// per-user lock for `lock_ttl`; another instance's run of the same user waits for it (polling
  /// with back-off, at most `lock_wait`), then finds the result in the shared directory and token
  /// cache. Null: in-process single flight only.
  std::shared_ptr<LockService> lock_service;
  std::chrono::milliseconds lock_ttl{5000};
  std::chrono::milliseconds lock_wait{5000};
  /// Time one onboarding may take when its request names none (OnboardRequest::deadline).
  std::chrono::milliseconds deadline{10'000};
  /// Event receivers (thread-safe).
  std::vector<std::shared_ptr<Observer>> observers;
  /// Wall clock (injectable for tests).
  Clock clock = system_clock();
  /// Where the pipeline runs; empty = an I/O thread owned by the Onboarder.
  std::optional<boost::asio::any_io_executor> executor;
};

/// Checks a config without building anything: strategy names and the options of strategy objects,
/// durations, embed base URL. Errors name the field ("ensure_user", "impersonate.premint_lead",
/// "embed_base_url", ...).
Result<void> validate_config(const OnboarderConfig& config);

}  // namespace embark
