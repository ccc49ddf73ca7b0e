// DemoReport: what `embark demo` measured (per login, embark's calls next to the docs' flow's), as
// a summary table or as JSON.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "call_counts.hpp"

namespace embark::cli {

/// One login situation of the demo and the vendor calls each way cost, counted by the emulator.
struct DemoScene {
  std::string situation;   ///< e.g. "new user"
  std::string email;       ///< the user embark onboarded
  std::string docs_email;  ///< the user the docs' flow logged in (same situation, its own user)
  std::size_t logins = 1;  ///< concurrent logins in the scene (the burst has many)
  CallCounts embark;
  std::optional<CallCounts> docs;  ///< nullopt: not measured (the vendor has no emulator counters)
};

/// The demo's measurements. Plain value type; not thread-safe.
struct DemoReport {
  CallCounts setup;  ///< calls of the set-up (provisioning the returning users)
  std::vector<DemoScene> scenes;
  std::optional<CallCounts> emulator;  ///< the emulator's counters over the whole demo, if readable

  /// Calls of every scene by embark.
  CallCounts embark_total() const;
  /// Calls of every scene by the docs' flow (nullopt when any scene was not measured).
  std::optional<CallCounts> docs_total() const;

  /// The summary table, a totals row, and the check against the emulator's own total.
  void print_summary(std::ostream& out) const;
  /// {"setup":{..}, "scenes":[{"situation","email","docs_email","logins","embark":{"calls",
  /// "operations"},"docs_flow":{..}|null}], "totals":{"setup","embark","docs_flow"},
  /// "emulator":{"calls","operations"}|null}.
  boost::json::object to_json() const;
};

/// {"calls": total, "operations": {op: calls}}.
boost::json::object counts_json(const CallCounts& counts);

}  // namespace embark::cli
