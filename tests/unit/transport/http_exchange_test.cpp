// exchange() over Beast's test stream: canned responses and a failure injected at every operation.
// The test stream's implementation (.ipp) is compiled once, in lib/embark/src/core/asio_impl.cpp
// (boost/beast/src.hpp includes it), so this file only includes its header.
#include "internal/transport/http_exchange.hpp"

#include <optional>
#include <sstream>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <doctest/doctest.h>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using embark::ErrorCode;
using embark::Result;
using embark::internal::exchange;
using embark::internal::ExchangeLimits;
using embark::internal::ExchangeOutcome;

namespace {

constexpr std::string_view kBodySecret = "BODY-SECRET-4711";
constexpr std::string_view kTokenSecret = "TOKEN-SECRET-0815";

http::request<http::string_body> make_request() {
  http::request<http::string_body> request{http::verb::post, "/graphql", 11};
  request.set(http::field::host, "example.test");
  request.set(http::field::authorization, std::string("Bearer ") + std::string(kTokenSecret));
  request.set(http::field::content_type, "application/json");
  request.body() = std::string(R"({"query":"{ x }","key":")") + std::string(kBodySecret) + "\"}";
  request.keep_alive(true);
  request.prepare_payload();
  return request;
}

struct Run {
  ExchangeOutcome outcome;
  std::string written;  // what reached the peer
};

// Runs one exchange against `response` (the bytes the peer sends, then the peer closes).
Run run_exchange(std::string_view response, std::optional<beast::test::fail_count>* fail = nullptr,
                 std::function<Result<void>(std::string_view)> sink = {},
                 std::size_t limit = 1 << 20, std::size_t read_size = 0) {
  net::io_context ioc;
  std::optional<beast::test::stream> client;
  if (fail != nullptr && fail->has_value())
    client.emplace(ioc, **fail, response);
  else
    client.emplace(ioc, response);
  beast::test::stream server(ioc);
  client->connect(server);
  client->close_remote();
  if (read_size != 0) client->read_size(read_size);
  beast::flat_buffer buffer;
  auto request = make_request();
  std::optional<ExchangeOutcome> result;
  net::co_spawn(
      ioc, exchange(*client, buffer, request, sink, ExchangeLimits{std::chrono::seconds(5), limit}),
      [&](std::exception_ptr e, ExchangeOutcome outcome) {
        REQUIRE_FALSE(e);
        result = std::move(outcome);
      });
  ioc.run();  // returns once the exchange finished: a hang would block here
  REQUIRE(result.has_value());
  return Run{std::move(*result), server.str()};
}

void check_no_secret(const embark::Error& error) {
  const std::string text = error.to_string();
  CHECK(text.find(kBodySecret) == std::string::npos);
  CHECK(text.find(kTokenSecret) == std::string::npos);
  CHECK_FALSE(error.message().empty());
}

const std::string kOk =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nRetry-After: 7\r\nContent-Length: "
    "11\r\n\r\n{\"data\":{}}";

}  // namespace

TEST_CASE("exchange: a complete keep-alive answer") {
  auto run = run_exchange(kOk);
  REQUIRE(run.outcome.response.has_value());
  CHECK(run.outcome.response->status == 200);
  CHECK(run.outcome.response->body == "{\"data\":{}}");
  CHECK(run.outcome.response->content_type == "application/json");
  REQUIRE(run.outcome.response->retry_after.has_value());
  CHECK(*run.outcome.response->retry_after == "7");
  CHECK(run.outcome.reusable);
  CHECK_FALSE(run.outcome.stale);
  CHECK(run.written.rfind("POST /graphql HTTP/1.1\r\n", 0) == 0);
  CHECK(run.written.find(kBodySecret) != std::string::npos);  // the body did go out
}

TEST_CASE("exchange: any status is a transport success") {
  auto run = run_exchange(
      "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(run.outcome.response.has_value());
  CHECK(run.outcome.response->status == 503);
  CHECK(run.outcome.response->retry_after == std::optional<std::string>("120"));
  CHECK(run.outcome.response->body.empty());
}

TEST_CASE("exchange: Connection: close, HTTP/1.0 and EOF-delimited bodies end the connection") {
  auto closed = run_exchange("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}");
  REQUIRE(closed.outcome.response.has_value());
  CHECK_FALSE(closed.outcome.reusable);

  auto old = run_exchange("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}");
  REQUIRE(old.outcome.response.has_value());
  CHECK_FALSE(old.outcome.reusable);

  auto until_eof = run_exchange("HTTP/1.1 200 OK\r\n\r\n{\"a\":1}");
  REQUIRE(until_eof.outcome.response.has_value());
  CHECK(until_eof.outcome.response->body == "{\"a\":1}");
  CHECK_FALSE(until_eof.outcome.reusable);
}

TEST_CASE("exchange: a chunked body goes to the sink in pieces and is not collected") {
  std::string body;
  for (int i = 0; i < 4000; ++i) body += "{\"id\":" + std::to_string(i) + "},";
  std::string response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t at = 0; at < body.size(); at += 1000) {
    const std::string piece = body.substr(at, 1000);
    char size[16];
    std::snprintf(size, sizeof size, "%zx", piece.size());
    response += std::string(size) + "\r\n" + piece + "\r\n";
  }
  response += "0\r\n\r\n";
  std::string received;
  std::size_t calls = 0;
  auto run = run_exchange(response, nullptr, [&](std::string_view chunk) -> Result<void> {
    ++calls;
    received.append(chunk);
    return {};
  });
  REQUIRE(run.outcome.response.has_value());
  CHECK(received == body);
  CHECK(calls > 1);
  CHECK(run.outcome.response->body.empty());
  CHECK(run.outcome.reusable);
}

TEST_CASE("exchange: an error from the sink stops the read and becomes the result") {
  std::string response =
      "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'x');
  std::size_t calls = 0;
  auto run = run_exchange(response, nullptr, [&](std::string_view) -> Result<void> {
    ++calls;
    return embark::fail(ErrorCode::protocol, "sink refused");
  });
  REQUIRE(run.outcome.response.has_error());
  CHECK(run.outcome.response.error().message() == "sink refused");
  CHECK(calls == 1);
  CHECK_FALSE(run.outcome.reusable);
}

TEST_CASE("exchange: the response size limit is enforced and named") {
  const std::string declared =
      "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x');
  auto run = run_exchange(declared, nullptr, {}, 4096);
  REQUIRE(run.outcome.response.has_error());
  CHECK(run.outcome.response.error().code() == ErrorCode::protocol);
  CHECK(run.outcome.response.error().message().find("4096") != std::string::npos);
  CHECK(run.outcome.response.error().message().find("max_response_bytes") != std::string::npos);

  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 10; ++i) chunked += "3e8\r\n" + std::string(1000, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  auto streamed = run_exchange(
      chunked, nullptr, [](std::string_view) -> Result<void> { return {}; }, 4096);
  REQUIRE(streamed.outcome.response.has_error());
  CHECK(streamed.outcome.response.error().code() == ErrorCode::protocol);

  // A listing streamed into a sink is not capped (HttpRequest::kUnbounded): all of it arrives.
  std::size_t sunk = 0;
  auto uncapped = run_exchange(
      chunked, nullptr,
      [&](std::string_view piece) -> Result<void> {
        sunk += piece.size();
        return {};
      },
      embark::internal::HttpRequest::kUnbounded);
  REQUIRE(uncapped.outcome.response.has_value());
  CHECK(sunk == 10'000);
  CHECK(uncapped.outcome.response->body.empty());
}

TEST_CASE("exchange: interim 1xx answers are skipped; 101 and too many of them are refused") {
  // 100 Continue and 103 Early Hints (with headers of its own) precede the real answer, which
  // arrives whole, keeps the connection and carries none of the interim headers.
  auto skipped = run_exchange(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nRetry-After: 99\r\n\r\n" +
      kOk);
  REQUIRE(skipped.outcome.response.has_value());
  CHECK(skipped.outcome.response->status == 200);
  CHECK(skipped.outcome.response->body == "{\"data\":{}}");
  CHECK(skipped.outcome.response->retry_after == std::optional<std::string>("7"));
  CHECK(skipped.outcome.reusable);

  // Read in 5-byte pieces: an interim header split across reads is still skipped.
  auto pieces = run_exchange("HTTP/1.1 100 Continue\r\n\r\n" + kOk, nullptr, {}, 1 << 20, 5);
  REQUIRE(pieces.outcome.response.has_value());
  CHECK(pieces.outcome.response->status == 200);
  CHECK(pieces.outcome.reusable);

  // Exactly the limit of interim answers is tolerated; one more is a protocol error.
  std::string at_limit, over_limit;
  for (int i = 0; i < embark::internal::kMaxInterimResponses; ++i)
    at_limit += "HTTP/1.1 100 Continue\r\n\r\n";
  over_limit = at_limit + "HTTP/1.1 100 Continue\r\n\r\n";
  auto tolerated = run_exchange(at_limit + kOk);
  REQUIRE(tolerated.outcome.response.has_value());
  CHECK(tolerated.outcome.response->status == 200);
  auto flood = run_exchange(over_limit + kOk);
  REQUIRE(flood.outcome.response.has_error());
  CHECK(flood.outcome.response.error().code() == ErrorCode::protocol);
  CHECK(flood.outcome.response.error().message().find("interim") != std::string::npos);
  CHECK_FALSE(flood.outcome.reusable);
  check_no_secret(flood.outcome.response.error());

  // 101 Switching Protocols was never asked for: refused, the connection not reused.
  auto upgrade = run_exchange("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n");
  REQUIRE(upgrade.outcome.response.has_error());
  CHECK(upgrade.outcome.response.error().code() == ErrorCode::protocol);
  CHECK(upgrade.outcome.response.error().message().find("101") != std::string::npos);
  CHECK_FALSE(upgrade.outcome.reusable);
  CHECK_FALSE(upgrade.outcome.stale);

  // The connection closing after an interim answer is a lost answer, not a stale connection: the
  // request had reached a server that had begun to answer it.
  auto cut = run_exchange("HTTP/1.1 100 Continue\r\n\r\n");
  REQUIRE(cut.outcome.response.has_error());
  CHECK_FALSE(cut.outcome.stale);
  CHECK_FALSE(cut.outcome.reusable);
}

TEST_CASE("exchange: EOF before any response byte is a stale connection") {
  auto run = run_exchange("");
  REQUIRE(run.outcome.response.has_error());
  CHECK(run.outcome.stale);
  CHECK(run.outcome.response.error().code() == ErrorCode::connect);
  CHECK(run.outcome.response.error().retryable());
  check_no_secret(run.outcome.response.error());
}

TEST_CASE("exchange: truncated and malformed answers are protocol errors, not stale") {
  auto truncated = run_exchange("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"data\"");
  REQUIRE(truncated.outcome.response.has_error());
  CHECK(truncated.outcome.response.error().code() == ErrorCode::protocol);
  CHECK_FALSE(truncated.outcome.stale);

  auto half_header = run_exchange("HTTP/1.1 200 OK\r\nContent-Le");
  REQUIRE(half_header.outcome.response.has_error());
  CHECK(half_header.outcome.response.error().code() == ErrorCode::protocol);
  CHECK_FALSE(half_header.outcome.stale);

  auto garbage = run_exchange("SSH-2.0-OpenSSH_9.2\r\n\r\n");
  REQUIRE(garbage.outcome.response.has_error());
  CHECK(garbage.outcome.response.error().code() == ErrorCode::protocol);
  check_no_secret(garbage.outcome.response.error());
}

TEST_CASE("exchange: a failure at every operation yields a typed error, never a crash or hang") {
  const std::string response =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\n{\"dat\r\n6\r\na\":{}}\r\n0\r\n\r\n";
  for (const auto failure : {beast::error_code(beast::test::error::test_failure),
                             beast::error_code(net::error::connection_reset)}) {
    CAPTURE(failure.message());
    std::size_t n = 0;
    bool succeeded = false;
    for (; n < 200 && !succeeded; ++n) {
      CAPTURE(n);
      std::optional<beast::test::fail_count> fail;
      fail.emplace(n, failure);
      std::string sunk;
      auto run = run_exchange(
          response, &fail,
          [&](std::string_view c) -> Result<void> {
            sunk.append(c);
            return {};
          },
          1 << 20, /*read_size=*/7);
      if (run.outcome.response.has_value()) {
        succeeded = true;
        CHECK(sunk == "{\"data\":{}}");
        break;
      }
      const auto code = run.outcome.response.error().code();
      CHECK((code == ErrorCode::connect || code == ErrorCode::protocol));
      CHECK_FALSE(run.outcome.reusable);
      check_no_secret(run.outcome.response.error());
      // Only a failure of the write or of the very first read can leave nothing processed.
      if (run.outcome.stale) CHECK(failure == net::error::connection_reset);
    }
    CHECK(succeeded);
    CHECK(n > 10);  // small reads make many failure points: the loop really visited them
  }
}

TEST_CASE("exchange: the request goes out byte for byte as Beast would serialize it") {
  // exchange() writes a Content-Length request as one buffer of its own making; a chunked one
  // through Beast's serializer. Both must put the same bytes on the wire.
  auto run = run_exchange(kOk);
  REQUIRE(run.outcome.response.has_value());
  std::ostringstream beast_bytes;
  beast_bytes << make_request();
  CHECK(run.written == beast_bytes.str());
  CHECK(run.written.find("Content-Length: ") != std::string::npos);
  CHECK(run.written.find("\r\n\r\n{\"query\"") != std::string::npos);
}
