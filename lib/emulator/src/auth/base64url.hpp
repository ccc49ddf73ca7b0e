// base64url without padding (RFC 4648 §5), as JWTs and JWKs use it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace embark::emulator {

/// Encodes bytes as base64url without '=' padding.
std::string base64url_encode(std::string_view bytes);

/// Appends the base64url (no padding) of `bytes` to `out`.
void base64url_append(std::string& out, std::string_view bytes);

/// Decodes unpadded (or padded) base64url; nullopt on any character outside the alphabet.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace embark::emulator
