// The head of an HTTP response as bytes on the wire, so it can leave with the body in one write.
#pragma once

#include <string>

#include "http/service.hpp"

namespace embark::emulator {

/// Status line, fields in order and the blank line, byte for byte what Beast's serializer writes
/// for `res` (so `res.prepare_payload()` must have set Content-Length). Thread-safe.
std::string response_head(const Response& res);

}  // namespace embark::emulator
