// Every operation at the most verbose log level, with faults: no secret may appear in any log
// record or any error's to_string() / message / GraphQL messages.
#include <mutex>

#include <doctest/doctest.h>

#include "embark/client.hpp"
#include "embark/log.hpp"

#include "client/test_support.hpp"
#include "internal/client/connection_factory.hpp"

using embark::ErrorCode;
using embark::test::ok_json;
using embark::test::status_response;
using namespace std::chrono_literals;

namespace {

struct CapturedLog {
  std::mutex mutex;
  std::string text;
  int records = 0;
};

}  // namespace

TEST_CASE("no secret appears in logs or errors, whatever fails") {
  const std::string access_key = "AK-7d3c1e-very-secret-access-key";
  const std::string bearer =
      embark::test::jwt_expiring(std::chrono::system_clock::now() + 1h, "bearer-secret-sub");
  const std::string session =
      embark::test::jwt_expiring(std::chrono::system_clock::now() + 1h, "session-secret-sub");
  const std::string no_exp =
      embark::test::jwt_with_payload(R"({"sub":"noexp-secret"})", "bm9leHAtc2ln");
  const std::vector<std::string> secrets = {access_key, bearer, session, no_exp};

  auto log = std::make_shared<CapturedLog>();
  embark::set_log_level(embark::LogLevel::trace);
  embark::set_log_sink([log](const embark::LogRecord& r) {
    std::lock_guard lock(log->mutex);
    log->text += std::string(r.component) + " " + std::string(r.message) + "\n";
    ++log->records;
  });

  auto transport = std::make_shared<embark::test::FakeTransport>();
  embark::ClientOptions o;
  o.endpoint = "https://acme.wisdom.ai/graphql";
  o.access_key = embark::Secret(access_key);
  o.retry.initial_backoff = 1ms;
  o.retry.max_backoff = 1ms;
  o.retry.max_attempts = 3;
  embark::internal::ConnectionParts parts;
  parts.transport = transport;
  auto stack = embark::internal::make_connection_stack(o, parts);
  embark::WisdomClient client(stack.connection);

  // A vendor that echoes whatever it was sent in its error messages is the worst case.
  const std::string echo = R"({"errors":[{"message":"bad accessToken )" + access_key +
                           R"( and bearer )" + bearer + R"("}]})";
  const std::string exchange_ok = R"({"data":{"exchangeAccessToken":")" + bearer + R"("}})";
  const std::string session_ok = R"({"data":{"impersonateUser":")" + session + R"("}})";
  const std::string session_noexp = R"({"data":{"impersonateUser":")" + no_exp + R"("}})";
  const std::string status_ok =
      R"({"data":{"deleteUsersFromWorkspace":{"status":{"code":"OK","message":"ok"}}}})";

  std::vector<embark::Error> errors;
  auto keep = [&](auto result) {
    if (!result) errors.push_back(result.error());
  };

  // Exchange fails with an echo, then 429, then works; management calls meet faults in turn.
  transport->push(ok_json(echo));
  keep(client.list_users());
  transport->push(status_response(429, echo, std::string("0")));
  transport->push(embark::Error(ErrorCode::connect, "connection reset by peer"));
  transport->push(ok_json(exchange_ok));
  transport->push(ok_json("garbage, not json"));  // listUsers: protocol
  keep(client.list_users());
  transport->push(status_response(500, echo));
  keep(client.create_users({{"a@x.com"}, "", std::nullopt, std::nullopt, {}, false}));
  transport->push(status_response(401, echo));  // refused bearer: re-exchange
  transport->push(ok_json(exchange_ok));
  transport->push(
      ok_json(R"({"data":{"setUserAttributes":{"status":{"code":"NOT_FOUND","message":"User )" +
              bearer + R"( not found"}}}})"));
  keep(client.set_user_attributes({"u1", {{"k", "v"}}}));
  // deleteUsersFromWorkspace is not idempotent: a 503 is final, a 429 or a TLS failure is retried.
  transport->push(status_response(503, "<html>" + access_key + "</html>"));
  keep(client.delete_users_from_workspace({{"u1"}, ""}));
  transport->push(status_response(429, echo, std::string("0")));
  transport->push(embark::Error(ErrorCode::tls, "handshake failed"));
  transport->push(ok_json(status_ok));
  REQUIRE(client.delete_users_from_workspace({{"u1"}, ""}).has_value());
  transport->push(embark::Error(ErrorCode::timeout, "read timed out"));
  transport->push(status_response(502, "bad gateway"));
  transport->push(ok_json(session_ok));
  CAPTURE(transport->seen().size());
  auto token = client.impersonate_user({"a@x.com", {{"tenant", "t1"}}, false});
  REQUIRE(token.has_value());
  transport->push(ok_json(session_noexp));
  keep(client.impersonate_user({"a@x.com", {}, true}));
  transport->push(ok_json(echo));
  keep(client.impersonate_user({"a@x.com", {}, false}));
  transport->push(ok_json(exchange_ok));
  auto exchanged = client.exchange_access_token();
  REQUIRE(exchanged.has_value());

  embark::set_log_sink({});
  embark::set_log_level(embark::LogLevel::warn);

  CHECK(errors.size() >= 6);
  std::string everything;
  {
    std::lock_guard lock(log->mutex);
    everything = log->text;
    CHECK(log->records > 10);
  }
  for (const auto& e : errors) {
    everything += e.to_string() + "\n" + e.message() + "\n";
    for (const auto& m : e.graphql_messages()) everything += m + "\n";
  }
  everything += fmt::format("{} {}\n", token->jwt, exchanged->jwt);
  MESSAGE("captured " << everything.size() << " bytes of logs and errors");
  for (const auto& secret : secrets) {
    CAPTURE(secret.substr(0, 4));
    CHECK(everything.find(secret) == std::string::npos);
    // Not even the JWT payload part, which carries the claims.
    const auto first = secret.find('.');
    if (first != std::string::npos) {
      const auto payload = secret.substr(first + 1, secret.find('.', first + 1) - first - 1);
      CHECK(everything.find(payload) == std::string::npos);
    }
  }
  // Fingerprints are there, so the test really looked at verbose output.
  CHECK(everything.find(embark::Secret(bearer).fingerprint()) != std::string::npos);
}
