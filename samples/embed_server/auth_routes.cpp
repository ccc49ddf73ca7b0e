// Login and logout handlers of SampleApp.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "app.hpp"
#include "csrf.hpp"
#include "form.hpp"
#include "http_server.hpp"
#include "pages.hpp"
#include "password.hpp"
#include "random_token.hpp"

namespace embark::sample {

namespace asio = boost::asio;

namespace {

// A plain coroutine, not a capturing lambda: g++ 12 mis-destroys lambda captures in co_spawn.
asio::awaitable<bool> verify_on_pool(std::string password, std::string hash) {
  co_return verify_password(password, hash);
}

}  // namespace

asio::awaitable<Response> SampleApp::get_root(const Request& request) {
  co_return redirect_response(request, current(request) ? "/dashboard" : "/login");
}

Response SampleApp::login_page(const Request& request, http::status status, std::string email,
                               std::string error, std::string notice, std::string next) {
  LoginPage page;
  page.next = std::move(next);
  page.csrf_token = make_csrf_token();
  page.email = std::move(email);
  page.error = std::move(error);
  page.notice = std::move(notice);
  page.show_demo_accounts = config_.show_demo_accounts;
  Response response = html_response(request, status, render_login_page(page));
  CookieOptions options = session_cookie_options();
  options.same_site = SameSite::strict;
  options.max_age = std::chrono::hours{1};
  response.insert(http::field::set_cookie,
                  make_set_cookie(kLoginCsrfCookie, page.csrf_token, options));
  return response;
}

asio::awaitable<Response> SampleApp::get_login(const Request& request) {
  std::string next = local_redirect_target(query_value(request.target(), "next")).value_or("");
  if (current(request)) co_return redirect_response(request, next.empty() ? "/dashboard" : next);
  std::string notice;
  if (query_value(request.target(), "signed_out") == "1") notice = "You are signed out.";
  co_return login_page(request, http::status::ok, "", "", notice, std::move(next));
}

Response SampleApp::login_refused(const Request& request, http::status status, std::string email,
                                  std::string error, std::chrono::seconds retry_after,
                                  std::string next) {
  Response response =
      login_page(request, status, std::move(email), std::move(error), "", std::move(next));
  response.set(http::field::retry_after, std::to_string(retry_after.count()));
  return response;
}

asio::awaitable<Response> SampleApp::post_login(const Request& request) {
  auto form = parse_form(request.body());
  if (!form) co_return error_response(request, http::status::bad_request);
  std::string email(form_value(*form, "email"));

  std::string cookie_token;
  if (auto header = request.find(http::field::cookie); header != request.end()) {
    cookie_token = find_cookie(header->value(), kLoginCsrfCookie).value_or("");
  }
  if (!same_origin(request) || !csrf_token_matches(cookie_token, form_value(*form, "csrf_token"))) {
    metrics_.count_login(LoginOutcome::csrf_rejected);
    co_return login_page(request, http::status::forbidden, email,
                         "Your sign-in form expired. Please try again.", "");
  }

  // An unsafe `next` (another origin) is dropped, never followed.
  std::string next = local_redirect_target(form_value(*form, "next")).value_or("");

  // Brute force: refused before any hashing, for the account and for the client's address alike.
  std::string address;
  if (auto peer = request.find(kPeerAddressHeader); peer != request.end())
    address = std::string(peer->value());
  if (auto wait = throttle_.retry_after(email, address); wait.count() > 0) {
    metrics_.count_login(LoginOutcome::throttled);
    co_return login_refused(request, http::status::too_many_requests, email,
                            "Too many failed sign-ins. Please wait " +
                                std::to_string(wait.count()) + " seconds and try again.",
                            wait, next);
  }
  // A login flood: the hashing queue is bounded, and a full queue answers at once.
  if (pending_hashes_ >= config_.max_pending_hashes) {
    metrics_.count_login(LoginOutcome::overloaded);
    co_return login_refused(request, http::status::service_unavailable, email,
                            "The service is busy. Please try again in a moment.",
                            std::chrono::seconds{1}, next);
  }

  auto credentials = users_.find_by_email(email);
  std::string password(form_value(*form, "password"));
  std::string hash = credentials ? credentials->password_hash : dummy_hash_;
  // PBKDF2 takes ~0.1 s of CPU: run it on the pool so other requests keep flowing.
  bool valid = false;
  {
    ++pending_hashes_;
    struct Release {
      int& count;
      ~Release() { --count; }
    } release{pending_hashes_};
    valid = co_await asio::co_spawn(cpu_pool_, verify_on_pool(std::move(password), std::move(hash)),
                                    asio::use_awaitable);
  }
  if (!credentials || !valid) {
    throttle_.record_failure(email, address);
    metrics_.count_login(LoginOutcome::bad_credentials);
    co_return login_page(request, http::status::unauthorized, email, "Wrong email or password.", "",
                         next);
  }
  throttle_.record_success(email);
  metrics_.count_login(LoginOutcome::success);

  // A new session id at every login (no session fixation); an old session of this browser ends.
  if (auto old = current(request)) {
    pending_embeds_.erase(sha256_hex(old->session_id));
    sessions_.remove(old->session_id);
  }
  std::string session_id = sessions_.create(credentials->user.id);

  // The point of the sample: the login handler puts the user into WisdomAI right away.
  auto embed = co_await onboard(credentials->user);
  if (embed) {
    std::erase_if(pending_embeds_, [now = std::chrono::system_clock::now()](const auto& entry) {
      return entry.second.expires_at <= now;
    });
    pending_embeds_.insert_or_assign(sha256_hex(session_id), std::move(*embed));
  }

  Response response = redirect_response(request, next.empty() ? "/dashboard" : next);
  response.insert(http::field::set_cookie,
                  make_set_cookie(kSessionCookie, session_id, session_cookie_options()));
  response.insert(http::field::set_cookie,
                  make_clear_cookie(kLoginCsrfCookie, session_cookie_options()));
  co_return response;
}

asio::awaitable<Response> SampleApp::post_logout(const Request& request) {
  auto me = current(request);
  if (!me) co_return redirect_response(request, "/login");
  auto form = parse_form(request.body());
  if (!form || !same_origin(request) ||
      !csrf_token_matches(me->session.csrf_token, form_value(*form, "csrf_token"))) {
    co_return error_response(request, http::status::forbidden);
  }
  pending_embeds_.erase(sha256_hex(me->session_id));
  sessions_.remove(me->session_id);
  metrics_.count_logout();
  Response response = redirect_response(request, "/login?signed_out=1");
  response.insert(http::field::set_cookie,
                  make_clear_cookie(kSessionCookie, session_cookie_options()));
  co_return response;
}

}  // namespace embark::sample
