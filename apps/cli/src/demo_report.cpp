#include "demo_report.hpp"

#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "table.hpp"

namespace embark::cli {

boost::json::object counts_json(const CallCounts& counts) {
  boost::json::object operations;
  for (const auto& [op, n] : counts) operations[op] = n;
  return {{"calls", total(counts)}, {"operations", std::move(operations)}};
}

CallCounts DemoReport::embark_total() const {
  CallCounts sum;
  for (const DemoScene& scene : scenes) accumulate(sum, scene.embark);
  return sum;
}

std::optional<CallCounts> DemoReport::docs_total() const {
  CallCounts sum;
  for (const DemoScene& scene : scenes) {
    if (!scene.docs) return std::nullopt;
    accumulate(sum, *scene.docs);
  }
  return sum;
}

void DemoReport::print_summary(std::ostream& out) const {
  fmt::print(out, "\nSummary (vendor calls per situation, counted by the emulator):\n");
  Table table({"situation", "embark", "docs' flow"});
  for (const DemoScene& scene : scenes) {
    table.add_row({scene.situation, std::to_string(total(scene.embark)),
                   scene.docs ? std::to_string(total(*scene.docs)) : "not measured"});
  }
  const std::uint64_t embark = total(embark_total());
  const auto docs = docs_total();
  table.add_row(
      {"total", std::to_string(embark), docs ? std::to_string(total(*docs)) : "not measured"});
  table.render(out);
  if (!emulator) return;
  const std::uint64_t counted = total(*emulator);
  const std::uint64_t parts = total(setup) + embark + (docs ? total(*docs) : 0);
  fmt::print(
      out,
      "The emulator counted {} calls during the demo: {} set-up + {} embark + {} docs' flow{}.\n",
      counted, total(setup), embark, docs ? total(*docs) : 0,
      counted == parts
          ? ""
          : fmt::format(" (and {} from elsewhere)", static_cast<std::int64_t>(counted - parts)));
}

boost::json::object DemoReport::to_json() const {
  boost::json::array scene_array;
  for (const DemoScene& scene : scenes) {
    boost::json::object s{{"situation", scene.situation},
                          {"email", scene.email},
                          {"docs_email", scene.docs_email},
                          {"logins", scene.logins},
                          {"embark", counts_json(scene.embark)}};
    if (scene.docs) {
      s["docs_flow"] = counts_json(*scene.docs);
    } else {
      s["docs_flow"] = nullptr;
    }
    scene_array.push_back(std::move(s));
  }
  const auto docs = docs_total();
  boost::json::object totals{{"setup", total(setup)}, {"embark", total(embark_total())}};
  if (docs) {
    totals["docs_flow"] = total(*docs);
  } else {
    totals["docs_flow"] = nullptr;
  }
  boost::json::object doc{{"setup", counts_json(setup)},
                          {"scenes", std::move(scene_array)},
                          {"totals", std::move(totals)}};
  if (emulator) {
    doc["emulator"] = counts_json(*emulator);
  } else {
    doc["emulator"] = nullptr;
  }
  return doc;
}

}  // namespace embark::cli
