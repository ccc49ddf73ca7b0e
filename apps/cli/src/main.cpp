// The `embark` program: wires the real streams, environment and vendor client into run_cli.
#include <iostream>
#include <string>
#include <vector>

#include "app.hpp"
#include "connect.hpp"
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char** argv) {
  // The process holds access keys, bearer tokens and JWTs in memory: no core file may carry them
  // to disk, and no other process of the same user may read its memory.
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  using namespace embark::cli;
  Io io{std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1, process_environment(), read_file};
  const Services services = library_services();
  std::vector<std::string> args(argv, argv + argc);
  return run_cli(args, io, services);
}
