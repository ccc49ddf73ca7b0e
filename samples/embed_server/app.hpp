// SampleApp: the routes of the sample SaaS app (login, logout, dashboard, token refresh, ops).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "app_user.hpp"
#include "cookies.hpp"
#include "http_types.hpp"
#include "login_throttle.hpp"
#include "metrics.hpp"
#include "password.hpp"
#include "router.hpp"
#include "session_store.hpp"
#include "static_assets.hpp"
#include "user_store.hpp"
#include "wisdom_gateway.hpp"

namespace embark::sample {

/// Settings of the app (not of the server or of embark).
struct AppConfig {
  bool https = false;  ///< served over HTTPS (directly or behind a proxy): Secure cookies
  bool show_demo_accounts = false;              ///< list the seeded logins on the login page
  int password_iterations = kPbkdf2Iterations;  ///< PBKDF2 iterations of the timing-equaliser hash
  LoginThrottle::Limits login_limits;           ///< brute-force limits (429 with Retry-After)
  /// Most password checks running or queued on the CPU pool; a login beyond it gets 503 at once,
  /// so a login flood cannot queue unbounded work (each check is ~0.1 s of CPU).
  int max_pending_hashes = 16;
};

/// Name of the session cookie.
inline constexpr std::string_view kSessionCookie = "sample_session";
/// Name of the login form's double-submit CSRF cookie.
inline constexpr std::string_view kLoginCsrfCookie = "sample_login_csrf";
/// Path of the token-refresh endpoint the bridge calls.
inline constexpr std::string_view kTokenPath = "/api/wisdom/token";
/// Header that carries the session's CSRF token on fetch() calls.
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

/// The app's request handlers over its stores and the WisdomAI gateway. Every referenced object
/// must outlive the app. Handlers run on the server's single executor thread (the stores are not
/// thread-safe); password hashing runs on `cpu_pool` so it does not stall other requests.
class SampleApp {
 public:
  SampleApp(AppConfig config, UserStore& users, SessionStore& sessions, WisdomGateway& gateway,
            Metrics& metrics, const StaticAssets& assets, boost::asio::thread_pool& cpu_pool);

  /// Adds every route of the app to `router`.
  void register_routes(Router& router);
  /// The Content-Security-Policy every response carries.
  const std::string& csp() const noexcept { return csp_; }
  /// Options of the session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS).
  CookieOptions session_cookie_options() const;

 private:
  struct Current {
    std::string session_id;
    AppSession session;
    AppUser user;
  };

  boost::asio::awaitable<Response> get_root(const Request& request);
  boost::asio::awaitable<Response> get_login(const Request& request);
  boost::asio::awaitable<Response> post_login(const Request& request);
  boost::asio::awaitable<Response> post_logout(const Request& request);
  boost::asio::awaitable<Response> get_dashboard(const Request& request);
  boost::asio::awaitable<Response> post_token(const Request& request);
  boost::asio::awaitable<Response> get_healthz(const Request& request);
  boost::asio::awaitable<Response> get_metrics(const Request& request);
  boost::asio::awaitable<Response> get_static(const Request& request);

  /// The signed-in user of a request, if its session cookie names a live session.
  std::optional<Current> current(const Request& request);
  /// The login page with a fresh double-submit CSRF token.
  Response login_page(const Request& request, http::status status, std::string email,
                      std::string error, std::string notice, std::string next = {});
  /// Onboards `user` through the gateway, timing it into the metrics.
  boost::asio::awaitable<embark::Result<EmbedSession>> onboard(const AppUser& user);
  /// Whether a state-changing request comes from the app's own origin.
  bool same_origin(const Request& request) const;
  /// The login page answering a refused attempt with `status` and a Retry-After header.
  Response login_refused(const Request& request, http::status status, std::string email,
                         std::string error, std::chrono::seconds retry_after, std::string next);

  AppConfig config_;
  UserStore& users_;
  SessionStore& sessions_;
  WisdomGateway& gateway_;
  Metrics& metrics_;
  const StaticAssets& assets_;
  boost::asio::thread_pool& cpu_pool_;
  std::string csp_;
  std::string
      dummy_hash_;  // verified when the email is unknown, so timing does not reveal accounts
  /// Embed sessions minted at login, handed to the first dashboard render (key: session id hash).
  std::unordered_map<std::string, EmbedSession> pending_embeds_;
  LoginThrottle throttle_;
  int pending_hashes_ = 0;  // password checks running or queued on cpu_pool_
};

}  // namespace embark::sample
