// Session: the outcome of one onboarding (JWT, expiry, embed URL) and what each stage did.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "embark/secret.hpp"

namespace embark {

/// The pipeline's stages, in the order they run.
enum class Stage { ensure_user, set_attributes, impersonate };

/// "ensure-user", "set-attributes" or "impersonate" (the names used in errors and logs).
std::string_view to_string(Stage stage) noexcept;

/// What a stage did.
enum class StageOutcome {
  called,             ///< it made at least one vendor call
  skipped_cached,     ///< answered from the directory or token cache, no call
  skipped_unchanged,  ///< nothing to write: the vendor already holds the desired state
  skipped,            ///< the strategy does no work here by design (e.g. `skip`, `session-only`)
  joined_in_flight,   ///< an identical onboarding was already running; its result was shared
  failed,             ///< the stage returned an error
};

/// "called", "skipped_cached", "skipped_unchanged", "skipped", "joined_in_flight", "failed".
std::string_view to_string(StageOutcome outcome) noexcept;

/// One stage's line of the report.
struct StageReport {
  Stage stage = Stage::ensure_user;
  std::string strategy;  ///< strategy name, e.g. "directory"
  StageOutcome outcome = StageOutcome::skipped;
  int vendor_calls = 0;  ///< calls this stage made itself (a joined listUsers counts 0)
  std::chrono::microseconds elapsed{0};
};

/// A successful onboarding (or refresh). Copyable value type; the JWT is a Secret.
struct Session {
  Secret jwt;                                        ///< the session JWT for the iframe
  std::chrono::system_clock::time_point expires_at;  ///< decoded from the token's `exp`
  Secret embed_url;       ///< iframe URL carrying the token (empty without an embed target)
  std::string email;      ///< the user's email as the app gave it
  std::string workspace;  ///< the workspace used (empty = vendor default)
  std::string user_id;    ///< the vendor's user id when known (empty right after a creation)
  std::vector<StageReport> stages;  ///< one line per stage that ran, in order
  int vendor_calls = 0;             ///< total calls of the run (0 for a joined or fully cached run)
  bool joined_in_flight = false;    ///< this caller shared another identical run's result
  std::chrono::microseconds elapsed{0};
};

}  // namespace embark
