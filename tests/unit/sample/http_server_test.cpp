// HttpServer over a real loopback socket: keep-alive, the response decorator, and its defences
// (size limits, header and body deadlines, the connection cap, EMFILE on accept).
#include "http_server.hpp"

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <doctest/doctest.h>

#include "run_sync.hpp"
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace embark::sample;
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

struct Exchange {
  std::vector<Response> responses;
  bool closed_after_last = false;
};

asio::awaitable<Exchange> talk(HttpServer& server, unsigned short port,
                               std::vector<Request> requests) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                asio::use_awaitable);
  beast::flat_buffer buffer;
  Exchange out;
  for (auto& request : requests) {
    request.set(http::field::host, "127.0.0.1");
    request.prepare_payload();
    co_await http::async_write(stream, request, asio::use_awaitable);
    Response response;
    co_await http::async_read(stream, buffer, response, asio::use_awaitable);
    out.responses.push_back(std::move(response));
  }
  // After a Connection: close answer the server shuts the socket: the next read sees EOF.
  char byte;
  auto [ec, n] = co_await stream.socket().async_read_some(asio::buffer(&byte, 1),
                                                          asio::as_tuple(asio::use_awaitable));
  out.closed_after_last = ec == asio::error::eof;
  server.stop();
  co_return out;
}

}  // namespace

TEST_CASE("the server answers keep-alive requests, decorates responses and limits bodies") {
  asio::io_context io;
  Router router;
  router.add(http::verb::get, "/hello", [](const Request& r) -> asio::awaitable<Response> {
    co_return make_response(r, http::status::ok, "text/plain", "hello");
  });
  router.add(http::verb::post, "/echo", [](const Request& r) -> asio::awaitable<Response> {
    co_return make_response(r, http::status::ok, "text/plain", r.body());
  });
  router.add(http::verb::get, "/boom", [](const Request&) -> asio::awaitable<Response> {
    throw std::runtime_error("handler bug");
    co_return Response{};
  });
  ServerLimits limits;
  limits.max_body_bytes = 1024;
  HttpServer server(
      io.get_executor(), router, [](Response& r) { r.set("X-Decorated", "yes"); }, limits);
  unsigned short port = server.listen(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  CHECK(port != 0);
  server.start();

  std::vector<Request> requests;
  requests.emplace_back(http::verb::get, "/hello", 11);
  Request echo{http::verb::post, "/echo", 11};
  echo.body() = "ping";
  requests.push_back(echo);
  requests.emplace_back(http::verb::get, "/boom", 11);
  requests.emplace_back(http::verb::get, "/missing", 11);
  Request big{http::verb::post, "/echo", 11};
  big.body() = std::string(4096, 'x');
  requests.push_back(big);

  Exchange ex = testing::run_sync(io, talk(server, port, std::move(requests)));
  REQUIRE(ex.responses.size() == 5);
  CHECK(ex.responses[0].body() == "hello");
  CHECK(ex.responses[0]["X-Decorated"] == "yes");
  CHECK(ex.responses[0].keep_alive());
  CHECK(ex.responses[1].body() == "ping");
  CHECK(ex.responses[2].result() == http::status::internal_server_error);
  CHECK(ex.responses[2].body().find("handler bug") == std::string::npos);
  CHECK(ex.responses[3].result() == http::status::not_found);
  CHECK(ex.responses[3]["X-Decorated"] == "yes");
  CHECK(ex.responses[4].result() == http::status::payload_too_large);
  CHECK_FALSE(ex.responses[4].keep_alive());
  CHECK(ex.closed_after_last);
}

namespace {

// Runs `io` until `done()` holds or `limit` passes (the server's accept loop never runs out of
// work).
template <class Pred>
void run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (!done() && std::chrono::steady_clock::now() < deadline)
    io.run_one_for(std::chrono::milliseconds{20});
}

// A server on 127.0.0.1:<port 0> with GET /hello, POST /echo and GET /peer.
struct ServerFixture {
  asio::io_context io;
  Router router;
  std::optional<HttpServer> server;
  unsigned short port = 0;

  explicit ServerFixture(ServerLimits limits) {
    router.add(http::verb::get, "/hello", [](const Request& r) -> asio::awaitable<Response> {
      co_return make_response(r, http::status::ok, "text/plain", "hello");
    });
    router.add(http::verb::post, "/echo", [](const Request& r) -> asio::awaitable<Response> {
      co_return make_response(r, http::status::ok, "text/plain", r.body());
    });
    router.add(http::verb::get, "/peer", [](const Request& r) -> asio::awaitable<Response> {
      co_return make_response(r, http::status::ok, "text/plain",
                              std::string(r[kPeerAddressHeader]));
    });
    server.emplace(
        io.get_executor(), router, [](Response&) {}, limits);
    port = server->listen(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    server->start();
  }
  tcp::endpoint endpoint() const { return {asio::ip::make_address("127.0.0.1"), port}; }
};

// Sends raw bytes in pieces, `gap` apart, then reads until the server closes or answers.
// Returns what was read and whether the connection ended by the server.
struct RawResult {
  std::string received;
  bool closed = false;
};

asio::awaitable<RawResult> send_raw(tcp::endpoint endpoint, std::vector<std::string> pieces,
                                    std::chrono::milliseconds gap) {
  auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  co_await socket.async_connect(endpoint, asio::use_awaitable);
  asio::steady_timer timer(executor);
  RawResult out;
  for (const auto& piece : pieces) {
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(piece),
                                              asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    timer.expires_after(gap);
    co_await timer.async_wait(asio::use_awaitable);
  }
  char data[4096];
  for (;;) {
    auto [ec, n] =
        co_await socket.async_read_some(asio::buffer(data), asio::as_tuple(asio::use_awaitable));
    out.received.append(data, n);
    if (ec) {
      out.closed = ec == asio::error::eof || ec == asio::error::connection_reset;
      break;
    }
    if (out.received.find("\r\n\r\n") != std::string::npos &&
        out.received.find("hello") != std::string::npos)
      break;
  }
  co_return out;
}

// Reads `socket` until the peer closes it.
asio::awaitable<void> read_to_end(tcp::socket& socket, std::string& out, bool& ended) {
  char data[1024];
  for (;;) {
    auto [ec, n] =
        co_await socket.async_read_some(asio::buffer(data), asio::as_tuple(asio::use_awaitable));
    out.append(data, n);
    if (ec) break;
  }
  ended = true;
}

asio::awaitable<std::string> get_hello(tcp::endpoint endpoint) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  co_await stream.async_connect(endpoint, asio::use_awaitable);
  Request request{http::verb::get, "/hello", 11};
  request.set(http::field::host, "127.0.0.1");
  co_await http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  Response response;
  co_await http::async_read(stream, buffer, response, asio::use_awaitable);
  co_return response.body();
}

}  // namespace

TEST_CASE("slow clients: a trickled header or body is cut off at its deadline") {
  ServerLimits limits;
  limits.header_timeout = std::chrono::milliseconds{300};
  limits.body_timeout = std::chrono::milliseconds{300};
  ServerFixture f(limits);

  // Slowloris: one header line every 100 ms never completes the header within 300 ms.
  std::vector<std::string> header_pieces{"GET /hello HTTP/1.1\r\n"};
  for (int i = 0; i < 8; ++i) header_pieces.push_back("X-Slow-" + std::to_string(i) + ": 1\r\n");
  // A body that stops arriving halfway.
  std::vector<std::string> body_pieces{
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", std::string(50, 'b')};

  RawResult slow_header, slow_body;
  std::string meanwhile;
  int finished = 0;
  asio::co_spawn(f.io, send_raw(f.endpoint(), header_pieces, std::chrono::milliseconds{100}),
                 [&](std::exception_ptr, RawResult r) {
                   slow_header = std::move(r);
                   ++finished;
                 });
  asio::co_spawn(f.io, send_raw(f.endpoint(), body_pieces, std::chrono::milliseconds{1}),
                 [&](std::exception_ptr, RawResult r) {
                   slow_body = std::move(r);
                   ++finished;
                 });
  // Other clients are served while the slow ones hang on.
  asio::co_spawn(f.io, get_hello(f.endpoint()), [&](std::exception_ptr e, std::string body) {
    if (!e) meanwhile = std::move(body);
    ++finished;
  });
  run_until(
      f.io, [&] { return finished == 3; }, std::chrono::seconds{10});

  CHECK(meanwhile == "hello");
  CHECK(slow_header.closed);
  CHECK(slow_header.received.empty());  // no answer: the request never completed
  CHECK(slow_body.closed);
  CHECK(slow_body.received.empty());
  CHECK(f.server->stats().timed_out == 2);
}

TEST_CASE("a header flood gets 431 and an oversized body 413, each closing the connection") {
  ServerLimits limits;
  limits.max_header_bytes = 4096;
  limits.max_body_bytes = 1024;
  ServerFixture f(limits);
  std::string flood = "GET /hello HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 1000; ++i) flood += "X-Flood-" + std::to_string(i) + ": yes\r\n";
  flood += "\r\n";
  std::string big =
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + std::string(2000, 'x');
  RawResult header_answer, body_answer;
  int finished = 0;
  asio::co_spawn(f.io, send_raw(f.endpoint(), {flood}, std::chrono::milliseconds{0}),
                 [&](std::exception_ptr, RawResult r) {
                   header_answer = std::move(r);
                   ++finished;
                 });
  asio::co_spawn(f.io, send_raw(f.endpoint(), {big}, std::chrono::milliseconds{0}),
                 [&](std::exception_ptr, RawResult r) {
                   body_answer = std::move(r);
                   ++finished;
                 });
  run_until(
      f.io, [&] { return finished == 2; }, std::chrono::seconds{10});
  CHECK(header_answer.received.starts_with("HTTP/1.1 431"));
  CHECK(header_answer.closed);
  CHECK(body_answer.received.starts_with("HTTP/1.1 413"));
  CHECK(body_answer.closed);
}

TEST_CASE("handlers see the real peer address, never a client-sent one") {
  ServerFixture f(ServerLimits{});
  RawResult answer;
  bool finished = false;
  std::string request = "GET /peer HTTP/1.1\r\nHost: x\r\n" + std::string(kPeerAddressHeader) +
                        ": 6.6.6.6\r\nConnection: close\r\n\r\n";
  asio::co_spawn(f.io, send_raw(f.endpoint(), {request}, std::chrono::milliseconds{0}),
                 [&](std::exception_ptr, RawResult r) {
                   answer = std::move(r);
                   finished = true;
                 });
  run_until(
      f.io, [&] { return finished; }, std::chrono::seconds{10});
  CHECK(answer.received.starts_with("HTTP/1.1 200"));
  CHECK(answer.received.ends_with("\r\n\r\n127.0.0.1"));
}

TEST_CASE("connection flood: connections beyond the cap are closed at once; freed slots serve") {
  ServerLimits limits;
  limits.max_connections = 2;
  ServerFixture f(limits);
  // Two idle connections take both slots.
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 2; ++i) {
    idle.emplace_back(f.io);
    idle.back().connect(f.endpoint());
  }
  run_until(
      f.io, [&] { return f.server->stats().open_connections == 2; }, std::chrono::seconds{5});
  CHECK(f.server->stats().open_connections == 2);

  RawResult third;
  bool third_done = false;
  asio::co_spawn(f.io,
                 send_raw(f.endpoint(), {"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"},
                          std::chrono::milliseconds{0}),
                 [&](std::exception_ptr, RawResult r) {
                   third = std::move(r);
                   third_done = true;
                 });
  run_until(
      f.io, [&] { return third_done; }, std::chrono::seconds{5});
  CHECK(third.closed);
  CHECK(third.received.empty());
  CHECK(f.server->stats().refused_connections == 1);

  idle.front().close();
  run_until(
      f.io, [&] { return f.server->stats().open_connections == 1; }, std::chrono::seconds{5});
  CHECK(f.server->stats().open_connections == 1);
  std::string body;
  asio::co_spawn(f.io, get_hello(f.endpoint()), [&](std::exception_ptr e, std::string b) {
    if (!e) body = std::move(b);
  });
  run_until(
      f.io, [&] { return !body.empty(); }, std::chrono::seconds{5});
  CHECK(body == "hello");
}

TEST_CASE("out of file descriptors: accept pauses instead of spinning, then recovers") {
  ServerLimits limits;
  limits.accept_retry_delay = std::chrono::milliseconds{100};
  ServerFixture f(limits);
  // The client connects (the kernel queues it) before the process runs out of descriptors.
  tcp::socket client(f.io);
  client.connect(f.endpoint());
  const std::string request = "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  asio::write(client, asio::buffer(request));

  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  rlimit low = saved;
  low.rlim_cur = std::min<rlim_t>(saved.rlim_cur, 512);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  // Exhaust the descriptors (stdin may be closed under CI, so duplicate one of our own).
  int base = ::open("/dev/null", O_RDONLY);
  REQUIRE(base >= 0);
  std::vector<int> hogs{base};
  for (int fd; (fd = ::dup(base)) >= 0;) hogs.push_back(fd);
  CHECK(errno == EMFILE);

  // A fixed span of time on purpose: how many accept() calls fail within it is the outcome.
  f.io.restart();
  f.io.run_for(std::chrono::milliseconds{450});
  const auto errors = f.server->stats().accept_errors;
  for (int fd : hogs) ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &saved);
  // A busy loop would have failed accept() many thousands of times in 450 ms.
  CHECK(errors >= 1);
  CHECK(errors <= 10);

  std::string answer;
  bool ended = false;
  asio::co_spawn(f.io, read_to_end(client, answer, ended), asio::detached);
  run_until(
      f.io, [&] { return ended; }, std::chrono::seconds{5});
  CHECK(answer.starts_with("HTTP/1.1 200"));
  CHECK(answer.ends_with("hello"));
}
