// Parsing application/x-www-form-urlencoded request bodies.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace embark::sample {

/// Field name -> decoded value ('+' is a space, %XX is a byte). The first occurrence of a name
/// wins.
using FormFields = std::map<std::string, std::string, std::less<>>;

/// Parses a form body; nullopt when a %-escape is malformed.
std::optional<FormFields> parse_form(std::string_view body);

/// The value of `name`, or "" when absent.
std::string_view form_value(const FormFields& fields, std::string_view name) noexcept;

}  // namespace embark::sample
