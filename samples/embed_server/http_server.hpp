// HttpServer: a Boost.Beast HTTP/1.1 server (C++20 coroutines) that hands requests to a Router.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "http_types.hpp"
#include "router.hpp"

namespace embark::sample {

/// Limits that protect the server from slow, large or too many requests.
struct ServerLimits {
  std::size_t max_body_bytes = 64 * 1024;    ///< larger bodies get 413
  std::size_t max_header_bytes = 16 * 1024;  ///< larger headers (or too many of them) get 431
  /// Time for a request's whole header to arrive, counted from when the server starts waiting for
  /// it (this includes a keep-alive connection's idle time); a slower client is disconnected.
  std::chrono::milliseconds header_timeout{std::chrono::seconds{15}};
  /// Time for the body to arrive once the header is in; a slower client is disconnected.
  std::chrono::milliseconds body_timeout{std::chrono::seconds{30}};
  std::chrono::milliseconds write_timeout{std::chrono::seconds{30}};
  /// Most connections served at once; a connection beyond it is closed as soon as it is accepted.
  std::size_t max_connections = 1024;
  /// Pause before accepting again after accept() failed (e.g. EMFILE: out of file descriptors),
  /// so a pending connection that cannot be accepted does not spin the loop.
  std::chrono::milliseconds accept_retry_delay{100};
};

/// Counters of the server's defences. Plain value type.
struct ServerStats {
  std::size_t open_connections = 0;       ///< connections being served now
  std::uint64_t refused_connections = 0;  ///< closed at accept because max_connections was reached
  std::uint64_t accept_errors = 0;        ///< failed accept() calls (each followed by a pause)
  std::uint64_t timed_out = 0;            ///< connections dropped by a header or body deadline
};

/// Name of the request header through which the server tells handlers the client's IP address.
/// The server removes any copy the client sent, so handlers can trust it.
inline constexpr std::string_view kPeerAddressHeader = "X-Sample-Peer-Address";

/// Accepts connections and serves keep-alive HTTP/1.1 on one executor. Each response passes through
/// `decorate` (security headers) before it is written. Not thread-safe: call listen/start/stop and
/// stats from the executor's thread or before it runs; the router must outlive the server.
class HttpServer {
 public:
  /// Called on every response before it is sent.
  using Decorator = std::function<void(Response&)>;

  HttpServer(boost::asio::any_io_executor executor, const Router& router, Decorator decorate,
             ServerLimits limits = {});

  /// Binds and listens on `endpoint` (port 0 picks a free port). Returns the bound port.
  /// Throws boost::system::system_error when the address cannot be bound.
  unsigned short listen(const boost::asio::ip::tcp::endpoint& endpoint);
  /// Starts accepting connections (after listen()).
  void start();
  /// Stops accepting; connections in progress finish their current request.
  void stop();
  /// The defences' counters so far.
  ServerStats stats() const { return *stats_; }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  boost::asio::any_io_executor executor_;
  boost::asio::ip::tcp::acceptor acceptor_;
  const Router& router_;
  Decorator decorate_;
  ServerLimits limits_;
  // Shared with the connection coroutines, which may outlive the server object by a moment.
  std::shared_ptr<ServerStats> stats_ = std::make_shared<ServerStats>();
};

}  // namespace embark::sample
