#include "http/stats_registry.hpp"

namespace embark::emulator {
namespace {

boost::json::object counters(const OperationStats& s) {
  return {{"calls", s.calls}, {"response_bytes", s.response_bytes}, {"faults", s.faults}};
}

void add(OperationStats& s, std::uint64_t bytes, bool faulted) {
  ++s.calls;
  s.response_bytes += bytes;
  if (faulted) ++s.faults;
}

}  // namespace

void StatsRegistry::record(std::string_view operation, std::uint64_t response_bytes, bool faulted) {
  std::lock_guard lock(mutex_);
  auto it = stats_.operations.find(operation);
  if (it == stats_.operations.end())
    it = stats_.operations.emplace(std::string(operation), OperationStats{}).first;
  add(it->second, response_bytes, faulted);
  add(stats_.total, response_bytes, faulted);
}

Stats StatsRegistry::snapshot() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void StatsRegistry::reset() {
  std::lock_guard lock(mutex_);
  stats_ = Stats{};
}

boost::json::object StatsRegistry::to_json(const Stats& stats) {
  boost::json::object ops;
  for (const auto& [name, s] : stats.operations) ops[name] = counters(s);
  return {{"operations", std::move(ops)}, {"total", counters(stats.total)}};
}

}  // namespace embark::emulator
