// embark::emulator::Options: every behaviour switch of the WisdomAI emulator.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "embark/secret.hpp"

namespace embark::emulator {

/// What createUsers does for an email that already exists (docs/vendor-api.md#gap-4).
enum class ExistingUserMode {
  reapply,  ///< succeed and re-apply the roles (and attributes) sent — the documented default
  error,    ///< answer status ERROR "User with email <e> already exists"
};

/// How a missing or invalid credential is answered (docs/vendor-api.md#gap-9).
enum class AuthErrorMode {
  graphql,  ///< HTTP 200 with {"errors":[{"message":"Unauthorized",...}],"data":null}
  http401,  ///< HTTP 401 with the same body (403 for "Forbidden")
};

/// Signature algorithm of the JWTs the emulator mints.
enum class JwtAlgorithm { rs256, es256 };

/// One configured access key (the permanent secret that impersonateUser and exchangeAccessToken
/// take).
struct AccessKey {
  Secret key;
  std::string workspace;  ///< workspace it acts in; empty = Options::default_workspace
};

/// A fault the emulator can put in place of (or around) a real answer. Per GraphQL request
/// unless noted; chosen by rate (Options) or scripted (Server::inject_fault).
enum class InjectedFault {
  none,
  fail,            ///< HTTP 500
  bad_gateway,     ///< HTTP 502
  unavailable,     ///< HTTP 503
  throttle,        ///< HTTP 429 with Retry-After (Options::retry_after / retry_after_header)
  reset,           ///< the request is read, then the connection is reset, unanswered
  truncate,        ///< the headers and half of the body, then the connection is reset
  slow,            ///< the real answer after Options::slow_latency
  hang,            ///< the request is read and never answered (until the client goes away)
  malformed_json,  ///< HTTP 200 whose body is not JSON
  graphql_error,   ///< HTTP 200 with `errors` and `data: null`
  interim,         ///< `100 Continue` and `103 Early Hints` before the real answer
  oversized,       ///< the real answer padded with Options::oversize_bytes of whitespace
  accept_reset,    ///< per connection: reset as soon as it is accepted, before any byte
  tls_garbage,     ///< per connection: plain-text bytes instead of a TLS handshake
  lose_answer,     ///< the request is carried out, then the connection is reset, unanswered (a
                   ///< write the client cannot know was applied; per operation: inject_fault)
};

/// Stable lower-case name of a fault ("bad_gateway"); parse_fault is its inverse.
std::string_view to_string(InjectedFault fault) noexcept;
/// The fault named `name`, or nullopt.
std::optional<InjectedFault> parse_fault(std::string_view name) noexcept;

/// Configuration of one emulator instance. Plain value type; validated by Server::start.
struct Options {
  // ---- network --------------------------------------------------------------------------------
  std::string bind_address = "127.0.0.1";  ///< plain HTTP is served only on loopback addresses
  std::uint16_t port = 0;                  ///< 0: the system picks a free port (see Server::port)
  bool tls = true;        ///< serve HTTPS (on loopback the same port also answers plain HTTP)
  std::string cert_file;  ///< PEM server certificate chain; empty: generate a CA and a certificate
  std::string key_file;   ///< PEM private key of cert_file
  std::string ca_out;     ///< when set, the generated CA certificate (PEM) is written here
  int threads = 0;        ///< I/O threads; 0 = std::thread::hardware_concurrency()
  std::size_t max_body_bytes = std::size_t{1024} * 1024;  ///< larger request bodies get HTTP 413
  std::chrono::seconds idle_timeout{60};  ///< a keep-alive connection idle this long is closed
  /// After answering this many requests on one connection, close it without announcing it (no
  /// `Connection: close`), as a server closing an idle keep-alive connection does; 0 = never.
  std::size_t close_after_requests = 0;

  // ---- credentials and state -----------------------------------------------------------------
  std::vector<AccessKey> access_keys;  ///< empty: one random key is generated (Server::access_key)
  std::vector<Secret> api_tokens;      ///< bearer tokens with iam:write; empty: one is generated
  std::string default_workspace = "default";  ///< used when a request names no workspace
  std::vector<std::string> workspaces;  ///< further known workspaces (unknown ones are errors)
  ExistingUserMode existing_user = ExistingUserMode::reapply;
  AuthErrorMode auth_errors = AuthErrorMode::graphql;

  // ---- tokens --------------------------------------------------------------------------------
  JwtAlgorithm jwt_alg = JwtAlgorithm::rs256;
  std::chrono::seconds token_ttl{3600};  ///< lifetime of impersonation and exchanged tokens

  // ---- schema --------------------------------------------------------------------------------
  std::string schema_file;  ///< empty: the schema compiled into the library (schema/wisdom.graphql)

  // ---- switches for tests and benchmarks -----------------------------------------------------
  std::chrono::milliseconds latency{0};      ///< added to every GraphQL answer, by a timer
  std::map<std::string, double> fail_rates;  ///< operation ("*" = any) -> share answered HTTP 500
  std::map<std::string, double> throttle_rates;  ///< operation ("*" = any) -> share answered 429
  std::chrono::seconds retry_after{1};           ///< Retry-After of throttled answers
  double reset_rate = 0;     ///< share of GraphQL requests whose connection is reset, unanswered
  double truncate_rate = 0;  ///< share of GraphQL answers cut off after half the body
  /// Share of GraphQL requests (of accepted connections, for accept_reset and tls_garbage) given
  /// each further fault; drawn after the four switches above. See InjectedFault.
  std::map<InjectedFault, double> fault_rates;
  /// Raw Retry-After of throttled answers when set (e.g. "soon", to test a malformed one);
  /// empty = `retry_after`.
  std::string retry_after_header;
  std::chrono::milliseconds slow_latency{2'000};  ///< delay of an InjectedFault::slow answer
  std::size_t oversize_bytes = 1u << 20;          ///< padding added by InjectedFault::oversized
  std::size_t seed_users = 0;  ///< users created at start-up in the default workspace
  std::uint64_t seed = 1;      ///< seed of generated users, ids and fault decisions (deterministic)
  /// Serve /_emulator/* (stats, reset) without credentials. Off by default: those endpoints then
  /// need `Authorization: Bearer <access key or API token>`. For tests only.
  bool open_control_endpoints = false;

  /// Clock for token times and timestamps; empty = std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> clock;
};

}  // namespace embark::emulator
