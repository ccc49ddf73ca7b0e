// Cross-instance coordination: a lock service (single-flight across processes) and a rate limiter
// toward the vendor. Redis implementations are in embark/redis.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "embark/result.hpp"

namespace embark {

/// A held lock: its name, the random value that proves ownership on release, and a fencing token
/// that grows with every grant of any lock of the workspace (a later holder has a larger one).
struct LockLease {
  std::string key;    ///< the storage key of the lock
  std::string owner;  ///< random per grant; release deletes the lock only while it still holds it
  std::uint64_t fence = 0;
};

/// Mutual exclusion across processes, with a time to live so a crashed holder cannot keep a lock.
/// Thread-safe.
class LockService {
 public:
  virtual ~LockService() = default;
  /// Tries once to take `name` of `workspace` for `ttl`: the lease, or nullopt when another
  /// holder has it. An error means the service could not be asked (the caller proceeds alone).
  virtual boost::asio::awaitable<Result<std::optional<LockLease>>> async_try_acquire(
      std::string_view workspace, std::string_view name, std::chrono::milliseconds ttl) = 0;
  /// Releases a lease if it is still the holder (compare-and-delete); true when it was.
  virtual boost::asio::awaitable<Result<bool>> async_release(const LockLease& lease) = 0;
  /// Whether `name` of `workspace` is currently held by anyone.
  virtual boost::asio::awaitable<Result<bool>> async_is_held(std::string_view workspace,
                                                             std::string_view name) = 0;
};

/// A token bucket toward the vendor: `rate` requests per second on average, bursts of `burst`.
/// Thread-safe.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  /// Takes one token for `workspace`: zero when the call may go now, else how long to wait before
  /// asking again. Never fails: a limiter that cannot reach its store decides locally.
  virtual boost::asio::awaitable<std::chrono::milliseconds> async_acquire(
      std::string_view workspace) = 0;
};

}  // namespace embark
