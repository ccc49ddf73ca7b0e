// JSON text written straight into a string (the streaming response body, token claims), in the
// same form boost::json::serialize gives.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace embark::emulator::graphql {

/// Appends `s` as a JSON string literal (escapes `"`, `\` and control characters; \u00xx
/// lower-case, like boost::json::serialize).
void append_json_string(std::string& out, std::string_view s);

/// Appends a signed integer in decimal.
void append_json_int(std::string& out, std::int64_t v);

}  // namespace embark::emulator::graphql
