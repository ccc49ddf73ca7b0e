#include "csrf.hpp"

#include "random_token.hpp"

namespace embark::sample {

std::string make_csrf_token() { return random_hex(32); }

bool csrf_token_matches(std::string_view expected, std::string_view presented) noexcept {
  if (expected.empty() || presented.empty()) return false;
  return constant_time_equals(expected, presented);
}

bool origin_allowed(std::string_view origin_header, std::string_view host_header,
                    bool https) noexcept {
  if (origin_header.empty()) return true;
  if (host_header.empty()) return false;
  std::string_view scheme = https ? "https://" : "http://";
  return origin_header.size() == scheme.size() + host_header.size() &&
         origin_header.starts_with(scheme) && origin_header.substr(scheme.size()) == host_header;
}

}  // namespace embark::sample
