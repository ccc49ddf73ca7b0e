// JsonLinesObserver: one JSON object per event, one line each (never an email or a secret).
#pragma once

#include <functional>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>

#include "embark/clock.hpp"
#include "embark/observer.hpp"

namespace embark {

/// Writes events as JSON lines, e.g.
/// `{"ts":"2026-11-27T09:00:00.123Z","event":"stage","run":"onboard","stage":"impersonate",
///   "strategy":"reuse","outcome":"skipped_cached","calls":0,"us":12,"workspace":"w","user":"9f..."}`.
/// Users appear only as fingerprints; error lines carry code, stage, strategy, operation, field,
/// HTTP status and retryability, plus the message for invalid_input (embark's own wording, which
/// never echoes input). Tokens, emails and attribute values never appear. Thread-safe: lines are
/// written whole under a mutex.
class JsonLinesObserver final : public Observer {
 public:
  /// Sends each line (without the trailing newline) to `sink`.
  explicit JsonLinesObserver(std::function<void(std::string_view)> sink,
                             Clock clock = system_clock());
  /// Appends each line plus '\n' to `out` (which must outlive the observer).
  explicit JsonLinesObserver(std::ostream& out, Clock clock = system_clock());

  void on_stage(const StageEvent& event) override;
  void on_vendor_call(const VendorCallEvent& event) override;
  void on_run(const RunEvent& event) override;
  void on_background(const BackgroundEvent& event) override;

 private:
  void emit(const std::string& line);
  std::function<void(std::string_view)> sink_;
  Clock clock_;
  std::mutex mutex_;
};

}  // namespace embark
