// LoggingDecorator: one log line per attempt, just above GraphqlLayer.
#pragma once

#include <chrono>
#include <string_view>

#include "internal/client/decorator.hpp"

namespace embark::internal {

/// Logs one attempt: LogLevel::trace when it succeeded, LogLevel::debug with the error otherwise
/// (operation, attempt, outcome, HTTP status, latency, bearer fingerprint). Never logs a secret.
void log_attempt(std::string_view operation, const CallContext& ctx,
                 std::chrono::steady_clock::time_point start, const Error* error);

/// Logs every attempt of every operation (see log_attempt).
class LoggingDecorator final : public Decorator<LoggingDecorator> {
 public:
  using Decorator::Decorator;

  /// Runs `next` and logs its outcome.
  template <class Operation, class Next>
  boost::asio::awaitable<ResultOf<Next>> around(CallContext& ctx, Next next) {
    const auto start = std::chrono::steady_clock::now();
    ResultOf<Next> result = co_await next();
    if (result) {
      log_attempt(Operation::kName, ctx, start, nullptr);
    } else {
      const Error error = result.error();
      log_attempt(Operation::kName, ctx, start, &error);
    }
    co_return result;
  }
};

}  // namespace embark::internal
