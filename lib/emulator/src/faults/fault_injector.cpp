#include "faults/fault_injector.hpp"

namespace embark::emulator {
namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool any_positive(const std::map<std::string, double>& rates) {
  for (const auto& [op, rate] : rates) {
    if (rate > 0) return true;
  }
  return false;
}

}  // namespace

FaultInjector::FaultInjector(const Options& options)
    : fail_rates_(options.fail_rates),
      throttle_rates_(options.throttle_rates),
      lose_answer_rates_(options.lose_answer_rates),
      reset_rate_(options.reset_rate),
      truncate_rate_(options.truncate_rate),
      seed_(options.seed),
      enabled_(any_positive(options.fail_rates) || any_positive(options.throttle_rates) ||
               any_positive(options.lose_answer_rates) || options.reset_rate > 0 ||
               options.truncate_rate > 0) {}

double FaultInjector::draw() {
  const std::uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed);
  return static_cast<double>(mix(seed_ ^ mix(n)) >> 11) * 0x1.0p-53;
}

double FaultInjector::rate_of(const std::map<std::string, double>& rates,
                              std::string_view operation) {
  auto it = rates.find(std::string(operation));
  if (it != rates.end()) return it->second;
  it = rates.find("*");
  return it == rates.end() ? 0.0 : it->second;
}

Fault FaultInjector::decide(std::string_view operation) {
  if (!enabled_) return Fault::none;
  // One draw per switch, always in the same order, so a seed replays the same sequence.
  const double throttle = draw();
  const double failure = draw();
  const double reset = draw();
  const double truncate = draw();
  if (throttle < rate_of(throttle_rates_, operation)) return Fault::throttle;
  if (failure < rate_of(fail_rates_, operation)) return Fault::fail;
  if (reset < reset_rate_) return Fault::reset;
  if (truncate < truncate_rate_) return Fault::truncate;
  // Drawn only when configured, so the sequences of seeds used without it stay as they were.
  if (!lose_answer_rates_.empty() && draw() < rate_of(lose_answer_rates_, operation))
    return Fault::lose_answer;
  return Fault::none;
}

}  // namespace embark::emulator
