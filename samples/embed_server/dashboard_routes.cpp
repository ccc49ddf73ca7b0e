// Dashboard page and the iframe's token-refresh endpoint of SampleApp.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

#include "embark/embed.hpp"

#include "app.hpp"
#include "csrf.hpp"
#include "pages.hpp"
#include "random_token.hpp"

namespace embark::sample {

namespace asio = boost::asio;

namespace {

// A token with less lifetime than this left is not handed to a fresh page; a new one is minted.
constexpr auto kMinRemainingForPage = std::chrono::seconds{5};

Response json_error(const Request& request, http::status status, std::string_view code) {
  boost::json::object body{{"error", code}};
  return json_response(request, status, boost::json::serialize(body));
}

}  // namespace

asio::awaitable<Response> SampleApp::get_dashboard(const Request& request) {
  auto me = current(request);
  if (!me) co_return redirect_response(request, "/login");

  DashboardPage page;
  page.user = &me->user;
  page.csrf_token = me->session.csrf_token;
  page.wisdom_origin = gateway_.origin();

  std::optional<EmbedSession> embed;
  if (auto it = pending_embeds_.find(sha256_hex(me->session_id)); it != pending_embeds_.end()) {
    if (it->second.expires_at - std::chrono::system_clock::now() > kMinRemainingForPage)
      embed = std::move(it->second);
    pending_embeds_.erase(it);
  }
  if (!embed) {
    // A reload, or the login-time onboarding failed: onboard again (cheap when embark's caches are
    // warm).
    auto fresh = co_await onboard(me->user);
    if (fresh) {
      embed = std::move(*fresh);
    } else {
      page.error =
          fmt::format("Analytics is unavailable right now ({}). Please try again in a minute.",
                      embark::to_string(fresh.error().code()));
    }
  }
  if (embed) {
    page.embed_url = std::string(embed->embed_url.reveal());
    page.wisdom_email = embed->wisdom_email;
  }
  co_return html_response(request, http::status::ok, render_dashboard_page(page));
}

asio::awaitable<Response> SampleApp::post_token(const Request& request) {
  auto me = current(request);
  if (!me) {
    metrics_.count_refresh(RefreshOutcome::unauthenticated);
    co_return json_error(request, http::status::unauthorized, "unauthenticated");
  }
  auto header = request.find(kCsrfHeader);
  std::string_view presented =
      header == request.end() ? std::string_view{} : std::string_view(header->value());
  if (!same_origin(request) || !csrf_token_matches(me->session.csrf_token, presented)) {
    metrics_.count_refresh(RefreshOutcome::csrf_rejected);
    co_return json_error(request, http::status::forbidden, "csrf");
  }
  // The user comes from the session only; nothing in the request body is read.
  auto token = co_await gateway_.refresh(me->user);
  if (!token) {
    metrics_.count_refresh(RefreshOutcome::vendor_error);
    co_return json_error(request, http::status::bad_gateway,
                         embark::to_string(token.error().code()));
  }
  metrics_.count_refresh(RefreshOutcome::success);
  std::string body =
      embark::refresh_response_body(embark::SessionToken{token->token, token->expires_at});
  Response response = json_response(request, http::status::ok, std::move(body));
  response.set(http::field::cache_control, "no-store");  // a JWT must never sit in a cache
  co_return response;
}

}  // namespace embark::sample
