// `embark-bench worker`: the embark side of a benchmark scenario, in a process of its own.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "embark/result.hpp"

#include "bench_common.hpp"

namespace embark::bench {

/// What one worker process runs (all from its command line; secrets come from the file).
struct WorkerOptions {
  std::string credentials_file;  ///< JSON: graphql_url, access_key, api_token, ca_file
  std::string workload_file;     ///< JSON lines: {"email": ..., "attributes": {...}}
  int concurrency = 64;
  double duration_s = 8;   ///< no new login starts after this long
  std::size_t warmup = 0;  ///< the workload's first `warmup` logins run before the window
  std::string ensure_user = "directory";
  std::string set_attributes = "diff";
  std::string impersonate = "reuse";
  std::size_t max_connections = 0;  ///< 0: the library's default pool size
  std::size_t max_response_mb = 0;  ///< 0: the library's default response size limit
  double deadline_s = 0;            ///< > 0: the call deadline and the onboarding deadline
  bool loop = false;                ///< the window goes round the workload until its time is up
  /// > 0: the window ends after this many logins (or its duration, whichever comes first), so an
  /// instruction count under callgrind covers the same work on a fast and a loaded machine.
  std::size_t logins = 0;
  bool list_users_only = false;  ///< each window "login" is one listUsers call, nothing else
};

/// Reads the credentials file the driver wrote.
Result<Credentials> read_credentials(const std::string& path);
/// Reads a workload file (one JSON object per line).
Result<std::vector<Login>> read_workload(const std::string& path);

/// Runs the worker protocol: warm-up, print "ready", wait for a line on stdin, run the window,
/// print one JSON result line. Returns the process exit code.
int run_worker(const WorkerOptions& options);

}  // namespace embark::bench
