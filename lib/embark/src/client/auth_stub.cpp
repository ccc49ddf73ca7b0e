#include "embark/log.hpp"
#include "internal/client/decorators.hpp"
#include "internal/graphql/operations.hpp"

namespace embark::internal {
namespace {

namespace asio = boost::asio;

template <class T, class F>
asio::awaitable<Result<T>> with_bearer(BearerSource& source, std::string_view operation, CallContext& ctx, F f) {
  auto bearer = co_await source.get(ctx.deadline);
  if (!bearer) co_return bearer.error();
  ctx.bearer = *bearer;
  Result<T> result = co_await f();
  if (!result && result.error().code() == ErrorCode::unauthenticated && source.renewable()) {
    // An exchanged token can be revoked or expire early; one fresh exchange tells which it is.
    logf(LogLevel::info, "auth", "{}: bearer {} refused, exchanging the access key again", operation,
         ctx.bearer->redacted());
    source.invalidate(*ctx.bearer);
    bearer = co_await source.get(ctx.deadline);
    if (!bearer) co_return bearer.error();
    ctx.bearer = *bearer;
    result = co_await f();
  }
  co_return result;
}

}  // namespace

asio::awaitable<Result<std::vector<UserRecord>>> AuthStub::list_users(CallContext& ctx, const ListUsersRequest& r) {
  co_return co_await with_bearer<std::vector<UserRecord>>(*bearer_, ListUsersOperation::kName, ctx,
                                                          [&] { return inner_->list_users(ctx, r); });
}
asio::awaitable<Result<void>> AuthStub::create_users(CallContext& ctx, const CreateUsersRequest& r) {
  co_return co_await with_bearer<void>(*bearer_, CreateUsersOperation::kName, ctx,
                                       [&] { return inner_->create_users(ctx, r); });
}
asio::awaitable<Result<void>> AuthStub::set_user_attributes(CallContext& ctx, const SetUserAttributesRequest& r) {
  co_return co_await with_bearer<void>(*bearer_, SetUserAttributesOperation::kName, ctx,
                                       [&] { return inner_->set_user_attributes(ctx, r); });
}
asio::awaitable<Result<void>> AuthStub::delete_users(CallContext& ctx, const DeleteUsersRequest& r) {
  co_return co_await with_bearer<void>(*bearer_, DeleteUsersOperation::kName, ctx,
                                       [&] { return inner_->delete_users(ctx, r); });
}
asio::awaitable<Result<SessionToken>> AuthStub::impersonate_user(CallContext& ctx, const ImpersonateRequest& r) {
  return inner_->impersonate_user(ctx, r);
}
asio::awaitable<Result<SessionToken>> AuthStub::exchange_access_token(CallContext& ctx) {
  return inner_->exchange_access_token(ctx);
}

}  // namespace embark::internal
