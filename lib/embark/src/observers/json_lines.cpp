#include "embark/observers/json_lines.hpp"

#include <ctime>
#include <ostream>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace embark {
namespace {

std::string timestamp(std::chrono::system_clock::time_point now) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
  return std::string(buf, n) + frac;
}

void add_error(boost::json::object& line, const Error* error) {
  if (error == nullptr) return;
  boost::json::object e;
  e["code"] = to_string(error->code());
  // Validation messages are embark's own and never echo input; other messages may quote the
  // vendor (which can name the user), so only their code and context are logged.
  if (error->code() == ErrorCode::invalid_input) e["message"] = error->message();
  if (!error->stage().empty()) e["stage"] = error->stage();
  if (!error->strategy().empty()) e["strategy"] = error->strategy();
  if (!error->operation().empty()) e["operation"] = error->operation();
  if (!error->field().empty()) e["field"] = error->field();
  if (error->http_status() != 0) e["http"] = error->http_status();
  e["retryable"] = error->retryable();
  line["error"] = std::move(e);
}

}  // namespace

JsonLinesObserver::JsonLinesObserver(std::function<void(std::string_view)> sink, Clock clock)
    : sink_(std::move(sink)), clock_(std::move(clock)) {}

JsonLinesObserver::JsonLinesObserver(std::ostream& out, Clock clock)
    : sink_([&out](std::string_view line) { out << line << '\n'
                                                << std::flush; }),
      clock_(std::move(clock)) {}

void JsonLinesObserver::emit(const std::string& line) {
  std::lock_guard lock(mutex_);
  sink_(line);
}

void JsonLinesObserver::on_stage(const StageEvent& event) {
  boost::json::object line;
  line["ts"] = timestamp(clock_());
  line["event"] = "stage";
  line["run"] = event.run;
  line["stage"] = to_string(event.stage);
  line["strategy"] = event.strategy;
  line["outcome"] = to_string(event.outcome);
  line["calls"] = event.vendor_calls;
  line["us"] = event.elapsed.count();
  line["workspace"] = event.workspace;
  line["user"] = event.user;
  add_error(line, event.error);
  emit(boost::json::serialize(line));
}

void JsonLinesObserver::on_vendor_call(const VendorCallEvent& event) {
  boost::json::object line;
  line["ts"] = timestamp(clock_());
  line["event"] = "vendor_call";
  line["operation"] = event.operation;
  line["us"] = event.elapsed.count();
  line["ok"] = event.error == nullptr;
  add_error(line, event.error);
  emit(boost::json::serialize(line));
}

void JsonLinesObserver::on_run(const RunEvent& event) {
  boost::json::object line;
  line["ts"] = timestamp(clock_());
  line["event"] = "run";
  line["run"] = event.run;
  line["workspace"] = event.workspace;
  line["user"] = event.user;
  line["joined"] = event.joined_in_flight;
  line["calls"] = event.vendor_calls;
  line["us"] = event.elapsed.count();
  line["ok"] = event.error == nullptr;
  add_error(line, event.error);
  emit(boost::json::serialize(line));
}

void JsonLinesObserver::on_background(const BackgroundEvent& event) {
  boost::json::object line;
  line["ts"] = timestamp(clock_());
  line["event"] = "background";
  line["what"] = event.what;
  line["workspace"] = event.workspace;
  line["user"] = event.user;
  line["ok"] = event.error == nullptr;
  add_error(line, event.error);
  emit(boost::json::serialize(line));
}

}  // namespace embark
