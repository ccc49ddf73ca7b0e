#include "internal/transport/pooled_http_transport.hpp"

#include <algorithm>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <fmt/format.h>
#include <openssl/x509v3.h>

#include "embark/log.hpp"

#include "internal/core/strand.hpp"
#include "internal/core/within.hpp"
#include "internal/transport/http_exchange.hpp"

namespace embark::internal {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using net::ip::tcp;

namespace {

constexpr std::string_view kComponent = "transport";
// Long enough to save a lookup per connection, short enough to follow DNS changes of the vendor.
constexpr std::chrono::seconds kDnsReuse{30};
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

std::chrono::milliseconds effective_timeout(const HttpRequest& request,
                                            const TransportOptions& options) {
  if (request.timeout.count() <= 0) return options.operation_timeout;
  return std::min(request.timeout, options.operation_timeout);
}

Error handshake_error(const boost::system::error_code& ec, SSL* ssl, const Endpoint& endpoint,
                      std::chrono::milliseconds timeout, bool deadline_passed) {
  if (ec == beast::error::timeout || (ec == net::error::operation_aborted && deadline_passed))
    return Error(ErrorCode::timeout, fmt::format("TLS handshake with {}:{} timed out after {} ms",
                                                 endpoint.host, endpoint.port, timeout.count()));
  if (ec == net::error::operation_aborted)
    return Error(ErrorCode::cancelled, "TLS handshake was cancelled");
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    // The same certificate fails the same way on every attempt: retrying only adds load.
    Error error(ErrorCode::tls,
                fmt::format("TLS handshake with {}:{} failed: certificate verification failed ({})",
                            endpoint.host, endpoint.port, X509_verify_cert_error_string(verify)));
    error.with_retryable(false);
    return error;
  }
  return Error(ErrorCode::tls, fmt::format("TLS handshake with {}:{} failed ({})", endpoint.host,
                                           endpoint.port, ec.message()));
}

}  // namespace

Result<std::shared_ptr<HttpTransport>> make_http_transport(const net::any_io_executor& executor,
                                                           const std::string& endpoint_url,
                                                           const TransportOptions& options) {
  auto endpoint = parse_endpoint(endpoint_url, options);
  if (!endpoint) return endpoint.error();
  if (options.max_connections_per_host == 0) {
    Error error(ErrorCode::invalid_input, "max_connections_per_host must be at least 1");
    error.with_field("transport.max_connections_per_host");
    return error;
  }
  if (options.operation_timeout.count() <= 0) {
    Error error(ErrorCode::invalid_input, "operation_timeout must be positive");
    error.with_field("transport.operation_timeout");
    return error;
  }
  std::shared_ptr<net::ssl::context> tls_context;
  if (endpoint->tls) {
    auto context = make_tls_client_context(options);
    if (!context) return context.error();
    tls_context = std::move(*context);
    if (!options.verify_peer)
      logf(LogLevel::warn, kComponent, "TLS peer verification is off for {} (verify_peer = false)",
           endpoint->host);
  } else if (!endpoint->loopback) {
    logf(LogLevel::warn, kComponent,
         "plain http to non-loopback host {} (allow_insecure_http): traffic is not encrypted",
         endpoint->host);
  }
  return std::shared_ptr<HttpTransport>(std::make_shared<PooledHttpTransport>(
      executor, std::move(*endpoint), options, std::move(tls_context)));
}

PooledHttpTransport::PooledHttpTransport(const net::any_io_executor& executor, Endpoint endpoint,
                                         TransportOptions options,
                                         std::shared_ptr<net::ssl::context> tls_context)
    : executor_(executor),
      endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      tls_context_(std::move(tls_context)),
      pool_(executor, options_.max_connections_per_host, options_.idle_timeout) {}

TransportStats PooledHttpTransport::stats() const {
  TransportStats stats;
  stats.connections_opened = connections_opened_.load();
  stats.tls_sessions_resumed = tls_sessions_resumed_.load();
  stats.requests = requests_.load();
  stats.reused_connection_requests = reused_connection_requests_.load();
  stats.stale_resends = stale_resends_.load();
  stats.peak_in_use = pool_.peak_in_use();
  stats.idle = pool_.idle_count();
  return stats;
}

void PooledHttpTransport::forget_resolved() {
  std::lock_guard lock(dns_mutex_);
  resolved_.reset();
}

net::awaitable<Result<PooledHttpTransport::Resolved>> PooledHttpTransport::resolve(
    std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(dns_mutex_);
    if (resolved_ && std::chrono::steady_clock::now() < resolved_until_) co_return *resolved_;
  }
  using namespace net::experimental::awaitable_operators;
  tcp::resolver resolver(executor_);
  net::steady_timer timer(executor_);
  timer.expires_after(timeout);
  auto first = co_await (resolver.async_resolve(endpoint_.host, endpoint_.port, kTuple) ||
                         timer.async_wait(kTuple));
  if (first.index() == 1)
    co_return fail(ErrorCode::timeout, fmt::format("resolving {} timed out after {} ms",
                                                   endpoint_.host, timeout.count()));
  auto [ec, results] = std::get<0>(std::move(first));
  if (ec == net::error::operation_aborted)
    co_return fail(ErrorCode::cancelled, "name resolution was cancelled");
  if (ec)
    co_return fail(ErrorCode::connect,
                   fmt::format("resolving {} failed ({})", endpoint_.host, ec.message()));
  std::lock_guard lock(dns_mutex_);
  resolved_ = results;
  resolved_until_ = std::chrono::steady_clock::now() + kDnsReuse;
  co_return results;
}

net::awaitable<Result<std::unique_ptr<PooledConnection>>> PooledHttpTransport::open_connection(
    net::any_io_executor strand, std::chrono::milliseconds timeout) {
  auto resolved = co_await resolve(timeout);
  if (!resolved) co_return resolved.error();

  beast::tcp_stream stream(strand);
  stream.expires_after(timeout);
  auto [connect_ec, peer] = co_await stream.async_connect(*resolved, kTuple);
  if (connect_ec) {
    forget_resolved();
    if (connect_ec == beast::error::timeout)
      co_return fail(ErrorCode::timeout,
                     fmt::format("connecting to {}:{} timed out after {} ms", endpoint_.host,
                                 endpoint_.port, timeout.count()));
    if (connect_ec == net::error::operation_aborted)
      co_return fail(ErrorCode::cancelled, "connecting was cancelled");
    co_return fail(ErrorCode::connect,
                   fmt::format("connecting to {}:{} failed ({})", endpoint_.host, endpoint_.port,
                               connect_ec.message()));
  }
  connections_opened_.fetch_add(1);
  logf(LogLevel::trace, kComponent, "connected to {}:{}", endpoint_.host, endpoint_.port);
  boost::system::error_code ignored;
  stream.socket().set_option(tcp::no_delay(true), ignored);

  auto connection = std::make_unique<PooledConnection>();
  connection->strand = std::move(strand);
  if (!endpoint_.tls) {
    connection->plain = std::make_unique<beast::tcp_stream>(std::move(stream));
    logf(LogLevel::debug, kComponent, "opened http connection to {}:{}", endpoint_.host,
         endpoint_.port);
    co_return connection;
  }

  connection->tls = std::make_unique<PooledConnection::TlsStream>(std::move(stream), *tls_context_);
  SSL* ssl = connection->tls->native_handle();
  if (!endpoint_.ip_literal && SSL_set_tlsext_host_name(ssl, endpoint_.host.c_str()) != 1)
    co_return fail(ErrorCode::tls, "cannot set the TLS server name (SNI)");
  if (options_.verify_peer) {
    const int set = endpoint_.ip_literal
                        ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), endpoint_.host.c_str())
                        : SSL_set1_host(ssl, endpoint_.host.c_str());
    if (set != 1) co_return fail(ErrorCode::tls, "cannot set the expected TLS peer name");
  }
  sessions_.apply_to(ssl);
  const auto deadline = arm_timeout(*connection->tls, timeout);
  auto [handshake_ec] =
      co_await connection->tls->async_handshake(net::ssl::stream_base::client, kTuple);
  if (handshake_ec) {
    sessions_.clear();
    auto error = handshake_error(handshake_ec, ssl, endpoint_, timeout, passed(deadline));
    connection->close();
    co_return error;
  }
  const bool resumed = SSL_session_reused(ssl) == 1;
  if (resumed) tls_sessions_resumed_.fetch_add(1);
  logf(LogLevel::debug, kComponent, "opened TLS connection to {}:{} ({}, session {})",
       endpoint_.host, endpoint_.port, SSL_get_version(ssl), resumed ? "resumed" : "new");
  co_return connection;
}

// What one attempt needs and what it produced. Lives in send()'s frame; run_attempt() touches it
// on the connection's strand while send() waits.
struct PooledHttpTransport::Attempt {
  ConnectionPool::Lease& lease;
  http::request<http::string_body>& message;
  const std::function<Result<void>(std::string_view)>& sink;
  const ExchangeLimits limits;
  net::any_io_executor strand;
  ExchangeOutcome outcome;
};

net::awaitable<Result<HttpResponse>> PooledHttpTransport::send(HttpRequest request) {
  auto self = shared_from_this();  // keeps the pool alive while this request runs
  const auto timeout = effective_timeout(request, options_);

  http::request<http::string_body> message{
      http::verb::post, request.target.empty() ? endpoint_.target : request.target, 11};
  message.set(http::field::host, endpoint_.host_header);
  message.set(http::field::user_agent, "embark");
  message.set(http::field::content_type, "application/json");
  message.set(http::field::accept, "application/json");
  if (request.bearer && !request.bearer->empty())
    message.set(http::field::authorization, fmt::format("Bearer {}", request.bearer->reveal()));
  message.keep_alive(true);
  message.body() = std::move(request.body);
  message.prepare_payload();

  const bool has_deadline = request.deadline != std::chrono::steady_clock::time_point::max();
  Result<ConnectionPool::Lease> lease = ConnectionPool::Lease();
  if (auto free = pool_.try_acquire()) {
    lease = std::move(*free);
  } else if (has_deadline) {
    // Waiting for a connection (the pool is full): the request's deadline ends the wait.
    auto waited = co_await within(pool_.acquire(), request.deadline);
    if (!waited) co_return request_deadline_error();
    lease = std::move(*waited);
  } else {
    lease = co_await pool_.acquire();
  }
  if (!lease) co_return lease.error();

  Attempt attempt{
      *lease, message, request.body_sink,
      ExchangeLimits{timeout,
                     request.max_response_bytes == HttpRequest::kUnbounded ? HttpRequest::kUnbounded
                     : request.max_response_bytes == 0
                         ? options_.max_response_bytes
                         : std::min(request.max_response_bytes, options_.max_response_bytes),
                     request.deadline}};
  bool resent = false;
  for (;;) {
    // The exchange runs on the connection's strand (a new connection gets a new one): Beast's
    // timeout handler closes the socket from a handler of its own, which on an io_context run by
    // several threads would otherwise race the read it interrupts. co_spawn also delivers this
    // coroutine's cancellation (the onboarding deadline) on that strand.
    const bool reused = lease->reused();
    auto strand = reused && lease->connection()->strand ? lease->connection()->strand
                                                        : make_private_strand(executor_);
    attempt.strand = strand;
    co_await net::co_spawn(strand, run_attempt(attempt), net::use_awaitable);
    ExchangeOutcome& outcome = attempt.outcome;
    if (outcome.response) {
      if (outcome.reusable) lease->give_back();
      co_return std::move(outcome.response);
    }
    if (outcome.stale && reused) {
      if (request.idempotent && !resent) {
        resent = true;
        stale_resends_.fetch_add(1);
        logf(LogLevel::debug, kComponent,
             "pooled connection to {} was closed by the server; re-sending once", endpoint_.host);
        continue;  // on a fresh connection: the lease no longer holds one
      }
      Error error(
          ErrorCode::connect,
          fmt::format("the pooled connection to {} was closed by the server before it answered; "
                      "the request was not re-sent because it is not idempotent",
                      endpoint_.host));
      error.with_retryable(true);
      co_return error;
    }
    co_return outcome.response.error();
  }
}

net::awaitable<void> PooledHttpTransport::run_attempt(Attempt& attempt) {
  ConnectionPool::Lease& lease = attempt.lease;
  attempt.outcome = ExchangeOutcome{};
  if (lease.connection() == nullptr) {
    // Resolving, connecting and the handshake end by the request's deadline too (a new
    // connection is rare; one race per connection costs little).
    Result<std::unique_ptr<PooledConnection>> opened = std::unique_ptr<PooledConnection>();
    if (attempt.limits.deadline != std::chrono::steady_clock::time_point::max()) {
      auto raced = co_await within(open_connection(attempt.strand, attempt.limits.timeout),
                                   attempt.limits.deadline);
      if (!raced) {
        attempt.outcome.response = request_deadline_error();
        co_return;
      }
      opened = std::move(*raced);
    } else {
      opened = co_await open_connection(attempt.strand, attempt.limits.timeout);
    }
    if (!opened) {
      attempt.outcome.response = opened.error();
      co_return;
    }
    lease.attach(std::move(*opened));
  }
  PooledConnection& connection = *lease.connection();
  requests_.fetch_add(1);
  if (lease.reused()) reused_connection_requests_.fetch_add(1);

  // Not a conditional expression: g++ 12 miscompiles co_await inside ?: (double destruction).
  ExchangeOutcome outcome;
  if (connection.tls)
    outcome = co_await exchange(*connection.tls, connection.buffer, attempt.message, attempt.sink,
                                attempt.limits);
  else
    outcome = co_await exchange(*connection.plain, connection.buffer, attempt.message, attempt.sink,
                                attempt.limits);
  // The stream is left idle (timer off) or closed here, on its strand, before another thread can
  // lease it.
  if (outcome.response) {
    if (++connection.responses == 1 && connection.tls)
      sessions_.remember_from(connection.tls->native_handle());
    if (outcome.reusable)
      connection.tcp().expires_never();
    else
      lease.discard();
  } else {
    lease.discard();
  }
  attempt.outcome = std::move(outcome);
}

}  // namespace embark::internal
