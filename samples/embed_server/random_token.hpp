// Random identifiers and digests for sessions and CSRF tokens.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace embark::sample {

/// `bytes` bytes from OpenSSL's CSPRNG, as lower-case hex (2 * bytes characters).
/// Thread-safe. Aborts the request path by throwing std::runtime_error if the CSPRNG fails.
std::string random_hex(std::size_t bytes);

/// SHA-256 of `data` as lower-case hex. Thread-safe.
std::string sha256_hex(std::string_view data);

/// Lower-case hex of raw bytes.
std::string to_hex(std::string_view bytes);

/// Whether two strings are equal, in time independent of where they differ (lengths may leak).
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

}  // namespace embark::sample
