#include "tls/certificates.hpp"

#include <memory>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace embark::emulator {
namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Deleter>;

constexpr long kValiditySeconds = 30L * 24 * 3600;

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

Ptr<X509> make_cert(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key) {
  Ptr<X509> cert(X509_new());
  if (!cert) return nullptr;
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  if (!sn) return nullptr;
  X509_set_version(cert.get(), 2);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("embark emulator"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  bool ok = true;
  if (!issuer) {
    ok = ok && add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    ok = ok && add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    ok = ok && add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  } else {
    ok = ok && add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    ok = ok && add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    ok = ok && add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    ok = ok &&
         add_ext(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
    ok = ok && add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
    ok = ok && add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  }
  if (!ok || X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) return nullptr;
  return cert;
}

std::string to_pem(X509* cert) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return {};
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string to_pem(EVP_PKEY* key) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return {};
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

Result<TlsMaterial> generate_tls_material() {
  Ptr<EVP_PKEY> ca_key(EVP_EC_gen("P-256"));
  Ptr<EVP_PKEY> server_key(EVP_EC_gen("P-256"));
  if (!ca_key || !server_key) return fail(ErrorCode::internal, "cannot generate TLS keys");
  Ptr<X509> ca = make_cert(ca_key.get(), "embark emulator CA", nullptr, ca_key.get());
  if (!ca) return fail(ErrorCode::internal, "cannot create the CA certificate");
  Ptr<X509> server = make_cert(server_key.get(), "localhost", ca.get(), ca_key.get());
  if (!server) return fail(ErrorCode::internal, "cannot create the server certificate");
  TlsMaterial out;
  out.ca_pem = to_pem(ca.get());
  out.cert_chain_pem = to_pem(server.get()) + out.ca_pem;
  out.key_pem = to_pem(server_key.get());
  if (out.ca_pem.empty() || out.key_pem.empty())
    return fail(ErrorCode::internal, "cannot encode TLS material");
  return out;
}

}  // namespace embark::emulator
