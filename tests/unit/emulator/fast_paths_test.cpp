// The emulator's fast paths give exactly what the general paths give: hand-written JSON text and
// response heads, the hand-read ECDSA DER signature, claims written as text, and listUsers built
// with the engine's lookahead (only the selected User fields) for a varied selection.
#include <sstream>

#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "auth/base64url.hpp"
#include "auth/jwt.hpp"
#include "graphql/builtin_schema.hpp"
#include "graphql/json_text.hpp"
#include "http/response_head.hpp"
#include "service_test_support.hpp"

namespace emu = embark::emulator;
namespace gql = embark::emulator::graphql;
namespace json = boost::json;
using namespace emu::test;

namespace {

// DER of SEQUENCE { INTEGER r, INTEGER s } made by OpenSSL itself from big-endian bytes.
std::string der_of(const std::string& r_bytes, const std::string& s_bytes) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(r_bytes.data()),
                        static_cast<int>(r_bytes.size()), nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(s_bytes.data()),
                        static_cast<int>(s_bytes.size()), nullptr);
  REQUIRE(ECDSA_SIG_set0(sig, r, s) == 1);
  unsigned char* out = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  ECDSA_SIG_free(sig);
  return der;
}

std::string payload_of(std::string_view jwt) {
  const auto dot1 = jwt.find('.');
  const auto dot2 = jwt.find('.', dot1 + 1);
  return *emu::base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
}

}  // namespace

TEST_CASE("JSON text: strings and integers are written as boost::json::serialize writes them") {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
  for (std::string_view s : {std::string_view(""), std::string_view("plain"),
                             std::string_view("quote \" back \\ slash / "),
                             std::string_view("tab\tnew\nline\r\b\f\x01\x1f\x7f"),
                             std::string_view("ünïcödé €"), std::string_view(every_byte)}) {
    std::string out = "x";
    gql::append_json_string(out, s);
    CHECK(out == "x" + json::serialize(json::string(s)));
  }
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1'800'003'600}, INT64_MIN, INT64_MAX}) {
    std::string out;
    gql::append_json_int(out, v);
    CHECK(out == json::serialize(json::value(v)));
  }
}

TEST_CASE("response_head is byte for byte Beast's serialization of the header") {
  auto check = [](const emu::Response& res) {
    std::ostringstream beast;
    beast << res.base();
    CHECK(emu::response_head(res) == beast.str());
  };
  emu::Response ok{emu::http::status::ok, 11};
  ok.set(emu::http::field::server, "embark-emulator");
  ok.set(emu::http::field::content_type, "application/json");
  ok.body() = R"({"data":{}})";
  ok.keep_alive(true);
  ok.prepare_payload();
  check(ok);

  emu::Response throttled{emu::http::status::too_many_requests,
                          10};  // HTTP/1.0, keep-alive spelled out
  throttled.set(emu::http::field::retry_after, "1");
  throttled.set("X-Custom", "a b");
  throttled.keep_alive(true);
  throttled.prepare_payload();
  check(throttled);

  emu::Response reason{emu::http::status::unauthorized, 11};
  reason.reason("Go Away");
  reason.keep_alive(false);
  reason.prepare_payload();
  check(reason);

  // And through the service: a real answer of each kind.
  auto service = make_service();
  check(service
            ->handle(graphql_request(kImpersonate,
                                     {{"accessToken", key_of(*service)}, {"userEmail", "x@y.z"}}))
            .response);
  emu::Request get{emu::http::verb::get, "/nowhere", 11};
  check(service->handle(get).response);
}

TEST_CASE("ECDSA DER signatures become r||s: leading zeros, sign bytes and short integers") {
  const std::string high(32, '\xff');  // high bit set: DER adds a 0x00 sign byte (33 bytes)
  std::string short_r(32, '\x5a');
  short_r[0] = '\0';
  short_r[1] = '\0';  // DER drops leading zeros (30 bytes)
  for (const auto& [r, s] : {std::pair{high, short_r}, std::pair{short_r, high},
                             std::pair{std::string(31, '\x01') + "\x02", std::string(1, '\x07')}}) {
    unsigned char raw[64];
    REQUIRE(emu::ecdsa_der_to_raw(der_of(r, s), raw));
    std::string want_r = std::string(32 - r.size(), '\0') + r;
    std::string want_s = std::string(32 - s.size(), '\0') + s;
    CHECK(std::string(reinterpret_cast<char*>(raw), 32) == want_r);
    CHECK(std::string(reinterpret_cast<char*>(raw) + 32, 32) == want_s);
  }
  unsigned char raw[64];
  const std::string good = der_of(high, short_r);
  CHECK_FALSE(emu::ecdsa_der_to_raw("", raw));
  CHECK_FALSE(emu::ecdsa_der_to_raw(good.substr(0, good.size() - 1), raw));  // cut short
  CHECK_FALSE(emu::ecdsa_der_to_raw(good + std::string(1, '\0'), raw));      // trailing byte
  std::string wrong_tag = good;
  wrong_tag[2] = 0x04;  // OCTET STRING instead of INTEGER
  CHECK_FALSE(emu::ecdsa_der_to_raw(wrong_tag, raw));
  CHECK_FALSE(
      emu::ecdsa_der_to_raw(der_of(std::string(33, '\x11'), high), raw));  // r wider than P-256
}

TEST_CASE(
    "sign_json and sign give tokens that verify; many ES256 tokens all verify (any r, s widths)") {
  for (auto alg : {emu::JwtAlgorithm::rs256, emu::JwtAlgorithm::es256}) {
    auto keys = emu::JwtKeys::generate(alg).value();
    const json::object claims{
        {"sub", "u\"1"}, {"exp", 1'800'003'600}, {"attributes", json::object{{"a", "é\n"}}}};
    const std::string text = json::serialize(claims);
    const std::string a = keys->sign_json(text);
    const std::string b = keys->sign(claims);
    CHECK(payload_of(a) == text);
    CHECK(payload_of(b) == text);
    for (const auto& token : {a, b}) {
      auto verified = keys->verify(token, 1'800'000'000);
      REQUIRE(verified.has_value());
      CHECK(*verified == claims);
    }
  }
  auto keys = emu::JwtKeys::generate(emu::JwtAlgorithm::es256).value();
  int verified = 0;
  for (int i = 0; i < 300; ++i) {
    const std::string token =
        keys->sign_json(R"({"n":)" + std::to_string(i) + R"(,"exp":1800003600})");
    if (keys->verify(token, 1'800'000'000)) ++verified;
  }
  CHECK(verified == 300);
}

TEST_CASE("session tokens: claims text equals the object the general path would build") {
  auto service = make_service();
  const std::string key = key_of(*service);
  REQUIRE(
      create_users(*service, json::array{"Ann@Example.com"},
                   {{"userAttributes",
                     json::array{json::object{{"key", "tenant"}, {"value", "db-\"t\""}},
                                 json::object{{"key", "region"}, {"value", "eu"}},
                                 json::object{{"key", "impersonated_user_id"}, {"value", "db"}}}}})
          .at("code") == "OK");
  auto user = service->store().find_by_email("default", "ann@example.com");
  REQUIRE(user);
  // JWT-sourced attributes are read-only through the API: add one the way seeding does.
  emu::StoredUser with_jwt(*user);
  with_jwt.jwt_attributes = {{"department", "sales"}, {"region", "jwt-region"}, {"zeta", "z"}};
  const embark::AttributeMap session{
      {"region", "session-eu"}, {"impersonated_user_id", "evil"}, {"a", "1"}};
  const std::string token = service->operations().mint_session_token(with_jwt, session);
  const json::object claims = json::parse(payload_of(token)).as_object();

  json::object expected_attrs;
  for (const auto& [k, v] : emu::Operations::effective_attributes(with_jwt, session))
    expected_attrs[k] = v;
  CHECK(claims.at("attributes").as_object() == expected_attrs);
  CHECK(expected_attrs.at("region") == "session-eu");  // session > DATABASE > JWT
  CHECK(expected_attrs.at("tenant") == "db-\"t\"");
  CHECK(expected_attrs.at("department") == "sales");
  CHECK(expected_attrs.at("impersonated_user_id") == "db");  // never taken from the session
  CHECK(claims.at("impersonated_user_id") == json::value(with_jwt.id));
  CHECK(claims.at("sub") == json::value(with_jwt.id));
  CHECK(claims.at("email") == "Ann@Example.com");
  CHECK(claims.at("workspace_id") == "default");
  CHECK(claims.at("exp").as_int64() - claims.at("iat").as_int64() == 3600);
  CHECK(claims.at("token_use") == "session");
  CHECK(service->keys().verify(token, 1'800'000'000).has_value());
  // Keys in order, as a std::map-ordered json::object would serialize them.
  std::string order;
  for (const auto& kv : claims.at("attributes").as_object()) order += std::string(kv.key()) + ",";
  CHECK(order == "a,department,impersonated_user_id,region,tenant,zeta,");
}

TEST_CASE(
    "listUsers with lookahead answers byte for byte like the general path, for a varied "
    "selection") {
  emu::Options options;
  options.seed_users = 1500;  // more than the list size from which the body is reserved ahead
  auto service = make_service(options);
  // One user with a last activity, so lastActiveSessionTimestamp is not null for everyone.
  const auto* first_seeded = service->store().list("default").front().get();
  emu::UserStore::touch(*first_seeded, emu::TimePoint(std::chrono::seconds(1'800'000'100)));

  const std::string document = R"(
    query Varied($skipRoles: Boolean!, $withStatus: Boolean = true) {
      __typename
      people: listUsers {
        __typename
        uid: id
        ...Contact
        ... on User { roleAssignments @skip(if: $skipRoles) { roleId scopes __typename } }
        ... @include(if: $withStatus) { status isScimManaged }
        userAttributes { source k: key value }
        email
      }
      again: listUsers { lastActiveSessionTimestamp creationTimestamp profilePicture }
    }
    fragment Contact on User { email name ...Nested }
    fragment Nested on User { userAttributes { key } }
  )";
  for (bool skip_roles : {false, true}) {
    const json::object variables{{"skipRoles", skip_roles}};
    const emu::Outcome out =
        service->handle(graphql_request(document, variables, bearer_of(*service)));
    REQUIRE(out.response.result() == emu::http::status::ok);
    const std::string& fast = out.response.body();
    CHECK(fast.find("\"errors\"") == std::string::npos);

    // The general path: the same document on a bare engine whose resolver returns every field.
    std::string error;
    auto schema = gql::parse_schema(gql::builtin_schema_sdl(), error);
    REQUIRE(schema);
    gql::Engine engine(schema);
    engine.set_resolver("Query", "listUsers", [&](const gql::FieldCall&) {
      json::array all;
      for (const auto& u : service->store().list("default"))
        all.push_back(emu::Operations::user_json(*u));
      return gql::FieldResult{std::move(all)};
    });
    auto prepared = engine.prepare(document, "");
    REQUIRE(prepared.operation);
    const std::string general = engine.execute_serialized(*prepared.operation, variables, nullptr);
    CHECK(fast.size() == general.size());
    CHECK(fast == general);
    CHECK(fast.find(R"("__typename":"User")") != std::string::npos);
    CHECK((fast.find("roleAssignments") == std::string::npos) == skip_roles);
  }
}

TEST_CASE("the lookahead names fields through aliases and fragments, whatever their directives") {
  std::string error;
  auto schema = gql::parse_schema(gql::builtin_schema_sdl(), error);
  REQUIRE(schema);
  gql::Engine engine(schema);
  std::vector<std::string> seen;
  engine.set_resolver("Query", "listUsers", [&](const gql::FieldCall& call) {
    seen.assign(call.selected.begin(), call.selected.end());
    CHECK(call.selects("email"));
    CHECK_FALSE(call.selects("status"));
    return gql::FieldResult{json::array{}};
  });
  auto prepared = engine.prepare(
      "{ listUsers { a: id ... on User { email @skip(if: true) } ...F ...F } } fragment F on User "
      "{ name __typename }",
      "");
  REQUIRE(prepared.operation);
  CHECK(engine.execute_serialized(*prepared.operation, {}, nullptr) ==
        R"({"data":{"listUsers":[]}})");
  CHECK(seen == std::vector<std::string>{"id", "email", "name", "__typename"});
}
