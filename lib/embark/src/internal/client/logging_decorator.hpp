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
class LoggingDecorator final : public Decorator {
 public:
  using Decorator::Decorator;

  boost::asio::awaitable<Result<void>> call(CallContext& ctx, const OperationInfo& operation,
                                            CallBody& body) override;
};

}  // namespace embark::internal
