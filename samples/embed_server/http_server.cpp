#include "http_server.hpp"

#include <exception>
#include <iostream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace embark::sample {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// How long a connection closed by the server after an answer is drained before the socket closes.
constexpr auto kLingerTime = std::chrono::milliseconds{500};

// Decrements the open-connection count when a connection's coroutine ends, however it ends.
struct ConnectionSlot {
  std::shared_ptr<ServerStats> stats;
  explicit ConnectionSlot(std::shared_ptr<ServerStats> s) : stats(std::move(s)) {
    ++stats->open_connections;
  }
  ~ConnectionSlot() { --stats->open_connections; }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
};

}  // namespace

HttpServer::HttpServer(asio::any_io_executor executor, const Router& router, Decorator decorate,
                       ServerLimits limits)
    : executor_(executor),
      acceptor_(executor),
      router_(router),
      decorate_(std::move(decorate)),
      limits_(limits) {}

unsigned short HttpServer::listen(const tcp::endpoint& endpoint) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  return acceptor_.local_endpoint().port();
}

void HttpServer::start() { asio::co_spawn(executor_, accept_loop(), asio::detached); }

void HttpServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> HttpServer::accept_loop() {
  auto stats = stats_;
  asio::steady_timer pause(executor_);
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAwait);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      // EMFILE/ENFILE/ENOBUFS leave the connection queued: retrying at once would spin the CPU.
      ++stats->accept_errors;
      pause.expires_after(limits_.accept_retry_delay);
      co_await pause.async_wait(kAwait);
      continue;
    }
    if (stats->open_connections >= limits_.max_connections) {
      ++stats->refused_connections;
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    asio::co_spawn(executor_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> HttpServer::serve(tcp::socket socket) {
  ConnectionSlot slot(stats_);
  boost::system::error_code peer_ec;
  const std::string peer = socket.remote_endpoint(peer_ec).address().to_string();
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  bool linger = false;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits_.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    // Two deadlines, each for the whole part (a client trickling one byte at a time gains nothing).
    stream.expires_after(limits_.header_timeout);
    auto [read_ec, header_bytes] = co_await http::async_read_header(stream, buffer, parser, kAwait);
    (void)header_bytes;
    if (!read_ec && !parser.is_done()) {
      stream.expires_after(limits_.body_timeout);
      auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, kAwait);
      (void)body_bytes;
      read_ec = body_ec;
    }
    if (read_ec == http::error::end_of_stream) break;

    Response response;
    bool keep_alive = false;
    if (read_ec == http::error::body_limit || read_ec == http::error::header_limit) {
      Request partial = parser.get();
      response = error_response(partial, read_ec == http::error::body_limit
                                             ? http::status::payload_too_large
                                             : http::status::request_header_fields_too_large);
      response.keep_alive(false);
    } else if (read_ec) {
      if (read_ec == beast::error::timeout) ++stats_->timed_out;
      break;  // timeout, reset, malformed request: nothing useful to answer
    } else {
      Request request = parser.release();
      request.erase(kPeerAddressHeader);
      if (!peer_ec) request.set(kPeerAddressHeader, peer);
      keep_alive = request.keep_alive();
      bool failed = false;
      try {
        response = co_await router_.route(request);
      } catch (const std::exception& e) {
        // A handler bug must not take the server down; the message holds no secrets by
        // construction.
        std::cerr << "embark-sample-server: handler error on " << target_path(request.target())
                  << ": " << e.what() << "\n";
        failed = true;
      }
      if (failed) response = error_response(request, http::status::internal_server_error);
      response.keep_alive(keep_alive && response.keep_alive());
    }
    decorate_(response);
    stream.expires_after(limits_.write_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, response, kAwait);
    (void)written;
    if (write_ec) break;
    if (!response.keep_alive()) {
      // A refused request (413, 431) may leave unread bytes behind; closing on them would send a
      // reset that can destroy the answer in the client's buffers. Drain briefly first.
      linger = true;
      break;
    }
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (linger) {
    constexpr std::size_t kMaxDrain = 256 * 1024;
    std::size_t drained = 0;
    char scratch[4096];
    stream.expires_after(kLingerTime);
    while (drained < kMaxDrain) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kAwait);
      drained += n;
      if (ec) break;
    }
  }
}

}  // namespace embark::sample
