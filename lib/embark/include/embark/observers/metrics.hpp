// MetricsObserver: counters and latency histograms, rendered in the Prometheus text format.
#pragma once

#include <memory>
#include <string>

#include "embark/observer.hpp"

namespace embark {

/// Collects:
///   embark_runs_total{run,result}                     counter
///   embark_run_duration_seconds{run}                  histogram
///   embark_stage_total{stage,strategy,outcome}        counter
///   embark_stage_duration_seconds{stage}              histogram
///   embark_vendor_calls_total{operation,result}       counter (result = ok or an ErrorCode name)
///   embark_vendor_call_duration_seconds{operation}    histogram
///   embark_background_total{what,result}              counter
///   embark_shared_state_errors_total{backend,operation,result}  counter (failed shared-state
///       calls: SharedStateEvent, and the pipeline's "directory-backend"/"token-cache-backend")
/// Thread-safe.
class MetricsObserver final : public Observer {
 public:
  MetricsObserver();
  ~MetricsObserver() override;

  void on_stage(const StageEvent& event) override;
  void on_vendor_call(const VendorCallEvent& event) override;
  void on_run(const RunEvent& event) override;
  void on_background(const BackgroundEvent& event) override;
  void on_shared_state_error(const SharedStateEvent& event) override;

  /// Prometheus text exposition format (version 0.0.4), HELP and TYPE lines included.
  std::string render_prometheus() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace embark
