// Decides, per GraphQL request and per accepted connection, whether an injected fault replaces
// (or wraps) the real answer.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "embark/emulator/options.hpp"

namespace embark::emulator {

/// The fault chosen for one request or connection.
using Fault = InjectedFault;

/// Whether a fault applies to a whole connection at accept time rather than to one request.
constexpr bool is_connection_fault(Fault fault) {
  return fault == Fault::accept_reset || fault == Fault::tls_garbage;
}

/// Draws faults from the configured rates, after any scripted ones. Rate draws are deterministic
/// for a given seed and call order. Thread-safe.
class FaultInjector {
 public:
  explicit FaultInjector(const Options& options);

  /// The fault for one request to `operation` (a root field name): a scripted one first, then
  /// the rates.
  Fault decide(std::string_view operation);
  /// The fault for a newly accepted connection (accept_reset, tls_garbage or none).
  Fault decide_connection();
  /// The next `times` requests to `operation` ("*" = any operation) get `fault`; for a
  /// connection fault, the next `times` accepted connections (operation ignored).
  void script(std::string operation, Fault fault, int times);
  /// Drops every scripted fault not yet used.
  void clear_script();

 private:
  double draw();
  static double rate_of(const std::map<std::string, double>& rates, std::string_view operation);
  bool take_scripted(std::string_view operation, bool connection, Fault& out);

  std::map<std::string, double> fail_rates_;
  std::map<std::string, double> throttle_rates_;
  double reset_rate_;
  double truncate_rate_;
  std::vector<std::pair<Fault, double>> request_rates_;
  std::vector<std::pair<Fault, double>> connection_rates_;
  std::uint64_t seed_;
  std::atomic<std::uint64_t> counter_{0};
  std::atomic<std::uint64_t> connection_counter_{0};
  bool enabled_;
  bool connection_enabled_;

  struct Scripted {
    std::string operation;
    Fault fault;
    int left;
  };
  std::mutex script_mutex_;
  std::deque<Scripted> script_;
  std::atomic<bool> scripted_{false};
};

}  // namespace embark::emulator
