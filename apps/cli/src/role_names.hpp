// Role ids -> preset names for display, and the checks that turn arguments into vendor input.
#pragma once

#include <string_view>

#include "sync_rows.hpp"

namespace embark::cli {

/// The preset name of a documented role id ("viewer"), or empty.
std::string_view role_name(std::string_view role_id) noexcept;

/// The checks embark itself applies to emails, role names and attributes (embark/validation.hpp,
/// embark/roles.hpp), for `Services::checks`.
RowChecks library_checks();

}  // namespace embark::cli
