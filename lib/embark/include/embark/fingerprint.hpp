// Fingerprints: fixed-size, stable 64-bit digests of attribute sets, role sets and user keys.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "embark/model.hpp"

namespace embark {

/// A 64-bit digest (the first 8 bytes of SHA-256), stable across processes and versions so that
/// shared caches (Redis) can compare fingerprints written by other instances.
using Fingerprint = std::uint64_t;

/// Digest of an attribute set (order-independent: AttributeMap is ordered).
Fingerprint fingerprint(const AttributeMap& attributes);

/// Digest of role assignments, independent of the order of assignments and of scopes.
Fingerprint fingerprint(std::span<const RoleAssignment> roles);

/// Digest of a user key (workspace, lower-cased email); safe to log instead of the email.
Fingerprint user_fingerprint(std::string_view workspace, std::string_view email);

/// 16 lower-case hex digits of a fingerprint.
std::string to_hex(Fingerprint fp);

/// ASCII lower-casing of an email address (the vendor keys users by lower-cased email).
std::string lower_email(std::string_view email);

}  // namespace embark
