// How an onboarding's Session is shown: the per-stage table, or JSON.
#pragma once

#include <iosfwd>

#include <boost/json/object.hpp>

#include "embark/session.hpp"

namespace embark::cli {

/// Stage, strategy, outcome, vendor calls and time per stage, as a table.
void print_stages(std::ostream& out, const Session& session);

/// The session without its JWT; the embed URL (which carries the JWT) only when asked.
boost::json::object session_json(const Session& session, bool with_embed_url);

/// "1.23 ms".
std::string format_duration(std::chrono::microseconds elapsed);

}  // namespace embark::cli
