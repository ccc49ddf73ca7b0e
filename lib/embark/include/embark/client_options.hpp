// ClientOptions: where the vendor is and how to reach it (endpoint, credentials, TLS, pool,
// timeouts).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "embark/secret.hpp"

namespace embark {

/// Transport settings. Plain value type; validated once when a client is created.
struct TransportOptions {
  /// Trust store: empty = the system CAs; otherwise a PEM file of CA certificates.
  std::string ca_file;
  /// Verify the peer certificate and host name (on by default; turning it off is for tests only).
  bool verify_peer = true;
  /// Accept plain http:// to non-loopback hosts (a warning is logged once). Loopback is always
  /// allowed.
  bool allow_insecure_http = false;
  /// Keep-alive connections per host, at most.
  std::size_t max_connections_per_host = 16;
  /// A pooled connection idle longer than this is closed instead of reused.
  std::chrono::milliseconds idle_timeout{30'000};
  /// Timeout of each network operation (resolve, connect, handshake, write, read), re-armed per
  /// step.
  std::chrono::milliseconds operation_timeout{10'000};
  /// Largest response body accepted, in bytes (listUsers of a big workspace is large).
  std::size_t max_response_bytes = 256u * 1024u * 1024u;
};

/// Retry settings (see docs/architecture.md#retry-and-policies).
struct RetryOptions {
  int max_attempts = 4;                            ///< including the first
  std::chrono::milliseconds initial_backoff{100};  ///< full-jitter exponential backoff base
  std::chrono::milliseconds max_backoff{5'000};
  double budget_ratio = 0.1;    ///< retries allowed as a fraction of recent calls (retry budget)
  int budget_min_retries = 10;  ///< retries always allowed per budget window
};

/// Everything a WisdomClient needs.
struct ClientOptions {
  /// GraphQL endpoint, e.g. "https://acme.wisdom.ai/graphql".
  std::string endpoint;
  /// The permanent access key (needed for impersonateUser and exchangeAccessToken).
  Secret access_key;
  /// A bearer token for management calls; when empty the access key is exchanged for one.
  Secret api_token;
  /// Workspace for multi-workspace tenants; empty = the default workspace.
  std::string workspace_id;
  /// Deadline of one call including its retries.
  std::chrono::milliseconds call_deadline{30'000};
  TransportOptions transport;
  RetryOptions retry;
};

}  // namespace embark
