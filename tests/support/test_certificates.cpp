#include "support/test_certificates.hpp"

#include <atomic>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <unistd.h>

namespace embark::test_support {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what + " failed");
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

KeyPtr read_key(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  check(key != nullptr, "reading the issuer key");
  return key;
}

CertPtr read_cert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  check(cert != nullptr, "reading the issuer certificate");
  return cert;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "building an X.509 extension");
  check(X509_add_ext(cert, ext, -1) == 1, "adding an X.509 extension");
  X509_EXTENSION_free(ext);
}

}  // namespace

KeyPair make_certificate(const std::string& common_name, const std::string& subject_alt_names,
                         bool is_ca, const KeyPair* issuer) {
  KeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "generating a P-256 key");
  CertPtr cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  static std::atomic<long> serial{std::random_device{}() & 0xffffff};
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  check(X509_set_pubkey(cert.get(), key.get()) == 1, "setting the public key");
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("embark tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);

  CertPtr issuer_cert = issuer ? read_cert(issuer->cert_pem) : nullptr;
  KeyPtr issuer_key = issuer ? read_key(issuer->key_pem) : nullptr;
  X509* signer_cert = issuer ? issuer_cert.get() : cert.get();
  EVP_PKEY* signer_key = issuer ? issuer_key.get() : key.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer_cert)) == 1,
        "setting the issuer");

  add_extension(cert.get(), signer_cert, NID_basic_constraints,
                is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_extension(
      cert.get(), signer_cert, NID_key_usage,
      is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
  add_extension(cert.get(), signer_cert, NID_subject_key_identifier, "hash");
  if (issuer) add_extension(cert.get(), signer_cert, NID_authority_key_identifier, "keyid:always");
  if (!is_ca) add_extension(cert.get(), signer_cert, NID_ext_key_usage, "serverAuth");
  if (!subject_alt_names.empty())
    add_extension(cert.get(), signer_cert, NID_subject_alt_name, subject_alt_names);
  check(X509_sign(cert.get(), signer_key, EVP_sha256()) > 0, "signing the certificate");

  KeyPair pair;
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) ==
            1,
        "writing the key");
  pair.key_pem = bio_text(key_bio.get());
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "writing the certificate");
  pair.cert_pem = bio_text(cert_bio.get());
  return pair;
}

TestPki make_test_pki() {
  TestPki pki;
  pki.ca = make_certificate("embark test CA", "", true, nullptr);
  const std::string local_names = "IP:127.0.0.1,IP:::1,DNS:localhost";
  pki.localhost = make_certificate("localhost", local_names, false, &pki.ca);
  pki.wrong_host = make_certificate("wrong-host.invalid", "DNS:wrong-host.invalid", false, &pki.ca);
  const KeyPair other_ca = make_certificate("untrusted test CA", "", true, nullptr);
  pki.untrusted = make_certificate("localhost", local_names, false, &other_ca);

  static std::atomic<int> counter{0};
  pki.ca_file =
      std::filesystem::temp_directory_path() /
      ("embark-test-ca-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".pem");
  std::ofstream out(pki.ca_file, std::ios::binary | std::ios::trunc);
  out << pki.ca.cert_pem;
  check(static_cast<bool>(out.flush()), "writing the CA file");
  return pki;
}

}  // namespace embark::test_support
