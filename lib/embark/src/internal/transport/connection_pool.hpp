// ConnectionPool: keep-alive connections to one host, at most N in use at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "embark/result.hpp"

#include "internal/transport/pooled_connection.hpp"

namespace embark::internal {

/// Hands out connections to one host: an idle one when available (most recently used first),
/// otherwise the right to open a new one. At most `max_connections` leases exist at once; further
/// callers wait (cancellable) until a lease ends. Idle connections older than `idle_timeout` or
/// closed by the peer are dropped when found. Thread-safe; must outlive its leases.
class ConnectionPool {
 public:
  /// The right to use one connection. Move-only. Ending it (destructor) frees the slot; a
  /// connection still attached is closed unless give_back() returned it to the pool.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();

    /// The connection, or null when the holder must open one and attach() it.
    PooledConnection* connection() const noexcept { return connection_.get(); }
    /// Whether the attached connection came from the idle list (may be stale).
    bool reused() const noexcept { return reused_; }
    /// Attaches a freshly opened connection.
    void attach(std::unique_ptr<PooledConnection> connection);
    /// Closes and drops the attached connection; the slot stays held.
    void discard() noexcept;
    /// Returns the attached connection to the idle list and ends the lease.
    void give_back() noexcept;

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<PooledConnection> connection);
    void end() noexcept;

    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<PooledConnection> connection_;
    bool reused_ = false;
  };

  ConnectionPool(boost::asio::any_io_executor executor, std::size_t max_connections,
                 std::chrono::milliseconds idle_timeout);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  ~ConnectionPool();

  /// Waits for a free slot, then leases it with an idle connection if one is usable.
  /// Error{cancelled} when the wait is cancelled.
  boost::asio::awaitable<Result<Lease>> acquire();
  /// A lease at once when a slot is free and nobody is queued (no coroutine, no wait), else
  /// nullopt: then acquire() queues.
  std::optional<Lease> try_acquire();

  /// Leases currently held.
  std::size_t in_use() const noexcept { return in_use_.load(); }
  /// Most leases ever held at once.
  std::size_t peak_in_use() const noexcept { return peak_in_use_.load(); }
  /// Idle connections currently kept.
  std::size_t idle_count() const;
  /// Closes every idle connection.
  void close_idle();

 private:
  // A caller waiting for a slot. Completed exactly once (`done`), by release() or by cancellation.
  struct Waiter {
    std::function<void(boost::system::error_code)> complete;  ///< posts to the caller's executor
    bool done = false;
  };
  void wait_for_slot(std::function<void(boost::system::error_code)> complete,
                     boost::asio::cancellation_slot slot);
  void release(std::unique_ptr<PooledConnection> connection) noexcept;
  std::unique_ptr<PooledConnection> take_idle();

  // Not Asio's experimental channel: in Boost 1.81 a cancelled receive leaves it refusing
  // try_send (chriskohlhoff/asio#1241), which would lose a slot per cancelled waiter.
  boost::asio::any_io_executor executor_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::size_t free_slots_;
  std::deque<std::shared_ptr<Waiter>> waiters_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;
  std::atomic<std::size_t> in_use_{0};
  std::atomic<std::size_t> peak_in_use_{0};
};

}  // namespace embark::internal
