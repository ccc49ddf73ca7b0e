#include "app.hpp"

#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cookies.hpp"
#include "csrf.hpp"
#include "password.hpp"
#include "random_token.hpp"
#include "security_headers.hpp"

namespace embark::sample {

SampleApp::SampleApp(AppConfig config, UserStore& users, SessionStore& sessions,
                     WisdomGateway& gateway, Metrics& metrics, const StaticAssets& assets,
                     boost::asio::thread_pool& cpu_pool)
    : config_(config),
      users_(users),
      sessions_(sessions),
      gateway_(gateway),
      metrics_(metrics),
      assets_(assets),
      cpu_pool_(cpu_pool),
      csp_(content_security_policy(gateway.origin())),
      dummy_hash_(hash_password(random_hex(16), config.password_iterations)),
      throttle_(config.login_limits) {}

void SampleApp::register_routes(Router& router) {
  auto bind = [this](auto member) {
    return [this, member](const Request& r) { return (this->*member)(r); };
  };
  router.add(http::verb::get, "/", bind(&SampleApp::get_root));
  router.add(http::verb::get, "/login", bind(&SampleApp::get_login));
  router.add(http::verb::post, "/login", bind(&SampleApp::post_login));
  router.add(http::verb::post, "/logout", bind(&SampleApp::post_logout));
  router.add(http::verb::get, "/dashboard", bind(&SampleApp::get_dashboard));
  router.add(http::verb::post, std::string(kTokenPath), bind(&SampleApp::post_token));
  router.add(http::verb::get, "/healthz", bind(&SampleApp::get_healthz));
  router.add(http::verb::get, "/metrics", bind(&SampleApp::get_metrics));
  router.add_prefix(http::verb::get, "/static/", bind(&SampleApp::get_static));
}

CookieOptions SampleApp::session_cookie_options() const {
  CookieOptions options;
  options.secure = config_.https;
  options.http_only = true;
  options.same_site = SameSite::lax;
  return options;
}

std::optional<SampleApp::Current> SampleApp::current(const Request& request) {
  auto header = request.find(http::field::cookie);
  if (header == request.end()) return std::nullopt;
  auto id = find_cookie(header->value(), kSessionCookie);
  if (!id) return std::nullopt;
  auto session = sessions_.find(*id);
  if (!session) return std::nullopt;
  auto user = users_.find_by_id(session->user_id);
  if (!user) return std::nullopt;
  return Current{std::move(*id), std::move(*session), std::move(*user)};
}

bool SampleApp::same_origin(const Request& request) const {
  auto origin = request.find(http::field::origin);
  auto host = request.find(http::field::host);
  return origin_allowed(
      origin == request.end() ? std::string_view{} : std::string_view(origin->value()),
      host == request.end() ? std::string_view{} : std::string_view(host->value()), config_.https);
}

boost::asio::awaitable<embark::Result<EmbedSession>> SampleApp::onboard(const AppUser& user) {
  auto start = std::chrono::steady_clock::now();
  auto result = co_await gateway_.login(user);
  metrics_.observe_onboarding(std::chrono::steady_clock::now() - start, !result.has_value());
  // Errors and reports hold no secrets by construction (embark::Error, EmbedSession::report).
  if (result) {
    std::clog << "onboarded " << user.email << " (" << user.tenant_slug << "): " << result->report
              << std::endl;
  } else {
    std::clog << "onboarding " << user.email << " (" << user.tenant_slug
              << ") failed: " << result.error().to_string() << std::endl;
  }
  co_return result;
}

}  // namespace embark::sample
