// The `embark` program: wires the real streams, environment and vendor client into run_cli.
#include <iostream>
#include <string>
#include <vector>

#include "app.hpp"
#include "connect.hpp"
#include <unistd.h>

int main(int argc, char** argv) {
  using namespace embark::cli;
  Io io{std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1, process_environment(), read_file};
  const Services services = library_services();
  std::vector<std::string> args(argv, argv + argc);
  return run_cli(args, io, services);
}
