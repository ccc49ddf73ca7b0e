#include "security_headers.hpp"

#include <stdexcept>

#include <boost/url/parse.hpp>

namespace embark::sample {

std::string content_security_policy(std::string_view wisdom_origin) {
  auto url = boost::urls::parse_absolute_uri(wisdom_origin);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->host().empty() ||
      !url->encoded_path().empty() || url->has_query() || url->has_userinfo() ||
      wisdom_origin.find_first_of(" ;,'\"") != std::string_view::npos) {
    throw std::invalid_argument("wisdom origin: must be scheme://host[:port], got '" +
                                std::string(wisdom_origin) + "'");
  }
  std::string csp;
  csp += "default-src 'self'; ";
  csp += "script-src 'self'; ";
  csp += "style-src 'self'; ";
  csp += "img-src 'self' data:; ";
  csp += "connect-src 'self'; ";
  csp += "frame-src ";
  csp += wisdom_origin;
  csp += "; ";
  csp += "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  return csp;
}

void apply_security_headers(Response& response, const std::string& csp) {
  response.set("Content-Security-Policy", csp);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  // Not no-referrer: with it, browsers send "Origin: null" on form posts and the Origin check
  // fails.
  response.set("Referrer-Policy", "same-origin");
  if (response.find(http::field::cache_control) == response.end())
    response.set(http::field::cache_control, "no-store");
}

}  // namespace embark::sample
