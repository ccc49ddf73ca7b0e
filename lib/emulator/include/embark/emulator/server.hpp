// embark::emulator::Server: the WisdomAI emulator, running in-process on its own I/O threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "embark/emulator/options.hpp"
#include "embark/emulator/stats.hpp"
#include "embark/result.hpp"
#include "embark/secret.hpp"

namespace embark::emulator {

/// A running emulator. Created by start(); stops when stop() is called or when destroyed.
/// Thread-safe: every member function may be called from any thread.
class Server {
 public:
  /// Validates the options, generates keys and certificates, binds and starts serving.
  /// Fails with invalid_input (bad options) or internal (bind, TLS or file errors).
  static Result<std::unique_ptr<Server>> start(Options options);

  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Base URL, e.g. "https://127.0.0.1:43117" (no trailing slash).
  std::string url() const;
  /// The GraphQL endpoint: url() + "/graphql".
  std::string graphql_url() const;
  /// Plain-HTTP base URL of the same port when plain HTTP is served (loopback), else empty.
  std::string http_url() const;
  /// The bound port.
  std::uint16_t port() const;
  /// PEM of the CA that issued the server certificate (empty when --cert/--key were given).
  const std::string& ca_pem() const;
  /// The first configured (or the generated) access key.
  const Secret& access_key() const;
  /// The first configured (or the generated) API bearer token (has iam:write).
  const Secret& api_token() const;
  /// The workspace used when a request names none.
  const std::string& default_workspace() const;

  /// Snapshot of the per-operation counters.
  Stats stats() const;
  /// Zeroes the counters; with clear_state also deletes every user (seeded ones too).
  void reset(bool clear_state = false);
  /// The next `times` GraphQL requests to `operation` (a root field such as "createUsers"; "*" =
  /// any) get `fault` instead of the rates' draw. Connection faults (accept_reset, tls_garbage)
  /// apply to the next `times` accepted connections. Thread-safe.
  void inject_fault(std::string operation, InjectedFault fault, int times = 1);
  /// Drops the injected faults not yet used.
  void clear_faults();

  /// Stops accepting, closes connections and joins the I/O threads. Idempotent.
  void stop();
  /// Blocks until stop() has been called (from another thread or a signal handler's thread).
  void wait();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace embark::emulator
