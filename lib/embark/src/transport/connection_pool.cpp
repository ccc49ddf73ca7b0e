#include "internal/transport/connection_pool.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace embark::internal {

bool PooledConnection::looks_closed() noexcept {
  auto& socket = tcp().socket();
  if (!socket.is_open()) return true;
  if (buffer.size() != 0) return true;  // bytes nobody asked for: the stream is out of step
  char byte = 0;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;                                    // orderly close by the peer
  if (n > 0) return true;                                     // e.g. a TLS close_notify alert
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
    : permits_(executor, max_connections == 0 ? 1 : max_connections), idle_timeout_(idle_timeout) {
  const std::size_t slots = max_connections == 0 ? 1 : max_connections;
  for (std::size_t i = 0; i < slots; ++i) permits_.try_send(boost::system::error_code{});
}

ConnectionPool::~ConnectionPool() { close_idle(); }

boost::asio::awaitable<Result<ConnectionPool::Lease>> ConnectionPool::acquire() {
  auto [ec] = co_await permits_.async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
  if (ec) co_return fail(ErrorCode::cancelled, "cancelled while waiting for a free connection");
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
  permits_.try_send(boost::system::error_code{});
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

