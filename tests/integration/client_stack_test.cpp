// WisdomClient with the real stack (PooledHttpTransport over TLS, GraphQL mapping, retries, bearer
// exchange) against a scripted GraphQL server on 127.0.0.1 (port 0, generated certificates).
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include "embark/client.hpp"

#include "support/test_certificates.hpp"

namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using embark::ErrorCode;
using namespace std::chrono_literals;

namespace {

const embark::test_support::TestPki& pki() {
  static const auto generated = embark::test_support::make_test_pki();
  return generated;
}

std::string b64url(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) out += kAlphabet[(buffer >> (bits -= 6)) & 63];
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63];
  return out;
}

std::string jwt(std::string_view sub, std::chrono::system_clock::time_point exp) {
  const auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(exp.time_since_epoch()).count();
  return b64url(R"({"alg":"RS256"})") + "." +
         b64url(R"({"sub":")" + std::string(sub) + R"(","exp":)" + std::to_string(secs) + "}") +
         ".c2ln";
}

struct Answer {
  int status = 200;
  std::string body;
  std::optional<std::string> retry_after;
};

// A TLS HTTP/1.1 keep-alive server whose answers come from a function of (operation, body,
// authorization).
class GraphqlServer {
 public:
  using Responder = std::function<Answer(const std::string& operation, const json::object& request,
                                         const std::string& authorization)>;

  explicit GraphqlServer(Responder responder)
      : responder_(std::move(responder)), tls_(net::ssl::context::tls_server) {
    tls_.use_certificate_chain(net::buffer(pki().localhost.cert_pem));
    tls_.use_private_key(net::buffer(pki().localhost.key_pem), net::ssl::context::pem);
    acceptor_.open(net::ip::tcp::v4());
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(io_, accept_loop(), net::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~GraphqlServer() {
    net::post(io_, [this] { acceptor_.close(); });
    io_.stop();
    thread_.join();
  }
  std::string url() const {
    return "https://127.0.0.1:" + std::to_string(port_) + "/tenant/graphql";
  }
  int calls(const std::string& operation) {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count(operations_.begin(), operations_.end(), operation));
  }
  std::size_t connections() const { return connections_.load(); }

 private:
  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      ++connections_;
      net::co_spawn(io_, session(std::move(socket)), net::detached);
    }
  }
  net::awaitable<void> session(net::ip::tcp::socket socket) {
    net::ssl::stream<net::ip::tcp::socket> stream(std::move(socket), tls_);
    auto [hs] = co_await stream.async_handshake(net::ssl::stream_base::server,
                                                net::as_tuple(net::use_awaitable));
    if (hs) co_return;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      auto [rec, rn] =
          co_await http::async_read(stream, buffer, request, net::as_tuple(net::use_awaitable));
      if (rec) co_return;
      Answer answer;
      std::string operation = "?";
      boost::system::error_code jec;
      auto body = json::parse(request.body(), jec);
      if (request.target() != "/tenant/graphql" || jec || !body.is_object()) {
        answer = {400, R"({"errors":[{"message":"bad request"}]})", {}};
      } else {
        if (const auto* name = body.as_object().if_contains("operationName");
            name && name->is_string()) {
          operation = std::string(name->as_string());
        }
        answer = responder_(operation, body.as_object(),
                            std::string(request[http::field::authorization]));
      }
      {
        std::lock_guard lock(mutex_);
        operations_.push_back(operation);
      }
      http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
      response.set(http::field::content_type, "application/json");
      if (answer.retry_after) response.set(http::field::retry_after, *answer.retry_after);
      response.body() = std::move(answer.body);
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      auto [wec, wn] =
          co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
      if (wec || !request.keep_alive()) co_return;
    }
  }

  Responder responder_;
  net::io_context io_;
  net::ssl::context tls_;
  net::ip::tcp::acceptor acceptor_{io_};
  unsigned short port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> operations_;
  std::atomic<std::size_t> connections_{0};
};

constexpr const char* kAccessKey = "AK-integration-secret-0123";

embark::ClientOptions options_for(const GraphqlServer& server) {
  embark::ClientOptions o;
  o.endpoint = server.url();
  o.access_key = embark::Secret(kAccessKey);
  o.transport.ca_file = pki().ca_file.string();
  o.transport.operation_timeout = 20s;  // generous: the machine is loaded
  o.call_deadline = 60s;
  o.retry.initial_backoff = 10ms;
  o.retry.max_backoff = 50ms;
  return o;
}

std::string users_answer(int n) {
  std::string out = R"({"data":{"listUsers":[)";
  for (int i = 0; i < n; ++i) {
    if (i) out += ',';
    out += R"({"id":"u)" + std::to_string(i) + R"(","email":"user)" + std::to_string(i) +
           R"(@x.com","userAttributes":[{"key":"k","value":"v)" + std::to_string(i) +
           R"(","source":"DATABASE"}],"roleAssignments":[]})";
  }
  return out + "]}}";
}

}  // namespace

TEST_CASE("the real stack: exchange, bearer, streaming listUsers, impersonation, over TLS") {
  const std::string bearer = jwt("service", std::chrono::system_clock::now() + 1h);
  const auto session_exp = std::chrono::system_clock::now() + 17min;
  std::atomic<int> rate_limited{0};
  GraphqlServer server([&](const std::string& op, const json::object& request,
                           const std::string& authorization) -> Answer {
    const auto& vars = request.at("variables").as_object();
    if (op == "ExchangeAccessToken") {
      if (vars.at("accessToken").as_string() != kAccessKey)
        return {200, R"({"errors":[{"message":"Unauthorized"}],"data":null})"};
      return {200, R"({"data":{"exchangeAccessToken":")" + bearer + R"("}})"};
    }
    if (op == "ImpersonateUser") {
      // The first impersonation is rate limited once, with Retry-After.
      if (rate_limited.fetch_add(1) == 0) return {429, "", std::string("1")};
      return {200, R"({"data":{"impersonateUser":")" + jwt("alice", session_exp) + R"("}})"};
    }
    if (authorization != "Bearer " + bearer)
      return {200, R"({"errors":[{"message":"Unauthorized"}],"data":null})"};
    if (op == "ListUsers") return {200, users_answer(3000)};
    if (op == "CreateUsers") {
      return {
          200,
          R"({"data":{"createUsers":{"status":{"code":"ERROR","message":"User with email a@x.com already exists"}}}})"};
    }
    return {503, "<html>unavailable</html>"};
  });

  auto client = embark::WisdomClient::create(options_for(server));
  REQUIRE(client.has_value());

  auto users = client->list_users();
  REQUIRE(users.has_value());
  REQUIRE(users->size() == 3000);
  CHECK(users->at(2999).attributes.at("k") == "v2999");
  CHECK(server.calls("ExchangeAccessToken") == 1);

  embark::CreateUsersRequest create;
  create.emails = {"a@x.com"};
  auto created = client->create_users(create);
  REQUIRE_FALSE(created.has_value());
  CHECK(created.error().code() == ErrorCode::already_exists);

  const auto start = std::chrono::steady_clock::now();
  auto token = client->impersonate_user({"alice@x.com", {{"tenant", "t1"}}, false});
  REQUIRE(token.has_value());
  CHECK(std::chrono::steady_clock::now() - start >= 900ms);  // Retry-After: 1 was waited out
  CHECK(std::chrono::abs(token->expires_at - session_exp) < 1s);
  CHECK(server.calls("ImpersonateUser") == 2);

  // setUserAttributes meets 503 on every attempt: retried max_attempts times, then server_error.
  auto set = client->set_user_attributes({"u1", {}});
  REQUIRE_FALSE(set.has_value());
  CHECK(set.error().code() == ErrorCode::server_error);
  CHECK(set.error().http_status() == 503);
  CHECK(server.calls("SetUserAttributes") == 4);
  CHECK(server.calls("ExchangeAccessToken") == 1);  // the bearer was cached throughout
  CHECK(server.connections() <= 2);                 // keep-alive connections were reused
}

TEST_CASE("a wrong access key is unauthenticated and not retried") {
  GraphqlServer server([](const std::string&, const json::object&, const std::string&) -> Answer {
    return {
        200,
        R"({"errors":[{"message":"Unauthorized","locations":[{"line":1,"column":1}]}],"data":null})"};
  });
  auto client = embark::WisdomClient::create(options_for(server));
  REQUIRE(client.has_value());
  auto r = client->list_users();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::unauthenticated);
  CHECK(r.error().operation() == "exchangeAccessToken");
  CHECK(server.calls("ExchangeAccessToken") == 1);
  CHECK(server.calls("ListUsers") == 0);
}

TEST_CASE("invalid options are refused naming the field") {
  embark::ClientOptions o;
  o.endpoint = "http://example.com/graphql";  // plain http to a non-loopback host
  o.access_key = embark::Secret("k");
  auto client = embark::WisdomClient::create(o);
  REQUIRE_FALSE(client.has_value());
  CHECK(client.error().code() == ErrorCode::invalid_input);
  CHECK(client.error().field() == "endpoint");
  o.endpoint = "https://acme.wisdom.ai/graphql";
  o.retry.max_attempts = 0;
  CHECK(embark::WisdomClient::create(o).error().field() == "retry.max_attempts");
  o.retry.max_attempts = 3;
  o.access_key = embark::Secret();
  CHECK(embark::WisdomClient::create(o).error().field() == "access_key");
}
