// BearerSource: the bearer token for management calls: a configured API token, or the access key
// exchanged for a JWT, cached, renewed before it expires, one exchange in flight at a time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "embark/model.hpp"
#include "embark/result.hpp"

namespace embark::internal {

/// Thread-safe; get() may be awaited from many coroutines on any executors at once.
class BearerSource {
 public:
  using Exchange = std::function<boost::asio::awaitable<Result<SessionToken>>(
      std::chrono::steady_clock::time_point deadline)>;
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  /// Longest margin before a token's expiry at which it is renewed (a quarter of a shorter
  /// lifetime).
  static constexpr std::chrono::seconds kRenewMargin{60};

  /// Always hands out `api_token`; never renewable.
  explicit BearerSource(Secret api_token);
  /// Exchanges the access key through `exchange` when no fresh token is cached.
  BearerSource(Exchange exchange, WallClock wall_clock = &std::chrono::system_clock::now);
  ~BearerSource();

  /// A token that stays valid past the renewal margin. Concurrent callers that find no such token
  /// wait for one exchange (theirs or another caller's) instead of starting their own.
  boost::asio::awaitable<Result<Secret>> get(std::chrono::steady_clock::time_point deadline);
  /// Forgets `refused` if it is still the cached token (the vendor refused it).
  void invalidate(const Secret& refused);
  /// Whether tokens come from exchanges (and so can be replaced).
  bool renewable() const noexcept { return static_cast<bool>(exchange_); }
  /// Exchanges started so far.
  int exchanges() const;

 private:
  struct Waiter;
  struct Cached {
    Secret token;
    std::chrono::system_clock::time_point renew_at;
  };

  std::optional<Secret> fixed_;
  Exchange exchange_;
  WallClock wall_clock_;
  mutable std::mutex mutex_;
  std::optional<Cached> cached_;
  bool in_flight_ = false;
  std::vector<std::shared_ptr<Waiter>> waiters_;
  int exchanges_ = 0;
};

}  // namespace embark::internal
