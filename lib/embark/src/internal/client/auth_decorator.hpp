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

/// Puts a bearer token on operations that need one (listUsers, createUsers, setUserAttributes,
/// deleteUsersFromWorkspace); the others pass straight through. When the token was exchanged and
/// the vendor refuses it, the token is dropped, exchanged once more, and the call made once more.
class AuthDecorator final : public Decorator {
 public:
  AuthDecorator(std::shared_ptr<CallLayer> inner, std::shared_ptr<BearerSource> bearer)
      : Decorator(std::move(inner)), bearer_(std::move(bearer)) {}

  boost::asio::awaitable<Result<void>> call(CallContext& ctx, const OperationInfo& operation,
                                            CallBody& body) override;

 private:
  std::shared_ptr<BearerSource> bearer_;
};

}  // namespace embark::internal
