#include <chrono>

#include "embark/log.hpp"
#include "internal/client/decorators.hpp"
#include "internal/graphql/operations.hpp"

namespace embark::internal {
namespace {

namespace asio = boost::asio;

template <class T>
void log_attempt(std::string_view operation, const CallContext& ctx, std::chrono::steady_clock::time_point start,
                 const Result<T>& result) {
  const auto level = result ? LogLevel::trace : LogLevel::debug;
  if (!log_enabled(level)) return;
  const auto ms = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count() / 1000.0;
  const std::string bearer = ctx.bearer ? ctx.bearer->redacted() : std::string("none");
  if (result) {
    logf(level, "call", "{} attempt={} status=ok latency_ms={:.1f} bearer={}", operation, ctx.attempt, ms, bearer);
  } else {
    const Error& e = result.error();
    logf(level, "call", "{} attempt={} status={} http={} latency_ms={:.1f} bearer={} error=\"{}\"", operation,
         ctx.attempt, embark::to_string(e.code()), e.http_status(), ms, bearer, e.to_string());
  }
}

template <class T, class F>
asio::awaitable<Result<T>> logged(std::string_view operation, CallContext& ctx, F f) {
  const auto start = std::chrono::steady_clock::now();
  Result<T> result = co_await f();
  log_attempt(operation, ctx, start, result);
  co_return result;
}

}  // namespace

asio::awaitable<Result<std::vector<UserRecord>>> LoggingStub::list_users(CallContext& ctx, const ListUsersRequest& r) {
  co_return co_await logged<std::vector<UserRecord>>(ListUsersOperation::kName, ctx,
                                                     [&] { return inner_->list_users(ctx, r); });
}
asio::awaitable<Result<void>> LoggingStub::create_users(CallContext& ctx, const CreateUsersRequest& r) {
  co_return co_await logged<void>(CreateUsersOperation::kName, ctx, [&] { return inner_->create_users(ctx, r); });
}
asio::awaitable<Result<void>> LoggingStub::set_user_attributes(CallContext& ctx, const SetUserAttributesRequest& r) {
  co_return co_await logged<void>(SetUserAttributesOperation::kName, ctx,
                                  [&] { return inner_->set_user_attributes(ctx, r); });
}
asio::awaitable<Result<void>> LoggingStub::delete_users(CallContext& ctx, const DeleteUsersRequest& r) {
  co_return co_await logged<void>(DeleteUsersOperation::kName, ctx, [&] { return inner_->delete_users(ctx, r); });
}
asio::awaitable<Result<SessionToken>> LoggingStub::impersonate_user(CallContext& ctx, const ImpersonateRequest& r) {
  co_return co_await logged<SessionToken>(ImpersonateOperation::kName, ctx,
                                          [&] { return inner_->impersonate_user(ctx, r); });
}
asio::awaitable<Result<SessionToken>> LoggingStub::exchange_access_token(CallContext& ctx) {
  co_return co_await logged<SessionToken>(ExchangeOperation::kName, ctx,
                                          [&] { return inner_->exchange_access_token(ctx); });
}

}  // namespace embark::internal
