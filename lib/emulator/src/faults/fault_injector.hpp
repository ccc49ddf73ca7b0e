// Decides, per GraphQL request, whether an injected fault replaces the real answer.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "embark/emulator/options.hpp"

namespace embark::emulator {

/// The fault chosen for one request.
enum class Fault {
  none,
  fail,         ///< HTTP 500
  throttle,     ///< HTTP 429 with Retry-After
  reset,        ///< close the connection without answering
  truncate,     ///< send the headers and only half of the body, then close
  lose_answer,  ///< carry the request out, then close the connection without answering
};

/// Draws faults from the configured rates. Deterministic for a given seed and call order;
/// thread-safe and lock-free.
class FaultInjector {
 public:
  explicit FaultInjector(const Options& options);

  /// Whether any fault is configured at all (skips the draws when not).
  bool enabled() const { return enabled_; }
  /// The fault for one request to `operation` (a root field name).
  Fault decide(std::string_view operation);

 private:
  double draw();
  static double rate_of(const std::map<std::string, double>& rates, std::string_view operation);

  std::map<std::string, double> fail_rates_;
  std::map<std::string, double> throttle_rates_;
  std::map<std::string, double> lose_answer_rates_;
  double reset_rate_;
  double truncate_rate_;
  std::uint64_t seed_;
  std::atomic<std::uint64_t> counter_{0};
  bool enabled_;
};

}  // namespace embark::emulator
