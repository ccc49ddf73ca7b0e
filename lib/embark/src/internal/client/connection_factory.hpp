// Stacking the real WisdomConnection: transport -> GraphQL -> logging -> retry -> auth.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <tuple>

#include "embark/client_options.hpp"
#include "embark/connection.hpp"
#include "embark/retry.hpp"

#include "internal/client/bearer_source.hpp"
#include "internal/client/call_layer.hpp"
#include "internal/graphql/operations.hpp"
#include "internal/policies/retry_loop.hpp"
#include "internal/transport/http_transport.hpp"

namespace embark::internal {

/// What make_wisdom_connection takes from outside; tests pass a fake transport and fake time.
struct ConnectionParts {
  std::shared_ptr<HttpTransport> transport;
  std::string target = "/graphql";  ///< path of the endpoint URL
  RetryEnvironment environment = real_retry_environment();
  std::function<std::chrono::system_clock::time_point()> wall_clock =
      &std::chrono::system_clock::now;
  /// Prototypes; null = from ClientOptions::retry.
  std::shared_ptr<const RetryPolicy> retry;
  std::shared_ptr<const BackoffPolicy> backoff;
};

/// The pieces of a stacked connection, for tests that look inside.
struct ConnectionStack {
  std::shared_ptr<WisdomConnection> connection;
  std::shared_ptr<BearerSource> bearer;
  std::shared_ptr<RetryBudget> budget;
};

/// Stacks GraphqlLayer, LoggingDecorator, RetryDecorator and AuthDecorator under a WisdomConnection
/// that gives every call `options.call_deadline` and checks input before anything is sent.
ConnectionStack make_connection_stack(const ClientOptions& options, ConnectionParts parts);

/// WisdomConnection over the top CallLayer, without its members: sets each call's deadline, sends
/// a request that names no workspace to `default_workspace` (ClientOptions::workspace_id; empty:
/// the vendor's default) and checks input (the operation's prepare()) before anything is sent.
/// LayeredConnection adds one member per operation. Thread-safe.
class LayeredConnectionBase : public WisdomConnection {
 public:
  LayeredConnectionBase(std::shared_ptr<CallLayer> top, std::chrono::milliseconds call_deadline,
                        std::function<std::chrono::steady_clock::time_point()> now,
                        std::string default_workspace = {})
      : top_(std::move(top)),
        call_deadline_(call_deadline),
        now_(std::move(now)),
        default_workspace_(std::move(default_workspace)) {}

 protected:
  /// One call of Operation down the layers, with a fresh context (Operation::Override calls it).
  template <class Operation>
  boost::asio::awaitable<Result<typename Operation::Answer>> send(
      typename Operation::Request request) {
    if (auto error = Operation::prepare(request, default_workspace_)) co_return std::move(*error);
    TypedCall<Operation> body(request);
    CallContext ctx{now_() + call_deadline_, std::nullopt, 1};
    auto done = co_await top_->call(ctx, operation_info<Operation>(), body);
    if (!done) co_return std::move(done).error();
    co_return body.take();
  }

 private:
  std::shared_ptr<CallLayer> top_;
  std::chrono::milliseconds call_deadline_;
  std::function<std::chrono::steady_clock::time_point()> now_;
  std::string default_workspace_;
};

/// Base with the Override mixin of every operation in the tuple, innermost first.
template <class Base, class Operations>
struct WithOverrides;
template <class Base>
struct WithOverrides<Base, std::tuple<>> {
  using Type = Base;
};
template <class Base, class First, class... Rest>
struct WithOverrides<Base, std::tuple<First, Rest...>> {
  static_assert(
      requires { typename First::template Override<Base>; },
      "every operation in AllOperations needs an Override<Base> mixin (operations.hpp)");
  using Type =
      typename WithOverrides<typename First::template Override<Base>, std::tuple<Rest...>>::Type;
};

/// LayeredConnectionBase with the members of `Operations` (each descriptor's Override). A
/// WisdomConnection virtual without a descriptor in the list would answer "unimplemented" at run
/// time; it fails to compile here instead (tests/unit/client/compile_checks.cmake).
template <class Operations>
struct LayeredConnectionOf {
  using Type = typename WithOverrides<LayeredConnectionBase, Operations>::Type;
  static_assert(implements_every_operation<Type>(),
                "LayeredConnection must override every WisdomConnection operation: add the "
                "operation's descriptor, with its Override, to AllOperations (operations.hpp)");
};

/// The real WisdomConnection: one member per operation of AllOperations, so a new operation adds
/// nothing here.
using LayeredConnection = LayeredConnectionOf<AllOperations>::Type;

}  // namespace embark::internal
