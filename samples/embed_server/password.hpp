// Password hashing with PBKDF2-HMAC-SHA256 (OpenSSL), per-user salt, encoded in one string.
#pragma once

#include <string>
#include <string_view>

namespace embark::sample {

/// Iterations used for new hashes (OWASP's 2021 figure for PBKDF2-HMAC-SHA256).
inline constexpr int kPbkdf2Iterations = 310'000;
/// Fewest iterations verify_password accepts in a stored hash.
inline constexpr int kPbkdf2MinIterations = 100'000;

/// Hashes a password with a fresh 16-byte random salt.
/// Returns "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>". Thread-safe; CPU-bound (~0.1 s).
std::string hash_password(std::string_view password, int iterations = kPbkdf2Iterations);

/// Whether `password` matches an encoded hash made by hash_password. Malformed hashes, unknown
/// schemes and iteration counts below kPbkdf2MinIterations never match. The final comparison is
/// constant-time. Thread-safe; CPU-bound.
bool verify_password(std::string_view password, std::string_view encoded);

}  // namespace embark::sample
