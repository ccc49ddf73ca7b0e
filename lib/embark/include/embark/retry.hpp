// Retry policies (after google-cloud-cpp: cloneable prototypes) and the shared retry budget.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

#include "embark/client_options.hpp"
#include "embark/error.hpp"

namespace embark {

/// Whether repeating a call can change the outcome on the vendor's side.
enum class Idempotency {
  idempotent,     ///< safe to repeat after any transient failure (listUsers, impersonate, exchange,
                  ///< ...)
  non_idempotent  ///< repeated only when the request cannot have been processed (TLS failure, 429)
};

/// Decides whether a failed attempt may be tried again. A prototype: the client clones it for
/// every call, so one instance is never used by two calls. Not thread-safe; clone() is const.
class RetryPolicy {
 public:
  virtual ~RetryPolicy() = default;
  /// A fresh copy in the initial state.
  virtual std::unique_ptr<RetryPolicy> clone() const = 0;
  /// Records a failed attempt; true when another attempt may follow.
  virtual bool on_failure(const Error& error) = 0;
  /// Whether no further attempt will be allowed.
  virtual bool is_exhausted() const = 0;
};

/// Retries failures marked retryable (connect, TLS, timeout, 429, 502, 503, 504) up to a total
/// number of attempts, the first included.
class LimitedAttemptsRetryPolicy final : public RetryPolicy {
 public:
  /// `max_attempts` < 1 is treated as 1 (no retry).
  explicit LimitedAttemptsRetryPolicy(int max_attempts);
  std::unique_ptr<RetryPolicy> clone() const override;
  bool on_failure(const Error& error) override;
  bool is_exhausted() const override;

 private:
  int max_attempts_;
  int attempts_ = 1;
};

/// Chooses the delay before the next attempt. A prototype like RetryPolicy; not thread-safe.
class BackoffPolicy {
 public:
  virtual ~BackoffPolicy() = default;
  /// A fresh copy in the initial state.
  virtual std::unique_ptr<BackoffPolicy> clone() const = 0;
  /// The delay after the n-th failure (called once per failure, in order).
  virtual std::chrono::milliseconds on_completion() = 0;
};

/// Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, initial *
/// scaling^(n-1))].
class ExponentialBackoffPolicy final : public BackoffPolicy {
 public:
  /// Source of uniform numbers in [0, 1); the default is a per-thread Mersenne twister.
  using Random = std::function<double()>;
  ExponentialBackoffPolicy(std::chrono::milliseconds initial, std::chrono::milliseconds maximum,
                           double scaling = 2.0, Random random = {});
  std::unique_ptr<BackoffPolicy> clone() const override;
  std::chrono::milliseconds on_completion() override;
  /// The upper bound of the next delay (before jitter).
  std::chrono::milliseconds current_cap() const noexcept { return cap_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds maximum_;
  double scaling_;
  Random random_;
  std::chrono::milliseconds cap_;
};

/// A token bucket shared by all calls of one client so that retries stay a small fraction of
/// calls when the vendor is failing: every call deposits `ratio` tokens, every retry spends one,
/// and the bucket holds at most max(1, `min_retries`) tokens (it starts full). Thread-safe.
class RetryBudget {
 public:
  RetryBudget(double ratio, int min_retries);
  /// Settings from RetryOptions::budget_ratio and budget_min_retries.
  explicit RetryBudget(const RetryOptions& options)
      : RetryBudget(options.budget_ratio, options.budget_min_retries) {}
  /// Records a new call (not a retry).
  void on_call();
  /// Takes one token for a retry; false when the budget is exhausted.
  bool try_spend();
  /// Tokens left (for tests and metrics).
  double tokens() const;

 private:
  mutable std::mutex mutex_;
  double ratio_;
  double capacity_;
  double tokens_;
};

}  // namespace embark
