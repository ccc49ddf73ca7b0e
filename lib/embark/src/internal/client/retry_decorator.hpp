// RetryDecorator: each call in retry_loop, with the operation's idempotency.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "embark/retry.hpp"

#include "internal/client/decorator.hpp"
#include "internal/policies/retry_loop.hpp"

namespace embark::internal {

/// Runs each call in retry_loop (policy and backoff cloned per call, a budget shared by all
/// calls, the call's deadline, the shared vendor rate limit before every attempt) with the
/// operation's idempotency: a non-idempotent call (createUsers, deleteUsersFromWorkspace) is
/// repeated only when the vendor cannot have acted on it.
class RetryDecorator final : public Decorator {
 public:
  RetryDecorator(std::shared_ptr<CallLayer> inner, std::unique_ptr<RetryPolicy> retry,
                 std::unique_ptr<BackoffPolicy> backoff, std::shared_ptr<RetryBudget> budget,
                 RetryEnvironment environment, std::shared_ptr<RateLimiter> limiter = nullptr,
                 std::string limiter_bucket = {})
      : Decorator(std::move(inner)),
        retry_(std::move(retry)),
        backoff_(std::move(backoff)),
        budget_(std::move(budget)),
        env_(std::move(environment)),
        limiter_(std::move(limiter)),
        limiter_bucket_(std::move(limiter_bucket)) {}

  /// Runs the inner call once per attempt, numbering the attempts in ctx.attempt.
  boost::asio::awaitable<Result<void>> call(CallContext& ctx, const OperationInfo& operation,
                                            CallBody& body) override {
    const RetrySettings settings{
        *retry_,        *backoff_,      budget_.get(),  ctx.deadline, operation.idempotency,
        operation.name, limiter_.get(), limiter_bucket_};
    co_return co_await retry_loop<void>(settings, env_, [&](int n, auto) {
      ctx.attempt = n;
      return next(ctx, operation, body);
    });
  }

 private:
  std::unique_ptr<RetryPolicy> retry_;
  std::unique_ptr<BackoffPolicy> backoff_;
  std::shared_ptr<RetryBudget> budget_;
  RetryEnvironment env_;
  std::shared_ptr<RateLimiter> limiter_;
  std::string limiter_bucket_;
};

}  // namespace embark::internal
