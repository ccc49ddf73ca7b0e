#include "internal/client/graphql_layer.hpp"

#include <algorithm>
#include <array>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "internal/core/within.hpp"
#include "internal/graphql/response_mapping.hpp"

namespace embark::internal {
namespace {

namespace asio = boost::asio;

// Error bodies are read only for their GraphQL messages; a bounded prefix is enough.
constexpr std::size_t kErrorBodyPrefix = std::size_t{64} * 1024;

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
  request.deadline = ctx.deadline;
  Result<HttpResponse> response = HttpResponse{};
  if (transport_->keeps_deadlines()) {
    // The transport arms each step's timer for the deadline at the latest: no race, no second
    // coroutine and timer per call.
    response = co_await transport_->send(std::move(request));
  } else {
    // A transport that re-arms its timeout per network step only: racing the deadline bounds
    // the whole attempt.
    auto raced = co_await within(transport_->send(std::move(request)), ctx.deadline);
    if (!raced) co_return request_deadline_error().with_operation(std::string(operation));
    response = std::move(*raced);
  }
  if (!response && response.error().operation().empty()) {
    Error error = std::move(response).error();
    error.with_operation(std::string(operation));
    co_return error;
  }
  co_return response;
}

asio::awaitable<Result<void>> GraphqlLayer::call(CallContext& ctx, const OperationInfo& operation,
                                                 CallBody& body) {
  HttpRequest request;
  request.body = to_body(body.encode(access_key_));
  if (operation.needs_bearer) request.bearer = ctx.bearer;
  request.idempotent = operation.idempotency == Idempotency::idempotent;
  request.max_response_bytes =
      body.unbounded() ? HttpRequest::kUnbounded : operation.max_answer_bytes;
  std::string prefix;
  if (body.streams()) {
    body.restart();
    request.body_sink = [&body, &prefix](std::string_view chunk) -> Result<void> {
      if (prefix.size() < kErrorBodyPrefix)
        prefix.append(chunk.substr(0, kErrorBodyPrefix - prefix.size()));
      // A parse failure is remembered by the body; reading on lets the HTTP status decide the
      // error.
      body.feed(chunk);
      return {};
    };
  }
  auto response = co_await send(ctx, std::move(request), operation.name);
  if (!response) co_return std::move(response).error();
  const std::string_view bearer = ctx.bearer ? ctx.bearer->reveal() : std::string_view();
  const std::array<std::string_view, 2> redact{access_key_.reveal(), bearer};
  if (!body.streams()) {
    auto data = map_response(*response, operation.name, wall_clock_(), redact).data;
    if (!data) co_return std::move(data).error();
    co_return body.decode(*data);
  }
  if (auto error =
          map_http_status(response->status, response->retry_after,
                          response->body.empty() ? std::string_view(prefix) : response->body,
                          operation.name, wall_clock_(), redact)) {
    co_return *error;
  }
  // A transport that ignores body_sink hands the whole body over at the end.
  if (!response->body.empty() && body.bytes_fed() == 0) body.feed(response->body);
  auto finished = body.finish(operation.name, redact);
  if (!finished) {
    Error error = std::move(finished).error();
    error.with_http_status(response->status);
    co_return error;
  }
  co_return finished;
}

}  // namespace embark::internal
