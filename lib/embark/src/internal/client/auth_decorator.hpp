// AuthDecorator: the bearer token on management calls, renewed once when the vendor refuses it.
#pragma once

#include <memory>
#include <string_view>
#include <utility>

#include "internal/client/bearer_source.hpp"
#include "internal/client/decorator.hpp"

namespace embark::internal {

/// Logs that the vendor refused an exchanged bearer and that it is exchanged once more.
void log_bearer_refused(std::string_view operation, const Secret& bearer);

/// Puts a bearer token on operations with Operation::kNeedsBearer (listUsers, createUsers,
/// setUserAttributes, deleteUsersFromWorkspace); the others pass straight through. When the token
/// was exchanged and the vendor refuses it, the token is dropped, exchanged once more, and the call
/// made once more.
class AuthDecorator final : public Decorator<AuthDecorator> {
 public:
  AuthDecorator(std::shared_ptr<CallLayer> inner, std::shared_ptr<BearerSource> bearer)
      : Decorator(std::move(inner)), bearer_(std::move(bearer)) {}

  /// `next` with ctx.bearer set, for operations that need one; otherwise `next` itself.
  template <class Operation, class Next>
  AwaitableOf<Next> around(CallContext& ctx, Next next) {
    if constexpr (Operation::kNeedsBearer) {
      return with_bearer(Operation::kName, ctx, std::move(next));
    } else {
      return next();
    }
  }

 private:
  template <class Next>
  boost::asio::awaitable<ResultOf<Next>> with_bearer(std::string_view operation, CallContext& ctx,
                                                     Next next) {
    auto bearer = co_await bearer_->get(ctx.deadline);
    if (!bearer) co_return bearer.error();
    ctx.bearer = *bearer;
    ResultOf<Next> result = co_await next();
    if (!result && result.error().code() == ErrorCode::unauthenticated && bearer_->renewable()) {
      // An exchanged token can be revoked or expire early; one fresh exchange tells which it is.
      log_bearer_refused(operation, *ctx.bearer);
      bearer_->invalidate(*ctx.bearer);
      bearer = co_await bearer_->get(ctx.deadline);
      if (!bearer) co_return bearer.error();
      ctx.bearer = *bearer;
      result = co_await next();
    }
    co_return result;
  }

  std::shared_ptr<BearerSource> bearer_;
};

}  // namespace embark::internal
