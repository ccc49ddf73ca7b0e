// embark-sample-server: wires the app (SQLite stores, routes, Beast server) to embark's Onboarder,
// against a real WisdomAI tenant (WISDOM_URL) or the WisdomAI emulator started in-process.
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/system/system_error.hpp>
#include <boost/url/parse.hpp>

#include "embark/emulator/server.hpp"

#include "app.hpp"
#include "http_server.hpp"
#include "onboarder_gateway.hpp"
#include "options.hpp"
#include "private_file.hpp"
#include "security_headers.hpp"
#include "seed.hpp"
#include <sys/prctl.h>
#include <sys/resource.h>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace embark::sample;

namespace {

// "https://acme.wisdom.ai/graphql" -> "https://acme.wisdom.ai"
std::string origin_of(const std::string& url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || u->host().empty())
    throw std::invalid_argument("--wisdom-url: not an absolute URL: " + url);
  std::string origin = std::string(u->scheme()) + "://" + std::string(u->encoded_host_and_port());
  return origin;
}

fs::path default_assets_dir() {
  std::error_code ec;
  fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  if (fs::exists(exe_dir / "embark-sample-server-assets"))
    return exe_dir / "embark-sample-server-assets";
  return exe_dir;  // the Meson build copies the assets next to the executable
}

int run(const ServerOptions& options) {
  // ---- where WisdomAI is --------------------------------------------------------------------
  std::unique_ptr<embark::emulator::Server> emulator;
  std::string endpoint = options.wisdom_url;
  std::string embed_origin = options.embed_origin;
  std::string ca_file = options.wisdom_ca_file;
  std::string ca_pem;
  embark::Secret access_key = options.access_key;
  if (options.embedded_emulator) {
    embark::emulator::Options emulator_options;
    emulator_options.threads = 1;
    if (options.token_ttl.count() > 0) emulator_options.token_ttl = options.token_ttl;
    auto started = embark::emulator::Server::start(std::move(emulator_options));
    if (!started) throw std::runtime_error("embedded emulator: " + started.error().to_string());
    emulator = std::move(*started);
    // The API is called over TLS trusting the emulator's generated CA (in memory); the browser
    // loads the iframe over plain HTTP on loopback (no CA to install in the browser).
    endpoint = emulator->graphql_url();
    embed_origin = emulator->http_url();
    access_key = emulator->access_key();
    ca_pem = emulator->ca_pem();
    std::cout << "embedded WisdomAI emulator at " << emulator->url() << " (embed pages at "
              << embed_origin << ")\n";
  }
  if (embed_origin.empty()) embed_origin = origin_of(endpoint);

  asio::io_context io{1};
  asio::thread_pool cpu_pool{2};

  // ---- embark: connection + onboarder, created once --------------------------------------
  // embark's metrics (stage outcomes, vendor calls) are served under /metrics with the app's.
  auto embark_metrics = std::make_shared<embark::MetricsObserver>();
  auto shared_onboarder =
      make_sample_onboarder({endpoint, ca_file, embed_origin, access_key, options.workspace, ca_pem,
                             options.redis_url, options.redis_token_key},
                            io.get_executor(), {embark_metrics});
  OnboarderGateway gateway(shared_onboarder, embed_origin, options.dashboard_id);

  // ---- the app's own state -------------------------------------------------------------------
  Database db(options.db.empty() ? ":memory:" : options.db);
  UserStore users(db);
  bool seeded = false;
  if (users.empty()) {
    seed_demo_data(users);
    seeded = true;
  }
  SessionStore sessions(db, std::chrono::hours{8});
  sessions.purge_expired();
  StaticAssets assets(
      options.assets_dir.empty() ? default_assets_dir() : fs::path(options.assets_dir),
      {"style.css", "dashboard.js", "embark-bridge.js"});
  Metrics metrics(embark_metrics);

  AppConfig app_config;
  app_config.https = options.public_url.starts_with("https://");
  app_config.show_demo_accounts = seeded;
  SampleApp app(app_config, users, sessions, gateway, metrics, assets, cpu_pool);
  Router router;
  app.register_routes(router);

  HttpServer server(io.get_executor(), router,
                    [csp = app.csp()](Response& r) { apply_security_headers(r, csp); });
  std::uint16_t port = 0;
  try {
    port = server.listen({asio::ip::make_address(options.bind), options.port});
  } catch (const boost::system::system_error& e) {
    // A taken or forbidden port is the operator's to change, like any bad flag.
    std::cerr << "embark-sample-server: --port " << options.port << ": cannot listen on "
              << options.bind << ":" << options.port << ": " << e.code().message() << "\n";
    return 2;
  }
  server.start();
  if (!options.port_file.empty())
    write_private_file_atomically(options.port_file, std::to_string(port) + "\n");
  // The seeded logins (demo passwords, shown on the login page too), one per line, before the
  // address: `embark demo --serve` reads both from here.
  if (seeded) {
    for (const auto& account : kDemoAccounts)
      std::cout << "demo account: " << account.email << " " << account.password << " "
                << account.tenant << "\n";
  }
  std::string host =
      options.bind.find(':') != std::string::npos ? "[" + options.bind + "]" : options.bind;
  std::cout << "embark-sample-server listening on http://" << host << ":" << port << std::endl;

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    server.stop();
    io.stop();
  });
  io.run();

  cpu_pool.join();
  if (emulator) emulator->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The server holds the access key, session tokens and users' JWTs in memory: no core file may
  // carry them to disk, and no other process of the same user may read its memory.
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  ServerOptions options;
  if (auto exit_code = parse_options(argc, argv, options)) return *exit_code;
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::cerr << "embark-sample-server: " << e.what() << "\n";
    return 1;
  }
}
