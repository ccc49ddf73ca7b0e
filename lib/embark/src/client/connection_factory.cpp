#include "internal/client/connection_factory.hpp"

#include "internal/client/auth_decorator.hpp"
#include "internal/client/graphql_layer.hpp"
#include "internal/client/logging_decorator.hpp"
#include "internal/client/retry_decorator.hpp"
#include "internal/graphql/operations.hpp"

namespace embark::internal {
namespace {

boost::asio::awaitable<Result<SessionToken>> exchange_through(
    std::shared_ptr<CallLayer> layer, std::chrono::steady_clock::time_point deadline) {
  CallContext ctx{deadline, std::nullopt, 1};
  const ExchangeRequest request;
  TypedCall<ExchangeOperation> body(request);
  auto done = co_await layer->call(ctx, operation_info<ExchangeOperation>(), body);
  if (!done) co_return std::move(done).error();
  co_return body.take();
}

}  // namespace

ConnectionStack make_connection_stack(const ClientOptions& options, ConnectionParts parts) {
  ConnectionStack out;
  std::shared_ptr<CallLayer> layer =
      std::make_shared<GraphqlLayer>(parts.transport, parts.target, options.access_key,
                                     options.transport.operation_timeout, parts.wall_clock);
  layer = std::make_shared<LoggingDecorator>(std::move(layer));
  auto retry = parts.retry ? parts.retry->clone()
                           : std::unique_ptr<RetryPolicy>(
                                 new LimitedAttemptsRetryPolicy(options.retry.max_attempts));
  auto backoff = parts.backoff ? parts.backoff->clone()
                               : std::unique_ptr<BackoffPolicy>(new ExponentialBackoffPolicy(
                                     options.retry.initial_backoff, options.retry.max_backoff));
  out.budget = std::make_shared<RetryBudget>(options.retry);
  auto now = parts.environment.now;
  layer = std::make_shared<RetryDecorator>(std::move(layer), std::move(retry), std::move(backoff),
                                           out.budget, std::move(parts.environment),
                                           options.rate_limiter, options.workspace_id);
  if (!options.api_token.empty()) {
    out.bearer = std::make_shared<BearerSource>(options.api_token);
  } else {
    out.bearer = std::make_shared<BearerSource>(
        [layer](std::chrono::steady_clock::time_point deadline) {
          return exchange_through(layer, deadline);
        },
        parts.wall_clock);
  }
  layer = std::make_shared<AuthDecorator>(std::move(layer), out.bearer);
  out.connection = std::make_shared<LayeredConnection>(std::move(layer), options.call_deadline,
                                                       std::move(now), options.workspace_id);
  return out;
}

}  // namespace embark::internal
