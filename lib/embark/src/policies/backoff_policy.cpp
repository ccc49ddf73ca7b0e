#include <algorithm>
#include <random>

#include "embark/retry.hpp"

namespace embark {
namespace {

double default_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

ExponentialBackoffPolicy::ExponentialBackoffPolicy(std::chrono::milliseconds initial,
                                                   std::chrono::milliseconds maximum,
                                                   double scaling, Random random)
    : initial_(std::max(initial, std::chrono::milliseconds(0))),
      maximum_(std::max(maximum, initial_)),
      scaling_(std::max(scaling, 1.0)),
      random_(random ? std::move(random) : Random(default_random)),
      cap_(initial_) {}

std::unique_ptr<BackoffPolicy> ExponentialBackoffPolicy::clone() const {
  return std::make_unique<ExponentialBackoffPolicy>(initial_, maximum_, scaling_, random_);
}

std::chrono::milliseconds ExponentialBackoffPolicy::on_completion() {
  const auto cap = cap_;
  const double grown = static_cast<double>(cap_.count()) * scaling_;
  cap_ = std::chrono::milliseconds(
      static_cast<long long>(std::min(grown, static_cast<double>(maximum_.count()))));
  const double r = std::clamp(random_(), 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(r * static_cast<double>(cap.count())));
}

}  // namespace embark
