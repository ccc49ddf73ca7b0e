#include "cookies.hpp"

#include <algorithm>
#include <stdexcept>

namespace embark::sample {
namespace {

bool is_token(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string make_set_cookie(std::string_view name, std::string_view value,
                            const CookieOptions& options) {
  if (name.empty() || !is_token(name))
    throw std::invalid_argument("cookie name: not a cookie token");
  if (!is_token(value)) throw std::invalid_argument("cookie value: not a cookie token");
  std::string out;
  out.append(name).append("=").append(value);
  out.append("; Path=").append(options.path);
  if (options.max_age) out.append("; Max-Age=").append(std::to_string(options.max_age->count()));
  if (options.http_only) out.append("; HttpOnly");
  if (options.secure) out.append("; Secure");
  out.append(options.same_site == SameSite::strict ? "; SameSite=Strict" : "; SameSite=Lax");
  return out;
}

std::string make_clear_cookie(std::string_view name, const CookieOptions& options) {
  CookieOptions o = options;
  o.max_age = std::chrono::seconds{0};
  return make_set_cookie(name, "", o);
}

std::optional<std::string> find_cookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    std::string_view pair = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim(pair.substr(0, eq)) == name) return std::string(trim(pair.substr(eq + 1)));
  }
  return std::nullopt;
}

}  // namespace embark::sample
