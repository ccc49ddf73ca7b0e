#include "internal/client/connection_factory.hpp"

#include "internal/client/decorators.hpp"
#include "internal/client/graphql_stub.hpp"

namespace embark::internal {
namespace {

boost::asio::awaitable<Result<SessionToken>> exchange_through(std::shared_ptr<WisdomStub> stub,
                                                              std::chrono::steady_clock::time_point deadline) {
  CallContext ctx{deadline, std::nullopt, 1};
  co_return co_await stub->exchange_access_token(ctx);
}

}  // namespace

ConnectionStack make_connection_stack(const ClientOptions& options, ConnectionParts parts) {
  ConnectionStack out;
  std::shared_ptr<WisdomStub> stub = std::make_shared<GraphqlStub>(
      parts.transport, parts.target, options.access_key, options.transport.operation_timeout, parts.wall_clock);
  stub = std::make_shared<LoggingStub>(std::move(stub));
  auto retry = parts.retry ? parts.retry->clone()
                           : std::unique_ptr<RetryPolicy>(new LimitedAttemptsRetryPolicy(options.retry.max_attempts));
  auto backoff = parts.backoff ? parts.backoff->clone()
                               : std::unique_ptr<BackoffPolicy>(new ExponentialBackoffPolicy(
                                     options.retry.initial_backoff, options.retry.max_backoff));
  out.budget = std::make_shared<RetryBudget>(options.retry);
  auto now = parts.environment.now;
  stub = std::make_shared<RetryStub>(std::move(stub), std::move(retry), std::move(backoff), out.budget,
                                     std::move(parts.environment));
  if (!options.api_token.empty()) {
    out.bearer = std::make_shared<BearerSource>(options.api_token);
  } else {
    out.bearer = std::make_shared<BearerSource>(
        [stub](std::chrono::steady_clock::time_point deadline) { return exchange_through(stub, deadline); },
        parts.wall_clock);
  }
  stub = std::make_shared<AuthStub>(std::move(stub), out.bearer);
  out.connection = std::make_shared<StubConnection>(std::move(stub), options.call_deadline, std::move(now));
  return out;
}

}  // namespace embark::internal
