// TokenCache: session JWTs that can be handed out again while enough lifetime remains.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "embark/clock.hpp"
#include "embark/fingerprint.hpp"
#include "embark/model.hpp"
#include "embark/result.hpp"

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

/// Token store interface (a shared backend such as Redis can replace the in-memory one).
/// Implementations must be thread-safe.
///
/// As with UserDirectory, the pipeline calls only the `async_*` coroutines; their defaults call
/// the synchronous members. An async member's error is a failed backend call: a failed read is a
/// miss (a new token is minted), a failed write is reported to the observers and dropped.
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

  /// True when the synchronous members never block (an in-memory backend): the pipeline then
  /// calls them directly and saves a coroutine frame per call. Default false.
  virtual bool nonblocking() const noexcept { return false; }
  /// find() as a coroutine. Default: calls find().
  virtual boost::asio::awaitable<Result<std::optional<SessionToken>>> async_find(
      const TokenKey& key, std::chrono::system_clock::time_point now, std::chrono::seconds margin);
  /// put() as a coroutine. Default: calls put().
  virtual boost::asio::awaitable<Result<void>> async_put(const TokenKey& key,
                                                         const SessionToken& token);
  /// erase() as a coroutine. Default: calls erase().
  virtual boost::asio::awaitable<Result<void>> async_erase(const TokenKey& key);
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
  bool nonblocking() const noexcept override { return true; }

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace embark
