// SampleApp's handlers end to end through the Router, over an in-memory database and a fake
// WisdomGateway (the gateway is tested with the real emulator by the browser test).
#include <map>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include "app.hpp"
#include "http_server.hpp"
#include "password.hpp"
#include "run_sync.hpp"

using namespace embark::sample;
namespace asio = boost::asio;

namespace {

constexpr const char* kHost = "127.0.0.1:8080";
constexpr const char* kOrigin = "http://127.0.0.1:8080";

class FakeGateway : public WisdomGateway {
 public:
  asio::awaitable<embark::Result<EmbedSession>> login(const AppUser& user) override {
    logins.push_back(user);
    if (fail) co_return embark::fail(embark::ErrorCode::timeout, "vendor did not answer");
    ++minted;
    EmbedSession s;
    s.embed_url = embark::Secret("http://wisdom.test:9/embed/dashboards/7?token=jwt-" +
                                 std::to_string(minted));
    s.wisdom_email = user.email;
    s.expires_at = std::chrono::system_clock::now() + std::chrono::hours{1};
    co_return s;
  }
  asio::awaitable<embark::Result<RefreshedToken>> refresh(const AppUser& user) override {
    refreshes.push_back(user);
    if (fail) co_return embark::fail(embark::ErrorCode::server_error, "vendor failed");
    ++minted;
    co_return RefreshedToken{
        embark::Secret("jwt-" + std::to_string(minted)),
        std::chrono::system_clock::time_point{std::chrono::seconds{1'800'000'000}}};
  }
  const std::string& origin() const override { return origin_; }

  std::vector<AppUser> logins, refreshes;
  int minted = 0;
  bool fail = false;

 private:
  std::string origin_ = "http://wisdom.test:9";
};

// A tiny browser: keeps cookies, sends Host/Origin, runs requests through the router.
struct Browser {
  asio::io_context& io;
  Router& router;
  std::map<std::string, std::string> cookies;
  std::string origin = kOrigin;

  Response send(http::verb verb, std::string target, std::string body = {},
                std::map<std::string, std::string> headers = {}) {
    Request req{verb, target, 11};
    req.set(http::field::host, kHost);
    if (verb == http::verb::post && !origin.empty()) req.set(http::field::origin, origin);
    std::string cookie_header;
    for (const auto& [k, v] : cookies)
      cookie_header += (cookie_header.empty() ? "" : "; ") + k + "=" + v;
    if (!cookie_header.empty()) req.set(http::field::cookie, cookie_header);
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty()) req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.body() = body;
    req.prepare_payload();
    Response res = testing::run_sync(io, router.route(req));
    for (auto it = res.find(http::field::set_cookie);
         it != res.end() && it->name() == http::field::set_cookie; ++it) {
      std::string value(it->value());
      auto eq = value.find('='), semi = value.find(';');
      std::string name = value.substr(0, eq), v = value.substr(eq + 1, semi - eq - 1);
      if (value.find("Max-Age=0") != std::string::npos)
        cookies.erase(name);
      else
        cookies[name] = v;
    }
    return res;
  }

  std::string csrf_from(const std::string& html) {
    auto pos = html.find("name=\"csrf_token\" value=\"");
    if (pos == std::string::npos) return {};
    pos += std::string("name=\"csrf_token\" value=\"").size();
    return html.substr(pos, html.find('"', pos) - pos);
  }

  Response login(const std::string& email, const std::string& password) {
    std::string token = csrf_from(send(http::verb::get, "/login").body());
    return send(http::verb::post, "/login",
                "email=" + email + "&password=" + password + "&csrf_token=" + token);
  }
};

struct Fixture {
  asio::io_context io;
  asio::thread_pool pool{1};
  Database db{":memory:"};
  UserStore users{db};
  SessionStore sessions{db, std::chrono::hours{8}};
  Metrics metrics;
  StaticAssets assets;
  FakeGateway gateway;
  Router router;
  std::unique_ptr<SampleApp> app;

  explicit Fixture(AppConfig config = {}) {
    auto acme =
        users.add_tenant("acme", "Acme Corp", {{"tenant_id", "acme"}, {"plan", "enterprise"}});
    auto globex =
        users.add_tenant("globex", "Globex", {{"tenant_id", "globex"}, {"plan", "starter"}});
    users.add_user(acme, "alice@acme.test", "Alice",
                   hash_password("alice-pw", kPbkdf2MinIterations), {});
    users.add_user(globex, "carol@globex.test", "Carol",
                   hash_password("carol-pw", kPbkdf2MinIterations), {});
    assets.add("style.css", {"text/css; charset=utf-8", "body{}"});
    config.password_iterations = kPbkdf2MinIterations;
    app = std::make_unique<SampleApp>(config, users, sessions, gateway, metrics, assets, pool);
    app->register_routes(router);
  }
  ~Fixture() { pool.join(); }
  Browser browser() { return Browser{io, router}; }
};

std::string set_cookie_of(const Response& res, std::string_view name) {
  for (auto it = res.find(http::field::set_cookie);
       it != res.end() && it->name() == http::field::set_cookie; ++it) {
    if (std::string_view(it->value()).starts_with(std::string(name) + "="))
      return std::string(it->value());
  }
  return {};
}

}  // namespace

TEST_CASE("login onboards the user and the dashboard embeds the iframe") {
  Fixture f;
  auto b = f.browser();
  auto page = b.send(http::verb::get, "/login");
  CHECK(page.result() == http::status::ok);
  std::string login_csrf_cookie = set_cookie_of(page, kLoginCsrfCookie);
  CHECK(login_csrf_cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(login_csrf_cookie.find("HttpOnly") != std::string::npos);

  auto res = b.login("alice%40acme.test", "alice-pw");
  CHECK(res.result() == http::status::see_other);
  CHECK(res[http::field::location] == "/dashboard");
  std::string session_cookie = set_cookie_of(res, kSessionCookie);
  CHECK(session_cookie.find("HttpOnly") != std::string::npos);
  CHECK(session_cookie.find("SameSite=Lax") != std::string::npos);
  CHECK(session_cookie.find("Secure") == std::string::npos);  // served over plain HTTP here
  CHECK(b.cookies[std::string(kSessionCookie)].size() == 64);
  REQUIRE(f.gateway.logins.size() == 1);
  CHECK(f.gateway.logins[0].email == "alice@acme.test");
  CHECK(f.gateway.logins[0].attributes.at("tenant_id") == "acme");

  auto dash = b.send(http::verb::get, "/dashboard");
  CHECK(dash.result() == http::status::ok);
  CHECK(dash.body().find("src=\"http://wisdom.test:9/embed/dashboards/7?token=jwt-1\"") !=
        std::string::npos);
  CHECK(dash.body().find("Acme Corp") != std::string::npos);
  CHECK(f.gateway.logins.size() == 1);  // the login's embed session was used, no second onboarding

  // A reload onboards again (the first token is not handed out twice).
  auto reload = b.send(http::verb::get, "/dashboard");
  CHECK(reload.body().find("token=jwt-2") != std::string::npos);
  CHECK(f.gateway.logins.size() == 2);

  std::string metrics = b.send(http::verb::get, "/metrics").body();
  CHECK(metrics.find("sample_logins_total{outcome=\"success\"} 1") != std::string::npos);
  CHECK(metrics.find("sample_onboarding_duration_seconds_count 2") != std::string::npos);
}

TEST_CASE("wrong passwords and unknown users are refused alike") {
  Fixture f;
  auto b = f.browser();
  auto wrong = b.login("alice%40acme.test", "nope");
  CHECK(wrong.result() == http::status::unauthorized);
  CHECK(wrong.body().find("Wrong email or password.") != std::string::npos);
  auto unknown = b.login("mallory%40acme.test", "nope");
  CHECK(unknown.result() == http::status::unauthorized);
  CHECK(unknown.body().find("Wrong email or password.") != std::string::npos);
  CHECK(b.cookies.count(std::string(kSessionCookie)) == 0);
  CHECK(f.gateway.logins.empty());
  CHECK(b.send(http::verb::get, "/dashboard")[http::field::location] == "/login");
}

TEST_CASE("a login without the form's CSRF token or from another origin is refused") {
  Fixture f;
  auto b = f.browser();
  b.send(http::verb::get, "/login");
  auto no_token = b.send(http::verb::post, "/login", "email=alice%40acme.test&password=alice-pw");
  CHECK(no_token.result() == http::status::forbidden);

  // The form token must equal the cookie's.
  auto page = b.send(http::verb::get, "/login");
  auto forged =
      b.send(http::verb::post, "/login",
             "email=alice%40acme.test&password=alice-pw&csrf_token=" + std::string(64, 'a'));
  CHECK(forged.result() == http::status::forbidden);

  std::string token = b.csrf_from(b.send(http::verb::get, "/login").body());
  b.origin = "http://evil.test";
  auto cross = b.send(http::verb::post, "/login",
                      "email=alice%40acme.test&password=alice-pw&csrf_token=" + token);
  CHECK(cross.result() == http::status::forbidden);
  CHECK(f.gateway.logins.empty());
  CHECK(f.metrics.render().find("sample_logins_total{outcome=\"csrf_rejected\"} 3") !=
        std::string::npos);
}

TEST_CASE("the token endpoint is bound to the session, CSRF-checked, and refuses after logout") {
  Fixture f;
  auto b = f.browser();
  b.login("carol%40globex.test", "carol-pw");
  std::string dash = b.send(http::verb::get, "/dashboard").body();
  std::string csrf = dash.substr(dash.find("name=\"csrf-token\" content=\"") + 27, 64);

  auto no_csrf = b.send(http::verb::post, std::string(kTokenPath));
  CHECK(no_csrf.result() == http::status::forbidden);
  CHECK(f.gateway.refreshes.empty());

  // The body names someone else: it is ignored, the session decides.
  auto ok = b.send(http::verb::post, std::string(kTokenPath), "email=alice%40acme.test",
                   {{"X-CSRF-Token", csrf}});
  CHECK(ok.result() == http::status::ok);
  CHECK(ok[http::field::cache_control] == "no-store");
  auto json = boost::json::parse(ok.body()).as_object();
  CHECK(json.at("token").as_string().starts_with("jwt-"));
  CHECK(json.at("expiresAt").as_string() == "2027-01-15T08:00:00Z");
  REQUIRE(f.gateway.refreshes.size() == 1);
  CHECK(f.gateway.refreshes[0].email == "carol@globex.test");

  // Another browser without the cookie gets 401.
  auto stranger = f.browser();
  CHECK(stranger.send(http::verb::post, std::string(kTokenPath), "", {{"X-CSRF-Token", csrf}})
            .result() == http::status::unauthorized);

  // Vendor failures surface as 502 with the error code, not the message.
  f.gateway.fail = true;
  auto failed = b.send(http::verb::post, std::string(kTokenPath), "", {{"X-CSRF-Token", csrf}});
  CHECK(failed.result() == http::status::bad_gateway);
  CHECK(failed.body() == R"({"error":"server_error"})");
  f.gateway.fail = false;

  // Logout needs the session's CSRF token too.
  std::string saved_session = b.cookies[std::string(kSessionCookie)];
  CHECK(b.send(http::verb::post, "/logout", "csrf_token=wrong").result() ==
        http::status::forbidden);
  auto out = b.send(http::verb::post, "/logout", "csrf_token=" + csrf);
  CHECK(out.result() == http::status::see_other);
  CHECK(out[http::field::location] == "/login?signed_out=1");
  CHECK(b.cookies.count(std::string(kSessionCookie)) == 0);

  // Even replaying the old cookie, the endpoint refuses: the session is gone server-side.
  b.cookies[std::string(kSessionCookie)] = saved_session;
  auto after = b.send(http::verb::post, std::string(kTokenPath), "", {{"X-CSRF-Token", csrf}});
  CHECK(after.result() == http::status::unauthorized);
  CHECK(f.gateway.refreshes.size() == 2);
  CHECK(f.metrics.render().find("sample_token_refreshes_total{outcome=\"unauthenticated\"} 2") !=
        std::string::npos);
}

TEST_CASE("a failed onboarding still signs in and shows a clear error instead of the iframe") {
  Fixture f;
  f.gateway.fail = true;
  auto b = f.browser();
  CHECK(b.login("alice%40acme.test", "alice-pw").result() == http::status::see_other);
  auto dash = b.send(http::verb::get, "/dashboard");
  CHECK(dash.body().find("id=\"embed-error\"") != std::string::npos);
  CHECK(dash.body().find("(timeout)") != std::string::npos);
  CHECK(dash.body().find("<iframe") == std::string::npos);
  CHECK(f.metrics.render().find("sample_onboarding_failures_total 2") != std::string::npos);
}

TEST_CASE("ops endpoints and static files") {
  Fixture f;
  auto b = f.browser();
  auto health = b.send(http::verb::get, "/healthz");
  CHECK(health.result() == http::status::ok);
  CHECK(health.body() == "ok\n");
  auto metrics = b.send(http::verb::get, "/metrics");
  CHECK(metrics[http::field::content_type].starts_with("text/plain; version=0.0.4"));
  auto css = b.send(http::verb::get, "/static/style.css");
  CHECK(css.body() == "body{}");
  CHECK(css[http::field::content_type] == "text/css; charset=utf-8");
  CHECK(b.send(http::verb::get, "/static/../app.cpp").result() == http::status::not_found);
  CHECK(b.send(http::verb::get, "/static/missing.js").result() == http::status::not_found);
  CHECK(f.app->csp().find("frame-src http://wisdom.test:9;") != std::string::npos);
}

TEST_CASE("user-controlled text is escaped in pages") {
  Fixture f;
  auto b = f.browser();
  auto page = b.login("%3Cscript%3Ealert(1)%3C%2Fscript%3E", "x");
  CHECK(page.body().find("<script>alert(1)") == std::string::npos);
  CHECK(page.body().find("&lt;script&gt;alert(1)") != std::string::npos);
}

TEST_CASE("brute force: failed logins are limited per account, with Retry-After") {
  AppConfig config;
  config.login_limits.per_account = 3;
  config.login_limits.per_address = 100;
  Fixture f(config);
  auto b = f.browser();
  for (int i = 0; i < 3; ++i) {
    CHECK(b.login("alice%40acme.test", "guess-" + std::to_string(i)).result() ==
          http::status::unauthorized);
  }
  // Even the right password waits now; nothing is hashed or onboarded.
  auto refused = b.login("ALICE%40acme.test", "alice-pw");
  CHECK(refused.result() == http::status::too_many_requests);
  int retry_after = std::stoi(std::string(refused[http::field::retry_after]));
  CHECK(retry_after > 0);
  CHECK(retry_after <= 15 * 60);
  CHECK(refused.body().find("Too many failed sign-ins") != std::string::npos);
  CHECK(b.cookies.count(std::string(kSessionCookie)) == 0);
  CHECK(f.gateway.logins.empty());
  // Another account is not affected.
  CHECK(b.login("carol%40globex.test", "carol-pw").result() == http::status::see_other);
  CHECK(f.metrics.render().find("sample_logins_total{outcome=\"throttled\"} 1") !=
        std::string::npos);
}

TEST_CASE("brute force: failed logins are limited per client address across accounts") {
  AppConfig config;
  config.login_limits.per_account = 100;
  config.login_limits.per_address = 3;
  Fixture f(config);
  auto attacker = f.browser();
  auto login_from = [&](Browser& b, const std::string& address, const std::string& email,
                        const std::string& password) {
    std::string token = b.csrf_from(b.send(http::verb::get, "/login").body());
    return b.send(http::verb::post, "/login",
                  "email=" + email + "&password=" + password + "&csrf_token=" + token,
                  {{std::string(kPeerAddressHeader), address}});
  };
  for (const char* email : {"a%40x.test", "b%40x.test", "c%40x.test"}) {
    CHECK(login_from(attacker, "203.0.113.9", email, "pw").result() == http::status::unauthorized);
  }
  auto refused = login_from(attacker, "203.0.113.9", "alice%40acme.test", "alice-pw");
  CHECK(refused.result() == http::status::too_many_requests);
  CHECK(!refused[http::field::retry_after].empty());
  // The same account from another address signs in.
  auto user = f.browser();
  CHECK(login_from(user, "198.51.100.7", "alice%40acme.test", "alice-pw").result() ==
        http::status::see_other);
}

TEST_CASE("a login flood gets 503 once the password-hashing queue is full") {
  AppConfig config;
  config.max_pending_hashes = 2;
  Fixture f(config);
  auto b = f.browser();
  std::string token = b.csrf_from(b.send(http::verb::get, "/login").body());
  Request req{http::verb::post, "/login", 11};
  req.set(http::field::host, kHost);
  req.set(http::field::origin, kOrigin);
  req.set(http::field::cookie,
          std::string(kLoginCsrfCookie) + "=" + b.cookies[std::string(kLoginCsrfCookie)]);
  req.set(http::field::content_type, "application/x-www-form-urlencoded");
  req.body() = "email=alice%40acme.test&password=wrong&csrf_token=" + token;
  req.prepare_payload();
  // Three logins at once: two are hashed, the third is refused without queueing.
  std::vector<Response> answers;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(f.io, f.router.route(req), [&](std::exception_ptr e, Response r) {
      REQUIRE_FALSE(e);
      answers.push_back(std::move(r));
    });
  }
  f.io.restart();
  f.io.run();
  REQUIRE(answers.size() == 3);
  int unavailable = 0, unauthorized = 0;
  for (const auto& r : answers) {
    if (r.result() == http::status::service_unavailable) {
      ++unavailable;
      CHECK(r[http::field::retry_after] == "1");
    }
    if (r.result() == http::status::unauthorized) ++unauthorized;
  }
  CHECK(unavailable == 1);
  CHECK(unauthorized == 2);
  // The queue drains: the next login is hashed again.
  CHECK(b.login("alice%40acme.test", "alice-pw").result() == http::status::see_other);
  CHECK(f.metrics.render().find("sample_logins_total{outcome=\"overloaded\"} 1") !=
        std::string::npos);
}

TEST_CASE("session fixation: every login issues a new session id and ends the old session") {
  Fixture f;
  auto b = f.browser();
  // A session id planted by an attacker is not adopted.
  const std::string planted(64, 'a');
  b.cookies[std::string(kSessionCookie)] = planted;
  REQUIRE(b.login("alice%40acme.test", "alice-pw").result() == http::status::see_other);
  const std::string first = b.cookies[std::string(kSessionCookie)];
  CHECK(first != planted);
  CHECK(f.sessions.find(planted) == std::nullopt);
  // An attacker's own live session planted in the victim's browser: the victim's login replaces
  // it with a new id, and the planted session ends (the attacker is not signed in as the victim).
  auto attacker = f.browser();
  REQUIRE(attacker.login("carol%40globex.test", "carol-pw").result() == http::status::see_other);
  const std::string attackers = attacker.cookies[std::string(kSessionCookie)];
  auto victim = f.browser();
  std::string token = victim.csrf_from(victim.send(http::verb::get, "/login").body());
  victim.cookies[std::string(kSessionCookie)] = attackers;
  REQUIRE(victim
              .send(http::verb::post, "/login",
                    "email=alice%40acme.test&password=alice-pw&csrf_token=" + token)
              .result() == http::status::see_other);
  const std::string victims = victim.cookies[std::string(kSessionCookie)];
  CHECK(victims != attackers);
  CHECK(victims != first);
  CHECK(f.sessions.find(attackers) == std::nullopt);
  CHECK(f.sessions.find(victims).has_value());
  CHECK(attacker.send(http::verb::get, "/dashboard")[http::field::location] == "/login");
}

TEST_CASE("CSRF: logout and the token endpoint refuse another origin even with the right token") {
  Fixture f;
  auto b = f.browser();
  b.login("carol%40globex.test", "carol-pw");
  std::string dash = b.send(http::verb::get, "/dashboard").body();
  std::string csrf = dash.substr(dash.find("name=\"csrf-token\" content=\"") + 27, 64);
  b.origin = "http://evil.test";
  CHECK(b.send(http::verb::post, std::string(kTokenPath), "", {{"X-CSRF-Token", csrf}}).result() ==
        http::status::forbidden);
  CHECK(b.send(http::verb::post, "/logout", "csrf_token=" + csrf).result() ==
        http::status::forbidden);
  CHECK(f.gateway.refreshes.empty());
  CHECK(b.cookies.count(std::string(kSessionCookie)) == 1);  // still signed in
  b.origin = kOrigin;
  CHECK(b.send(http::verb::post, "/logout", "csrf_token=" + csrf).result() ==
        http::status::see_other);
}

TEST_CASE("open redirect: only local paths are followed after login") {
  Fixture f;
  // The login page carries a safe `next` in the form and drops an unsafe one.
  auto b = f.browser();
  CHECK(b.send(http::verb::get, "/login?next=%2Fdashboard%3Ftab%3D2")
            .body()
            .find("name=\"next\" value=\"/dashboard?tab=2\"") != std::string::npos);
  CHECK(b.send(http::verb::get, "/login?next=%2F%2Fevil.test").body().find("name=\"next\"") ==
        std::string::npos);

  auto login_with_next = [&](const std::string& next) {
    auto browser = f.browser();
    std::string token = browser.csrf_from(browser.send(http::verb::get, "/login").body());
    auto res = browser.send(
        http::verb::post, "/login",
        "email=alice%40acme.test&password=alice-pw&csrf_token=" + token + "&next=" + next);
    CHECK(res.result() == http::status::see_other);
    return std::string(res[http::field::location]);
  };
  CHECK(login_with_next("%2Fdashboard%3Ftab%3D2") == "/dashboard?tab=2");
  for (const char* evil :
       {"https%3A%2F%2Fevil.test%2F", "%2F%2Fevil.test", "%2F%5Cevil.test", "%2F%09%2Fevil.test",
        "javascript%3Aalert(1)", "evil.test", "%2F%0D%0ASet-Cookie%3A+x%3D1", "%2F%E2%80%AE"}) {
    CAPTURE(evil);
    CHECK(login_with_next(evil) == "/dashboard");
  }
}
