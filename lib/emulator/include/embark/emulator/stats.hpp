// Per-operation counters of the emulator (what GET /_emulator/stats reports).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace embark::emulator {

/// Counters of one GraphQL operation (keyed by its root field, e.g. "impersonateUser").
struct OperationStats {
  std::uint64_t calls = 0;  ///< requests that reached the operation (faulted ones included)
  std::uint64_t response_bytes = 0;  ///< response body bytes sent for them
  std::uint64_t faults = 0;  ///< of those, answered by an injected fault (500/429/reset/cut)
  friend bool operator==(const OperationStats&, const OperationStats&) = default;
};

/// A snapshot of all counters since start or the last reset. Plain value type.
struct Stats {
  std::map<std::string, OperationStats, std::less<>> operations;
  OperationStats total;

  /// Counters of one operation (zero when it was never called).
  OperationStats of(const std::string& operation) const {
    auto it = operations.find(operation);
    return it == operations.end() ? OperationStats{} : it->second;
  }
};

}  // namespace embark::emulator
