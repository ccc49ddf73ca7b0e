// Accepts connections and serves HTTP/1.1 (TLS or, on loopback, plain) with C++20 coroutines.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "embark/result.hpp"

namespace embark::emulator {

class Service;

/// Network settings of one listener.
struct ListenerConfig {
  boost::asio::ip::tcp::endpoint endpoint;
  boost::asio::ssl::context* tls = nullptr;  ///< null: no TLS
  bool allow_plain = false;  ///< answer plain HTTP too (TLS is detected per connection)
  std::size_t body_limit = std::size_t{1024} * 1024;
  std::chrono::seconds idle_timeout{60};
  std::size_t close_after_requests = 0;  ///< Options::close_after_requests
};

/// One listening socket and its connections. Thread-safe: each connection runs on one of the
/// io_contexts (taken in turn), each of which one thread runs; accepting runs on the first.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  /// Opens and binds the socket (port 0 picks a free port). `contexts` must not be empty and
  /// must outlive the listener's work.
  static Result<std::shared_ptr<Listener>> bind(std::vector<boost::asio::io_context*> contexts,
                                                ListenerConfig config, Service& service);

  /// Starts the accept loop on the io_context.
  void start();
  /// The bound port.
  std::uint16_t port() const { return port_; }
  /// Stops accepting (open connections end with the io_context).
  void close();

 private:
  Listener(std::vector<boost::asio::io_context*> contexts, ListenerConfig config, Service& service);

  std::vector<boost::asio::io_context*> contexts_;
  ListenerConfig config_;
  Service& service_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
};

}  // namespace embark::emulator
