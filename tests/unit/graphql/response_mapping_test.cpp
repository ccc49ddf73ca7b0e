#include "internal/graphql/response_mapping.hpp"

#include <array>

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include "client/test_support.hpp"
#include "internal/graphql/operations.hpp"

using embark::ErrorCode;
using embark::internal::map_response;
using embark::internal::parse_retry_after;
using embark::test::ok_json;
using embark::test::status_response;
using namespace std::chrono_literals;

namespace {

// 2026-11-27T10:00:00Z, a fixed "now" for HTTP-date arithmetic.
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'795'773'600));

embark::Error mapped_error(const embark::internal::HttpResponse& response,
                           std::string_view op = "createUsers") {
  auto mapped = map_response(response, op, kNow);
  REQUIRE_FALSE(mapped.data.has_value());
  CHECK(mapped.data.error().operation() == op);
  return mapped.data.error();
}

}  // namespace

TEST_CASE("HTTP statuses map to typed errors") {
  struct Row {
    int status;
    ErrorCode code;
    bool retryable;
  };
  const Row rows[] = {
      {400, ErrorCode::invalid_input, false}, {401, ErrorCode::unauthenticated, false},
      {403, ErrorCode::forbidden, false},     {404, ErrorCode::protocol, false},
      {429, ErrorCode::rate_limited, true},   {500, ErrorCode::server_error, true},
      {501, ErrorCode::server_error, false},  {502, ErrorCode::server_error, true},
      {503, ErrorCode::server_error, true},   {504, ErrorCode::server_error, true},
      {302, ErrorCode::protocol, false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.status);
    auto e = mapped_error(status_response(row.status, "<html>oops</html>"));
    CHECK(e.code() == row.code);
    CHECK(e.retryable() == row.retryable);
    CHECK(e.http_status() == row.status);
  }
}

TEST_CASE("401 keeps the GraphQL messages of its body") {
  auto e =
      mapped_error(status_response(401, R"({"errors":[{"message":"Unauthorized"}],"data":null})"));
  CHECK(e.code() == ErrorCode::unauthenticated);
  REQUIRE(e.graphql_messages().size() == 1);
  CHECK(e.graphql_messages()[0] == "Unauthorized");
}

TEST_CASE("Retry-After in seconds and as an HTTP-date") {
  auto e = mapped_error(status_response(429, "", std::string("7")));
  REQUIRE(e.retry_after().has_value());
  CHECK(*e.retry_after() == 7000ms);

  // kNow + 90 s as IMF-fixdate.
  auto d = mapped_error(status_response(429, "", std::string("Fri, 27 Nov 2026 10:01:30 GMT")));
  REQUIRE(d.retry_after().has_value());
  CHECK(*d.retry_after() == 90'000ms);

  CHECK(parse_retry_after("Friday, 27-Nov-26 10:00:05 GMT", kNow) == 5000ms);
  CHECK(parse_retry_after("Fri Nov 27 10:00:02 2026", kNow) == 2000ms);
  CHECK(parse_retry_after("Fri, 27 Nov 2026 09:00:00 GMT", kNow) == 0ms);  // in the past
  // Past system_clock's range (the year 2262): capped like any far date, never overflowed
  // (fuzzing found it).
  CHECK(parse_retry_after("Wed, 21 Oct 22026 07:28:00 GMT", kNow) == 86'400'000ms);
  CHECK_FALSE(parse_retry_after("soon", kNow).has_value());
  CHECK_FALSE(parse_retry_after("12abc", kNow).has_value());
  CHECK_FALSE(parse_retry_after("", kNow).has_value());

  auto garbage = mapped_error(status_response(429, "", std::string("whenever")));
  CHECK(garbage.code() == ErrorCode::rate_limited);
  CHECK_FALSE(garbage.retry_after().has_value());

  auto unavailable = mapped_error(status_response(503, "", std::string("3")));
  CHECK(unavailable.retry_after() == std::optional(3000ms));
}

TEST_CASE("HTTP 200 with errors[] is a failure, with partial data kept") {
  SUBCASE("Unauthorized") {
    auto e = mapped_error(ok_json(
        R"({"errors":[{"message":"Unauthorized","locations":[{"line":1,"column":1}]}],"data":null})"));
    CHECK(e.code() == ErrorCode::unauthenticated);
    CHECK_FALSE(e.retryable());
    CHECK(e.http_status() == 200);
  }
  SUBCASE("Forbidden") {
    CHECK(mapped_error(ok_json(R"({"errors":[{"message":"Forbidden"}],"data":null})")).code() ==
          ErrorCode::forbidden);
  }
  SUBCASE("User not found") {
    CHECK(
        mapped_error(ok_json(R"({"errors":[{"message":"User not found"}],"data":null})")).code() ==
        ErrorCode::not_found);
  }
  SUBCASE("anything else is a non-retryable server_error, every message kept in order") {
    auto e = mapped_error(
        ok_json(R"({"errors":[{"message":"Cannot query field \"x\""},{"message":"second"}]})"));
    CHECK(e.code() == ErrorCode::server_error);
    CHECK_FALSE(e.retryable());
    REQUIRE(e.graphql_messages().size() == 2);
    CHECK(e.graphql_messages()[1] == "second");
  }
  SUBCASE("partial data") {
    auto mapped = map_response(
        ok_json(
            R"({"data":{"listUsers":[{"id":"u1"}]},"errors":[{"message":"Forbidden","path":["listUsers",1]}]})"),
        "listUsers", kNow);
    REQUIRE_FALSE(mapped.data.has_value());
    CHECK(mapped.data.error().code() == ErrorCode::forbidden);
    REQUIRE(mapped.partial_data.is_object());
    CHECK(mapped.partial_data.at("listUsers").at(0).at("id").as_string() == "u1");
  }
}

TEST_CASE("non-OK status{code message} maps by code and message") {
  CHECK(
      mapped_error(
          ok_json(
              R"({"data":{"createUsers":{"status":{"code":"ERROR","message":"User with email a@b.c already exists"}}}})"))
          .code() == ErrorCode::already_exists);
  CHECK(
      mapped_error(
          ok_json(
              R"({"data":{"createUsers":{"status":{"code":"ERROR","message":"User already exists"}}}})"))
          .code() == ErrorCode::already_exists);
  auto nf = mapped_error(
      ok_json(
          R"({"data":{"setUserAttributes":{"status":{"code":"NOT_FOUND","message":"User not found"}}}})"),
      "setUserAttributes");
  CHECK(nf.code() == ErrorCode::not_found);
  REQUIRE(nf.graphql_messages().size() == 1);
  CHECK(nf.graphql_messages()[0] == "User not found");
  auto other = mapped_error(
      ok_json(R"({"data":{"createUsers":{"status":{"code":"ERROR","message":"role unknown"}}}})"));
  CHECK(other.code() == ErrorCode::server_error);
  CHECK_FALSE(other.retryable());
  CHECK(mapped_error(ok_json(R"({"data":{"createUsers":{"status":{"code":"NONE","message":""}}}})"))
            .code() == ErrorCode::server_error);
  // A ResponseStatus returned directly (the sharing mutations).
  CHECK(
      mapped_error(
          ok_json(
              R"({"data":{"addScopeRoleAssignmentsForSharing":{"code":"NOT_FOUND","message":"x"}}})"))
          .code() == ErrorCode::not_found);
}

TEST_CASE("OK answers give the data") {
  auto mapped =
      map_response(ok_json(R"({"data":{"createUsers":{"status":{"code":"OK","message":"done"}}}})"),
                   "createUsers", kNow);
  REQUIRE(mapped.data.has_value());
  CHECK(mapped.data->at("createUsers").at("status").at("code").as_string() == "OK");
  auto token = map_response(ok_json(R"({"data":{"impersonateUser":"a.b.c"},"errors":[]})"),
                            "impersonateUser", kNow);
  REQUIRE(token.data.has_value());
  CHECK(token.data->at("impersonateUser").as_string() == "a.b.c");
}

TEST_CASE("bodies that are not GraphQL answers are protocol errors") {
  for (const char* body : {"", "not json", "<html></html>", "[1,2]", "{\"data\":null}", "{}",
                           "{\"errors\":5}", R"({"data":{"x":1})"}) {
    CAPTURE(body);
    CHECK(mapped_error(ok_json(body)).code() == ErrorCode::protocol);
  }
}

TEST_CASE("vendor messages are scrubbed of known secrets") {
  const std::array<std::string_view, 1> redact{"KEY-123"};
  auto mapped = map_response(ok_json(R"({"errors":[{"message":"bad key KEY-123 given"}]})"),
                             "exchangeAccessToken", kNow, redact);
  REQUIRE_FALSE(mapped.data.has_value());
  CHECK(mapped.data.error().graphql_messages()[0] == "bad key <redacted> given");
  CHECK(mapped.data.error().message().find("KEY-123") == std::string::npos);
  // In a status code too, not only in messages (fuzzing found the code echoed verbatim).
  auto status = map_response(
      ok_json(R"({"data":{"createUsers":{"status":{"code":"KEY-123","message":"m"}}}})"),
      "createUsers", kNow, redact);
  REQUIRE_FALSE(status.data.has_value());
  CHECK(status.data.error().to_string().find("KEY-123") == std::string::npos);
}

TEST_CASE("scrub removes known secrets and anything JWT-shaped") {
  using embark::internal::scrub;
  const std::array<std::string_view, 2> redact{"K1", ""};
  CHECK(scrub("a K1 b K1", redact) == "a <redacted> b <redacted>");
  CHECK(scrub("token eyJhbGciOi.eyJzdWIi.c2ln-_x, more", {}) == "token <jwt>, more");
  CHECK(scrub("unsigned eyJhbGciOi.eyJzdWIi. end", {}) == "unsigned <jwt> end");
  CHECK(scrub("eyJ alone and eyJabc.def stays", {}) == "eyJ alone and eyJabc.def stays");
  CHECK(scrub("no secrets here", redact) == "no secrets here");
}

TEST_CASE("a write is confirmed only by an OK status; null, empty or missing answers are errors") {
  auto status = [](std::string_view data) {
    return embark::internal::read_status(boost::json::parse(data), "createUsers");
  };
  CHECK(status(R"({"createUsers":{"status":{"code":"OK","message":""}}})").has_value());
  CHECK(status(R"({"createUsers":{"code":"OK"}})").has_value());
  for (std::string_view doubtful :
       {R"({"createUsers":null})", R"({"createUsers":{}})", R"({"createUsers":{"status":null}})",
        R"({"createUsers":{"status":{"code":null}}})", R"({})", R"(null)"}) {
    CAPTURE(doubtful);
    auto r = status(doubtful);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == embark::ErrorCode::protocol);
    CHECK(r.error().operation() == "createUsers");
  }
}

TEST_CASE("to_body: the query, the variables and the operation name, in that order, escaped") {
  embark::internal::GraphqlRequest request{"query Q($a: String!) { f(a: \"x\\y\") }", {}, "Q"};
  request.variables["a"] = "line\nbreak \"quoted\"";
  request.variables["n"] = 3;
  const std::string body = embark::internal::to_body(request);
  CHECK(body == R"({"query":"query Q($a: String!) { f(a: \"x\\y\") }",)"
                R"("variables":{"a":"line\nbreak \"quoted\"","n":3},"operationName":"Q"})");
  const auto parsed = boost::json::parse(body).as_object();
  CHECK(parsed.at("query").as_string() == request.document);
  CHECK(parsed.at("variables") == boost::json::value(request.variables));

  request.operation_name = {};
  CHECK(embark::internal::to_body(request).find("operationName") == std::string::npos);
}
