#include "call_counts.hpp"

#include <algorithm>

#include <boost/json.hpp>
#include <fmt/format.h>

namespace embark::cli {

CallCounts difference(const CallCounts& after, const CallCounts& before) {
  CallCounts diff;
  for (const auto& [op, n] : after) {
    auto it = before.find(op);
    const std::uint64_t earlier = it == before.end() ? 0 : it->second;
    if (n > earlier) diff[op] = n - earlier;
  }
  return diff;
}

void accumulate(CallCounts& sum, const CallCounts& more) {
  for (const auto& [op, n] : more) sum[op] += n;
}

std::uint64_t total(const CallCounts& counts) {
  std::uint64_t n = 0;
  for (const auto& [op, c] : counts) n += c;
  return n;
}

std::string describe(const CallCounts& counts) {
  std::string text;
  auto append = [&](std::string_view op, std::uint64_t n) {
    if (n == 0) return;
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", op, n);
  };
  for (std::string_view op : kLoginOperations) {
    auto it = counts.find(op);
    if (it != counts.end()) append(op, it->second);
  }
  for (const auto& [op, n] : counts) {
    if (std::find(kLoginOperations.begin(), kLoginOperations.end(), op) == kLoginOperations.end())
      append(op, n);
  }
  return text.empty() ? "none" : text;
}

Result<CallCounts> parse_stats_document(std::string_view json) {
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(json, ec);
  const auto* object = ec ? nullptr : doc.if_object();
  const auto* operations = object ? object->if_contains("operations") : nullptr;
  if (!operations || !operations->is_object()) {
    return fail(ErrorCode::protocol, "the emulator's stats have no \"operations\" object");
  }
  CallCounts counts;
  for (const auto& [op, value] : operations->as_object()) {
    const auto* entry = value.if_object();
    const auto* calls = entry ? entry->if_contains("calls") : nullptr;
    if (!calls || !calls->is_number()) {
      return fail(ErrorCode::protocol,
                  fmt::format("the emulator's stats: operations.{}.calls is not a number",
                              std::string_view(op)));
    }
    counts[std::string(op)] = calls->to_number<std::uint64_t>();
  }
  return counts;
}

}  // namespace embark::cli
