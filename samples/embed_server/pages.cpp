#include "pages.hpp"

#include "seed.hpp"

namespace embark::sample {
namespace {

std::string layout(std::string_view title, std::string_view header_right, std::string_view body,
                   std::string_view body_attributes = {}, std::string_view head_extra = {}) {
  std::string out;
  out += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>";
  out += html_escape(title);
  out += " · Northwind Insights</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n";
  out += "<link rel=\"icon\" href=\"data:,\">\n";
  out += head_extra;
  out += "</head>\n<body";
  out += body_attributes;
  out +=
      ">\n<header class=\"topbar\">\n  <a class=\"brand\" href=\"/\"><span class=\"logo\">N</span> "
      "Northwind Insights</a>\n";
  out += header_right;
  out += "</header>\n<main>\n";
  out += body;
  out +=
      "</main>\n<footer>Northwind Insights is the sample SaaS app of embark: "
      "WisdomAI embedded analytics, one login away.</footer>\n</body>\n</html>\n";
  return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
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

std::string render_login_page(const LoginPage& page) {
  std::string body;
  body +=
      "<section class=\"card login\">\n<h1>Sign in</h1>\n<p class=\"muted\">Your dashboards, "
      "filtered to your company's data.</p>\n";
  if (!page.notice.empty())
    body += "<p class=\"notice\" role=\"status\">" + html_escape(page.notice) + "</p>\n";
  if (!page.error.empty())
    body += "<p class=\"error\" role=\"alert\" id=\"login-error\">" + html_escape(page.error) +
            "</p>\n";
  body += "<form method=\"post\" action=\"/login\" id=\"login-form\">\n";
  body += "  <input type=\"hidden\" name=\"csrf_token\" value=\"" + html_escape(page.csrf_token) +
          "\">\n";
  if (!page.next.empty())
    body += "  <input type=\"hidden\" name=\"next\" value=\"" + html_escape(page.next) + "\">\n";
  body +=
      "  <label>Email <input type=\"email\" name=\"email\" id=\"email\" autocomplete=\"username\" "
      "required value=\"" +
      html_escape(page.email) + "\"></label>\n";
  body +=
      "  <label>Password <input type=\"password\" name=\"password\" id=\"password\" "
      "autocomplete=\"current-password\" required></label>\n";
  body += "  <button type=\"submit\" class=\"primary\">Sign in</button>\n</form>\n";
  if (page.show_demo_accounts) {
    body +=
        "<details class=\"demo\" open><summary>Demo accounts</summary>\n<table>\n"
        "<tr><th>Email</th><th>Password</th><th>Tenant</th></tr>\n";
    for (const auto& a : kDemoAccounts) {
      body += "<tr><td><code>" + html_escape(a.email) + "</code></td><td><code>" +
              html_escape(a.password) + "</code></td><td>" + html_escape(a.tenant) + "</td></tr>\n";
    }
    body += "</table>\n</details>\n";
  }
  body += "</section>\n";
  return layout("Sign in", "", body);
}

std::string render_dashboard_page(const DashboardPage& page) {
  const AppUser& user = *page.user;
  std::string header;
  header += "  <div class=\"account\">\n";
  header += "    <span class=\"tenant\" id=\"tenant-name\">" + html_escape(user.tenant_name) +
            "</span>\n";
  header += "    <span class=\"user\" id=\"user-email\">" + html_escape(user.display_name) + " · " +
            html_escape(user.email) + "</span>\n";
  header +=
      "    <form method=\"post\" action=\"/logout\" id=\"logout-form\">"
      "<input type=\"hidden\" name=\"csrf_token\" value=\"" +
      html_escape(page.csrf_token) +
      "\"><button type=\"submit\" id=\"logout\">Sign out</button></form>\n";
  header += "  </div>\n";

  std::string body;
  body +=
      "<div class=\"dashboard\">\n<aside class=\"card side\">\n<h2>Your data access</h2>\n"
      "<p class=\"muted\">WisdomAI filters every chart with these row-level attributes.</p>\n<dl "
      "id=\"app-attributes\">\n";
  for (const auto& [key, value] : user.attributes) {
    body += "<dt>" + html_escape(key) + "</dt><dd>" + html_escape(value) + "</dd>\n";
  }
  body += "</dl>\n";
  if (!page.wisdom_email.empty()) {
    body += "<p class=\"muted small\">Analytics identity: <code id=\"wisdom-email\">" +
            html_escape(page.wisdom_email) + "</code></p>\n";
  }
  body += "<p class=\"muted small\" id=\"token-status\">Session token: active</p>\n</aside>\n";
  body += "<section class=\"card main\">\n<h1>Revenue overview</h1>\n";
  if (!page.error.empty()) {
    body += "<p class=\"error\" role=\"alert\" id=\"embed-error\">" + html_escape(page.error) +
            "</p>\n";
  } else {
    body += "<iframe id=\"wisdom-frame\" title=\"WisdomAI dashboard\" src=\"" +
            html_escape(page.embed_url) + "\" allow=\"microphone; camera\"></iframe>\n";
  }
  body += "</section>\n</div>\n";

  std::string head;
  head += "<meta name=\"csrf-token\" content=\"" + html_escape(page.csrf_token) + "\">\n";
  head += "<meta name=\"wisdom-origin\" content=\"" + html_escape(page.wisdom_origin) + "\">\n";
  head += "<script src=\"/static/embark-bridge.js\" defer></script>\n";
  head += "<script src=\"/static/dashboard.js\" defer></script>\n";
  return layout("Dashboard", header, body, " class=\"app\"", head);
}

}  // namespace embark::sample
