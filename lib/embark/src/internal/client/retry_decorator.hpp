// RetryDecorator: each operation in retry_loop, with the operation's idempotency.
#pragma once

#include <memory>
#include <utility>

#include "embark/retry.hpp"

#include "internal/client/decorator.hpp"
#include "internal/policies/retry_loop.hpp"

namespace embark::internal {

/// Runs each operation in retry_loop (policy and backoff cloned per call, a budget shared by all
/// calls, the call's deadline) with Operation::kIdempotency: deleteUsersFromWorkspace is repeated
/// only when the vendor cannot have acted on it.
class RetryDecorator final : public Decorator<RetryDecorator> {
 public:
  RetryDecorator(std::shared_ptr<CallLayer> inner, std::unique_ptr<RetryPolicy> retry,
                 std::unique_ptr<BackoffPolicy> backoff, std::shared_ptr<RetryBudget> budget,
                 RetryEnvironment environment)
      : Decorator(std::move(inner)),
        retry_(std::move(retry)),
        backoff_(std::move(backoff)),
        budget_(std::move(budget)),
        env_(std::move(environment)) {}

  /// Runs `next` once per attempt, numbering the attempts in ctx.attempt.
  template <class Operation, class Next>
  boost::asio::awaitable<ResultOf<Next>> around(CallContext& ctx, Next next) {
    const RetrySettings settings{
        *retry_, *backoff_, budget_.get(), ctx.deadline, Operation::kIdempotency, Operation::kName};
    co_return co_await retry_loop<typename ResultOf<Next>::value_type>(settings, env_,
                                                                       [&ctx, &next](int n, auto) {
                                                                         ctx.attempt = n;
                                                                         return next();
                                                                       });
  }

 private:
  std::unique_ptr<RetryPolicy> retry_;
  std::unique_ptr<BackoffPolicy> backoff_;
  std::shared_ptr<RetryBudget> budget_;
  RetryEnvironment env_;
};

}  // namespace embark::internal
