#include "support/test_http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace embark::test_support {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using net::ip::tcp;

namespace {
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

std::string make_body(std::size_t bytes) {
  if (bytes == 0) return R"({"data":{}})";
  const std::string head = R"({"data":{"filler":")";
  const std::string tail = R"("}})";
  if (bytes <= head.size() + tail.size()) return std::string(bytes, ' ');
  return head + std::string(bytes - head.size() - tail.size(), 'x') + tail;
}
}  // namespace

struct TestHttpServer::Impl {
  TestHttpServer& owner;
  std::optional<net::ssl::context> tls;  // declared first: destroyed after the sessions that use it
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;

  explicit Impl(TestHttpServer& o) : owner(o) {}

  template <class Stream>
  net::awaitable<void> serve(Stream& stream) {
    beast::flat_buffer buffer;
    for (std::size_t n = 0;; ++n) {
      http::request<http::string_body> request;
      auto [ec, read] = co_await http::async_read(stream, buffer, request, kTuple);
      if (ec) co_return;
      owner.requests_.fetch_add(1);
      const ServerBehaviour behaviour = owner.behaviour();
      {
        std::lock_guard lock(owner.mutex_);
        owner.last_request_ = ReceivedRequest{std::string(request.method_string()),
                                              std::string(request.target()),
                                              std::string(request[http::field::host]),
                                              std::string(request[http::field::authorization]),
                                              std::string(request[http::field::content_type]),
                                              request.body()};
      }
      if (behaviour.mode == ServerMode::never_answer) {
        http::request<http::string_body> next;
        co_await http::async_read(stream, buffer, next,
                                  kTuple);  // returns when the client goes away
        co_return;
      }
      if (behaviour.mode == ServerMode::drop_reused && n > 0) co_return;

      const bool http10 = behaviour.mode == ServerMode::http10;
      http::response<http::string_body> response{static_cast<http::status>(behaviour.status),
                                                 http10 ? 10 : 11};
      response.set(http::field::server, "embark-test");
      response.set(http::field::content_type, "application/json");
      if (behaviour.retry_after) response.set(http::field::retry_after, *behaviour.retry_after);
      response.body() = make_body(behaviour.body_bytes);
      response.keep_alive(!http10 && behaviour.mode != ServerMode::connection_close);
      response.prepare_payload();
      auto [write_ec, written] = co_await http::async_write(stream, response, kTuple);
      if (write_ec || !response.keep_alive() || behaviour.mode == ServerMode::close_after_answer)
        co_return;
    }
  }

  net::awaitable<void> session(tcp::socket socket) {
    const std::size_t open = owner.open_.fetch_add(1) + 1;
    std::size_t peak = owner.peak_open_.load();
    while (open > peak && !owner.peak_open_.compare_exchange_weak(peak, open)) {
    }
    if (tls) {
      beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls);
      auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server, kTuple);
      if (!ec) {
        owner.handshakes_.fetch_add(1);
        if (SSL_session_reused(stream.native_handle()) == 1) owner.sessions_resumed_.fetch_add(1);
        co_await serve(stream);
      }
      beast::error_code ignored;
      stream.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.next_layer().socket().close(ignored);
    } else {
      beast::tcp_stream stream(std::move(socket));
      co_await serve(stream);
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.socket().close(ignored);
    }
    owner.open_.fetch_sub(1);
  }

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kTuple);
      if (ec) co_return;
      owner.accepted_.fetch_add(1);
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true),
                        ignored);  // else Nagle + delayed ACK add ~40 ms per TLS handshake
      net::co_spawn(ioc, session(std::move(socket)), net::detached);
    }
  }
};

TestHttpServer::TestHttpServer(KeyPair certificate) { start(std::move(certificate)); }
TestHttpServer::TestHttpServer() { start(std::nullopt); }

void TestHttpServer::start(std::optional<KeyPair> certificate) {
  impl_ = std::make_unique<Impl>(*this);
  if (certificate) {
    tls_ = true;
    impl_->tls.emplace(net::ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(impl_->tls->native_handle(), TLS1_2_VERSION);
    impl_->tls->use_certificate_chain(net::buffer(certificate->cert_pem));
    impl_->tls->use_private_key(net::buffer(certificate->key_pem), net::ssl::context::pem);
  }
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

TestHttpServer::~TestHttpServer() {
  impl_->ioc.stop();
  impl_->thread.join();
}

std::string TestHttpServer::url(std::string_view host, std::string_view path) const {
  return std::string(tls_ ? "https://" : "http://") + std::string(host) + ":" +
         std::to_string(port_) + std::string(path);
}

void TestHttpServer::set_behaviour(ServerBehaviour behaviour) {
  std::lock_guard lock(mutex_);
  behaviour_ = std::move(behaviour);
}

ServerBehaviour TestHttpServer::behaviour() const {
  std::lock_guard lock(mutex_);
  return behaviour_;
}

ReceivedRequest TestHttpServer::last_request() const {
  std::lock_guard lock(mutex_);
  return last_request_;
}

}  // namespace embark::test_support
