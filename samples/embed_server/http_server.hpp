// HttpServer: a Boost.Beast HTTP/1.1 server (C++20 coroutines) that hands requests to a Router.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "http_types.hpp"
#include "router.hpp"

namespace embark::sample {

/// Limits that protect the server from slow or large requests.
struct ServerLimits {
  std::size_t max_body_bytes = 64 * 1024;    ///< larger bodies get 413
  std::size_t max_header_bytes = 16 * 1024;  ///< larger headers get 431
  std::chrono::seconds read_timeout{30};     ///< per request, including idle keep-alive time
  std::chrono::seconds write_timeout{30};
};

/// Accepts connections and serves keep-alive HTTP/1.1 on one executor. Each response passes through
/// `decorate` (security headers) before it is written. Not thread-safe: call listen/start/stop from
/// the executor's thread or before it runs; the router must outlive the server.
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

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  boost::asio::any_io_executor executor_;
  boost::asio::ip::tcp::acceptor acceptor_;
  const Router& router_;
  Decorator decorate_;
  ServerLimits limits_;
};

}  // namespace embark::sample
