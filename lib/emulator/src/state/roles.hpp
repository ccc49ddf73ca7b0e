// The role ids WisdomAI knows (docs/vendor-api.md#roles): the only ones the emulator accepts.
#pragma once

#include <string_view>

namespace embark::emulator {

/// Whether `role_id` is one of the 15 documented role UUIDs.
bool is_known_role(std::string_view role_id);

/// Documented name of a known role ("VIEWER"), or empty.
std::string_view role_name(std::string_view role_id);

}  // namespace embark::emulator
