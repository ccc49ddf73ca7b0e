#include "faults/fault_injector.hpp"

#include <array>

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

constexpr std::array<std::pair<InjectedFault, std::string_view>, 15> kNames{{
    {InjectedFault::none, "none"},
    {InjectedFault::fail, "fail"},
    {InjectedFault::bad_gateway, "bad_gateway"},
    {InjectedFault::unavailable, "unavailable"},
    {InjectedFault::throttle, "throttle"},
    {InjectedFault::reset, "reset"},
    {InjectedFault::truncate, "truncate"},
    {InjectedFault::slow, "slow"},
    {InjectedFault::hang, "hang"},
    {InjectedFault::malformed_json, "malformed_json"},
    {InjectedFault::graphql_error, "graphql_error"},
    {InjectedFault::interim, "interim"},
    {InjectedFault::oversized, "oversized"},
    {InjectedFault::accept_reset, "accept_reset"},
    {InjectedFault::tls_garbage, "tls_garbage"},
}};

}  // namespace

std::string_view to_string(InjectedFault fault) noexcept {
  for (const auto& [f, name] : kNames) {
    if (f == fault) return name;
  }
  return "none";
}

std::optional<InjectedFault> parse_fault(std::string_view name) noexcept {
  for (const auto& [f, n] : kNames) {
    if (n == name) return f;
  }
  return std::nullopt;
}

FaultInjector::FaultInjector(const Options& options)
    : fail_rates_(options.fail_rates),
      throttle_rates_(options.throttle_rates),
      reset_rate_(options.reset_rate),
      truncate_rate_(options.truncate_rate),
      seed_(options.seed) {
  for (const auto& [fault, rate] : options.fault_rates) {
    if (rate <= 0 || fault == Fault::none) continue;
    (is_connection_fault(fault) ? connection_rates_ : request_rates_).emplace_back(fault, rate);
  }
  enabled_ = any_positive(options.fail_rates) || any_positive(options.throttle_rates) ||
             options.reset_rate > 0 || options.truncate_rate > 0 || !request_rates_.empty();
  connection_enabled_ = !connection_rates_.empty();
}

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

void FaultInjector::script(std::string operation, Fault fault, int times) {
  if (times <= 0 || fault == Fault::none) return;
  std::lock_guard lock(script_mutex_);
  script_.push_back({std::move(operation), fault, times});
  scripted_.store(true, std::memory_order_release);
}

void FaultInjector::clear_script() {
  std::lock_guard lock(script_mutex_);
  script_.clear();
  scripted_.store(false, std::memory_order_release);
}

bool FaultInjector::take_scripted(std::string_view operation, bool connection, Fault& out) {
  if (!scripted_.load(std::memory_order_acquire)) return false;
  std::lock_guard lock(script_mutex_);
  for (auto it = script_.begin(); it != script_.end(); ++it) {
    if (is_connection_fault(it->fault) != connection) continue;
    if (!connection && it->operation != "*" && it->operation != operation) continue;
    out = it->fault;
    if (--it->left == 0) script_.erase(it);
    if (script_.empty()) scripted_.store(false, std::memory_order_release);
    return true;
  }
  return false;
}

Fault FaultInjector::decide(std::string_view operation) {
  Fault scripted = Fault::none;
  if (take_scripted(operation, false, scripted)) return scripted;
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
  for (const auto& [fault, rate] : request_rates_) {
    if (draw() < rate) return fault;
  }
  return Fault::none;
}

Fault FaultInjector::decide_connection() {
  Fault scripted = Fault::none;
  if (take_scripted("", true, scripted)) return scripted;
  if (!connection_enabled_) return Fault::none;
  for (const auto& [fault, rate] : connection_rates_) {
    const std::uint64_t n = connection_counter_.fetch_add(1, std::memory_order_relaxed);
    if (static_cast<double>(mix(~seed_ ^ mix(n)) >> 11) * 0x1.0p-53 < rate) return fault;
  }
  return Fault::none;
}

}  // namespace embark::emulator
