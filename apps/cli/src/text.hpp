// Small string helpers shared by the command's parsers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "embark/error.hpp"

namespace embark::cli {

/// `s` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s) noexcept;

/// ASCII lower-case copy.
std::string to_lower(std::string_view s);

/// Error{invalid_input} naming `field`.
Error invalid(std::string field, std::string message);

/// Splits at every `sep`; "a;;b" gives {"a", "", "b"}; "" gives {""}.
std::vector<std::string_view> split(std::string_view s, char sep);

}  // namespace embark::cli
