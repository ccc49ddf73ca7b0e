#include "session_output.hpp"

#include <fmt/format.h>

#include "format.hpp"
#include "table.hpp"

namespace embark::cli {

std::string format_duration(std::chrono::microseconds elapsed) {
  return fmt::format("{:.2f} ms", static_cast<double>(elapsed.count()) / 1000.0);
}

void print_stages(std::ostream& out, const Session& session) {
  Table table({"stage", "strategy", "outcome", "calls", "time"});
  for (const StageReport& s : session.stages) {
    table.add_row({std::string(to_string(s.stage)), s.strategy, std::string(to_string(s.outcome)),
                   std::to_string(s.vendor_calls), format_duration(s.elapsed)});
  }
  table.render(out);
}

boost::json::object session_json(const Session& session, bool with_embed_url) {
  boost::json::array stages;
  for (const StageReport& s : session.stages) {
    stages.push_back(boost::json::object{{"stage", to_string(s.stage)},
                                         {"strategy", s.strategy},
                                         {"outcome", to_string(s.outcome)},
                                         {"vendor_calls", s.vendor_calls},
                                         {"elapsed_us", s.elapsed.count()}});
  }
  boost::json::object out{{"email", session.email},
                          {"workspace", session.workspace},
                          {"user_id", session.user_id},
                          {"expires_at", format_time(session.expires_at)},
                          {"vendor_calls", session.vendor_calls},
                          {"joined_in_flight", session.joined_in_flight},
                          {"elapsed_us", session.elapsed.count()},
                          {"stages", std::move(stages)}};
  if (with_embed_url && !session.embed_url.empty()) out["embed_url"] = session.embed_url.reveal();
  return out;
}

}  // namespace embark::cli
