// Observer: per-stage and per-call events of the pipeline, for logs, metrics, traces and audits.
#pragma once

#include <chrono>
#include <string_view>

#include "embark/error.hpp"
#include "embark/session.hpp"

namespace embark {

/// One stage finished. Views are valid only during the callback.
struct StageEvent {
  std::string_view run;  ///< "onboard" or "refresh"
  Stage stage = Stage::ensure_user;
  std::string_view strategy;
  StageOutcome outcome = StageOutcome::skipped;
  int vendor_calls = 0;
  std::chrono::microseconds elapsed{0};
  std::string_view workspace;
  std::string_view user;         ///< fingerprint of (workspace, email): never the email or a token
  const Error* error = nullptr;  ///< set when outcome == failed
};

/// One vendor call finished (counted per stage).
struct VendorCallEvent {
  std::string_view
      operation;  ///< "listUsers", "createUsers", "setUserAttributes", "impersonateUser"
  std::chrono::microseconds elapsed{0};
  const Error* error = nullptr;  ///< null on success
};

/// One onboarding or refresh finished (including joined ones).
struct RunEvent {
  std::string_view run;  ///< "onboard" or "refresh"
  std::string_view workspace;
  std::string_view user;  ///< fingerprint, as in StageEvent
  bool joined_in_flight = false;
  int vendor_calls = 0;
  std::chrono::microseconds elapsed{0};
  const Error* error = nullptr;  ///< null on success
};

/// Background work finished (a pre-minted token, a directory refresh).
struct BackgroundEvent {
  /// "pre-mint", "directory-refresh", a failed shared-state call ("directory-backend",
  /// "token-cache-backend"; always with an error: the login went on without the cache), or
  /// "background" for a scheduled task (PipelineContext::schedule) that threw (with the error).
  std::string_view what;
  std::string_view workspace;
  std::string_view user;  ///< fingerprint, empty for workspace-wide work
  const Error* error = nullptr;
};

/// A shared-state backend (e.g. Redis) could not be used for one operation: unreachable, slower
/// than its timeout, or it answered something unusable. The login went on with local state.
struct SharedStateEvent {
  std::string_view backend;    ///< "redis"
  std::string_view operation;  ///< e.g. "directory find", "token put", "lock acquire"
  const Error* error = nullptr;
};

/// Receives events. Default implementations ignore them. Implementations must be thread-safe
/// and quick: they are called inline on the pipeline's threads.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_stage(const StageEvent&) {}
  virtual void on_vendor_call(const VendorCallEvent&) {}
  virtual void on_run(const RunEvent&) {}
  virtual void on_background(const BackgroundEvent&) {}
  virtual void on_shared_state_error(const SharedStateEvent&) {}
};

}  // namespace embark
