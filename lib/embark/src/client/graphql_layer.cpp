#include "internal/client/graphql_layer.hpp"

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

// A write succeeded only when the answer says OK (a 200 without a status is not a success).
Result<void> status_only(Result<boost::json::value> mapped, std::string_view field) {
  if (!mapped) return std::move(mapped).error();
  return read_status(*mapped, field);
}

}  // namespace

GraphqlLayer::GraphqlLayer(std::shared_ptr<HttpTransport> transport, std::string target,
                           Secret access_key, std::chrono::milliseconds operation_timeout,
                           std::function<std::chrono::system_clock::time_point()> wall_clock)
    : transport_(std::move(transport)),
      target_(std::move(target)),
      access_key_(std::move(access_key)),
      operation_timeout_(operation_timeout),
      wall_clock_(std::move(wall_clock)) {}

asio::awaitable<Result<HttpResponse>> GraphqlLayer::send(const CallContext& ctx,
                                                         HttpRequest request,
                                                         std::string_view operation) {
  const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
      ctx.deadline - std::chrono::steady_clock::now());
  if (remaining <= std::chrono::milliseconds(0)) {
    co_return Error(ErrorCode::deadline_exceeded, "the call's deadline passed")
        .with_operation(std::string(operation));
  }
  request.target = target_;
  request.timeout = std::min(operation_timeout_, remaining);
  // The transport re-arms its timeout per network step; racing the deadline bounds the whole
  // attempt.
  auto raced = co_await (transport_->send(std::move(request)) || wait_until(ctx.deadline));
  if (raced.index() == 1) {
    co_return Error(ErrorCode::deadline_exceeded,
                    "the call's deadline passed while waiting for the vendor")
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

template <class Operation>
asio::awaitable<Result<boost::json::value>> GraphqlLayer::call(const CallContext& ctx,
                                                               const GraphqlRequest& graphql) {
  HttpRequest request;
  request.body = to_body(graphql);
  if constexpr (Operation::kNeedsBearer) request.bearer = ctx.bearer;
  request.idempotent = Operation::kIdempotency == Idempotency::idempotent;
  auto response = co_await send(ctx, std::move(request), Operation::kName);
  if (!response) co_return std::move(response).error();
  const std::string_view bearer = ctx.bearer ? ctx.bearer->reveal() : std::string_view();
  const std::array<std::string_view, 2> redact{access_key_.reveal(), bearer};
  co_return map_response(*response, Operation::kName, wall_clock_(), redact).data;
}

asio::awaitable<Result<std::vector<UserRecord>>> GraphqlLayer::list_users(
    CallContext& ctx, const ListUsersRequest& list) {
  constexpr auto op = ListUsersOperation::kName;
  HttpRequest request;
  request.body = to_body(ListUsersOperation::build(list));
  request.bearer = ctx.bearer;
  request.idempotent = ListUsersOperation::kIdempotency == Idempotency::idempotent;
  ListUsersParser parser;
  std::string prefix;
  request.body_sink = [&parser, &prefix](std::string_view chunk) -> Result<void> {
    if (prefix.size() < kErrorBodyPrefix)
      prefix.append(chunk.substr(0, kErrorBodyPrefix - prefix.size()));
    // A parse failure is remembered by the parser; reading on lets the HTTP status decide the
    // error.
    (void)parser.feed(chunk);
    return {};
  };
  auto response = co_await send(ctx, std::move(request), op);
  if (!response) co_return std::move(response).error();
  const std::string_view bearer = ctx.bearer ? ctx.bearer->reveal() : std::string_view();
  const std::array<std::string_view, 2> redact{access_key_.reveal(), bearer};
  if (auto error =
          map_http_status(response->status, response->retry_after,
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

asio::awaitable<Result<void>> GraphqlLayer::create_users(CallContext& ctx,
                                                         const CreateUsersRequest& request) {
  co_return status_only(
      co_await call<CreateUsersOperation>(ctx, CreateUsersOperation::build(request)),
      CreateUsersOperation::kName);
}

asio::awaitable<Result<void>> GraphqlLayer::set_user_attributes(
    CallContext& ctx, const SetUserAttributesRequest& request) {
  co_return status_only(
      co_await call<SetUserAttributesOperation>(ctx, SetUserAttributesOperation::build(request)),
      SetUserAttributesOperation::kName);
}

asio::awaitable<Result<void>> GraphqlLayer::delete_users(CallContext& ctx,
                                                         const DeleteUsersRequest& request) {
  co_return status_only(
      co_await call<DeleteUsersOperation>(ctx, DeleteUsersOperation::build(request)),
      DeleteUsersOperation::kName);
}

asio::awaitable<Result<SessionToken>> GraphqlLayer::impersonate_user(
    CallContext& ctx, const ImpersonateRequest& request) {
  auto data =
      co_await call<ImpersonateOperation>(ctx, ImpersonateOperation::build(request, access_key_));
  if (!data) co_return std::move(data).error();
  co_return read_token(*data, ImpersonateOperation::kName);
}

asio::awaitable<Result<SessionToken>> GraphqlLayer::exchange_access_token(CallContext& ctx) {
  auto data = co_await call<ExchangeOperation>(ctx, ExchangeOperation::build(access_key_));
  if (!data) co_return std::move(data).error();
  co_return read_token(*data, ExchangeOperation::kName);
}

}  // namespace embark::internal
