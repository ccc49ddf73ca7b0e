// Test PKI generated in-process with OpenSSL (never committed): a CA, leaves signed by it, and an
// untrusted leaf from a second CA.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace embark::test_support {

/// A PEM private key and its PEM certificate.
struct KeyPair {
  std::string key_pem;
  std::string cert_pem;
};

/// Certificates for TLS tests. Plain value type.
struct TestPki {
  KeyPair ca;  ///< trusted test CA (write ca.cert_pem to a file for TransportOptions::ca_file)
  KeyPair localhost;   ///< leaf for IP 127.0.0.1, IP ::1 and DNS localhost, signed by `ca`
  KeyPair wrong_host;  ///< leaf for DNS wrong-host.invalid only, signed by `ca`
  KeyPair untrusted;   ///< leaf for 127.0.0.1/localhost signed by a CA nobody trusts
  std::filesystem::path ca_file;  ///< ca.cert_pem written to a temporary file
};

/// Generates a fresh PKI (P-256 keys, SHA-256, valid from an hour ago for a day) and writes the CA
/// certificate to a unique file in the system temp directory. Throws std::runtime_error on failure.
TestPki make_test_pki();

/// Generates one certificate signed by `issuer` (or self-signed when `issuer` is null).
/// `subject_alt_names` is OpenSSL's syntax, e.g. "IP:127.0.0.1,DNS:localhost"; empty for a CA.
KeyPair make_certificate(const std::string& common_name, const std::string& subject_alt_names,
                         bool is_ca, const KeyPair* issuer);

}  // namespace embark::test_support
