#include "http/listener.hpp"

#include <array>
#include <tuple>
#include <type_traits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/response_head.hpp"
#include "http/service.hpp"

namespace embark::emulator {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kWriteTimeout{30};
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr std::chrono::seconds kShutdownTimeout{2};
constexpr std::uint32_t kHeaderLimit = 16 * 1024;

enum class SessionEnd { graceful, abort };

Response too_large(unsigned version) {
  Response res{http::status::payload_too_large, version};
  res.set(http::field::server, "embark-emulator");
  res.set(http::field::content_type, "application/json");
  res.body() = R"({"errors":[{"message":"Request body too large"}],"data":null})";
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

void hard_close(tcp::socket& socket) {
  boost::system::error_code ec;
  socket.set_option(asio::socket_base::linger(true, 0), ec);  // RST instead of FIN
  socket.close(ec);
}

template <class Stream>
asio::awaitable<SessionEnd> serve_requests(Stream& stream, beast::flat_buffer& buffer,
                                           Service& service, const ListenerConfig& config) {
  auto& lowest = beast::get_lowest_layer(stream);
  std::size_t answered = 0;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(config.body_limit);
    parser.header_limit(kHeaderLimit);
    lowest.expires_after(config.idle_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kAwait);
    if (ec == http::error::end_of_stream) co_return SessionEnd::graceful;
    if (ec == http::error::body_limit) {
      Response res = too_large(parser.get().version());
      lowest.expires_after(kWriteTimeout);
      co_await http::async_write(stream, res, kAwait);
      co_return SessionEnd::graceful;
    }
    if (ec) co_return SessionEnd::abort;

    Request request = parser.release();
    Outcome out = service.handle(request);
    if (out.delay.count() > 0) {
      // A timer, not a sleep: other connections keep being served meanwhile.
      asio::steady_timer timer(co_await asio::this_coro::executor, out.delay);
      co_await timer.async_wait(kAwait);
    }
    if (out.fault == Fault::reset) {
      hard_close(lowest.socket());
      co_return SessionEnd::abort;
    }
    if (out.fault == Fault::hang) {
      // Read on, answer nothing: the connection ends when the client gives up or it idles out.
      for (;;) {
        lowest.expires_after(config.idle_timeout);
        auto [hec, got] = co_await stream.async_read_some(buffer.prepare(4096), kAwait);
        if (hec) co_return SessionEnd::abort;
        buffer.consume(got);
      }
    }
    lowest.expires_after(kWriteTimeout);
    if (out.fault == Fault::interim) {
      static constexpr std::string_view kInterim =
          "HTTP/1.1 100 Continue\r\n\r\n"
          "HTTP/1.1 103 Early Hints\r\nLink: </graphql>; rel=preconnect\r\n\r\n";
      auto [iec, isent] = co_await asio::async_write(stream, asio::buffer(kInterim), kAwait);
      if (iec) co_return SessionEnd::abort;
    }
    if (out.fault == Fault::truncate) {
      std::string wire = response_head(out.response);
      wire.append(out.response.body(), 0, out.response.body().size() / 2);
      co_await asio::async_write(stream, asio::buffer(wire), kAwait);
      hard_close(lowest.socket());
      co_return SessionEnd::abort;
    }
    const bool keep_alive = out.response.keep_alive();
    boost::system::error_code wec;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      const std::string head = response_head(out.response);
      const std::array<asio::const_buffer, 2> wire{asio::buffer(head),
                                                   asio::buffer(out.response.body())};
      std::tie(wec, std::ignore) = co_await asio::async_write(stream, wire, kAwait);
    } else {
      // Over TLS Beast's own serializer: a gathered asio::async_write of head and body stalled
      // mid-body on beast::ssl_stream (its flat_stream layer), and TLS is not the fast path.
      std::tie(wec, std::ignore) = co_await http::async_write(stream, out.response, kAwait);
    }
    if (wec) co_return SessionEnd::abort;
    if (!keep_alive) co_return SessionEnd::graceful;
    if (++answered == config.close_after_requests)
      co_return SessionEnd::graceful;  // unannounced close
  }
}

asio::awaitable<void> run_session(tcp::socket socket, Service& service, ListenerConfig config) {
  if (const Fault fault = service.faults().decide_connection(); fault != Fault::none) {
    if (fault == Fault::tls_garbage) {
      static constexpr std::string_view kGarbage =
          "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      co_await asio::async_write(socket, asio::buffer(kGarbage), kAwait);
    }
    hard_close(socket);
    co_return;
  }
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  stream.expires_after(config.idle_timeout);
  auto [ec, is_tls] = co_await beast::async_detect_ssl(stream, buffer, kAwait);
  if (ec) co_return;
  if (is_tls && config.tls) {
    beast::ssl_stream<beast::tcp_stream> tls(std::move(stream), *config.tls);
    beast::get_lowest_layer(tls).expires_after(kHandshakeTimeout);
    auto [hec, used] =
        co_await tls.async_handshake(asio::ssl::stream_base::server, buffer.data(), kAwait);
    if (hec) co_return;
    buffer.consume(used);
    if (co_await serve_requests(tls, buffer, service, config) == SessionEnd::graceful) {
      beast::get_lowest_layer(tls).expires_after(kShutdownTimeout);
      co_await tls.async_shutdown(kAwait);
    }
    co_return;
  }
  if (is_tls || !config.allow_plain) co_return;  // TLS not configured, or plain HTTP off this host
  if (co_await serve_requests(stream, buffer, service, config) == SessionEnd::graceful) {
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
}

asio::awaitable<void> accept_loop(std::shared_ptr<Listener> /*keep_alive*/, tcp::acceptor& acceptor,
                                  std::vector<asio::io_context*> contexts, Service& service,
                                  ListenerConfig config) {
  std::size_t next = 0;
  for (;;) {
    // The new connection belongs to the next thread's io_context, for good.
    asio::io_context& home = *contexts[next++ % contexts.size()];
    auto [ec, socket] = co_await acceptor.async_accept(home, kAwait);
    if (!acceptor.is_open()) co_return;
    if (ec) continue;  // e.g. out of descriptors: keep serving the open connections
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, run_session(std::move(socket), service, config), asio::detached);
  }
}

}  // namespace

Listener::Listener(std::vector<asio::io_context*> contexts, ListenerConfig config, Service& service)
    : contexts_(std::move(contexts)),
      config_(std::move(config)),
      service_(service),
      acceptor_(*contexts_.front()) {}

Result<std::shared_ptr<Listener>> Listener::bind(std::vector<asio::io_context*> contexts,
                                                 ListenerConfig config, Service& service) {
  if (contexts.empty()) return fail(ErrorCode::internal, "the listener needs an io_context");
  std::shared_ptr<Listener> self(new Listener(std::move(contexts), std::move(config), service));
  boost::system::error_code ec;
  auto& a = self->acceptor_;
  const auto& ep = self->config_.endpoint;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return fail(ErrorCode::internal, "cannot listen on " + ep.address().to_string() + ":" +
                                         std::to_string(ep.port()) + ": " + ec.message());
  }
  self->port_ = a.local_endpoint().port();
  return self;
}

void Listener::start() {
  asio::co_spawn(acceptor_.get_executor(),
                 accept_loop(shared_from_this(), acceptor_, contexts_, service_, config_),
                 asio::detached);
}

void Listener::close() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

}  // namespace embark::emulator
