// Security headers every response carries, including the Content-Security-Policy.
#pragma once

#include <string>
#include <string_view>

#include "http_types.hpp"

namespace embark::sample {

/// The Content-Security-Policy of the app: everything from the app's own origin, except frames,
/// which may come only from `wisdom_origin` (e.g. "https://acme.wisdom.ai"). No inline scripts.
/// Throws std::invalid_argument when `wisdom_origin` is not a plain "scheme://host[:port]" origin.
std::string content_security_policy(std::string_view wisdom_origin);

/// Adds the CSP and the other hardening headers (nosniff, Referrer-Policy, frame-ancestors via
/// X-Frame-Options, no caching of personalised pages unless the response already set
/// Cache-Control).
void apply_security_headers(Response& response, const std::string& csp);

}  // namespace embark::sample
