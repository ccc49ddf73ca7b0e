// The `embark` command line: parses arguments with CLI11 and runs the chosen subcommand.
#pragma once

#include <string>
#include <vector>

#include "context.hpp"

namespace embark::cli {

/// Runs the command line `args` (args[0] is the program name) and returns the process exit code:
/// 0 ok, 2 usage, 3 input rejected, 4 the vendor said no, 5 transport or timeout (exit_code.hpp).
/// Output goes to io.out, messages and progress to io.err. Not thread-safe.
int run_cli(const std::vector<std::string>& args, Io& io, const Services& services);

}  // namespace embark::cli
