#include "embark/observers/metrics.hpp"

#include <array>
#include <map>
#include <mutex>
#include <sstream>

namespace embark {
namespace {

// Seconds; spans a cached login (microseconds) to a slow listUsers of a big workspace.
constexpr std::array<double, 14> kBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                          0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   2.5};

struct Histogram {
  std::array<std::uint64_t, kBuckets.size()> counts{};  // non-cumulative
  std::uint64_t count = 0;
  double sum = 0;

  void observe(std::chrono::microseconds elapsed) {
    const double seconds = static_cast<double>(elapsed.count()) / 1e6;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      if (seconds <= kBuckets[i]) {
        ++counts[i];
        break;
      }
    }
    ++count;
    sum += seconds;
  }
};

// Label values come from embark's own vocabulary; escaping still follows the format's rules.
std::string escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string render_labels(const Labels& labels, std::string_view extra_key = {},
                          std::string_view extra_value = {}) {
  std::string out;
  for (const auto& [k, v] : labels) {
    out += out.empty() ? "{" : ",";
    out += k + "=\"" + escape(v) + "\"";
  }
  if (!extra_key.empty()) {
    out += out.empty() ? "{" : ",";
    out += std::string(extra_key) + "=\"" + std::string(extra_value) + "\"";
  }
  if (!out.empty()) out += "}";
  return out;
}

std::string format_double(double value) {
  std::ostringstream os;
  os.precision(10);
  os << value;
  return os.str();
}

}  // namespace

struct MetricsObserver::State {
  mutable std::mutex mutex;
  std::map<Labels, std::uint64_t> runs, stages, calls, background, shared_state_errors;
  std::map<Labels, Histogram> run_latency, stage_latency, call_latency;
};

MetricsObserver::MetricsObserver() : state_(std::make_unique<State>()) {}
MetricsObserver::~MetricsObserver() = default;

void MetricsObserver::on_stage(const StageEvent& event) {
  std::lock_guard lock(state_->mutex);
  ++state_->stages[{{"stage", std::string(to_string(event.stage))},
                    {"strategy", std::string(event.strategy)},
                    {"outcome", std::string(to_string(event.outcome))}}];
  state_->stage_latency[{{"stage", std::string(to_string(event.stage))}}].observe(event.elapsed);
}

void MetricsObserver::on_vendor_call(const VendorCallEvent& event) {
  std::lock_guard lock(state_->mutex);
  const std::string result = event.error ? std::string(to_string(event.error->code())) : "ok";
  ++state_->calls[{{"operation", std::string(event.operation)}, {"result", result}}];
  state_->call_latency[{{"operation", std::string(event.operation)}}].observe(event.elapsed);
}

void MetricsObserver::on_run(const RunEvent& event) {
  std::lock_guard lock(state_->mutex);
  const std::string result = event.error ? std::string(to_string(event.error->code())) : "ok";
  ++state_->runs[{{"run", std::string(event.run)}, {"result", result}}];
  state_->run_latency[{{"run", std::string(event.run)}}].observe(event.elapsed);
}

void MetricsObserver::on_background(const BackgroundEvent& event) {
  std::lock_guard lock(state_->mutex);
  const std::string result = event.error ? std::string(to_string(event.error->code())) : "ok";
  ++state_->background[{{"what", std::string(event.what)}, {"result", result}}];
  // A failed call of an application's own shared backend is a shared-state error too.
  if (event.error && (event.what == "directory-backend" || event.what == "token-cache-backend")) {
    ++state_->shared_state_errors[{
        {"backend", "custom"}, {"operation", std::string(event.what)}, {"result", result}}];
  }
}

void MetricsObserver::on_shared_state_error(const SharedStateEvent& event) {
  std::lock_guard lock(state_->mutex);
  const std::string result =
      event.error ? std::string(to_string(event.error->code())) : std::string("internal");
  ++state_->shared_state_errors[{{"backend", std::string(event.backend)},
                                 {"operation", std::string(event.operation)},
                                 {"result", result}}];
}

std::string MetricsObserver::render_prometheus() const {
  std::lock_guard lock(state_->mutex);
  std::string out;
  auto counter = [&out](std::string_view name, std::string_view help,
                        const std::map<Labels, std::uint64_t>& series) {
    out += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
    out += "# TYPE " + std::string(name) + " counter\n";
    for (const auto& [labels, value] : series) {
      out += std::string(name) + render_labels(labels) + " " + std::to_string(value) + "\n";
    }
  };
  auto histogram = [&out](std::string_view name, std::string_view help,
                          const std::map<Labels, Histogram>& series) {
    out += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
    out += "# TYPE " + std::string(name) + " histogram\n";
    for (const auto& [labels, h] : series) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += h.counts[i];
        out += std::string(name) + "_bucket" +
               render_labels(labels, "le", format_double(kBuckets[i])) + " " +
               std::to_string(cumulative) + "\n";
      }
      out += std::string(name) + "_bucket" + render_labels(labels, "le", "+Inf") + " " +
             std::to_string(h.count) + "\n";
      out += std::string(name) + "_sum" + render_labels(labels) + " " + format_double(h.sum) + "\n";
      out += std::string(name) + "_count" + render_labels(labels) + " " + std::to_string(h.count) +
             "\n";
    }
  };
  counter("embark_runs_total", "Onboardings and refreshes by result.", state_->runs);
  histogram("embark_run_duration_seconds", "Duration of onboardings and refreshes.",
            state_->run_latency);
  counter("embark_stage_total", "Pipeline stages by strategy and outcome.", state_->stages);
  histogram("embark_stage_duration_seconds", "Duration of pipeline stages.", state_->stage_latency);
  counter("embark_vendor_calls_total", "Vendor calls by operation and result.", state_->calls);
  histogram("embark_vendor_call_duration_seconds", "Duration of vendor calls.",
            state_->call_latency);
  counter("embark_background_total", "Background work (pre-mint) by result.", state_->background);
  counter("embark_shared_state_errors_total",
          "Failed shared-state calls (logins went on with local state).",
          state_->shared_state_errors);
  return out;
}

}  // namespace embark
