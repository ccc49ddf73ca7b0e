// Building Set-Cookie headers and reading the Cookie header.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace embark::sample {

/// The SameSite attribute of a cookie.
enum class SameSite { strict, lax };

/// Attributes of a cookie the server sets. Plain value type.
struct CookieOptions {
  bool secure = false;    ///< set when the app is served over HTTPS
  bool http_only = true;  ///< not readable from JavaScript
  SameSite same_site = SameSite::lax;
  std::string path = "/";
  std::optional<std::chrono::seconds> max_age;  ///< nullopt: a browser-session cookie
};

/// A Set-Cookie header value. `name` and `value` must be cookie-safe tokens (hex, [A-Za-z0-9_-]);
/// anything else throws std::invalid_argument naming the field.
std::string make_set_cookie(std::string_view name, std::string_view value,
                            const CookieOptions& options);

/// A Set-Cookie header value that deletes the cookie (empty value, Max-Age=0, same attributes).
std::string make_clear_cookie(std::string_view name, const CookieOptions& options);

/// The value of cookie `name` in a Cookie request header, if present (the first one wins).
std::optional<std::string> find_cookie(std::string_view cookie_header, std::string_view name);

}  // namespace embark::sample
