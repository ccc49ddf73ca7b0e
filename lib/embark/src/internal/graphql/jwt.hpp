// Reading the expiry of a JWT the vendor issued (never assumed to be one hour).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "embark/model.hpp"
#include "embark/result.hpp"

namespace embark::internal {

/// Decodes base64url without padding (padding is tolerated); nullopt on an invalid character.
std::optional<std::string> base64url_decode(std::string_view text);

/// The `exp` claim (seconds since the epoch) of a compact JWS, without verifying the signature:
/// the client only schedules renewals by it. Error{protocol} (naming neither the token nor its
/// content) when the token is malformed or has no numeric `exp`.
Result<std::chrono::system_clock::time_point> decode_jwt_expiry(std::string_view jwt);

/// A SessionToken for a JWT returned by `operation`, its expiry decoded from the token.
Result<SessionToken> make_session_token(std::string jwt, std::string_view operation);

}  // namespace embark::internal
