// Stacking the real WisdomConnection: transport -> GraphQL -> logging -> retry -> auth.
#pragma once

#include <functional>
#include <memory>
#include <string>

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

/// WisdomConnection over the top CallLayer: sets each call's deadline, sends a request that names
/// no workspace to `default_workspace` (ClientOptions::workspace_id; empty: the vendor's default)
/// and validates input first.
class LayeredConnection final : public WisdomConnection {
 public:
  LayeredConnection(std::shared_ptr<CallLayer> top, std::chrono::milliseconds call_deadline,
                    std::function<std::chrono::steady_clock::time_point()> now,
                    std::string default_workspace = {})
      : top_(std::move(top)),
        call_deadline_(call_deadline),
        now_(std::move(now)),
        default_workspace_(std::move(default_workspace)) {}

  boost::asio::awaitable<Result<std::vector<UserRecord>>> list_users(
      ListUsersRequest request) override;
  boost::asio::awaitable<Result<void>> create_users(CreateUsersRequest request) override;
  boost::asio::awaitable<Result<void>> set_user_attributes(
      SetUserAttributesRequest request) override;
  boost::asio::awaitable<Result<void>> delete_users(DeleteUsersRequest request) override;
  boost::asio::awaitable<Result<SessionToken>> impersonate_user(
      ImpersonateRequest request) override;
  boost::asio::awaitable<Result<SessionToken>> exchange_access_token() override;

 private:
  CallContext context() const { return CallContext{now_() + call_deadline_, std::nullopt, 1}; }
  /// One call of Operation down the layers, with a fresh context.
  template <class Operation>
  boost::asio::awaitable<Result<typename Operation::Answer>> run(
      const typename Operation::Request& request) {
    TypedCall<Operation> body(request);
    auto ctx = context();
    auto done = co_await top_->call(ctx, operation_info<Operation>(), body);
    if (!done) co_return std::move(done).error();
    co_return body.take();
  }

  std::shared_ptr<CallLayer> top_;
  std::chrono::milliseconds call_deadline_;
  std::function<std::chrono::steady_clock::time_point()> now_;
  std::string default_workspace_;
};

}  // namespace embark::internal
