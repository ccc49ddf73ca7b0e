#include "internal/client/decorators.hpp"
#include "internal/graphql/operations.hpp"

namespace embark::internal {

namespace asio = boost::asio;

asio::awaitable<Result<std::vector<UserRecord>>> RetryStub::list_users(CallContext& ctx, const ListUsersRequest& r) {
  co_return co_await retry_loop<std::vector<UserRecord>>(
      settings(ctx, Idempotency::idempotent, ListUsersOperation::kName), env_,
      [&](int n, auto) { ctx.attempt = n; return inner_->list_users(ctx, r); });
}
asio::awaitable<Result<void>> RetryStub::create_users(CallContext& ctx, const CreateUsersRequest& r) {
  // Repeating createUsers re-applies the same roles (or answers "already exists", which callers accept).
  co_return co_await retry_loop<void>(settings(ctx, Idempotency::idempotent, CreateUsersOperation::kName), env_,
                                      [&](int n, auto) { ctx.attempt = n; return inner_->create_users(ctx, r); });
}
asio::awaitable<Result<void>> RetryStub::set_user_attributes(CallContext& ctx, const SetUserAttributesRequest& r) {
  co_return co_await retry_loop<void>(settings(ctx, Idempotency::idempotent, SetUserAttributesOperation::kName), env_,
                                      [&](int n, auto) { ctx.attempt = n; return inner_->set_user_attributes(ctx, r); });
}
asio::awaitable<Result<void>> RetryStub::delete_users(CallContext& ctx, const DeleteUsersRequest& r) {
  co_return co_await retry_loop<void>(settings(ctx, Idempotency::non_idempotent, DeleteUsersOperation::kName), env_,
                                      [&](int n, auto) { ctx.attempt = n; return inner_->delete_users(ctx, r); });
}
asio::awaitable<Result<SessionToken>> RetryStub::impersonate_user(CallContext& ctx, const ImpersonateRequest& r) {
  co_return co_await retry_loop<SessionToken>(settings(ctx, Idempotency::idempotent, ImpersonateOperation::kName), env_,
                                              [&](int n, auto) { ctx.attempt = n; return inner_->impersonate_user(ctx, r); });
}
asio::awaitable<Result<SessionToken>> RetryStub::exchange_access_token(CallContext& ctx) {
  co_return co_await retry_loop<SessionToken>(settings(ctx, Idempotency::idempotent, ExchangeOperation::kName), env_,
                                              [&](int n, auto) { ctx.attempt = n; return inner_->exchange_access_token(ctx); });
}

}  // namespace embark::internal
