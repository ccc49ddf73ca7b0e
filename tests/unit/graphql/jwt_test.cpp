#include "internal/graphql/jwt.hpp"

#include <doctest/doctest.h>

#include "client/test_support.hpp"

using embark::ErrorCode;
using embark::internal::base64url_decode;
using embark::internal::decode_jwt_expiry;
using embark::test::base64url;
using embark::test::jwt_with_payload;

TEST_CASE("base64url round trip at every length") {
  std::string raw;
  for (int i = 0; i < 40; ++i) {
    raw.push_back(static_cast<char>(i * 37 + 250));
    auto decoded = base64url_decode(base64url(raw));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == raw);
  }
  CHECK(base64url_decode("YWJj") == std::optional<std::string>("abc"));
  CHECK(base64url_decode("YWI=") == std::optional<std::string>("ab"));
  CHECK_FALSE(base64url_decode("YW+j").has_value());  // '+' is base64, not base64url
  CHECK_FALSE(base64url_decode("Y").has_value());
}

TEST_CASE("exp is decoded, never assumed") {
  auto t = decode_jwt_expiry(jwt_with_payload(R"({"exp":1795777200,"iat":1795773600})"));
  REQUIRE(t.has_value());
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count() ==
        1795777200);
  // A 5-minute token is a 5-minute token.
  auto short_lived = decode_jwt_expiry(jwt_with_payload(R"({"iat":1795773600,"exp":1795773900})"));
  REQUIRE(short_lived.has_value());
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(short_lived->time_since_epoch()).count() ==
        1795773900);
  auto fractional = decode_jwt_expiry(jwt_with_payload(R"({"exp":1795777200.75})"));
  REQUIRE(fractional.has_value());
}

TEST_CASE("malformed tokens are protocol errors that do not echo the token") {
  const std::string no_exp = jwt_with_payload(R"({"sub":"u1"})");
  const std::string cases[] = {
      no_exp,
      jwt_with_payload(R"({"exp":"tomorrow"})"),
      jwt_with_payload(R"({"exp":-5})"),
      jwt_with_payload("not json"),
      "onlyonepart",
      "two.parts",
      "a.b.c.d",
      "eyJhbGciOiJub25lIn0.!!!.sig",
  };
  for (const auto& token : cases) {
    CAPTURE(token);
    auto r = decode_jwt_expiry(token);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ErrorCode::protocol);
    CHECK(r.error().to_string().find(token) == std::string::npos);
  }
  auto e = decode_jwt_expiry(no_exp);
  CHECK(e.error().message().find("exp") != std::string::npos);
}

TEST_CASE("an exp beyond the clock's range is refused, not overflowed (fuzzing found it)") {
  // 19,000,000,000 s is the year 2572: past system_clock's nanosecond range (2262).
  auto far = decode_jwt_expiry(jwt_with_payload(R"({"exp":19000000000})"));
  REQUIRE_FALSE(far.has_value());
  CHECK(far.error().code() == ErrorCode::protocol);
  auto latest = decode_jwt_expiry(jwt_with_payload(R"({"exp":9000000000})"));  // year 2255
  CHECK(latest.has_value());
}

TEST_CASE("only the top-level exp counts") {
  // The claims are scanned, not built into a document: nesting must still be respected.
  auto nested = decode_jwt_expiry(jwt_with_payload(R"({"sub":{"exp":1795777200}})"));
  REQUIRE_FALSE(nested.has_value());
  CHECK(nested.error().message().find("no `exp`") != std::string::npos);
  auto in_array = decode_jwt_expiry(jwt_with_payload(R"({"aud":[{"exp":1}],"exp":1795777200})"));
  REQUIRE(in_array.has_value());
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(in_array->time_since_epoch()).count() ==
        1795777200);
  CHECK_FALSE(decode_jwt_expiry(jwt_with_payload(R"({"exp":{"at":1795777200}})")).has_value());
  CHECK_FALSE(decode_jwt_expiry(jwt_with_payload(R"([{"exp":1795777200}])")).has_value());
  CHECK_FALSE(decode_jwt_expiry(jwt_with_payload(R"({"exp":1795777200)")).has_value());
}
