#include "auth/jwt.hpp"

#include <cstddef>
#include <cstring>
#include <mutex>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "auth/base64url.hpp"

namespace embark::emulator {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BnDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct SigDeleter {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

constexpr int kEcCoordinateBytes = 32;

Error bad_token(std::string message) {
  return Error(ErrorCode::unauthenticated, std::move(message));
}

std::string bn_bytes(const EVP_PKEY* key, const char* param) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, param, &raw) != 1) return {};
  std::unique_ptr<BIGNUM, BnDeleter> bn(raw);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string raw_to_der(std::string_view raw) {
  if (raw.size() != 2 * kEcCoordinateBytes) return {};
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<ECDSA_SIG, SigDeleter> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(p, kEcCoordinateBytes, nullptr);
  BIGNUM* s = BN_bin2bn(p + kEcCoordinateBytes, kEcCoordinateBytes, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return {};
  std::string out(static_cast<std::size_t>(len), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  i2d_ECDSA_SIG(sig.get(), &o);
  return out;
}

// Initialising an EVP_PKEY_CTX costs OpenSSL 3 a provider lookup per call, several times the
// signature itself; initialised contexts are therefore kept and reused (one user at a time).
class CtxPool {
 public:
  using Init = int (*)(EVP_PKEY_CTX*);
  CtxPool(EVP_PKEY* key, Init init, bool rsa) : key_(key), init_(init), rsa_(rsa) {}

  PkeyCtxPtr take() {
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        PkeyCtxPtr ctx = std::move(free_.back());
        free_.pop_back();
        return ctx;
      }
    }
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_, nullptr));
    if (!ctx || init_(ctx.get()) != 1) return nullptr;
    if (rsa_ && EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) return nullptr;
    if (EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1) return nullptr;
    return ctx;
  }

  void give_back(PkeyCtxPtr ctx) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(ctx));
  }

 private:
  EVP_PKEY* key_;
  Init init_;
  bool rsa_;
  std::mutex mutex_;
  std::vector<PkeyCtxPtr> free_;
};

struct MdDeleter {
  void operator()(EVP_MD* p) const { EVP_MD_free(p); }
};
using MdPtr = std::unique_ptr<EVP_MD, MdDeleter>;

// With an algorithm fetched once: SHA256() looks it up in the providers on every call.
bool sha256(const EVP_MD* md, std::string_view data, unsigned char* out) {
  unsigned int len = 0;
  return EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) == 1 &&
         len == SHA256_DIGEST_LENGTH;
}

}  // namespace

// d2i_ECDSA_SIG + BIGNUMs cost several allocations per token; the DER here is small and fixed in
// shape (one-byte lengths), so it is read by hand.
bool ecdsa_der_to_raw(std::string_view der_text, unsigned char (&raw)[64]) {
  const auto* der = reinterpret_cast<const unsigned char*>(der_text.data());
  const std::size_t len = der_text.size();
  if (len < 2 || der[0] != 0x30 || der[1] >= 0x80 || der[1] != len - 2) return false;
  std::size_t pos = 2;
  for (int part = 0; part < 2; ++part) {
    if (pos + 2 > len || der[pos] != 0x02) return false;
    std::size_t n = der[pos + 1];
    pos += 2;
    if (n == 0 || n >= 0x80 || pos + n > len) return false;
    const unsigned char* p = der + pos;
    pos += n;
    while (n > 0 && *p == 0) {  // sign byte and leading zeros
      ++p;
      --n;
    }
    if (n > kEcCoordinateBytes) return false;
    unsigned char* o = raw + static_cast<std::ptrdiff_t>(part) * kEcCoordinateBytes;
    std::memset(o, 0, kEcCoordinateBytes - n);
    std::memcpy(o + kEcCoordinateBytes - n, p, n);
  }
  return pos == len;
}

struct JwtKeys::Impl {
  PkeyPtr key;
  MdPtr sha256;
  std::string header_b64;  // base64url of the constant header, with the '.' after it
  std::unique_ptr<CtxPool> signers;
  std::unique_ptr<CtxPool> verifiers;
};

JwtKeys::JwtKeys(JwtAlgorithm alg, std::string kid, std::unique_ptr<Impl> impl)
    : alg_(alg), kid_(std::move(kid)), impl_(std::move(impl)) {}

JwtKeys::~JwtKeys() = default;

Result<std::shared_ptr<const JwtKeys>> JwtKeys::generate(JwtAlgorithm alg) {
  auto impl = std::make_unique<Impl>();
  impl->key.reset(alg == JwtAlgorithm::rs256 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"));
  if (!impl->key) return fail(ErrorCode::internal, "cannot generate the JWT signing key");
  const bool rsa = alg == JwtAlgorithm::rs256;
  impl->sha256.reset(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  if (!impl->sha256) return fail(ErrorCode::internal, "SHA-256 is not available");
  impl->signers = std::make_unique<CtxPool>(impl->key.get(), &EVP_PKEY_sign_init, rsa);
  impl->verifiers = std::make_unique<CtxPool>(impl->key.get(), &EVP_PKEY_verify_init, rsa);
  unsigned char id[8];
  if (RAND_bytes(id, sizeof id) != 1)
    return fail(ErrorCode::internal, "no randomness for the key id");
  std::string kid =
      "emu-" + base64url_encode(std::string_view(reinterpret_cast<char*>(id), sizeof id));
  const boost::json::object header{{"alg", rsa ? "RS256" : "ES256"}, {"typ", "JWT"}, {"kid", kid}};
  impl->header_b64 = base64url_encode(boost::json::serialize(header)) + '.';
  return std::shared_ptr<const JwtKeys>(new JwtKeys(alg, std::move(kid), std::move(impl)));
}

std::string_view JwtKeys::alg_name() const {
  return alg_ == JwtAlgorithm::rs256 ? "RS256" : "ES256";
}

std::string JwtKeys::sign(const boost::json::object& claims) const {
  return sign_json(boost::json::serialize(claims));
}

std::string JwtKeys::sign_json(std::string_view claims_json) const {
  std::string input;
  // Exactly what the token needs (RSA-2048 and P-256 signatures encode to 342 and 86 characters):
  // a request of 1 KiB or more makes glibc consolidate its fast bins first.
  const std::size_t signature_chars = alg_ == JwtAlgorithm::es256 ? 86 : 342;
  input.reserve(impl_->header_b64.size() + (claims_json.size() * 4 + 2) / 3 + 1 + signature_chars);
  input += impl_->header_b64;
  base64url_append(input, claims_json);

  unsigned char digest[SHA256_DIGEST_LENGTH];
  if (!sha256(impl_->sha256.get(), input, digest)) return {};
  PkeyCtxPtr ctx = impl_->signers->take();
  if (!ctx) return {};
  // Big enough for RSA-2048 and for a DER ECDSA P-256 signature; asked for, not assumed.
  unsigned char sig[512];
  std::size_t len = 0;
  const bool signed_ok = EVP_PKEY_sign(ctx.get(), nullptr, &len, digest, sizeof digest) == 1 &&
                         len <= sizeof sig &&
                         EVP_PKEY_sign(ctx.get(), sig, &len, digest, sizeof digest) == 1;
  impl_->signers->give_back(std::move(ctx));
  if (!signed_ok || len == 0) return {};
  input += '.';
  if (alg_ == JwtAlgorithm::es256) {
    unsigned char raw[2 * kEcCoordinateBytes];
    if (!ecdsa_der_to_raw(std::string_view(reinterpret_cast<const char*>(sig), len), raw))
      return {};
    base64url_append(input, std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
  } else {
    base64url_append(input, std::string_view(reinterpret_cast<const char*>(sig), len));
  }
  return input;
}

Result<boost::json::object> JwtKeys::verify(std::string_view token, std::int64_t now_s) const {
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return bad_token("token is not a compact JWS");
  }
  auto header_text = base64url_decode(token.substr(0, dot1));
  auto claims_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto sig = base64url_decode(token.substr(dot2 + 1));
  if (!header_text || !claims_text || !sig) return bad_token("token is not valid base64url");

  boost::system::error_code ec;
  auto header = boost::json::parse(*header_text, ec);
  if (ec || !header.is_object()) return bad_token("token header is not a JSON object");
  const auto* alg = header.as_object().if_contains("alg");
  // Only this key's own algorithm: refuses "none", HS256-with-the-public-key and RS/ES swaps.
  if (!alg || !alg->is_string() || alg->as_string() != alg_name())
    return bad_token("token algorithm not accepted");
  const auto* kid = header.as_object().if_contains("kid");
  if (!kid || !kid->is_string() || kid->as_string() != kid_)
    return bad_token("token key id unknown");

  std::string der;
  std::string_view signature = *sig;
  if (alg_ == JwtAlgorithm::es256) {
    der = raw_to_der(*sig);
    if (der.empty()) return bad_token("token signature malformed");
    signature = der;
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  if (!sha256(impl_->sha256.get(), token.substr(0, dot2), digest))
    return fail(ErrorCode::internal, "cannot verify tokens");
  PkeyCtxPtr ctx = impl_->verifiers->take();
  if (!ctx) return fail(ErrorCode::internal, "cannot verify tokens");
  const int verified =
      EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                      signature.size(), digest, sizeof digest);
  impl_->verifiers->give_back(std::move(ctx));
  if (verified != 1) return bad_token("token signature invalid");

  auto claims = boost::json::parse(*claims_text, ec);
  if (ec || !claims.is_object()) return bad_token("token claims are not a JSON object");
  const auto* exp = claims.as_object().if_contains("exp");
  if (!exp || !exp->is_int64()) return bad_token("token has no exp claim");
  if (exp->as_int64() <= now_s) return bad_token("token expired");
  return std::move(claims.as_object());
}

boost::json::object JwtKeys::jwks() const {
  boost::json::object jwk{{"kid", kid_}, {"use", "sig"}, {"alg", alg_name()}};
  if (alg_ == JwtAlgorithm::rs256) {
    jwk["kty"] = "RSA";
    jwk["n"] = base64url_encode(bn_bytes(impl_->key.get(), OSSL_PKEY_PARAM_RSA_N));
    jwk["e"] = base64url_encode(bn_bytes(impl_->key.get(), OSSL_PKEY_PARAM_RSA_E));
  } else {
    unsigned char point[1 + 2 * kEcCoordinateBytes];
    std::size_t len = 0;
    EVP_PKEY_get_octet_string_param(impl_->key.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                    &len);
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    if (len == sizeof point) {  // uncompressed: 0x04 || x || y
      jwk["x"] = base64url_encode(
          std::string_view(reinterpret_cast<char*>(point + 1), kEcCoordinateBytes));
      jwk["y"] = base64url_encode(std::string_view(
          reinterpret_cast<char*>(point + 1 + kEcCoordinateBytes), kEcCoordinateBytes));
    }
  }
  return boost::json::object{{"keys", boost::json::array{std::move(jwk)}}};
}

std::string JwtKeys::public_key_pem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->key.get()) != 1) return {};
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace embark::emulator
