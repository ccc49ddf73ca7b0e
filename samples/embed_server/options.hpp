// Command-line and environment options of embark-sample-server.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "embark/secret.hpp"

namespace embark::sample {

/// Everything main() needs to start the server. Plain value type.
struct ServerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;  ///< 0: any free port (printed, and written to port_file)
  std::string port_file;      ///< when set, the bound port is written here once listening
  std::string db;             ///< SQLite file; empty: an in-memory database seeded with demo data
  std::string public_url;     ///< how users reach the app; https:// makes cookies Secure
  std::string assets_dir;     ///< empty: embark-sample-server-assets next to the executable

  // WisdomAI
  std::string wisdom_url;      ///< GraphQL endpoint (or WISDOM_URL); empty: the embedded emulator
  std::string wisdom_ca_file;  ///< CA bundle for the WisdomAI endpoint (empty: system CAs)
  std::string embed_origin;    ///< iframe origin; empty: the origin of wisdom_url
  embark::Secret access_key;   ///< from WISDOM_ACCESS_KEY or --access-key-file, never a flag value
  std::string workspace;       ///< WisdomAI workspace (empty: the default)
  std::string dashboard_id = "revenue-overview";
  /// Shared state for several instances: --redis or EMBARK_REDIS_URL (redis:// or unix://).
  std::string redis_url;
  /// AES-256-GCM key for tokens in Redis: --redis-token-key-file or EMBARK_REDIS_TOKEN_KEY.
  embark::Secret redis_token_key;

  // Embedded emulator
  bool embedded_emulator = false;
  std::chrono::seconds token_ttl{0};  ///< session JWT lifetime; 0: the emulator's default (1 h)
};

/// Parses argv and the environment (WISDOM_URL, WISDOM_ACCESS_KEY). On --help or an error, prints
/// to stdout/stderr and returns the exit code; otherwise fills `out` and returns nullopt.
std::optional<int> parse_options(int argc, char** argv, ServerOptions& out);

}  // namespace embark::sample
