// Counters and a latency histogram of the sample app, rendered in the Prometheus text format.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "embark/observers/metrics.hpp"

namespace embark::sample {

/// Outcome of a login attempt, a label of sample_logins_total.
enum class LoginOutcome { success, bad_credentials, csrf_rejected, throttled, overloaded, count_ };
/// Outcome of a token refresh, a label of sample_token_refreshes_total.
enum class RefreshOutcome { success, unauthenticated, csrf_rejected, vendor_error, count_ };

/// The app's metrics, followed by embark's own (runs, stages and their outcomes, vendor calls)
/// when an embark::MetricsObserver is given. Thread-safe: counters are atomics, the histogram
/// takes a mutex.
class Metrics {
 public:
  /// `embark`: the observer the app's Onboarder reports to (null: the app's metrics only).
  explicit Metrics(std::shared_ptr<const embark::MetricsObserver> embark = nullptr)
      : embark_(std::move(embark)) {}

  /// Upper bounds (seconds) of the onboarding latency buckets; +Inf is implicit.
  static constexpr std::array<double, 10> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1,
                                                   0.25,  0.5,  1,     2.5,  5};

  /// Counts one login attempt.
  void count_login(LoginOutcome outcome) noexcept;
  /// Counts one logout.
  void count_logout() noexcept;
  /// Counts one token refresh request.
  void count_refresh(RefreshOutcome outcome) noexcept;
  /// Records one onboarding (login-time call into embark) and whether it failed.
  void observe_onboarding(std::chrono::nanoseconds duration, bool failed);

  /// All metrics (the app's, then embark's) in the Prometheus text exposition format (0.0.4).
  std::string render() const;

 private:
  std::shared_ptr<const embark::MetricsObserver> embark_;
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(LoginOutcome::count_)> logins_{};
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(RefreshOutcome::count_)>
      refreshes_{};
  std::atomic<std::uint64_t> logouts_{0};
  std::atomic<std::uint64_t> onboarding_failures_{0};
  mutable std::mutex histogram_mutex_;
  std::array<std::uint64_t, kBuckets.size()> bucket_counts_{};  // non-cumulative
  std::uint64_t onboarding_count_ = 0;
  double onboarding_sum_seconds_ = 0;
};

}  // namespace embark::sample
