// Endpoint: the parsed and validated URL of the vendor's GraphQL endpoint.
#pragma once

#include <string>
#include <string_view>

#include "embark/client_options.hpp"
#include "embark/result.hpp"

namespace embark::internal {

/// Where the transport connects to. Plain value type.
struct Endpoint {
  bool tls = true;          ///< https (true) or http (false)
  std::string host;         ///< name or IP address, IPv6 without brackets
  std::string port;         ///< numeric port, the scheme's default when the URL has none
  std::string target;       ///< path and query of the URL, "/" when empty
  std::string host_header;  ///< value of the `Host` header: host, plus ":port" when not the default
  bool loopback = false;    ///< localhost, 127.0.0.0/8 or ::1
  bool ip_literal = false;  ///< host is an IP address (no SNI; IP SAN verification)
};

/// Parses `url` ("https://host[:port]/path") and applies the transport's scheme rules: https, or
/// http to a loopback host, or http anywhere when `options.allow_insecure_http`. Errors are
/// Error{invalid_input} with field "endpoint". Thread-safe (pure function).
Result<Endpoint> parse_endpoint(std::string_view url, const TransportOptions& options);

}  // namespace embark::internal
