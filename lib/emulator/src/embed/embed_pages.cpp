#include "embed/embed_pages.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

namespace embark::emulator {
namespace {

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 200) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// JSON inside a <script type="application/json"> must not be able to close the element.
std::string script_safe_json(const boost::json::value& v) {
  std::string text = boost::json::serialize(v);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

std::string iso_time(std::int64_t secs) {
  const std::time_t t = secs;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

constexpr std::string_view kStyle =
    "body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1f2933}"
    "#embed-error{color:#b00020;font-weight:600}.muted{color:#616e7c;font-size:.9em}"
    "ul#attributes{padding-left:1.2rem}";

}  // namespace

std::optional<EmbedRoute> match_embed_path(std::string_view path) {
  auto one_id = [&](std::string_view prefix, std::string_view kind,
                    bool optional) -> std::optional<EmbedRoute> {
    if (path == prefix || path == std::string(prefix) + "/") {
      if (optional) return EmbedRoute{std::string(kind), {}};
      return std::nullopt;
    }
    if (path.substr(0, prefix.size()) != prefix || path.size() <= prefix.size() + 1 ||
        path[prefix.size()] != '/') {
      return std::nullopt;
    }
    std::string_view id = path.substr(prefix.size() + 1);
    if (!valid_id(id)) return std::nullopt;
    return EmbedRoute{std::string(kind), std::string(id)};
  };
  if (auto r = one_id("/embed/dashboards", "dashboard", false)) return r;
  if (auto r = one_id("/dashboards/embed", "dashboard", false)) return r;
  if (auto r = one_id("/stories/embed", "story", false)) return r;
  if (auto r = one_id("/embed/chat", "chat", true)) return r;
  if (auto r = one_id("/chat/embed", "chat", true)) return r;
  if (path == "/embed/search") return EmbedRoute{"search", {}};
  return std::nullopt;
}

boost::json::object session_json(const EmbedSession& s) {
  boost::json::object attrs;
  for (const auto& [k, v] : s.attributes) attrs[k] = v;
  return {{"user_id", s.user_id},           {"email", s.email}, {"workspace_id", s.workspace},
          {"attributes", std::move(attrs)}, {"iat", s.iat},     {"exp", s.exp},
          {"fingerprint", s.fingerprint}};
}

std::string render_embed_page(const EmbedRoute& route, const std::optional<EmbedSession>& session) {
  std::string title = route.kind;
  if (!title.empty()) title[0] = static_cast<char>(title[0] - 'a' + 'A');
  if (!route.id.empty()) title += " " + route.id;
  std::string who, attrs, expiry, fp;
  if (session) {
    who = "Signed in as " + html_escape(session->email);
    for (const auto& [k, v] : session->attributes) {
      attrs += fmt::format("<li data-key=\"{}\">{} = {}</li>", html_escape(k), html_escape(k),
                           html_escape(v));
    }
    expiry = iso_time(session->exp);
    fp = html_escape(session->fingerprint);
  }
  boost::json::object state{{"kind", route.kind}, {"id", route.id}};
  state["session"] =
      session ? boost::json::value(session_json(*session)) : boost::json::value(nullptr);
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>WisdomAI (emulated) "
      "- {title}</title>"
      "<style>{style}</style></head><body>\n"
      "<h1 id=\"embed-title\">{title}</h1>\n"
      "<p id=\"embed-error\" role=\"alert\" hidden></p>\n"
      "<section id=\"embed-session\"{hidden}>\n"
      "<p id=\"signed-in-as\">{who}</p>\n"
      "<h2>Effective attributes</h2><ul id=\"attributes\">{attrs}</ul>\n"
      "<p class=\"muted\">Token expires <span id=\"token-expiry\"{exp_attr}>{expiry}</span>"
      " &middot; token <span id=\"token-fp\">{fp}</span>"
      " &middot; refresh <span id=\"refresh-status\" data-state=\"idle\">idle</span>"
      " (<span id=\"refresh-count\">0</span>)</p>\n"
      "</section>\n"
      "<script type=\"application/json\" id=\"embed-state\">{state}</script>\n"
      "<script src=\"/embed/embed.js\"></script>\n</body></html>\n",
      fmt::arg("title", html_escape(title)), fmt::arg("style", kStyle),
      fmt::arg("hidden", session ? "" : " hidden"), fmt::arg("who", who), fmt::arg("attrs", attrs),
      fmt::arg("exp_attr", session ? fmt::format(" data-exp=\"{}\"", session->exp) : std::string()),
      fmt::arg("expiry", expiry), fmt::arg("fp", fp), fmt::arg("state", script_safe_json(state)));
}

std::string render_embed_error(std::string_view message) {
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>WisdomAI (emulated) "
      "- session error</title>"
      "<style>{}</style></head><body>\n"
      "<h1>Cannot open this embedded page</h1>\n"
      "<p id=\"embed-error\" role=\"alert\">{}</p>\n"
      "<p class=\"muted\">Ask the host application for a fresh token (impersonateUser) and "
      "reload.</p>\n"
      "</body></html>\n",
      kStyle, html_escape(message));
}

std::string_view embed_csp() {
  return "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
         "frame-ancestors *; base-uri 'none'; form-action 'none'";
}

std::string_view embed_script() {
  return R"js(// Emulated WisdomAI embed page: token storage, rendering and the postMessage refresh protocol.
(function () {
  'use strict';
  var STORAGE_KEY = 'wisdom.jwt';
  var REFRESH_LEAD_MS = 10000;    // ask the parent this long before exp
  var RESPONSE_TIMEOUT_MS = 10000; // give up on one request after this
  var RETRY_MS = 5000;             // then ask again this much later
  var state = { token: null, session: null, inFlight: false, responseTimer: null, refreshTimer: null,
                expiryTimer: null, refreshes: 0 };

  function el(id) { return document.getElementById(id); }
  function setStatus(s) { var e = el('refresh-status'); e.textContent = s; e.dataset.state = s; }
  function showError(message) {
    var e = el('embed-error'); e.textContent = message; e.hidden = false;
    el('embed-session').hidden = true;
  }
  function render(session) {
    var who = el('signed-in-as');
    who.textContent = 'Signed in as ' + session.email;
    who.dataset.email = session.email;
    var list = el('attributes');
    while (list.firstChild) list.removeChild(list.firstChild);
    Object.keys(session.attributes).sort().forEach(function (k) {
      var li = document.createElement('li');
      li.dataset.key = k;
      li.textContent = k + ' = ' + session.attributes[k];
      list.appendChild(li);
    });
    var exp = el('token-expiry');
    exp.textContent = new Date(session.exp * 1000).toISOString();
    exp.dataset.exp = String(session.exp);
    el('token-fp').textContent = session.fingerprint;
    el('refresh-count').textContent = String(state.refreshes);
    el('embed-error').hidden = true;
    el('embed-session').hidden = false;
  }
  function fetchSession(token) {
    return fetch('/embed/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                     body: JSON.stringify({ token: token }) })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }
  function schedule() {
    clearTimeout(state.refreshTimer);
    clearTimeout(state.expiryTimer);
    var now = Date.now();
    state.refreshTimer = setTimeout(requestToken, Math.max(0, state.session.exp * 1000 - REFRESH_LEAD_MS - now));
    state.expiryTimer = setTimeout(function () {
      if (Date.now() >= state.session.exp * 1000) showError('Session expired: the token was not refreshed in time.');
    }, Math.max(0, state.session.exp * 1000 - now) + 50);
  }
  function requestToken() {
    if (state.inFlight) return;  // one request at a time
    if (window.parent === window) { setStatus('no-parent'); return; }
    state.inFlight = true;
    setStatus('requested');
    window.parent.postMessage({ type: 'REQUEST_JWT_TOKEN' }, '*');
    state.responseTimer = setTimeout(function () {
      state.inFlight = false;
      setStatus('timeout');
      clearTimeout(state.refreshTimer);
      state.refreshTimer = setTimeout(requestToken, RETRY_MS);
    }, RESPONSE_TIMEOUT_MS);
  }
  window.addEventListener('message', function (event) {
    if (window.parent === window || event.source !== window.parent) return;
    var data = event.data;
    if (!data || data.type !== 'JWT_TOKEN_RESPONSE' || typeof data.token !== 'string') return;
    var token = data.token;
    fetchSession(token).then(function (session) {
      if (!session || !state.session || session.user_id !== state.session.user_id) {
        // Another user's token (or an invalid one) never replaces this session.
        setStatus('rejected');
        return;
      }
      clearTimeout(state.responseTimer);
      state.inFlight = false;
      state.token = token;
      state.session = session;
      state.refreshes += 1;
      try { localStorage.setItem(STORAGE_KEY, token); } catch (e) { /* storage may be blocked */ }
      render(session);
      setStatus('refreshed');
      schedule();
    });
  });
  function start(session, token) {
    state.token = token;
    state.session = session;
    render(session);
    setStatus('idle');
    schedule();
  }
  var initial = JSON.parse(el('embed-state').textContent);
  var urlToken = new URLSearchParams(window.location.search).get('token');
  if (urlToken) {
    // ?token= always wins over a stored token.
    try { localStorage.setItem(STORAGE_KEY, urlToken); } catch (e) { /* storage may be blocked */ }
    if (initial.session) { start(initial.session, urlToken); return; }
  }
  var stored = urlToken || (function () { try { return localStorage.getItem(STORAGE_KEY); } catch (e) { return null; } })();
  if (!stored) { showError('No token: open this page with ?token=<jwt>.'); return; }
  fetchSession(stored).then(function (session) {
    if (!session) { showError('The stored token is invalid or expired.'); return; }
    start(session, stored);
  });
})();
)js";
}

}  // namespace embark::emulator
