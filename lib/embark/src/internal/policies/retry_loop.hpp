// The retry loop (docs/architecture.md#retry-and-policies): a free function with an injectable
// clock and sleeper.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "embark/log.hpp"
#include "embark/result.hpp"
#include "embark/retry.hpp"
#include "embark/shared_state.hpp"

namespace embark::internal {

/// Time as the retry loop sees it; tests replace both functions.
struct RetryEnvironment {
  using Clock = std::chrono::steady_clock;
  std::function<Clock::time_point()> now;
  /// Waits; Error{cancelled} when the wait was cancelled.
  std::function<boost::asio::awaitable<Result<void>>(std::chrono::milliseconds)> sleep;
};

/// steady_clock and an asio::steady_timer on the awaiting coroutine's executor.
RetryEnvironment real_retry_environment();

/// What one call's retries obey.
struct RetrySettings {
  const RetryPolicy& retry;       ///< prototype, cloned per call
  const BackoffPolicy& backoff;   ///< prototype, cloned per call
  RetryBudget* budget = nullptr;  ///< shared by all calls of a client; null = unlimited
  RetryEnvironment::Clock::time_point deadline;
  Idempotency idempotency = Idempotency::idempotent;
  std::string_view operation;  ///< vendor operation name, for errors and logs
  /// Consulted before every attempt, retries included; null = no client-side rate limit.
  RateLimiter* limiter = nullptr;
  std::string_view limiter_bucket;  ///< the bucket's name (the client's workspace)
};

/// Whether a failure of a non-idempotent call proves the vendor did not act on the request:
/// a failed TLS handshake precedes sending it, and 429 is a refusal to process it.
inline bool never_processed(const Error& error) {
  return error.code() == ErrorCode::tls || error.code() == ErrorCode::rate_limited;
}

/// Error{deadline_exceeded} for `operation`, keeping what the last attempt said.
inline Error deadline_error(std::string_view operation, const Error* last, std::string why) {
  Error error(ErrorCode::deadline_exceeded, std::move(why));
  error.with_operation(std::string(operation)).with_retryable(false);
  if (last) {
    if (last->http_status() != 0) error.with_http_status(last->http_status());
    for (const auto& m : last->graphql_messages()) error.with_graphql_message(m);
    if (last->retry_after()) error.with_retry_after(*last->retry_after());
  }
  return error;
}

/// Waits for a token of the shared rate limit before an attempt: ok when one was taken, else
/// Error{deadline_exceeded} (the next token is due past the deadline) or Error{cancelled}.
inline boost::asio::awaitable<Result<void>> await_rate_limit(const RetrySettings& settings,
                                                             const RetryEnvironment& env,
                                                             const Error* last) {
  for (;;) {
    const auto wait = co_await settings.limiter->async_acquire(settings.limiter_bucket);
    if (wait <= std::chrono::milliseconds(0)) co_return Result<void>();
    if (env.now() + wait >= settings.deadline) {
      co_return deadline_error(
          settings.operation, last,
          fmt::format("the shared vendor rate limit has no token before the deadline (next in {} "
                      "ms)",
                      wait.count()));
    }
    auto slept = co_await env.sleep(wait);
    if (!slept) co_return Error(slept.error()).with_operation(std::string(settings.operation));
  }
}

/// Calls `attempt(n, deadline)` (n = 1, 2, ...) until it succeeds, fails permanently, the retry
/// policy or the retry budget says stop, or the deadline passes. Between attempts it sleeps the
/// backoff delay, or the server's Retry-After when longer; a delay that would end past the
/// deadline ends the loop at once with Error{deadline_exceeded}. With a rate limiter, every
/// attempt (the first and each retry) waits for a token first. Cancellation of the awaiting
/// coroutine ends it with Error{cancelled}.
template <class T, class Attempt>
boost::asio::awaitable<Result<T>> retry_loop(RetrySettings settings, RetryEnvironment env,
                                             Attempt attempt) {
  auto retry = settings.retry.clone();
  auto backoff = settings.backoff.clone();
  if (settings.budget) settings.budget->on_call();
  std::optional<Error> last;
  for (int n = 1;; ++n) {
    const auto start = env.now();
    if (start >= settings.deadline) {
      co_return deadline_error(settings.operation, nullptr,
                               "the call's deadline passed before it could be sent");
    }
    if (settings.limiter) {
      auto admitted = co_await await_rate_limit(settings, env, last ? &*last : nullptr);
      if (!admitted) co_return std::move(admitted).error();
    }
    Result<T> result = co_await attempt(n, settings.deadline);
    if (result) co_return result;
    Error error = std::move(result).error();
    auto cs = co_await boost::asio::this_coro::cancellation_state;
    if (error.code() == ErrorCode::cancelled ||
        cs.cancelled() != boost::asio::cancellation_type::none) {
      co_return Error(ErrorCode::cancelled, "the call was cancelled")
          .with_operation(std::string(settings.operation));
    }
    if (error.code() == ErrorCode::deadline_exceeded) co_return error;
    if (!error.retryable()) co_return error;
    if (settings.idempotency == Idempotency::non_idempotent && !never_processed(error))
      co_return error;
    if (!retry->on_failure(error)) {
      logf(LogLevel::debug, "retry", "{}: giving up after {} attempts: {}", settings.operation, n,
           error.to_string());
      co_return error;
    }
    auto delay = backoff->on_completion();
    if (error.retry_after() && *error.retry_after() > delay) delay = *error.retry_after();
    const auto now = env.now();
    if (now + delay >= settings.deadline) {
      co_return deadline_error(
          settings.operation, &error,
          fmt::format(
              "the next attempt (after {} ms) would start past the deadline; last error: {}",
              delay.count(), error.to_string()));
    }
    if (settings.budget && !settings.budget->try_spend()) {
      logf(LogLevel::warn, "retry", "{}: retry budget exhausted, not retrying: {}",
           settings.operation, error.to_string());
      co_return error;
    }
    logf(LogLevel::debug, "retry", "{}: attempt {} failed ({}), retrying in {} ms",
         settings.operation, n, embark::to_string(error.code()), delay.count());
    auto slept = co_await env.sleep(delay);
    if (!slept) co_return Error(slept.error()).with_operation(std::string(settings.operation));
    last = std::move(error);
  }
}

}  // namespace embark::internal
