// Shared pieces of embark-bench: the files the driver hands to every client (credentials,
// workload) and the result line every client prints.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "embark/model.hpp"

namespace embark::bench {

/// Where the emulator is and how to authenticate; written by the driver to a 0600 file so that no
/// secret appears on a command line.
struct Credentials {
  std::string graphql_url;
  std::string access_key;
  std::string api_token;
  std::string ca_file;
};

/// One login of a workload: the user and the stored attributes the app sends.
struct Login {
  std::string email;
  AttributeMap attributes;
};

/// What one client reports after its measured window (one JSON line on stdout).
struct WorkerResult {
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  double wall_s = 0;
  double cpu_s = 0;  ///< user + system CPU of the client process during the window
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_rss_mb = 0;  ///< peak resident set of the client process (whole lifetime)
  std::string first_error;
};

/// Value at quantile q (0..1) of sorted samples; 0 for none.
inline double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace embark::bench
