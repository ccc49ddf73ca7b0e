// EmbeddedServer: the sample app served on its own thread inside another program (`embark demo
// --serve`).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "embark/secret.hpp"

namespace embark::sample {

/// Where an EmbeddedServer listens and where it finds WisdomAI. Plain value type.
struct EmbeddedServerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;      ///< 0: any free port (see EmbeddedServer::port)
  std::string wisdom_url;      ///< GraphQL endpoint embark calls
  std::string wisdom_ca_file;  ///< CA bundle for that endpoint (empty: the system CAs)
  std::string embed_origin;    ///< origin of the embed pages the browser loads (the iframe's)
  embark::Secret access_key;   ///< WisdomAI access key (exchanged for the management bearer)
  std::string workspace;       ///< WisdomAI workspace (empty: the default)
  std::string dashboard_id = "revenue-overview";
  /// Folder of style.css, dashboard.js and embark-bridge.js; empty: default_assets_dir().
  std::filesystem::path assets_dir;
};

/// The sample app (login, dashboard with the WisdomAI iframe, token refresh, /healthz, /metrics)
/// over an in-memory database seeded with the demo accounts (kDemoAccounts, listed on the login
/// page), served on one thread of its own. It installs no signal handlers. start() and stop()
/// may be called from any one thread; port() and url() from any thread.
class EmbeddedServer {
 public:
  /// Makes embark's connection and Onboarder, seeds the database, binds and starts serving.
  /// Throws std::runtime_error (or boost::system::system_error for the bind) naming what failed.
  static std::unique_ptr<EmbeddedServer> start(EmbeddedServerOptions options);
  /// Stops the server if it still runs.
  ~EmbeddedServer();
  EmbeddedServer(const EmbeddedServer&) = delete;
  EmbeddedServer& operator=(const EmbeddedServer&) = delete;

  /// The bound port.
  std::uint16_t port() const noexcept;
  /// The address to open in a browser, e.g. "http://127.0.0.1:8080/".
  std::string url() const;
  /// Stops accepting, drops open connections and joins the server's thread. Idempotent.
  void stop();

  /// The static files' folder: embark-sample-server-assets next to the running program if it
  /// exists, else the build's copy (EMBARK_SAMPLE_ASSETS_DIR), else the program's folder.
  static std::filesystem::path default_assets_dir();

  struct Impl;

 private:
  explicit EmbeddedServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace embark::sample
