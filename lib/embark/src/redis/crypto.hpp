// AES-256-GCM sealing of token-cache values, so a Redis dump holds no usable JWT. Internal.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "embark/secret.hpp"

namespace embark::redis {

/// Encrypts `plain` under the 32-byte `key`, binding it to `aad` (the Redis key, so a value
/// copied under another key does not open). Output: version byte, 12-byte random nonce,
/// ciphertext, 16-byte tag. Thread-safe.
std::string seal(const Secret& key, std::string_view aad, std::string_view plain);
/// Decrypts what seal() produced; nullopt when the key, aad or bytes do not match. Thread-safe.
std::optional<Secret> open(const Secret& key, std::string_view aad, std::string_view sealed);

}  // namespace embark::redis
