// sha256(): the digest behind fingerprints and the in-memory directory's user keys.
#pragma once

#include <span>
#include <string_view>

namespace embark::internal {

/// SHA-256 of the concatenation of `parts` into `out`. Uses one reusable OpenSSL context per
/// thread (no allocation per digest). Thread-safe.
void sha256(std::span<const std::string_view> parts, unsigned char (&out)[32]);

}  // namespace embark::internal
