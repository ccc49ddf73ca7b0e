// SampleServer: the sample embed server (samples/embed_server) run in-process by `embark demo
// --serve`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "embark/result.hpp"
#include "embark/secret.hpp"

namespace embark::cli {

/// Where the sample app reaches WisdomAI and where it listens. Plain value type.
struct ServeOptions {
  std::string wisdom_url;    ///< GraphQL endpoint (the demo's emulator or WISDOM_URL)
  std::string ca_file;       ///< CA bundle for that endpoint
  std::string embed_origin;  ///< origin of the embed pages, as the browser reaches them
  Secret access_key;
  std::string workspace;
  std::uint16_t port = 0;  ///< 0: any free port
};

/// A login of the sample app (its seeded demo accounts; demo passwords, not secrets).
struct SampleAccount {
  std::string email;
  std::string password;
  std::string tenant;
};

/// The sample app served on a thread of its own until stop() or destruction. Thread-safe.
class SampleServer {
 public:
  /// Starts the app. Fails with invalid_input naming --port when the port cannot be bound, and
  /// with unimplemented when this build has no samples (EMBARK_SAMPLES / -Dsamples off).
  static Result<std::unique_ptr<SampleServer>> start(const ServeOptions& options);
  /// Whether this build has the sample app (false: start() always fails).
  static bool available() noexcept;
  /// The app's seeded logins (empty when this build has no samples).
  static std::vector<SampleAccount> accounts();
  /// Stops serving.
  ~SampleServer();

  /// The address to open in a browser, e.g. "http://127.0.0.1:41234/".
  std::string url() const;
  /// The bound port.
  std::uint16_t port() const;
  /// Stops accepting, drops connections, joins the server's thread. Idempotent.
  void stop();

  struct Impl;

 private:
  explicit SampleServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace embark::cli
