// CSRF defences: unguessable tokens compared in constant time, plus an Origin header check.
#pragma once

#include <string>
#include <string_view>

namespace embark::sample {

/// A fresh CSRF token (256 random bits, hex). Thread-safe.
std::string make_csrf_token();

/// Whether the token the browser presented equals the one the server expects. Empty tokens never
/// match; the comparison is constant-time.
bool csrf_token_matches(std::string_view expected, std::string_view presented) noexcept;

/// Whether a state-changing request's `Origin` header (empty when the browser sent none) is the
/// app's own origin, "<scheme>://<host header>". A missing header passes: the token check decides.
bool origin_allowed(std::string_view origin_header, std::string_view host_header,
                    bool https) noexcept;

}  // namespace embark::sample
