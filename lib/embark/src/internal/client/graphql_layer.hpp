// GraphqlLayer: the innermost CallLayer, one attempt of an operation as one GraphQL POST over the
// HTTP transport.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/json/value.hpp>

#include "internal/client/call_layer.hpp"
#include "internal/graphql/graphql_request.hpp"
#include "internal/transport/http_transport.hpp"

namespace embark::internal {

/// Builds the request, sends it with the context's bearer, and maps the answer (listUsers is
/// parsed as it streams in). Each attempt ends by the context's deadline at the latest.
class GraphqlLayer final : public CallLayer {
 public:
  GraphqlLayer(std::shared_ptr<HttpTransport> transport, std::string target, Secret access_key,
               std::chrono::milliseconds operation_timeout,
               std::function<std::chrono::system_clock::time_point()> wall_clock =
                   &std::chrono::system_clock::now);

  boost::asio::awaitable<Result<std::vector<UserRecord>>> list_users(
      CallContext& ctx, const ListUsersRequest& request) override;
  boost::asio::awaitable<Result<void>> create_users(CallContext& ctx,
                                                    const CreateUsersRequest& request) override;
  boost::asio::awaitable<Result<void>> set_user_attributes(
      CallContext& ctx, const SetUserAttributesRequest& request) override;
  boost::asio::awaitable<Result<void>> delete_users(CallContext& ctx,
                                                    const DeleteUsersRequest& request) override;
  boost::asio::awaitable<Result<SessionToken>> impersonate_user(
      CallContext& ctx, const ImpersonateRequest& request) override;
  boost::asio::awaitable<Result<SessionToken>> exchange_access_token(CallContext& ctx) override;

 private:
  boost::asio::awaitable<Result<HttpResponse>> send(const CallContext& ctx, HttpRequest request,
                                                    std::string_view operation);
  /// Sends `request` for Operation (bearer and idempotency from its descriptor); the mapped `data`.
  template <class Operation>
  boost::asio::awaitable<Result<boost::json::value>> call(const CallContext& ctx,
                                                          const GraphqlRequest& request);

  std::shared_ptr<HttpTransport> transport_;
  std::string target_;
  Secret access_key_;
  std::chrono::milliseconds operation_timeout_;
  std::function<std::chrono::system_clock::time_point()> wall_clock_;
};

}  // namespace embark::internal
