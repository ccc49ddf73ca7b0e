#include "internal/client/auth_decorator.hpp"

#include "embark/log.hpp"

namespace embark::internal {

void log_bearer_refused(std::string_view operation, const Secret& bearer) {
  logf(LogLevel::info, "auth", "{}: bearer {} refused, exchanging the access key again", operation,
       bearer.redacted());
}

boost::asio::awaitable<Result<void>> AuthDecorator::call(CallContext& ctx,
                                                         const OperationInfo& operation,
                                                         CallBody& body) {
  if (!operation.needs_bearer) co_return co_await next(ctx, operation, body);
  auto bearer = co_await bearer_->get(ctx.deadline);
  if (!bearer) co_return bearer.error();
  ctx.bearer = *bearer;
  Result<void> result = co_await next(ctx, operation, body);
  if (!result && result.error().code() == ErrorCode::unauthenticated && bearer_->renewable()) {
    // An exchanged token can be revoked or expire early; one fresh exchange tells which it is.
    log_bearer_refused(operation.name, *ctx.bearer);
    bearer_->invalidate(*ctx.bearer);
    bearer = co_await bearer_->get(ctx.deadline);
    if (!bearer) co_return bearer.error();
    ctx.bearer = *bearer;
    result = co_await next(ctx, operation, body);
  }
  co_return result;
}

}  // namespace embark::internal
