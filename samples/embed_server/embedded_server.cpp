#include "embedded_server.hpp"

#include <optional>
#include <stdexcept>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "app.hpp"
#include "database.hpp"
#include "http_server.hpp"
#include "metrics.hpp"
#include "onboarder_gateway.hpp"
#include "security_headers.hpp"
#include "seed.hpp"
#include "session_store.hpp"
#include "static_assets.hpp"
#include "user_store.hpp"

namespace embark::sample {

namespace asio = boost::asio;
namespace fs = std::filesystem;

// Members in construction order: each part refers only to parts declared above it.
struct EmbeddedServer::Impl {
  asio::io_context io{1};
  asio::thread_pool cpu_pool{2};
  Database db{":memory:"};
  UserStore users{db};
  SessionStore sessions{db, std::chrono::hours{8}};
  Metrics metrics;
  StaticAssets assets;
  std::optional<OnboarderGateway> gateway;
  std::optional<SampleApp> app;
  Router router;
  std::optional<HttpServer> server;
  std::uint16_t port = 0;
  std::string host;
  std::thread thread;
  bool stopped = false;
};

std::unique_ptr<EmbeddedServer> EmbeddedServer::start(EmbeddedServerOptions options) {
  if (options.wisdom_url.empty())
    throw std::runtime_error("wisdom_url: no WisdomAI endpoint given");
  if (options.embed_origin.empty())
    throw std::runtime_error("embed_origin: no embed page origin given");
  auto impl = std::make_unique<Impl>();
  Impl* raw = impl.get();

  // Bind first: a taken port fails before the slow part (hashing the demo passwords). Requests
  // wait in the backlog until start(); the headers are read from the app once it exists.
  impl->server.emplace(impl->io.get_executor(), impl->router,
                       [raw](Response& r) { apply_security_headers(r, raw->app->csp()); });
  impl->port = impl->server->listen({asio::ip::make_address(options.bind), options.port});
  impl->host =
      options.bind.find(':') != std::string::npos ? "[" + options.bind + "]" : options.bind;

  impl->gateway.emplace(
      make_sample_onboarder({options.wisdom_url, options.wisdom_ca_file, options.embed_origin,
                             options.access_key, options.workspace, options.redis_url,
                             options.redis_token_key},
                            impl->io.get_executor()),
      options.embed_origin, options.dashboard_id);

  seed_demo_data(impl->users);
  impl->assets =
      StaticAssets(options.assets_dir.empty() ? default_assets_dir() : options.assets_dir,
                   {"style.css", "dashboard.js", "embark-bridge.js"});
  AppConfig app_config;
  app_config.show_demo_accounts = true;
  impl->app.emplace(app_config, impl->users, impl->sessions, *impl->gateway, impl->metrics,
                    impl->assets, impl->cpu_pool);
  impl->app->register_routes(impl->router);

  impl->server->start();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<EmbeddedServer>(new EmbeddedServer(std::move(impl)));
}

EmbeddedServer::EmbeddedServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EmbeddedServer::~EmbeddedServer() { stop(); }

std::uint16_t EmbeddedServer::port() const noexcept { return impl_->port; }

std::string EmbeddedServer::url() const {
  return "http://" + impl_->host + ":" + std::to_string(impl_->port) + "/";
}

void EmbeddedServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  // The server is not thread-safe: stop it on its own thread, then end the loop (keep-alive
  // connections from a browser would otherwise hold it open until their read timeout).
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->server->stop();
    impl->io.stop();
  });
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->cpu_pool.join();
}

fs::path EmbeddedServer::default_assets_dir() {
  std::error_code ec;
  const fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  if (!ec && fs::exists(exe_dir / "embark-sample-server-assets", ec))
    return exe_dir / "embark-sample-server-assets";
#ifdef EMBARK_SAMPLE_ASSETS_DIR
  if (fs::exists(fs::path(EMBARK_SAMPLE_ASSETS_DIR) / "embark-bridge.js", ec))
    return EMBARK_SAMPLE_ASSETS_DIR;
#endif
  return exe_dir;
}

}  // namespace embark::sample
