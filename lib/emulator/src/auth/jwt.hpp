// JWT signing and verification (RS256 / ES256 through OpenSSL EVP) and the JWKS document.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "embark/emulator/options.hpp"
#include "embark/result.hpp"

namespace embark::emulator {

/// Converts a DER ECDSA P-256 signature (SEQUENCE of two INTEGERs) to the 64-byte r||s form JWS
/// uses (RFC 7518 §3.4). False when `der` is not such a signature. Thread-safe.
bool ecdsa_der_to_raw(std::string_view der, unsigned char (&raw)[64]);

/// A signing key pair with its key id. Immutable after creation; thread-safe.
class JwtKeys {
 public:
  /// Generates a fresh key pair (RSA 2048 for RS256, P-256 for ES256).
  static Result<std::shared_ptr<const JwtKeys>> generate(JwtAlgorithm alg);

  ~JwtKeys();
  JwtKeys(const JwtKeys&) = delete;
  JwtKeys& operator=(const JwtKeys&) = delete;

  /// "RS256" or "ES256".
  std::string_view alg_name() const;
  /// The `kid` of every token this key signs.
  const std::string& key_id() const { return kid_; }
  /// Signs the claims: header {alg, typ: JWT, kid}, compact serialization.
  std::string sign(const boost::json::object& claims) const;
  /// Same as sign(), with the claims already serialized (a JSON object's text, taken as is).
  /// Returns an empty string only if OpenSSL fails.
  std::string sign_json(std::string_view claims_json) const;
  /// Verifies a compact JWT: exactly this key's algorithm and kid (so `none`, HS256 and any
  /// algorithm confusion are refused), a valid signature, and `exp` > now_s.
  /// Errors are unauthenticated with a message that never contains the token.
  Result<boost::json::object> verify(std::string_view token, std::int64_t now_s) const;
  /// The public key as a JWKS document {"keys":[{kty, kid, use, alg, ...}]}.
  boost::json::object jwks() const;
  /// The public key in PEM (SubjectPublicKeyInfo).
  std::string public_key_pem() const;

  struct Impl;

 private:
  JwtKeys(JwtAlgorithm alg, std::string kid, std::unique_ptr<Impl> impl);
  JwtAlgorithm alg_;
  std::string kid_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace embark::emulator
