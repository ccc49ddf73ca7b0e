// "Did you mean ...?" hints, with graphql-js's choice and wording.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace embark::emulator::graphql {

/// The options close to `input` (case-insensitive Damerau-Levenshtein within 40% + 1), best first.
std::vector<std::string> suggestion_list(std::string_view input,
                                         const std::vector<std::string>& options);

/// ` Did you mean "a", "b", or "c"?` (at most five), or "" when there are none; `sub_message`
/// goes after "mean" (graphql-js says "the enum value" for enums).
std::string did_you_mean(const std::vector<std::string>& suggestions,
                         std::string_view sub_message = {});

}  // namespace embark::emulator::graphql
