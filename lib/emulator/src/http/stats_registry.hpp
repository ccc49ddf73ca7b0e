// The live counters behind GET /_emulator/stats.
#pragma once

#include <cstdint>
#include <mutex>
#include <string_view>

#include <boost/json/object.hpp>

#include "embark/emulator/stats.hpp"

namespace embark::emulator {

/// Per-operation counters. Thread-safe.
class StatsRegistry {
 public:
  /// Counts one call of `operation` that sent `response_bytes` body bytes.
  void record(std::string_view operation, std::uint64_t response_bytes, bool faulted);
  Stats snapshot() const;
  void reset();
  /// The snapshot as the JSON document of GET /_emulator/stats.
  static boost::json::object to_json(const Stats& stats);

 private:
  mutable std::mutex mutex_;
  Stats stats_;
};

}  // namespace embark::emulator
