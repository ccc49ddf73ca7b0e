// JWT signing/verification: both algorithms, JWKS, and refusal of none / HS256 confusion /
// tampering.
#include "auth/jwt.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/base64url.hpp"

namespace emu = embark::emulator;
namespace json = boost::json;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

json::object claims() {
  return {
      {"sub", "user_1"}, {"impersonated_user_id", "user_1"}, {"iat", kNow}, {"exp", kNow + 3600}};
}

std::string forge(const json::object& header, const json::object& body, std::string_view sig) {
  return emu::base64url_encode(json::serialize(header)) + "." +
         emu::base64url_encode(json::serialize(body)) + "." + emu::base64url_encode(sig);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

TEST_CASE("base64url round-trips every length and rejects foreign characters") {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    CHECK(emu::base64url_decode(emu::base64url_encode(bytes)) == bytes);
    bytes += static_cast<char>(i * 37 + 250);
  }
  CHECK(emu::base64url_encode("\xfb\xff") == "-_8");
  CHECK_FALSE(emu::base64url_decode("ab+c").has_value());
  CHECK_FALSE(emu::base64url_decode("a").has_value());
}

TEST_CASE("tokens of both algorithms verify and carry kid, alg and claims") {
  for (auto alg : {emu::JwtAlgorithm::rs256, emu::JwtAlgorithm::es256}) {
    auto keys = emu::JwtKeys::generate(alg).value();
    const std::string token = keys->sign(claims());
    REQUIRE(!token.empty());
    const auto header =
        json::parse(*emu::base64url_decode(token.substr(0, token.find('.')))).as_object();
    CHECK(header.at("alg").as_string() == keys->alg_name());
    CHECK(header.at("kid").as_string() == keys->key_id());
    auto verified = keys->verify(token, kNow);
    REQUIRE(verified.has_value());
    CHECK(verified->at("impersonated_user_id").as_string() == "user_1");

    const auto jwks = keys->jwks();
    const auto& jwk = jwks.at("keys").as_array().at(0).as_object();
    CHECK(jwk.at("kid").as_string() == keys->key_id());
    CHECK(jwk.at("kty").as_string() == (alg == emu::JwtAlgorithm::rs256 ? "RSA" : "EC"));
    if (alg == emu::JwtAlgorithm::es256) {
      CHECK(emu::base64url_decode(jwk.at("x").as_string())->size() == 32);
      // raw r||s, not DER
      CHECK(emu::base64url_decode(token.substr(token.rfind('.') + 1))->size() == 64);
    } else {
      CHECK(emu::base64url_decode(jwk.at("n").as_string())->size() == 256);
    }
  }
}

TEST_CASE("expired, tampered and foreign-key tokens are refused") {
  auto keys = emu::JwtKeys::generate(emu::JwtAlgorithm::es256).value();
  auto other = emu::JwtKeys::generate(emu::JwtAlgorithm::es256).value();
  const std::string token = keys->sign(claims());

  CHECK_FALSE(keys->verify(token, kNow + 3600).has_value());  // exp is exclusive
  CHECK(keys->verify(token, kNow + 3599).has_value());

  // Same header and signature, different claims.
  auto body = claims();
  body["impersonated_user_id"] = "user_2";
  const auto first_dot = token.find('.');
  const auto last_dot = token.rfind('.');
  const std::string tampered = token.substr(0, first_dot + 1) +
                               emu::base64url_encode(json::serialize(body)) +
                               token.substr(last_dot);
  const auto r = keys->verify(tampered, kNow);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == embark::ErrorCode::unauthenticated);
  CHECK(r.error().message().find(token) == std::string::npos);

  CHECK_FALSE(other->verify(token, kNow).has_value());
  CHECK_FALSE(keys->verify("not.a.jwt.at.all", kNow).has_value());
  CHECK_FALSE(keys->verify("", kNow).has_value());
}

TEST_CASE("alg none and HS256 keyed with the public key (algorithm confusion) are refused") {
  for (auto alg : {emu::JwtAlgorithm::rs256, emu::JwtAlgorithm::es256}) {
    auto keys = emu::JwtKeys::generate(alg).value();
    const std::string kid = keys->key_id();

    CHECK_FALSE(
        keys->verify(forge({{"alg", "none"}, {"kid", kid}}, claims(), ""), kNow).has_value());
    CHECK_FALSE(
        keys->verify(forge({{"alg", "None"}, {"kid", kid}}, claims(), ""), kNow).has_value());

    const std::string pem = keys->public_key_pem();
    REQUIRE(pem.find("BEGIN PUBLIC KEY") != std::string::npos);
    const json::object hs_header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", kid}};
    const std::string input = emu::base64url_encode(json::serialize(hs_header)) + "." +
                              emu::base64url_encode(json::serialize(claims()));
    const std::string confused = input + "." + emu::base64url_encode(hmac_sha256(pem, input));
    CHECK_FALSE(keys->verify(confused, kNow).has_value());

    // The other asymmetric algorithm with this key's kid is refused as well.
    const std::string swapped = alg == emu::JwtAlgorithm::rs256 ? "ES256" : "RS256";
    CHECK_FALSE(
        keys->verify(forge({{"alg", swapped}, {"kid", kid}}, claims(), std::string(64, 'x')), kNow)
            .has_value());
  }
}
