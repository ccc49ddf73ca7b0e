#include "internal/client/graphql_stub.hpp"

#include <algorithm>
#include <array>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "internal/graphql/list_users_parser.hpp"
#include "internal/graphql/operations.hpp"
#include "internal/graphql/response_mapping.hpp"

namespace embark::internal {
namespace {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

// Error bodies are read only for their GraphQL messages; a bounded prefix is enough.
constexpr std::size_t kErrorBodyPrefix = 64 * 1024;

asio::awaitable<Result<void>> wait_until(std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec) co_return Error(ErrorCode::cancelled, "deadline timer cancelled");
  co_return Result<void>();
}

Result<void> status_only(Result<boost::json::value> mapped) {
  if (!mapped) return std::move(mapped).error();
  return {};
}

}  // namespace

GraphqlStub::GraphqlStub(std::shared_ptr<HttpTransport> transport, std::string target, Secret access_key,
                         std::chrono::milliseconds operation_timeout,
                         std::function<std::chrono::system_clock::time_point()> wall_clock)
    : transport_(std::move(transport)),
      target_(std::move(target)),
      access_key_(std::move(access_key)),
      operation_timeout_(operation_timeout),
      wall_clock_(std::move(wall_clock)) {}

asio::awaitable<Result<HttpResponse>> GraphqlStub::send(const CallContext& ctx, HttpRequest request,
                                                        std::string_view operation) {
  const auto remaining =
      std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline - std::chrono::steady_clock::now());
  if (remaining <= std::chrono::milliseconds(0)) {
    co_return Error(ErrorCode::deadline_exceeded, "the call's deadline passed").with_operation(std::string(operation));
  }
  request.target = target_;
  request.timeout = std::min(operation_timeout_, remaining);
  // The transport re-arms its timeout per network step; racing the deadline bounds the whole attempt.
  auto raced = co_await (transport_->send(std::move(request)) || wait_until(ctx.deadline));
  if (raced.index() == 1) {
    co_return Error(ErrorCode::deadline_exceeded, "the call's deadline passed while waiting for the vendor")
        .with_operation(std::string(operation));
  }
  auto response = std::get<0>(std::move(raced));
  if (!response && response.error().operation().empty()) {
    Error error = std::move(response).error();
    error.with_operation(std::string(operation));
    co_return error;
  }
  co_return response;
}

asio::awaitable<Result<boost::json::value>> GraphqlStub::call(const CallContext& ctx, const GraphqlRequest& graphql,
                                                              std::string_view operation, bool with_bearer,
                                                              bool idempotent) {
  HttpRequest request;
  request.body = to_body(graphql);
  if (with_bearer) request.bearer = ctx.bearer;
  request.idempotent = idempotent;
  auto response = co_await send(ctx, std::move(request), operation);
  if (!response) co_return std::move(response).error();
  const std::string_view bearer = ctx.bearer ? ctx.bearer->reveal() : std::string_view();
  const std::array<std::string_view, 2> redact{access_key_.reveal(), bearer};
  co_return map_response(*response, operation, wall_clock_(), redact).data;
}

asio::awaitable<Result<std::vector<UserRecord>>> GraphqlStub::list_users(CallContext& ctx,
                                                                         const ListUsersRequest& list) {
  constexpr auto op = ListUsersOperation::kName;
  HttpRequest request;
  request.body = to_body(ListUsersOperation::build(list));
  request.bearer = ctx.bearer;
  request.idempotent = true;
  ListUsersParser parser;
  std::string prefix;
  request.body_sink = [&parser, &prefix](std::string_view chunk) -> Result<void> {
    if (prefix.size() < kErrorBodyPrefix) prefix.append(chunk.substr(0, kErrorBodyPrefix - prefix.size()));
    // A parse failure is remembered by the parser; reading on lets the HTTP status decide the error.
    (void)parser.feed(chunk);
    return {};
  };
  auto response = co_await send(ctx, std::move(request), op);
  if (!response) co_return std::move(response).error();
  const std::string_view bearer = ctx.bearer ? ctx.bearer->reveal() : std::string_view();
  const std::array<std::string_view, 2> redact{access_key_.reveal(), bearer};
  if (auto error = map_http_status(response->status, response->retry_after,
                                   response->body.empty() ? std::string_view(prefix) : response->body, op,
                                   wall_clock_(), redact)) {
    co_return *error;
  }
  // A transport that ignores body_sink hands the whole body over at the end.
  if (!response->body.empty() && parser.bytes_fed() == 0) (void)parser.feed(response->body);
  auto users = parser.finish(op, redact);
  if (!users) {
    Error error = std::move(users).error();
    error.with_http_status(response->status);
    co_return error;
  }
  co_return users;
}

asio::awaitable<Result<void>> GraphqlStub::create_users(CallContext& ctx, const CreateUsersRequest& request) {
  co_return status_only(co_await call(ctx, CreateUsersOperation::build(request), CreateUsersOperation::kName, true, true));
}

asio::awaitable<Result<void>> GraphqlStub::set_user_attributes(CallContext& ctx, const SetUserAttributesRequest& request) {
  co_return status_only(
      co_await call(ctx, SetUserAttributesOperation::build(request), SetUserAttributesOperation::kName, true, true));
}

asio::awaitable<Result<void>> GraphqlStub::delete_users(CallContext& ctx, const DeleteUsersRequest& request) {
  co_return status_only(
      co_await call(ctx, DeleteUsersOperation::build(request), DeleteUsersOperation::kName, true, false));
}

asio::awaitable<Result<SessionToken>> GraphqlStub::impersonate_user(CallContext& ctx, const ImpersonateRequest& request) {
  constexpr auto op = ImpersonateOperation::kName;
  auto data = co_await call(ctx, ImpersonateOperation::build(request, access_key_), op, false, true);
  if (!data) co_return std::move(data).error();
  co_return read_token(*data, op);
}

asio::awaitable<Result<SessionToken>> GraphqlStub::exchange_access_token(CallContext& ctx) {
  constexpr auto op = ExchangeOperation::kName;
  auto data = co_await call(ctx, ExchangeOperation::build(access_key_), op, false, true);
  if (!data) co_return std::move(data).error();
  co_return read_token(*data, op);
}

}  // namespace embark::internal
