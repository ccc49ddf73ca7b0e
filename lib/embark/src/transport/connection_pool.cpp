#include "internal/transport/connection_pool.hpp"

#include <algorithm>
#include <cerrno>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/socket.h>

namespace embark::internal {

bool PooledConnection::looks_closed() noexcept {
  auto& socket = tcp().socket();
  if (!socket.is_open()) return true;
  if (buffer.size() != 0) return true;  // bytes nobody asked for: the stream is out of step
  char byte = 0;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;  // orderly close by the peer
  if (n > 0) return true;   // e.g. a TLS close_notify alert
  return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);  // reset or other error
}

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<PooledConnection> connection)
    : pool_(pool), connection_(std::move(connection)), reused_(connection_ != nullptr) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      connection_(std::move(other.connection_)),
      reused_(other.reused_) {}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    end();
    pool_ = std::exchange(other.pool_, nullptr);
    connection_ = std::move(other.connection_);
    reused_ = other.reused_;
  }
  return *this;
}

ConnectionPool::Lease::~Lease() { end(); }

void ConnectionPool::Lease::attach(std::unique_ptr<PooledConnection> connection) {
  discard();
  connection_ = std::move(connection);
  reused_ = false;
}

void ConnectionPool::Lease::discard() noexcept {
  if (connection_) connection_->close();
  connection_.reset();
  reused_ = false;
}

void ConnectionPool::Lease::give_back() noexcept {
  if (pool_ == nullptr) return;
  pool_->release(std::move(connection_));
  pool_ = nullptr;
}

void ConnectionPool::Lease::end() noexcept {
  discard();
  if (pool_ != nullptr) pool_->release(nullptr);
  pool_ = nullptr;
}

ConnectionPool::ConnectionPool(boost::asio::any_io_executor executor, std::size_t max_connections,
                               std::chrono::milliseconds idle_timeout)
    : executor_(std::move(executor)),
      idle_timeout_(idle_timeout),
      free_slots_(std::max<std::size_t>(1, max_connections)) {}

ConnectionPool::~ConnectionPool() { close_idle(); }

void ConnectionPool::wait_for_slot(std::function<void(boost::system::error_code)> complete,
                                   boost::asio::cancellation_slot slot) {
  auto waiter = std::make_shared<Waiter>();
  waiter->complete = std::move(complete);
  {
    std::unique_lock lock(mutex_);
    if (free_slots_ > 0 && waiters_.empty()) {
      --free_slots_;
      waiter->done = true;
    } else {
      waiters_.push_back(waiter);
    }
  }
  if (waiter->done) {
    waiter->complete({});
    return;
  }
  if (slot.is_connected()) {
    slot.assign([this, weak = std::weak_ptr<Waiter>(waiter)](boost::asio::cancellation_type) {
      auto cancelled = weak.lock();
      if (!cancelled) return;
      {
        std::lock_guard lock(mutex_);
        if (cancelled->done) return;
        cancelled->done = true;
        waiters_.erase(std::find(waiters_.begin(), waiters_.end(), cancelled));
      }
      cancelled->complete(boost::asio::error::operation_aborted);
    });
  }
}

std::optional<ConnectionPool::Lease> ConnectionPool::try_acquire() {
  {
    std::lock_guard lock(mutex_);
    if (free_slots_ == 0 || !waiters_.empty()) return std::nullopt;
    --free_slots_;
  }
  const std::size_t now_in_use = in_use_.fetch_add(1) + 1;
  std::size_t peak = peak_in_use_.load();
  while (now_in_use > peak && !peak_in_use_.compare_exchange_weak(peak, now_in_use)) {
  }
  return Lease(this, take_idle());
}

boost::asio::awaitable<Result<ConnectionPool::Lease>> ConnectionPool::acquire() {
  // A free slot and nobody queued (every warm login): taken here, without a waiter, its handler
  // and a post back to the caller's executor, which cost more than the rest of the acquisition.
  if (auto lease = try_acquire()) co_return std::move(*lease);
  {
    auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
    auto initiate = [this](auto handler) {
      auto slot = boost::asio::get_associated_cancellation_slot(handler);
      auto executor = boost::asio::get_associated_executor(handler, executor_);
      auto shared = std::make_shared<decltype(handler)>(std::move(handler));
      wait_for_slot(
          [shared, executor](boost::system::error_code ec) {
            boost::asio::post(executor, [shared, ec] { std::move (*shared)(ec); });
          },
          slot);
    };
    auto [ec] =
        co_await boost::asio::async_initiate<decltype(token), void(boost::system::error_code)>(
            initiate, token);
    if (ec) co_return fail(ErrorCode::cancelled, "cancelled while waiting for a free connection");
  }
  const std::size_t now_in_use = in_use_.fetch_add(1) + 1;
  std::size_t peak = peak_in_use_.load();
  while (now_in_use > peak && !peak_in_use_.compare_exchange_weak(peak, now_in_use)) {
  }
  co_return Lease(this, take_idle());
}

std::unique_ptr<PooledConnection> ConnectionPool::take_idle() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<PooledConnection>> dropped;
  std::unique_ptr<PooledConnection> found;
  {
    std::lock_guard lock(mutex_);
    while (!idle_.empty() && !found) {
      auto candidate = std::move(idle_.back());
      idle_.pop_back();
      if (now - candidate->idle_since > idle_timeout_) {
        dropped.push_back(std::move(candidate));
      } else {
        found = std::move(candidate);
      }
    }
    // Older entries sit at the front; drop the expired ones there too so they do not linger.
    while (!idle_.empty() && now - idle_.front()->idle_since > idle_timeout_) {
      dropped.push_back(std::move(idle_.front()));
      idle_.erase(idle_.begin());
    }
  }
  for (auto& connection : dropped) connection->close();
  if (found && found->looks_closed()) {
    found->close();
    found.reset();
  }
  return found;
}

void ConnectionPool::release(std::unique_ptr<PooledConnection> connection) noexcept {
  if (connection) {
    connection->idle_since = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  in_use_.fetch_sub(1);
  std::shared_ptr<Waiter> next;
  {
    std::lock_guard lock(mutex_);
    if (waiters_.empty()) {
      ++free_slots_;
    } else {
      next = std::move(waiters_.front());
      waiters_.pop_front();
      next->done = true;
    }
  }
  if (next) next->complete({});  // the slot passes straight to the longest waiter
}

std::size_t ConnectionPool::idle_count() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

void ConnectionPool::close_idle() {
  std::vector<std::unique_ptr<PooledConnection>> closing;
  {
    std::lock_guard lock(mutex_);
    closing.swap(idle_);
  }
  for (auto& connection : closing) connection->close();
}

}  // namespace embark::internal
