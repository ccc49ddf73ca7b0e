// HTTP-level behaviour of Service::handle: routing, bad requests, faults, latency, stats, embed
// pages.
#include <doctest/doctest.h>

#include "embed/embed_pages.hpp"
#include "faults/fault_injector.hpp"
#include "service_test_support.hpp"

using namespace embark::emulator;
using namespace embark::emulator::test;

namespace {

Request plain(http::verb verb, std::string target, std::string body = {},
              std::string_view content_type = "application/json") {
  Request req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!content_type.empty()) req.set(http::field::content_type, content_type);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

Request with_key(Request req, std::string_view credential) {
  req.set(http::field::authorization, "Bearer " + std::string(credential));
  return req;
}

std::string session_token(Service& s, std::string_view email) {
  create_users(
      s, {email},
      {{"userAttributes", json::array{json::object{{"key", "region"}, {"value", "<eu>"}}}}});
  auto body = call(s, kImpersonate, {{"accessToken", key_of(s)}, {"userEmail", email}});
  return std::string(body.at("data").at("impersonateUser").as_string());
}

}  // namespace

TEST_CASE("malformed bodies are 400, wrong content type 415, GET 405, unknown paths 404") {
  auto s = make_service();
  auto bad_json = s->handle(plain(http::verb::post, "/graphql", "{\"query\": "));
  CHECK(bad_json.response.result() == http::status::bad_request);
  CHECK(json::parse(bad_json.response.body()).at("errors").at(0).at("message").as_string() ==
        "Malformed JSON body");
  CHECK(s->handle(plain(http::verb::post, "/graphql", "[1]")).response.result() ==
        http::status::bad_request);
  CHECK(s->handle(plain(http::verb::post, "/graphql", R"({"variables":{}})")).response.result() ==
        http::status::bad_request);
  CHECK(s->handle(
             plain(http::verb::post, "/graphql", R"({"query":"{ __typename }","variables":[1]})"))
            .response.result() == http::status::bad_request);
  CHECK(
      s->handle(plain(http::verb::post, "/graphql", R"({"query":"{ __typename }"})", "text/plain"))
          .response.result() == http::status::unsupported_media_type);
  CHECK(s->handle(plain(http::verb::post, "/graphql", R"({"query":"{ __typename }"})",
                        "application/json; charset=utf-8"))
            .response.result() == http::status::ok);
  auto get = s->handle(plain(http::verb::get, "/graphql?query=%7B__typename%7D"));
  CHECK(get.response.result() == http::status::method_not_allowed);
  CHECK(get.response[http::field::allow] == "POST");
  CHECK(s->handle(plain(http::verb::get, "/nope")).response.result() == http::status::not_found);
}

TEST_CASE("keep-alive follows the request") {
  auto s = make_service();
  auto req = graphql_request("{ __typename }");
  CHECK(s->handle(req).response.keep_alive());
  req.keep_alive(false);
  CHECK_FALSE(s->handle(req).response.keep_alive());
}

TEST_CASE("JWKS is served and matches the signing key") {
  auto s = make_service();
  auto out = s->handle(plain(http::verb::get, "/.well-known/jwks.json"));
  CHECK(out.response.result() == http::status::ok);
  auto jwks = json::parse(out.response.body());
  CHECK(jwks.at("keys").at(0).at("kid").as_string() == s->keys().key_id());
  CHECK(jwks.at("keys").at(0).at("alg").as_string() == "ES256");
}

TEST_CASE(
    "stats count calls and response bytes per operation; reset clears them (and users with "
    "state=1)") {
  auto s = make_service();
  create_users(*s, {"a@example.com"});
  auto imp = s->handle(
      graphql_request(kImpersonate, {{"accessToken", key_of(*s)}, {"userEmail", "a@example.com"}}));
  s->handle(
      graphql_request(kImpersonate, {{"accessToken", key_of(*s)}, {"userEmail", "a@example.com"}}));
  const auto stats = s->stats();
  CHECK(stats.of("createUsers").calls == 1);
  CHECK(stats.of("impersonateUser").calls == 2);
  CHECK(stats.of("impersonateUser").response_bytes >= 2 * imp.response.body().size() - 4);
  CHECK(stats.total.calls == 3);
  CHECK(stats.of("listUsers").calls == 0);

  auto doc = json::parse(
      s->handle(with_key(plain(http::verb::get, "/_emulator/stats"), key_of(*s))).response.body());
  CHECK(doc.at("operations").at("impersonateUser").at("calls").to_number<std::uint64_t>() == 2);
  CHECK(doc.at("total").at("calls").to_number<std::uint64_t>() == 3);

  CHECK(s->handle(with_key(plain(http::verb::post, "/_emulator/reset"), key_of(*s)))
            .response.result() == http::status::ok);
  CHECK(s->stats().total.calls == 0);
  CHECK(s->store().size() == 1);
  s->handle(with_key(plain(http::verb::post, "/_emulator/reset?state=1"), bearer_of(*s)));
  CHECK(s->store().size() == 0);
}

TEST_CASE("/_emulator/* needs the access key or an API token unless opened for tests") {
  auto s = make_service();
  create_users(*s, {"a@example.com"});
  for (std::string_view credential : {"", "wrong-key", "Bearer"}) {
    CAPTURE(credential);
    auto stats = plain(http::verb::get, "/_emulator/stats");
    auto reset = plain(http::verb::post, "/_emulator/reset?state=1");
    if (!credential.empty()) {
      stats = with_key(std::move(stats), credential);
      reset = with_key(std::move(reset), credential);
    }
    auto out = s->handle(stats);
    CHECK(out.response.result() == http::status::unauthorized);
    CHECK(out.response[http::field::www_authenticate] == "Bearer");
    CHECK(out.response.body().find("operations") == std::string::npos);
    CHECK(s->handle(reset).response.result() == http::status::unauthorized);
    CHECK(s->store().size() == 1);  // nothing was reset
  }
  // A JWT the emulator minted is not a control credential either.
  auto exchanged = call(*s, kExchange, {{"accessToken", key_of(*s)}});
  std::string jwt(exchanged.at("data").at("exchangeAccessToken").as_string());
  CHECK(s->handle(with_key(plain(http::verb::get, "/_emulator/stats"), jwt)).response.result() ==
        http::status::unauthorized);

  Options open;
  open.open_control_endpoints = true;
  auto t = make_service(open);
  CHECK(t->handle(plain(http::verb::get, "/_emulator/stats")).response.result() ==
        http::status::ok);
}

TEST_CASE("a bad credential is refused before the document is parsed, validated or run") {
  auto s = make_service();
  create_users(*s, {"a@example.com"});
  // A malformed document with a bad token: Unauthorized, not a syntax error.
  auto doc = call(*s, "{ listUsers { id ", {}, "not-a-token");
  CHECK(doc.at("errors").at(0).at("message").as_string() == "Unauthorized");
  // Even a public operation is refused with a bad token; nothing is minted.
  doc = call(*s, kImpersonate, {{"accessToken", key_of(*s)}, {"userEmail", "a@example.com"}},
             "not-a-token");
  CHECK(doc.at("errors").at(0).at("message").as_string() == "Unauthorized");
  CHECK(doc.at("data").is_null());
  // Counted under the operation it named, not as a fault.
  CHECK(s->stats().of("impersonateUser").calls == 1);
  CHECK(s->stats().of("impersonateUser").faults == 0);
}

TEST_CASE("an anonymous document naming a protected field is refused before validation") {
  auto s = make_service();
  // Invalid (unknown field) and protected: an anonymous caller learns nothing from validation.
  auto doc = call(*s, "{ listUsers { id noSuchField } }");
  CHECK(doc.at("errors").at(0).at("message").as_string() == "Unauthorized");
  // A protected field hidden in a fragment or a second operation is found too.
  doc = call(*s, "query A { ...F } fragment F on Query { listUsers { id } }");
  CHECK(doc.at("errors").at(0).at("message").as_string() == "Unauthorized");
  doc = call(*s, "query A { __typename } query B { listUsers { id } }");
  CHECK(doc.at("errors").at(0).at("message").as_string() == "Unauthorized");
  // Public documents are still validated for anonymous callers.
  doc = call(*s, "{ __typename nope }");
  CHECK(doc.at("errors").at(0).at("message").as_string().find("nope") != std::string::npos);
  // The same protected document with a valid token gets the validation error.
  doc = call(*s, "{ listUsers { id noSuchField } }", {}, bearer_of(*s));
  CHECK(doc.at("errors").at(0).at("message").as_string().find("noSuchField") != std::string::npos);
}

TEST_CASE("a 200 KB document of repeated fields is refused by the token limit, not validated") {
  auto s = make_service();
  std::string repeated = "{ listUsers { ";
  while (repeated.size() < 200 * 1024) repeated += "id email ";
  repeated += "} }";
  std::string aliased = "{ ";
  for (int i = 0; aliased.size() < 200 * 1024; ++i)
    aliased += "a" + std::to_string(i) + ": __typename ";
  aliased += "}";
  for (const std::string* query : {&repeated, &aliased}) {
    auto doc = call(*s, *query, {}, bearer_of(*s));
    CHECK(doc.at("errors").at(0).at("message").as_string() ==
          "Syntax Error: Document contains more than 5000 tokens. Parsing aborted.");
    CHECK(doc.at("data").is_null());
  }
  CHECK(s->stats().of("listUsers").calls == 0);
}

TEST_CASE("fault switches: --fail gives 500, --throttle 429 with Retry-After, per operation") {
  Options o;
  o.fail_rates["listUsers"] = 1.0;
  o.throttle_rates["exchangeAccessToken"] = 1.0;
  o.retry_after = std::chrono::seconds(7);
  auto s = make_service(o);
  CHECK(s->handle(graphql_request(kList, {}, bearer_of(*s))).response.result() ==
        http::status::internal_server_error);
  auto throttled = s->handle(graphql_request(kExchange, {{"accessToken", key_of(*s)}}));
  CHECK(throttled.response.result() == http::status::too_many_requests);
  CHECK(throttled.response[http::field::retry_after] == "7");
  // Other operations are untouched.
  CHECK(s->handle(graphql_request("{ __typename }")).response.result() == http::status::ok);
  CHECK(s->stats().of("listUsers").faults == 1);
  CHECK(s->stats().of("__typename").faults == 0);
}

TEST_CASE("fault rates are honoured statistically and replay for a seed") {
  Options o;
  o.fail_rates["*"] = 0.3;
  o.reset_rate = 0.2;
  o.seed = 5;
  FaultInjector a(o), b(o);
  int fails = 0, resets = 0;
  for (int i = 0; i < 2000; ++i) {
    const Fault f = a.decide("listUsers");
    CHECK(f == b.decide("listUsers"));
    fails += f == Fault::fail;
    resets += f == Fault::reset;
  }
  CHECK(fails > 450);  // 600 expected
  CHECK(fails < 750);
  CHECK(resets > 200);  // 0.7 * 0.2 * 2000 = 280 expected
  CHECK(resets < 360);
  CHECK_FALSE(FaultInjector(Options{}).enabled());
}

TEST_CASE("reset and truncate faults and latency are handed to the connection") {
  Options o;
  o.reset_rate = 1.0;
  o.latency = std::chrono::milliseconds(250);
  auto s = make_service(o);
  auto out = s->handle(graphql_request("{ __typename }"));
  CHECK(out.fault == Fault::reset);
  CHECK(out.delay == std::chrono::milliseconds(250));

  Options t;
  t.truncate_rate = 1.0;
  auto s2 = make_service(t);
  auto cut = s2->handle(graphql_request("{ __typename }"));
  CHECK(cut.fault == Fault::truncate);
  CHECK(cut.response.result() == http::status::ok);
}

TEST_CASE("embed pages validate the token and show the signed-in user and effective attributes") {
  auto s = make_service();
  const std::string token = session_token(*s, "pat@example.com");
  for (std::string path : {"/embed/dashboards/d-1", "/embed/chat", "/embed/chat/c1", "/chat/embed",
                           "/chat/embed/c2", "/dashboards/embed/sales-42"}) {
    auto out = s->handle(plain(http::verb::get, path + "?token=" + token, {}, {}));
    CHECK(out.response.result() == http::status::ok);
    const std::string& html = out.response.body();
    CHECK(html.find("id=\"signed-in-as\">Signed in as pat@example.com<") != std::string::npos);
    CHECK(html.find("region = &lt;eu&gt;") != std::string::npos);  // escaped
    CHECK(html.find("id=\"token-fp\">" + embark::Secret(token).fingerprint() + "<") !=
          std::string::npos);
    CHECK(html.find(token) == std::string::npos);  // the token itself is not echoed
    CHECK(std::string(out.response["Content-Security-Policy"]).find("frame-ancestors *") !=
          std::string::npos);
  }
  auto invalid =
      s->handle(plain(http::verb::get, "/embed/dashboards/d-1?token=" + token + "x", {}, {}));
  CHECK(invalid.response.result() == http::status::unauthorized);
  CHECK(invalid.response.body().find("id=\"embed-error\"") != std::string::npos);
  // Without ?token= the page reads wisdom.jwt from localStorage.
  auto stored = s->handle(plain(http::verb::get, "/embed/dashboards/d-1", {}, {}));
  CHECK(stored.response.result() == http::status::ok);
  CHECK(s->handle(plain(http::verb::get, "/embed/dashboards/a/b", {}, {})).response.result() ==
        http::status::not_found);
  auto script = s->handle(plain(http::verb::get, "/embed/embed.js", {}, {}));
  CHECK(script.response.body().find("REQUEST_JWT_TOKEN") != std::string::npos);
  CHECK(script.response.body().find("event.source !== window.parent") != std::string::npos);
}

TEST_CASE(
    "expired tokens get the error page; /embed/session validates tokens for the refresh protocol") {
  auto now = std::make_shared<std::atomic<std::int64_t>>(1'800'000'000);
  Options o;
  o.token_ttl = std::chrono::seconds(60);
  o.clock = [now] { return TimePoint(std::chrono::seconds(now->load())); };
  auto s = make_service(o);
  const std::string token = session_token(*s, "quinn@example.com");

  auto ok = s->handle(
      plain(http::verb::post, "/embed/session", json::serialize(json::object{{"token", token}})));
  REQUIRE(ok.response.result() == http::status::ok);
  auto session = json::parse(ok.response.body());
  CHECK(session.at("email").as_string() == "quinn@example.com");
  CHECK(session.at("user_id").as_string() ==
        s->store().find_by_email("default", "quinn@example.com")->id);
  CHECK(session.at("exp").as_int64() == 1'800'000'060);
  CHECK(session.at("attributes").at("region").as_string() == "<eu>");

  *now += 61;
  auto expired = s->handle(plain(http::verb::get, "/embed/chat?token=" + token, {}, {}));
  CHECK(expired.response.result() == http::status::unauthorized);
  CHECK(expired.response.body().find("expired") != std::string::npos);
  CHECK(s->handle(plain(http::verb::post, "/embed/session",
                        json::serialize(json::object{{"token", token}})))
            .response.result() == http::status::unauthorized);
  CHECK(s->handle(plain(http::verb::post, "/embed/session", "{}")).response.result() ==
        http::status::bad_request);
}

TEST_CASE("embed path matching") {
  CHECK(match_embed_path("/embed/dashboards/abc")->kind == "dashboard");
  CHECK(match_embed_path("/embed/dashboards/abc")->id == "abc");
  CHECK(match_embed_path("/embed/chat")->id.empty());
  CHECK(match_embed_path("/chat/embed/42")->kind == "chat");
  CHECK_FALSE(match_embed_path("/embed/dashboards").has_value());
  CHECK_FALSE(match_embed_path("/embed/dashboards/<x>").has_value());
  CHECK_FALSE(match_embed_path("/embed/dashboardsX/1").has_value());
}

TEST_CASE("validation work is bounded: fragment chains and look-alike fields stay small") {
  auto s = make_service();
  // Each fragment spreads the next twice: 2^24 expansions if fragments were re-expanded.
  std::string bomb = "query { ...F0 }\n";
  for (int i = 0; i < 24; ++i)
    bomb += "fragment F" + std::to_string(i) + " on Query { ...F" + std::to_string(i + 1) +
            " ...F" + std::to_string(i + 1) + " }\n";
  bomb += "fragment F24 on Query { __typename }\n";
  auto doc = call(*s, bomb);
  CHECK(doc.at("data").at("__typename").as_string() == "Query");

  // A thousand copies of one field are one field to the overlap check: valid, answered.
  std::string copies = "{ ";
  for (int i = 0; i < 1000; ++i) copies += "listUsers { id } ";
  copies += "}";
  doc = call(*s, copies, {}, bearer_of(*s));
  CHECK_FALSE(doc.as_object().contains("errors"));

  // 700 distinct look-alikes would need 245,000 comparisons: refused by the budget.
  std::string lookalikes = "{ ";
  for (int i = 0; i < 700; ++i) lookalikes += "listUsers { a" + std::to_string(i) + ": id } ";
  lookalikes += "}";
  doc = call(*s, lookalikes, {}, bearer_of(*s));
  CHECK(doc.at("errors").at(0).at("message").as_string() ==
        "Query is too complex to validate: more than 10000 field comparisons.");
  CHECK(doc.at("data").is_null());
}
