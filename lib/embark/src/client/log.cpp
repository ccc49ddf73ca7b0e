#include "embark/log.hpp"

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>

namespace embark {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::warn)};

// The sink is swapped as a shared_ptr so that a record being written on another thread keeps the
// old sink alive instead of racing with its destruction.
std::mutex g_sink_mutex;
std::shared_ptr<const LogSink> g_sink;

void stderr_sink(const LogRecord& record) {
  std::fprintf(stderr, "embark %s [%.*s] %.*s\n", to_string(record.level).data(),
               static_cast<int>(record.component.size()), record.component.data(),
               static_cast<int>(record.message.size()), record.message.data());
}

}  // namespace

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::trace:
      return "trace";
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
    case LogLevel::off:
      return "off";
  }
  return "unknown";
}

void set_log_level(LogLevel level) noexcept {
  g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel log_level() noexcept {
  return static_cast<LogLevel>(g_level.load(std::memory_order_relaxed));
}

bool log_enabled(LogLevel level) noexcept {
  return level != LogLevel::off &&
         static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void set_log_sink(LogSink sink) {
  auto next = sink ? std::make_shared<const LogSink>(std::move(sink)) : nullptr;
  std::lock_guard lock(g_sink_mutex);
  g_sink = std::move(next);
}

void log(LogLevel level, std::string_view component, std::string_view message) {
  if (!log_enabled(level)) return;
  std::shared_ptr<const LogSink> sink;
  {
    std::lock_guard lock(g_sink_mutex);
    sink = g_sink;
  }
  const LogRecord record{level, component, message};
  if (sink) {
    (*sink)(record);
  } else {
    stderr_sink(record);
  }
}

}  // namespace embark
