// SampleServer: `embark demo --serve` runs the sample embed server (embark-sample-server) as a
// child process pointed at the demo's WisdomAI.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "embark/result.hpp"
#include "embark/secret.hpp"

#include "settings.hpp"
#include <sys/types.h>

namespace embark::cli {

/// The sample program's file name.
inline constexpr std::string_view kSampleServerProgram = "embark-sample-server";

/// Where the sample app reaches WisdomAI and where it listens. Plain value type.
struct ServeOptions {
  std::string wisdom_url;    ///< GraphQL endpoint (the demo's emulator or WISDOM_URL)
  std::string ca_file;       ///< CA bundle for that endpoint (empty: the system CAs)
  std::string embed_origin;  ///< origin of the embed pages, as the browser reaches them
  Secret access_key;         ///< handed over in the child's environment, never on its command line
  std::string workspace;
  std::uint16_t port = 0;  ///< 0: any free port
};

/// A login of the sample app (its seeded demo accounts; demo passwords, not secrets).
struct SampleAccount {
  std::string email;
  std::string password;
  std::string tenant;
};

/// embark-sample-server next to the running program, else on PATH (looked up through `env`),
/// else this build tree's copy (when the build knows one); nullopt when none is executable.
std::optional<std::string> find_sample_server(const EnvLookup& env);

/// The sample app running as a child process until stop() or destruction. Not thread-safe.
class SampleServer {
 public:
  /// Starts `program` and waits until it prints its address. Fails with invalid_input naming
  /// --port when the port cannot be bound, and with internal (the program's own words) when it
  /// ends before listening.
  static Result<std::unique_ptr<SampleServer>> start(const std::string& program,
                                                     const ServeOptions& options);
  /// Stops the child if it still runs.
  ~SampleServer();
  SampleServer(const SampleServer&) = delete;
  SampleServer& operator=(const SampleServer&) = delete;

  /// The address to open in a browser, e.g. "http://127.0.0.1:41234/".
  const std::string& url() const noexcept { return url_; }
  /// The bound port.
  std::uint16_t port() const noexcept { return port_; }
  /// The child's process id.
  pid_t pid() const noexcept { return pid_; }
  /// The app's seeded logins, as it printed them.
  const std::vector<SampleAccount>& accounts() const noexcept { return accounts_; }
  /// SIGTERM, then waits for the child (SIGKILL after 10 s). Idempotent.
  void stop();

 private:
  SampleServer() = default;

  pid_t pid_ = -1;
  int output_ = -1;  ///< read end of the child's stdout and stderr
  std::thread drain_;
  std::string url_;
  std::uint16_t port_ = 0;
  std::vector<SampleAccount> accounts_;
};

}  // namespace embark::cli
