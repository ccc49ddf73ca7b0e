#include "http_server.hpp"

#include <exception>
#include <iostream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
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
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      continue;  // e.g. too many open files: keep serving the connections we have
    }
    asio::co_spawn(executor_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> HttpServer::serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits_.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    stream.expires_after(limits_.read_timeout);
    auto [read_ec, read_bytes] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    (void)read_bytes;
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
      break;  // timeout, reset, malformed request: nothing useful to answer
    } else {
      Request request = parser.release();
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
    auto [write_ec, written] =
        co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
    (void)written;
    if (write_ec || !response.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace embark::sample
