// ClientOptions: where the vendor is and how to reach it (endpoint, credentials, TLS, pool,
// timeouts).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "embark/secret.hpp"

namespace embark {

class RateLimiter;

/// Transport settings. Plain value type; validated once when a client is created.
struct TransportOptions {
  /// Trust store: when both ca_file and ca_pem are empty, the system CAs; otherwise the CA
  /// certificates of the PEM file ca_file and of ca_pem (both when both are set).
  std::string ca_file;
  /// PEM text of CA certificates held in memory (e.g. an emulator's generated CA), no file needed.
  std::string ca_pem;
  /// Verify the peer certificate and host name (on by default; turning it off is for tests only).
  bool verify_peer = true;
  /// Accept plain http:// to non-loopback hosts (a warning is logged once). Loopback is always
  /// allowed.
  bool allow_insecure_http = false;
  /// Connections per host, at most. The pool opens them only on demand (a login waits for one
  /// only when this many are busy), so the cap bounds bursts rather than sizing the pool: one
  /// connection carries one request at a time, and at 20 ms of latency 64 concurrent logins need
  /// 64 connections. Idle ones close after `idle_timeout`.
  std::size_t max_connections_per_host = 256;
  /// A pooled connection idle longer than this is closed instead of reused.
  std::chrono::milliseconds idle_timeout{30'000};
  /// Timeout of each network operation (resolve, connect, handshake, write, read), re-armed per
  /// step.
  std::chrono::milliseconds operation_timeout{10'000};
  /// Largest response body accepted, in bytes (listUsers of a big workspace is large). A
  /// listUsers streamed into a ListUsersRequest::sink is not capped (nothing holds it whole).
  std::size_t max_response_bytes = std::size_t{256} * 1024 * 1024;
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
  /// Workspace of listUsers, createUsers and deleteUsersFromWorkspace calls whose request names
  /// none (multi-workspace tenants); empty = the vendor's default workspace.
  std::string workspace_id;
  /// Deadline of one call including its retries.
  std::chrono::milliseconds call_deadline{30'000};
  TransportOptions transport;
  RetryOptions retry;
  /// A vendor budget shared with other instances (e.g. RedisSharedState::rate_limiter): every
  /// attempt, retries included, first takes a token from the bucket named `workspace_id`, waiting
  /// for one within the call's deadline. Null: no client-side limit.
  std::shared_ptr<RateLimiter> rate_limiter;
};

}  // namespace embark
