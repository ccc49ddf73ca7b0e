// ConnectionPool over real loopback sockets: the slot limit, waiting, reuse, idle expiry, dead
// peers.
#include "internal/transport/connection_pool.hpp"

#include <optional>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <doctest/doctest.h>

namespace net = boost::asio;
namespace beast = boost::beast;
using embark::ErrorCode;
using embark::Result;
using embark::internal::ConnectionPool;
using embark::internal::PooledConnection;
using net::ip::tcp;

namespace {

// A connected loopback pair: the pool's side as a PooledConnection, and the peer's socket.
struct SocketPair {
  std::unique_ptr<PooledConnection> connection;
  tcp::socket peer;
};

SocketPair connected_pair(net::io_context& ioc) {
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  auto connection = std::make_unique<PooledConnection>();
  connection->plain = std::make_unique<beast::tcp_stream>(ioc);
  connection->plain->socket().connect(acceptor.local_endpoint());
  tcp::socket peer = acceptor.accept();
  return SocketPair{std::move(connection), std::move(peer)};
}

ConnectionPool::Lease acquire_now(net::io_context& ioc, ConnectionPool& pool) {
  std::optional<Result<ConnectionPool::Lease>> got;
  net::co_spawn(ioc, pool.acquire(), [&](std::exception_ptr, Result<ConnectionPool::Lease> lease) {
    got.emplace(std::move(lease));
  });
  ioc.restart();
  ioc.poll();
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  return std::move(**got);
}

}  // namespace

TEST_CASE("pool: at most N leases; a further caller waits until one ends") {
  net::io_context ioc;
  ConnectionPool pool(ioc.get_executor(), 2, std::chrono::seconds(30));
  auto first = acquire_now(ioc, pool);
  auto second = acquire_now(ioc, pool);
  CHECK(pool.in_use() == 2);

  std::optional<Result<ConnectionPool::Lease>> third;
  net::co_spawn(ioc, pool.acquire(), [&](std::exception_ptr, Result<ConnectionPool::Lease> lease) {
    third.emplace(std::move(lease));
  });
  ioc.restart();
  ioc.poll();
  CHECK_FALSE(third.has_value());  // waiting

  first = ConnectionPool::Lease{};  // ends the lease
  ioc.restart();
  ioc.poll();
  REQUIRE(third.has_value());
  CHECK(third->has_value());
  CHECK(pool.in_use() == 2);
  CHECK(pool.peak_in_use() == 2);
}

TEST_CASE("pool: a returned connection is reused; a dead or expired one is not") {
  net::io_context ioc;
  ConnectionPool pool(ioc.get_executor(), 4, std::chrono::seconds(30));

  auto pair = connected_pair(ioc);
  PooledConnection* raw = pair.connection.get();
  {
    auto lease = acquire_now(ioc, pool);
    CHECK(lease.connection() == nullptr);
    lease.attach(std::move(pair.connection));
    lease.give_back();
  }
  CHECK(pool.idle_count() == 1);
  {
    auto lease = acquire_now(ioc, pool);
    CHECK(lease.connection() == raw);
    CHECK(lease.reused());
    lease.give_back();
  }
  // The peer closes while the connection is idle: the pool notices and hands out nothing.
  pair.peer.close();
  {
    auto lease = acquire_now(ioc, pool);
    CHECK(lease.connection() == nullptr);
  }
  CHECK(pool.idle_count() == 0);

  ConnectionPool expiring(ioc.get_executor(), 4, std::chrono::milliseconds(0));
  auto other = connected_pair(ioc);
  {
    auto lease = acquire_now(ioc, expiring);
    lease.attach(std::move(other.connection));
    lease.give_back();
  }
  // idle_timeout 0: anything idle for a measurable time has expired.
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() == start) {
  }
  auto lease = acquire_now(ioc, expiring);
  CHECK(lease.connection() == nullptr);
  CHECK(expiring.idle_count() == 0);
}

TEST_CASE("pool: a lease that ends without give_back closes its connection and frees the slot") {
  net::io_context ioc;
  ConnectionPool pool(ioc.get_executor(), 1, std::chrono::seconds(30));
  auto pair = connected_pair(ioc);
  {
    auto lease = acquire_now(ioc, pool);
    lease.attach(std::move(pair.connection));
  }
  CHECK(pool.in_use() == 0);
  CHECK(pool.idle_count() == 0);
  char byte = 0;
  beast::error_code ec;
  pair.peer.read_some(net::buffer(&byte, 1), ec);  // the pool side closed: EOF, not a hang
  CHECK(ec == net::error::eof);
  auto again = acquire_now(ioc, pool);  // the single slot is free again
  CHECK(pool.in_use() == 1);
}

TEST_CASE("pool: a caller waiting for a slot can be cancelled without losing the slot") {
  net::io_context ioc;
  ConnectionPool pool(ioc.get_executor(), 1, std::chrono::seconds(30));
  auto held = acquire_now(ioc, pool);
  net::cancellation_signal signal;
  std::optional<Result<ConnectionPool::Lease>> waited;
  net::co_spawn(ioc, pool.acquire(),
                net::bind_cancellation_slot(
                    signal.slot(), [&](std::exception_ptr, Result<ConnectionPool::Lease> lease) {
                      waited.emplace(std::move(lease));
                    }));
  ioc.restart();
  ioc.poll();
  CHECK_FALSE(waited.has_value());
  signal.emit(net::cancellation_type::terminal);
  ioc.restart();
  ioc.poll();
  REQUIRE(waited.has_value());
  REQUIRE(waited->has_error());
  CHECK(waited->error().code() == ErrorCode::cancelled);
  held = ConnectionPool::Lease{};
  CHECK(pool.in_use() == 0);
  auto again = acquire_now(ioc, pool);  // the cancelled waiter did not take the slot with it
  CHECK(pool.in_use() == 1);
}
