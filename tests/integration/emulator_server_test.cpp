// The emulator over real sockets: TLS with the generated CA, plain HTTP on loopback, keep-alive,
// body limit, latency by timers, reset/truncate faults, and the RAII fixture.
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include "embark/testing/emulator_fixture.hpp"

#include "emulator_http_client.hpp"

using embark::emulator::test::TestConnection;
namespace emu = embark::emulator;
namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

constexpr std::string_view kImpersonate =
    "mutation ImpersonateUser($accessToken: String!, $userEmail: String!) { "
    "impersonateUser(accessToken: "
    "$accessToken, userEmail: $userEmail) }";

json::object create_doc(std::string_view email) {
  return {{"query",
           "mutation($input: CreateUsersInput!) { createUsers(input: $input) { status { code "
           "message } } }"},
          {"variables", json::object{{"input", json::object{{"emails", json::array{email}}}}}}};
}

}  // namespace

TEST_CASE("HTTPS with the generated CA: verified handshake, keep-alive, documented flow") {
  embark::testing::EmulatorFixture emulator;
  REQUIRE(std::filesystem::exists(emulator.ca_file()));
  CHECK(emulator.url().rfind("https://127.0.0.1:", 0) == 0);
  const auto port = emulator.server().port();

  TestConnection conn(port, true, emulator.ca_file());
  REQUIRE_MESSAGE(!conn.error, conn.error.message());
  auto created =
      conn.graphql(create_doc("tls@example.com"), std::string(emulator.api_token().reveal()));
  REQUIRE(created);
  CHECK(json::parse(created->body())
            .at("data")
            .at("createUsers")
            .at("status")
            .at("code")
            .as_string() == "OK");
  // Second and third requests reuse the same connection.
  for (int i = 0; i < 2; ++i) {
    auto token =
        conn.graphql({{"query", kImpersonate},
                      {"variables", json::object{{"accessToken", emulator.access_key().reveal()},
                                                 {"userEmail", "tls@example.com"}}}});
    REQUIRE(token);
    CHECK(token->result() == http::status::ok);
    CHECK(json::parse(token->body()).at("data").at("impersonateUser").as_string().size() > 100);
  }
  CHECK(emulator.stats().of("impersonateUser").calls == 2);
  emulator.reset();
  CHECK(emulator.stats().total.calls == 0);
}

TEST_CASE("HTTPS without the CA fails certificate verification") {
  embark::testing::EmulatorFixture emulator;
  TestConnection conn(emulator.server().port(), true);  // system trust store only
  CHECK(conn.error);
  CHECK_FALSE(conn.graphql(create_doc("x@example.com")).has_value());
  CHECK(emulator.stats().total.calls == 0);
}

TEST_CASE(
    "plain HTTP is answered on the same loopback port, and --plain-http serves http:// URLs") {
  embark::testing::EmulatorFixture emulator;
  CHECK(emulator.http_url() == "http://127.0.0.1:" + std::to_string(emulator.server().port()));
  TestConnection conn(emulator.server().port(), false);
  auto res = conn.graphql({{"query", "{ __typename }"}});
  REQUIRE(res);
  CHECK(json::parse(res->body()).at("data").at("__typename").as_string() == "Query");

  emu::Options plain;
  plain.tls = false;
  embark::testing::EmulatorFixture http_only(plain);
  CHECK(http_only.url().rfind("http://", 0) == 0);
  CHECK(http_only.ca_file().empty());

  emu::Options public_plain;
  public_plain.tls = false;
  public_plain.bind_address = "0.0.0.0";
  auto refused = emu::Server::start(public_plain);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code() == embark::ErrorCode::invalid_input);
}

TEST_CASE("request bodies over the limit get 413") {
  emu::Options o;
  o.max_body_bytes = 512;
  embark::testing::EmulatorFixture emulator(o);
  TestConnection conn(emulator.server().port(), true, emulator.ca_file());
  auto res = conn.graphql(
      {{"query", "{ __typename }"}, {"variables", json::object{{"pad", std::string(2000, 'x')}}}});
  REQUIRE(res);
  CHECK(res->result() == http::status::payload_too_large);
}

TEST_CASE("latency is added by timers: concurrent requests on one thread overlap") {
  emu::Options o;
  o.latency = std::chrono::milliseconds(1000);
  o.threads = 1;
  embark::testing::EmulatorFixture emulator(o);
  constexpr int kRequests = 8;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRequests; ++i) {
    clients.emplace_back([&] {
      TestConnection conn(emulator.server().port(), false);
      auto res = conn.graphql({{"query", "{ __typename }"}});
      if (res && res->result() == http::status::ok) ++ok;
    });
  }
  for (auto& t : clients) t.join();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(ok == kRequests);
  CHECK(elapsed >= std::chrono::milliseconds(1000));
  // Serialised they would take 8 s; overlapping they take about 1 s (generous bound for a loaded
  // machine).
  CHECK(elapsed < std::chrono::milliseconds(kRequests * 1000 - 2500));
}

TEST_CASE("reset and truncate faults break the connection the way a network would") {
  emu::Options reset;
  reset.reset_rate = 1.0;
  embark::testing::EmulatorFixture resetting(reset);
  TestConnection a(resetting.server().port(), false);
  CHECK_FALSE(a.graphql({{"query", "{ __typename }"}}).has_value());
  CHECK(a.error);

  emu::Options cut;
  cut.truncate_rate = 1.0;
  embark::testing::EmulatorFixture truncating(cut);
  TestConnection b(truncating.server().port(), false);
  CHECK_FALSE(b.graphql({{"query", "{ __typename }"}}).has_value());
  CHECK(b.error);
  CHECK(truncating.stats().of("__typename").faults == 1);
}

TEST_CASE("the fixture stops the server and removes its CA file") {
  std::string ca;
  std::uint16_t port = 0;
  {
    embark::testing::EmulatorFixture emulator;
    // Clients trust the CA in memory; the file exists only once a program asks for it.
    CHECK(emulator.client_options().endpoint == emulator.url() + "/graphql");
    CHECK(emulator.client_options().transport.ca_file.empty());
    CHECK(emulator.client_options().transport.ca_pem == emulator.ca_pem());
    CHECK(emulator.ca_pem().find("BEGIN CERTIFICATE") != std::string::npos);
    ca = emulator.ca_file();
    CHECK(ca == emulator.ca_file());
    CHECK(std::filesystem::exists(ca));
    port = emulator.server().port();
  }
  CHECK_FALSE(std::filesystem::exists(ca));
  TestConnection after(port, false);
  CHECK(after.error);  // nothing listens any more
}
