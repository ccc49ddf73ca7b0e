// CallCounts: vendor calls per operation, as the emulator's counters (/_emulator/stats) report
// them.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "embark/result.hpp"

namespace embark::cli {

/// Calls per vendor operation name (e.g. "listUsers" -> 1). Plain value type.
using CallCounts = std::map<std::string, std::uint64_t, std::less<>>;

/// The operations a login can cost, in the order they are shown.
inline constexpr std::array<std::string_view, 5> kLoginOperations{
    "exchangeAccessToken", "listUsers", "createUsers", "setUserAttributes", "impersonateUser"};

/// Per-operation increase from `before` to `after` (operations that did not grow are left out).
CallCounts difference(const CallCounts& after, const CallCounts& before);
/// Adds `more` into `sum`.
void accumulate(CallCounts& sum, const CallCounts& more);
/// Sum over every operation.
std::uint64_t total(const CallCounts& counts);
/// "listUsers 1, createUsers 1, impersonateUser 1" (login operations first, then any other), or
/// "none".
std::string describe(const CallCounts& counts);
/// Reads the per-operation call counters of an emulator's /_emulator/stats JSON document.
/// Fails with protocol when the document does not have that shape.
Result<CallCounts> parse_stats_document(std::string_view json);

}  // namespace embark::cli
