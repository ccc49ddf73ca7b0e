// The embark command's documented exit codes and the one mapping from embark::ErrorCode to them.
#pragma once

#include <string_view>

#include "embark/error.hpp"

namespace embark::cli {

/// Process exit codes (documented in docs/cli.md and in `embark --help`).
enum class ExitCode : int {
  ok = 0,              ///< the command did what was asked
  failure = 1,         ///< a bug or an unexpected state inside embark
  usage = 2,           ///< the command line was wrong (unknown flag, missing argument, bad config)
  input_rejected = 3,  ///< the input was invalid (malformed email, bad attribute, bad CSV rows)
  vendor_refused = 4,  ///< the vendor answered with a refusal (auth, not found, 4xx/5xx, status)
  transport = 5,       ///< the vendor could not be reached or did not answer in time
};

/// The exit code for a failure with this error code. The only place the mapping lives.
ExitCode exit_code_for(ErrorCode code) noexcept;

/// The integer handed to the operating system.
constexpr int to_int(ExitCode code) noexcept { return static_cast<int>(code); }

/// One-line description of an exit code, as printed by `embark --help`.
std::string_view describe(ExitCode code) noexcept;

}  // namespace embark::cli
