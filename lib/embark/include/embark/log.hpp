// embark's logger: one process-wide level and sink used by every layer of the library.
#pragma once

#include <functional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace embark {

/// Severity of a log record, most verbose first.
enum class LogLevel : int { trace = 0, debug, info, warn, error, off };

/// Short lower-case name of a level ("trace", "warn", ...).
std::string_view to_string(LogLevel level) noexcept;

/// One log record as handed to a sink. The views are valid only during the sink call.
struct LogRecord {
  LogLevel level = LogLevel::info;
  std::string_view
      component;             ///< layer that logged: "transport", "graphql", "retry", "client", ...
  std::string_view message;  ///< never contains a secret (at most a Secret fingerprint)
};

/// Receives every record at or above the configured level. Must be thread-safe: records arrive
/// from whatever thread the library is running on.
using LogSink = std::function<void(const LogRecord&)>;

/// Sets the lowest level that is logged (default LogLevel::warn). Thread-safe.
void set_log_level(LogLevel level) noexcept;
/// The lowest level that is logged. Thread-safe.
LogLevel log_level() noexcept;
/// Whether records of this level are currently logged (cheap; check before formatting).
/// Thread-safe.
bool log_enabled(LogLevel level) noexcept;
/// Replaces the sink; an empty function restores the default sink (one line per record on stderr).
/// Thread-safe; a sink call in progress on another thread finishes with the old sink.
void set_log_sink(LogSink sink);
/// Logs one record if its level is enabled. Thread-safe.
void log(LogLevel level, std::string_view component, std::string_view message);

/// Formats and logs one record; formatting happens only when the level is enabled. Thread-safe.
template <class... Args>
void logf(LogLevel level, std::string_view component, fmt::format_string<Args...> format,
          Args&&... args) {
  if (!log_enabled(level)) return;
  log(level, component, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace embark
