// The vendor's schema (docs/vendor-api.md#schema, lib/emulator/schema/wisdom.graphql), embedded at
// build time.
#pragma once

#include <string_view>

namespace embark::emulator::graphql {

/// The SDL text of lib/emulator/schema/wisdom.graphql as it was when the library was built.
std::string_view builtin_schema_sdl();

}  // namespace embark::emulator::graphql
