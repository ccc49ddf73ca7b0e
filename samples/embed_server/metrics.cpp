#include "metrics.hpp"

#include <fmt/format.h>

namespace embark::sample {
namespace {

constexpr const char* kLoginLabels[] = {"success", "bad_credentials", "csrf_rejected", "throttled",
                                        "overloaded"};
constexpr const char* kRefreshLabels[] = {"success", "unauthenticated", "csrf_rejected",
                                          "vendor_error"};

}  // namespace

void Metrics::count_login(LoginOutcome outcome) noexcept {
  ++logins_[static_cast<std::size_t>(outcome)];
}
void Metrics::count_logout() noexcept { ++logouts_; }
void Metrics::count_refresh(RefreshOutcome outcome) noexcept {
  ++refreshes_[static_cast<std::size_t>(outcome)];
}

void Metrics::observe_onboarding(std::chrono::nanoseconds duration, bool failed) {
  if (failed) ++onboarding_failures_;
  double seconds = std::chrono::duration<double>(duration).count();
  std::lock_guard lock(histogram_mutex_);
  ++onboarding_count_;
  onboarding_sum_seconds_ += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++bucket_counts_[i];
      break;
    }
  }
}

std::string Metrics::render() const {
  std::string out;
  auto it = std::back_inserter(out);

  fmt::format_to(it,
                 "# HELP sample_logins_total Login attempts by outcome.\n# TYPE "
                 "sample_logins_total counter\n");
  for (std::size_t i = 0; i < logins_.size(); ++i) {
    fmt::format_to(it, "sample_logins_total{{outcome=\"{}\"}} {}\n", kLoginLabels[i],
                   logins_[i].load());
  }
  fmt::format_to(it, "# HELP sample_logouts_total Logouts.\n# TYPE sample_logouts_total counter\n");
  fmt::format_to(it, "sample_logouts_total {}\n", logouts_.load());
  fmt::format_to(it,
                 "# HELP sample_token_refreshes_total Token refresh requests from the iframe "
                 "bridge by outcome.\n"
                 "# TYPE sample_token_refreshes_total counter\n");
  for (std::size_t i = 0; i < refreshes_.size(); ++i) {
    fmt::format_to(it, "sample_token_refreshes_total{{outcome=\"{}\"}} {}\n", kRefreshLabels[i],
                   refreshes_[i].load());
  }
  fmt::format_to(
      it,
      "# HELP sample_onboarding_failures_total Login-time onboardings into WisdomAI that failed.\n"
      "# TYPE sample_onboarding_failures_total counter\n");
  fmt::format_to(it, "sample_onboarding_failures_total {}\n", onboarding_failures_.load());

  std::lock_guard lock(histogram_mutex_);
  fmt::format_to(
      it,
      "# HELP sample_onboarding_duration_seconds Time of the login-time onboarding into WisdomAI.\n"
      "# TYPE sample_onboarding_duration_seconds histogram\n");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += bucket_counts_[i];
    fmt::format_to(it, "sample_onboarding_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[i],
                   cumulative);
  }
  fmt::format_to(it, "sample_onboarding_duration_seconds_bucket{{le=\"+Inf\"}} {}\n",
                 onboarding_count_);
  fmt::format_to(it, "sample_onboarding_duration_seconds_sum {}\n", onboarding_sum_seconds_);
  fmt::format_to(it, "sample_onboarding_duration_seconds_count {}\n", onboarding_count_);
  if (embark_) out += embark_->render_prometheus();
  return out;
}

}  // namespace embark::sample
