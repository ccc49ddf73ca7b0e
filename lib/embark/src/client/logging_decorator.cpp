#include "internal/client/logging_decorator.hpp"

#include <string>

#include "embark/log.hpp"

namespace embark::internal {

void log_attempt(std::string_view operation, const CallContext& ctx,
                 std::chrono::steady_clock::time_point start, const Error* error) {
  const auto level = error ? LogLevel::debug : LogLevel::trace;
  if (!log_enabled(level)) return;
  const auto ms = static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::steady_clock::now() - start)
                                          .count()) /
                  1000.0;
  const std::string bearer = ctx.bearer ? ctx.bearer->redacted() : std::string("none");
  if (!error) {
    logf(level, "call", "{} attempt={} status=ok latency_ms={:.1f} bearer={}", operation,
         ctx.attempt, ms, bearer);
  } else {
    logf(level, "call", "{} attempt={} status={} http={} latency_ms={:.1f} bearer={} error=\"{}\"",
         operation, ctx.attempt, embark::to_string(error->code()), error->http_status(), ms, bearer,
         error->to_string());
  }
}

boost::asio::awaitable<Result<void>> LoggingDecorator::call(CallContext& ctx,
                                                            const OperationInfo& operation,
                                                            CallBody& body) {
  const auto start = std::chrono::steady_clock::now();
  Result<void> result = co_await next(ctx, operation, body);
  if (result) {
    log_attempt(operation.name, ctx, start, nullptr);
  } else {
    const Error error = result.error();
    log_attempt(operation.name, ctx, start, &error);
  }
  co_return result;
}

}  // namespace embark::internal
