// Server-rendered HTML pages of the sample app (no inline scripts or styles: the CSP forbids them).
#pragma once

#include <string>
#include <string_view>

#include "app_user.hpp"

namespace embark::sample {

/// Escapes text for HTML element content and quoted attribute values.
std::string html_escape(std::string_view text);

/// What the login page shows.
struct LoginPage {
  std::string csrf_token;  ///< the login form's CSRF token (double-submitted in a cookie)
  std::string email;       ///< pre-filled after a failed attempt
  std::string error;       ///< e.g. "Wrong email or password."
  std::string notice;      ///< e.g. "You are signed out."
  std::string next;        ///< local path to go to after signing in (already checked safe)
  bool show_demo_accounts = false;
};

/// What the dashboard page shows.
struct DashboardPage {
  const AppUser* user = nullptr;
  std::string csrf_token;     ///< the session's CSRF token, for logout and the token endpoint
  std::string wisdom_origin;  ///< the only origin the bridge accepts messages from
  std::string embed_url;      ///< iframe src (carries the JWT); empty when onboarding failed
  std::string wisdom_email;   ///< who WisdomAI sees
  std::string error;          ///< shown instead of the iframe when onboarding failed
};

/// The login page.
std::string render_login_page(const LoginPage& page);
/// The dashboard page with the WisdomAI iframe.
std::string render_dashboard_page(const DashboardPage& page);

}  // namespace embark::sample
