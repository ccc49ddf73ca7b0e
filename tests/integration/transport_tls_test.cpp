// The transport against a real TLS (and plain) HTTP server on 127.0.0.1 with generated
// certificates.
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include "embark/log.hpp"

#include "internal/transport/pooled_http_transport.hpp"
#include "support/test_certificates.hpp"
#include "support/test_http_server.hpp"

namespace net = boost::asio;
using embark::ErrorCode;
using embark::Result;
using embark::Secret;
using embark::TransportOptions;
using embark::internal::HttpRequest;
using embark::internal::HttpResponse;
using embark::internal::make_http_transport;
using embark::internal::PooledHttpTransport;
using embark::test_support::ServerBehaviour;
using embark::test_support::ServerMode;
using embark::test_support::TestHttpServer;
using embark::test_support::TestPki;

namespace {

constexpr std::string_view kToken = "tok-SECRET-a1b2c3";
constexpr std::string_view kBodySecret = "key-SECRET-d4e5f6";

const TestPki& pki() {
  static const TestPki generated = embark::test_support::make_test_pki();
  return generated;
}

// A multi-threaded io_context for the client side, as an application would run it.
class Client {
 public:
  Client() : guard_(net::make_work_guard(ioc_)) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~Client() {
    guard_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }

  static TransportOptions tls_options() {
    TransportOptions options;
    options.ca_file = pki().ca_file.string();
    options.operation_timeout = std::chrono::seconds(20);  // generous: the machine is loaded
    return options;
  }

  std::shared_ptr<PooledHttpTransport> transport(const std::string& url,
                                                 const TransportOptions& options) {
    auto made = make_http_transport(ioc_.get_executor(), url, options);
    REQUIRE(made.has_value());
    auto pooled = std::dynamic_pointer_cast<PooledHttpTransport>(*made);
    REQUIRE(pooled);
    return pooled;
  }

  Result<HttpResponse> send(PooledHttpTransport& transport, HttpRequest request) {
    auto future = net::co_spawn(ioc_, transport.send(std::move(request)), net::use_future);
    REQUIRE(future.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
    return future.get();
  }

  net::io_context& ioc() { return ioc_; }

 private:
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

HttpRequest request(bool idempotent = true) {
  HttpRequest r;
  r.body = std::string(R"({"query":"mutation { x }","variables":{"accessKey":")") +
           std::string(kBodySecret) + "\"}}";
  r.bearer = Secret(std::string(kToken));
  r.idempotent = idempotent;
  return r;
}

void check_clean(const embark::Error& error) {
  const std::string text = error.to_string();
  CHECK(text.find(kToken) == std::string::npos);
  CHECK(text.find(kBodySecret) == std::string::npos);
}

}  // namespace

TEST_CASE("transport: https with the test CA succeeds and sends the request as built") {
  Client client;
  TestHttpServer server(pki().localhost);
  for (const char* host : {"127.0.0.1", "localhost"}) {
    CAPTURE(host);
    auto transport = client.transport(server.url(host), Client::tls_options());
    auto response = client.send(*transport, request());
    REQUIRE(response.has_value());
    CHECK(response->status == 200);
    CHECK(response->body == R"({"data":{}})");
    CHECK(response->content_type == "application/json");
    const auto received = server.last_request();
    CHECK(received.method == "POST");
    CHECK(received.target == "/graphql");
    CHECK(received.host == std::string(host) + ":" + std::to_string(server.port()));
    CHECK(received.authorization == "Bearer " + std::string(kToken));
    CHECK(received.content_type == "application/json");
    CHECK(received.body == request().body);
  }
}

TEST_CASE("transport: a certificate from an untrusted CA is refused") {
  Client client;
  TestHttpServer server(pki().untrusted);
  auto transport = client.transport(server.url(), Client::tls_options());
  auto response = client.send(*transport, request());
  REQUIRE(response.has_error());
  CHECK(response.error().code() == ErrorCode::tls);
  CHECK(response.error().message().find("certificate verification failed") != std::string::npos);
  CHECK(server.requests() == 0);
  check_clean(response.error());
}

TEST_CASE("transport: a certificate for another host name is refused") {
  Client client;
  TestHttpServer server(pki().wrong_host);
  for (const char* host : {"127.0.0.1", "localhost"}) {
    CAPTURE(host);
    auto transport = client.transport(server.url(host), Client::tls_options());
    auto response = client.send(*transport, request());
    REQUIRE(response.has_error());
    CHECK(response.error().code() == ErrorCode::tls);
    CHECK(response.error().message().find("mismatch") != std::string::npos);
  }
  CHECK(server.requests() == 0);
}

TEST_CASE("transport: keep-alive reuses one connection; Connection: close and HTTP/1.0 do not") {
  Client client;
  TestHttpServer server(pki().localhost);
  auto transport = client.transport(server.url(), Client::tls_options());
  for (int i = 0; i < 5; ++i) REQUIRE(client.send(*transport, request()).has_value());
  CHECK(server.accepted() == 1);
  CHECK(server.requests() == 5);
  CHECK(transport->stats().reused_connection_requests == 4);

  for (auto mode : {ServerMode::connection_close, ServerMode::http10}) {
    transport->close_idle_connections();
    server.set_behaviour(ServerBehaviour{.mode = mode});
    const auto before = server.accepted();
    for (int i = 0; i < 3; ++i) REQUIRE(client.send(*transport, request(false)).has_value());
    CHECK(server.accepted() - before == 3);
    CHECK(transport->stats().idle == 0);
  }
}

TEST_CASE("transport: status, Retry-After and Content-Type are passed through") {
  Client client;
  TestHttpServer server(pki().localhost);
  server.set_behaviour(ServerBehaviour{.status = 429, .retry_after = "3"});
  auto transport = client.transport(server.url(), Client::tls_options());
  auto response = client.send(*transport, request());
  REQUIRE(response.has_value());
  CHECK(response->status == 429);
  CHECK(response->retry_after == std::optional<std::string>("3"));
  CHECK(response->content_type == "application/json");
}

TEST_CASE("transport: a server that closes idle connections is survived") {
  Client client;
  TestHttpServer server(pki().localhost);
  auto transport = client.transport(server.url(), Client::tls_options());

  SUBCASE("closed right after each answer") {
    server.set_behaviour(ServerBehaviour{.mode = ServerMode::close_after_answer});
    for (int i = 0; i < 3; ++i) REQUIRE(client.send(*transport, request()).has_value());
    CHECK(server.accepted() == 3);
  }
  SUBCASE("closed while the next request was on its way: an idempotent request is re-sent once") {
    server.set_behaviour(ServerBehaviour{.mode = ServerMode::drop_reused});
    REQUIRE(client.send(*transport, request()).has_value());
    auto second = client.send(*transport, request(true));
    REQUIRE(second.has_value());
    CHECK(second->status == 200);
    CHECK(server.accepted() == 2);
    CHECK(transport->stats().stale_resends == 1);
  }
  SUBCASE("closed while the next request was on its way: a non-idempotent request is not re-sent") {
    server.set_behaviour(ServerBehaviour{.mode = ServerMode::drop_reused});
    REQUIRE(client.send(*transport, request(false)).has_value());
    auto second = client.send(*transport, request(false));
    REQUIRE(second.has_error());
    CHECK(second.error().code() == ErrorCode::connect);
    CHECK(second.error().retryable());
    CHECK(server.requests() == 2);
    CHECK(transport->stats().stale_resends == 0);
    check_clean(second.error());
    REQUIRE(client.send(*transport, request(false))
                .has_value());  // the next one gets a fresh connection
  }
}

TEST_CASE("transport: the response size limit") {
  Client client;
  TestHttpServer server(pki().localhost);
  server.set_behaviour(ServerBehaviour{.body_bytes = 10'000});
  auto options = Client::tls_options();
  options.max_response_bytes = 1000;
  auto transport = client.transport(server.url(), options);
  auto response = client.send(*transport, request());
  REQUIRE(response.has_error());
  CHECK(response.error().code() == ErrorCode::protocol);
  CHECK(response.error().message().find("1000") != std::string::npos);
}

TEST_CASE("transport: a server that never answers times out") {
  Client client;
  TestHttpServer server(pki().localhost);
  server.set_behaviour(ServerBehaviour{.mode = ServerMode::never_answer});
  auto options = Client::tls_options();
  options.operation_timeout = std::chrono::milliseconds(300);
  auto transport = client.transport(server.url(), options);
  auto response = client.send(*transport, request());
  REQUIRE(response.has_error());
  CAPTURE(response.error().to_string());
  CHECK(response.error().code() == ErrorCode::timeout);
  CHECK(response.error().retryable());
  check_clean(response.error());
}

TEST_CASE("transport: a reconnect resumes the TLS session") {
  Client client;
  TestHttpServer server(pki().localhost);
  auto transport = client.transport(server.url(), Client::tls_options());
  REQUIRE(client.send(*transport, request()).has_value());
  transport->close_idle_connections();
  REQUIRE(client.send(*transport, request()).has_value());
  CHECK(server.accepted() == 2);
  CHECK(server.sessions_resumed() == 1);
  CHECK(transport->stats().tls_sessions_resumed == 1);
}

TEST_CASE("transport: 50 concurrent sends stay within max_connections_per_host") {
  Client client;
  TestHttpServer server(pki().localhost);
  auto options = Client::tls_options();
  options.max_connections_per_host = 4;
  auto transport = client.transport(server.url(), options);
  std::vector<std::future<Result<HttpResponse>>> futures;
  for (int i = 0; i < 50; ++i)
    futures.push_back(net::co_spawn(client.ioc(), transport->send(request()), net::use_future));
  for (auto& future : futures) {
    REQUIRE(future.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
    auto response = future.get();
    REQUIRE(response.has_value());
    CHECK(response->status == 200);
  }
  CHECK(server.requests() == 50);
  CHECK(server.peak_open() <= 4);
  CHECK(server.accepted() <= 4);
  CHECK(transport->stats().peak_in_use <= 4);
  CHECK(transport->stats().peak_in_use > 1);
}

TEST_CASE("transport: the body can be streamed to a sink in chunks") {
  Client client;
  TestHttpServer server(pki().localhost);
  server.set_behaviour(ServerBehaviour{.body_bytes = 1'000'000});
  auto transport = client.transport(server.url(), Client::tls_options());
  std::size_t total = 0, largest = 0, calls = 0;
  auto r = request();
  r.body_sink = [&](std::string_view chunk) -> Result<void> {
    total += chunk.size();
    largest = std::max(largest, chunk.size());
    ++calls;
    return {};
  };
  auto response = client.send(*transport, std::move(r));
  REQUIRE(response.has_value());
  CHECK(response->body.empty());
  CHECK(total == 1'000'000);
  CHECK(calls > 10);
  CHECK(largest <= 64 * 1024);
}

TEST_CASE(
    "transport: plain http to loopback works; to other hosts only when allowed, with one warning") {
  Client client;
  TestHttpServer server;
  auto transport = client.transport(server.url(), TransportOptions{});
  auto response = client.send(*transport, request());
  REQUIRE(response.has_value());
  CHECK(response->status == 200);

  auto refused = make_http_transport(client.ioc().get_executor(), "http://wisdom.example/graphql",
                                     TransportOptions{});
  REQUIRE(refused.has_error());
  CHECK(refused.error().code() == ErrorCode::invalid_input);
  CHECK(refused.error().field() == "endpoint");

  std::mutex mutex;
  std::vector<std::string> warnings;
  embark::set_log_sink([&](const embark::LogRecord& record) {
    std::lock_guard lock(mutex);
    if (record.level == embark::LogLevel::warn) warnings.emplace_back(record.message);
  });
  TransportOptions insecure;
  insecure.allow_insecure_http = true;
  auto allowed =
      make_http_transport(client.ioc().get_executor(), "http://wisdom.example/graphql", insecure);
  embark::set_log_sink({});
  REQUIRE(allowed.has_value());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("wisdom.example") != std::string::npos);
}

TEST_CASE("transport: a refused connection is Error{connect}") {
  Client client;
  unsigned short port = 0;
  {
    net::ip::tcp::acceptor probe(client.ioc(), {net::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed again: nothing listens there now
  auto transport = client.transport("https://127.0.0.1:" + std::to_string(port) + "/graphql",
                                    Client::tls_options());
  auto response = client.send(*transport, request());
  REQUIRE(response.has_error());
  CHECK(response.error().code() == ErrorCode::connect);
  CHECK(response.error().retryable());
  check_clean(response.error());
}

TEST_CASE("transport: a bad ca_file is refused naming the field") {
  Client client;
  TransportOptions options;
  options.ca_file = "/nonexistent/embark-ca.pem";
  auto made =
      make_http_transport(client.ioc().get_executor(), "https://127.0.0.1:1/graphql", options);
  REQUIRE(made.has_error());
  CHECK(made.error().code() == ErrorCode::invalid_input);
  CHECK(made.error().field() == "transport.ca_file");
}
