#include "options.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#ifdef EMBARK_HAS_REDIS
#include "embark/redis.hpp"
#endif

namespace embark::sample {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string trim(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.pop_back();
  std::size_t start = s.find_first_not_of(" \t");
  return start == std::string::npos ? std::string() : s.substr(start);
}

}  // namespace

std::optional<int> parse_options(int argc, char** argv, ServerOptions& out) {
  CLI::App app{
      "embark-sample-server: a small multi-tenant SaaS app whose login handler puts each user into "
      "an\n"
      "embedded WisdomAI session with embark. Without WISDOM_URL it runs the WisdomAI emulator "
      "in-process.\n"
      "The access key comes from the environment (WISDOM_ACCESS_KEY) or a file, never from a flag "
      "value."};
  std::string access_key_file;
  long long ttl = 0;
  app.add_option("--bind", out.bind, "Address to listen on")->capture_default_str();
  app.add_option("--port", out.port, "Port to listen on (0: any free port)")->capture_default_str();
  app.add_option("--port-file", out.port_file, "Write the bound port to this file once listening");
  app.add_option("--db", out.db,
                 "SQLite database file (default: in-memory, seeded with demo tenants)");
  app.add_option(
      "--public-url", out.public_url,
      "URL users reach the app at; https:// (e.g. behind a TLS proxy) makes cookies Secure");
  app.add_option("--assets", out.assets_dir,
                 "Directory of style.css, dashboard.js, embark-bridge.js");
  app.add_option("--wisdom-url", out.wisdom_url,
                 "WisdomAI GraphQL endpoint, e.g. https://acme.wisdom.ai/graphql (env WISDOM_URL)");
  app.add_option("--wisdom-ca-file", out.wisdom_ca_file,
                 "CA bundle (PEM) for the WisdomAI endpoint")
      ->check(CLI::ExistingFile);
  app.add_option("--embed-origin", out.embed_origin,
                 "Origin of the embedded pages (default: the origin of --wisdom-url)");
  app.add_option("--access-key-file", access_key_file,
                 "File holding the WisdomAI access key (else env WISDOM_ACCESS_KEY)")
      ->check(CLI::ExistingFile);
  app.add_option("--workspace", out.workspace,
                 "WisdomAI workspace id (default: the default workspace)");
  app.add_option("--dashboard", out.dashboard_id, "Dashboard id to embed")->capture_default_str();
  std::string redis_token_key_file;
  app.add_option("--redis", out.redis_url,
                 "Share users, tokens and locks with other instances through Redis: "
                 "redis://[user:password@]host[:port][/db] or unix:///path/redis.sock[?db=N] "
                 "(env EMBARK_REDIS_URL; put a password in the environment, not in a flag)");
  app.add_option("--redis-token-key-file", redis_token_key_file,
                 "File holding 64 hex digits (openssl rand -hex 32) that encrypt session tokens "
                 "in Redis (else env EMBARK_REDIS_TOKEN_KEY; without one, tokens stay per "
                 "instance)")
      ->check(CLI::ExistingFile);
  auto* embedded =
      app.add_flag("--embedded-emulator", out.embedded_emulator,
                   "Run the WisdomAI emulator in-process (the default when no WISDOM_URL is set)");
  auto* ttl_option =
      app.add_option("--token-ttl", ttl, "Embedded emulator: session JWT lifetime in seconds")
          ->check(CLI::Range(11LL, 86'400LL));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (out.wisdom_url.empty()) out.wisdom_url = env("WISDOM_URL");
  if (embedded->count() == 0 && out.wisdom_url.empty()) out.embedded_emulator = true;
  if (out.embedded_emulator && embedded->count() > 0 && !out.wisdom_url.empty()) {
    std::cerr << "--embedded-emulator: conflicts with --wisdom-url / WISDOM_URL\n";
    return 2;
  }
  if (ttl_option->count() > 0 && !out.embedded_emulator) {
    std::cerr << "--token-ttl: only for the embedded emulator (the real service decides token "
                 "lifetimes)\n";
    return 2;
  }
  out.token_ttl = std::chrono::seconds{ttl};

  if (out.redis_url.empty()) out.redis_url = env("EMBARK_REDIS_URL");
  if (!out.redis_url.empty()) {
#ifdef EMBARK_HAS_REDIS
    if (auto url = embark::parse_redis_url(out.redis_url, "--redis"); !url) {
      std::cerr << url.error().to_string() << "\n";
      return 2;
    }
    std::string hex;
    if (!redis_token_key_file.empty()) {
      std::ifstream in(redis_token_key_file);
      std::stringstream buffer;
      buffer << in.rdbuf();
      hex = trim(buffer.str());
    } else {
      hex = trim(env("EMBARK_REDIS_TOKEN_KEY"));
    }
    if (!hex.empty()) {
      auto key = embark::parse_token_key(
          hex, redis_token_key_file.empty() ? "EMBARK_REDIS_TOKEN_KEY" : "--redis-token-key-file");
      if (!key) {
        std::cerr << key.error().to_string() << "\n";
        return 2;
      }
      out.redis_token_key = std::move(*key);
    }
#else
    std::cerr << "--redis: this build has no Redis support (configure with EMBARK_REDIS=ON)\n";
    return 2;
#endif
  }

  if (!out.embedded_emulator) {
    std::string key;
    if (!access_key_file.empty()) {
      std::ifstream in(access_key_file);
      std::stringstream buffer;
      buffer << in.rdbuf();
      key = trim(buffer.str());
      if (key.empty()) {
        std::cerr << "--access-key-file: " << access_key_file << " is empty\n";
        return 2;
      }
    } else {
      key = trim(env("WISDOM_ACCESS_KEY"));
    }
    if (key.empty()) {
      std::cerr << "access key: set WISDOM_ACCESS_KEY or --access-key-file to use "
                << out.wisdom_url << "\n";
      return 2;
    }
    out.access_key = embark::Secret(std::move(key));
  }
  return std::nullopt;
}

}  // namespace embark::sample
