// Generated TLS material: a throw-away CA and a server certificate for localhost / 127.0.0.1 / ::1.
#pragma once

#include <string>

#include "embark/result.hpp"

namespace embark::emulator {

/// PEM texts of a generated CA and the server certificate it issued.
struct TlsMaterial {
  std::string ca_pem;          ///< the CA certificate (what clients trust)
  std::string cert_chain_pem;  ///< server certificate followed by the CA certificate
  std::string key_pem;         ///< the server's private key (PKCS#8)
};

/// Generates a P-256 CA (valid 30 days) and a server certificate with SAN DNS:localhost,
/// IP:127.0.0.1, IP:::1, serverAuth. Fresh keys on every call.
Result<TlsMaterial> generate_tls_material();

}  // namespace embark::emulator
