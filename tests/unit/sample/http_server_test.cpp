// HttpServer over a real loopback socket: keep-alive, the response decorator, body limits.
#include "http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <doctest/doctest.h>

#include "run_sync.hpp"

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
