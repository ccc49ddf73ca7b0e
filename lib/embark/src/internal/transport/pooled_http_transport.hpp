// PooledHttpTransport: the HttpTransport of embark (Beast HTTP/1.1 over TCP or TLS, keep-alive
// pool).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "embark/client_options.hpp"

#include "internal/transport/connection_pool.hpp"
#include "internal/transport/endpoint.hpp"
#include "internal/transport/http_transport.hpp"
#include "internal/transport/tls_context.hpp"

namespace embark::internal {

/// Counters of one transport, for tests, benchmarks and diagnostics. Plain value type.
struct TransportStats {
  std::uint64_t connections_opened = 0;          ///< TCP connections established
  std::uint64_t tls_sessions_resumed = 0;        ///< handshakes that resumed a cached TLS session
  std::uint64_t requests = 0;                    ///< requests written (including re-sends)
  std::uint64_t reused_connection_requests = 0;  ///< requests written on a pooled connection
  std::uint64_t stale_resends = 0;  ///< idempotent requests re-sent after a stale connection
  std::size_t peak_in_use = 0;      ///< most connections in use at once
  std::size_t idle = 0;             ///< idle connections kept right now
};

/// Creates the transport for one endpoint. Validates the URL (see parse_endpoint) and the TLS
/// options; logs a warning once when plain http goes to a non-loopback host. Sockets and timers
/// use `executor`; send() may be awaited from coroutines on any executor. Thread-safe.
Result<std::shared_ptr<HttpTransport>> make_http_transport(
    const boost::asio::any_io_executor& executor, const std::string& endpoint_url,
    const TransportOptions& options);

/// HttpTransport over a keep-alive pool to one host. Every request is a POST to HttpRequest::target
/// with a JSON body. send() is thread-safe and may run concurrently from many coroutines, on any
/// executor: each connection's I/O, timeouts and cancellation run on a strand of its own, so the
/// transport is safe on an io_context run by several threads.
class PooledHttpTransport final : public HttpTransport,
                                  public std::enable_shared_from_this<PooledHttpTransport> {
 public:
  /// Use make_http_transport(); public for std::make_shared.
  PooledHttpTransport(const boost::asio::any_io_executor& executor, Endpoint endpoint,
                      TransportOptions options,
                      std::shared_ptr<boost::asio::ssl::context> tls_context);

  boost::asio::awaitable<Result<HttpResponse>> send(HttpRequest request) override;
  /// Every step's timer is armed for the earlier of its timeout and the request's deadline.
  bool keeps_deadlines() const noexcept override { return true; }

  /// The endpoint this transport talks to.
  const Endpoint& endpoint() const noexcept { return endpoint_; }
  /// A snapshot of the counters.
  TransportStats stats() const;
  /// Closes every idle pooled connection (the next request opens a new one).
  void close_idle_connections() { pool_.close_idle(); }

 private:
  using Resolved = boost::asio::ip::tcp::resolver::results_type;
  struct Attempt;  // one request on one connection (defined in pooled_http_transport.cpp)
  boost::asio::awaitable<void> run_attempt(Attempt& attempt);
  boost::asio::awaitable<Result<Resolved>> resolve(std::chrono::milliseconds timeout);
  boost::asio::awaitable<Result<std::unique_ptr<PooledConnection>>> open_connection(
      boost::asio::any_io_executor strand, std::chrono::milliseconds timeout);
  void forget_resolved();

  boost::asio::any_io_executor executor_;
  const Endpoint endpoint_;
  const TransportOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  TlsSessionCache sessions_;
  ConnectionPool pool_;

  std::mutex dns_mutex_;
  std::optional<Resolved> resolved_;
  std::chrono::steady_clock::time_point resolved_until_{};

  std::atomic<std::uint64_t> connections_opened_{0};
  std::atomic<std::uint64_t> tls_sessions_resumed_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> reused_connection_requests_{0};
  std::atomic<std::uint64_t> stale_resends_{0};
};

}  // namespace embark::internal
