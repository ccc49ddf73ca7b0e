// TokenCache: session JWTs that can be handed out again while enough lifetime remains.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "embark/clock.hpp"
#include "embark/fingerprint.hpp"
#include "embark/model.hpp"

namespace embark {

/// What a token was minted for. A token is reused only for an identical key, so one user's
/// entitlements never serve another request: the session-attribute fingerprint covers the
/// attributes passed to impersonateUser, the entitlement fingerprint the stored attributes and
/// roles the app asked for.
struct TokenKey {
  std::string workspace;
  std::string email;  ///< lower-cased
  Fingerprint session_attributes = 0;
  Fingerprint entitlements = 0;
  friend bool operator==(const TokenKey&, const TokenKey&) = default;
};

/// Token store interface (a Redis backend can come later). Thread-safe.
class TokenCache {
 public:
  virtual ~TokenCache() = default;
  /// The token for `key` if its expiry is later than `now + margin`.
  virtual std::optional<SessionToken> find(const TokenKey& key,
                                           std::chrono::system_clock::time_point now,
                                           std::chrono::seconds margin) = 0;
  /// Stores a freshly minted token (replacing an older one with the same key).
  virtual void put(const TokenKey& key, const SessionToken& token) = 0;
  /// Drops the token of `key`.
  virtual void erase(const TokenKey& key) = 0;
  /// Number of tokens held.
  virtual std::size_t size() const = 0;
};

/// Bounds of the in-memory token cache.
struct InMemoryTokenCacheOptions {
  std::size_t max_entries = 100'000;  ///< beyond this, expired then soonest-expiring tokens go
  Clock clock = system_clock();       ///< decides which tokens have expired when making room
};

/// The default TokenCache: a hash map under one mutex. Thread-safe.
class InMemoryTokenCache final : public TokenCache {
 public:
  explicit InMemoryTokenCache(InMemoryTokenCacheOptions options = {});
  ~InMemoryTokenCache() override;
  std::optional<SessionToken> find(const TokenKey& key, std::chrono::system_clock::time_point now,
                                   std::chrono::seconds margin) override;
  void put(const TokenKey& key, const SessionToken& token) override;
  void erase(const TokenKey& key) override;
  std::size_t size() const override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace embark
