#include <algorithm>

#include "embark/retry.hpp"

namespace embark {

RetryBudget::RetryBudget(double ratio, int min_retries)
    : ratio_(std::clamp(ratio, 0.0, 1.0)),
      capacity_(static_cast<double>(std::max(1, min_retries))),
      tokens_(capacity_) {}

void RetryBudget::on_call() {
  std::lock_guard lock(mutex_);
  tokens_ = std::min(capacity_, tokens_ + ratio_);
}

bool RetryBudget::try_spend() {
  std::lock_guard lock(mutex_);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

double RetryBudget::tokens() const {
  std::lock_guard lock(mutex_);
  return tokens_;
}

}  // namespace embark
