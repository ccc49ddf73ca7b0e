#include <algorithm>

#include "embark/retry.hpp"

namespace embark {

LimitedAttemptsRetryPolicy::LimitedAttemptsRetryPolicy(int max_attempts)
    : max_attempts_(std::max(1, max_attempts)) {}

std::unique_ptr<RetryPolicy> LimitedAttemptsRetryPolicy::clone() const {
  return std::make_unique<LimitedAttemptsRetryPolicy>(max_attempts_);
}

bool LimitedAttemptsRetryPolicy::on_failure(const Error& error) {
  if (!error.retryable()) return false;
  if (attempts_ >= max_attempts_) return false;
  ++attempts_;
  return true;
}

bool LimitedAttemptsRetryPolicy::is_exhausted() const { return attempts_ >= max_attempts_; }

}  // namespace embark
