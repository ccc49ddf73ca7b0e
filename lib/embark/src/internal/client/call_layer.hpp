// CallLayer: the per-attempt seam below WisdomConnection. GraphqlLayer is the innermost layer;
// decorators (logging, retry, auth) wrap it.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "embark/model.hpp"
#include "embark/result.hpp"
#include "embark/secret.hpp"

namespace embark::internal {

/// Per-call state handed down the layers.
struct CallContext {
  std::chrono::steady_clock::time_point deadline;  ///< the whole call, retries included
  std::optional<Secret> bearer;  ///< set by the auth decorator for management calls
  int attempt = 1;               ///< set by the retry decorator
};

/// One operation per virtual, like WisdomConnection, plus the call context. Arguments are
/// references: callers co_await at once. Implementations are thread-safe.
class CallLayer {
 public:
  virtual ~CallLayer() = default;
  virtual boost::asio::awaitable<Result<std::vector<UserRecord>>> list_users(
      CallContext& ctx, const ListUsersRequest& request) = 0;
  virtual boost::asio::awaitable<Result<void>> create_users(CallContext& ctx,
                                                            const CreateUsersRequest& request) = 0;
  virtual boost::asio::awaitable<Result<void>> set_user_attributes(
      CallContext& ctx, const SetUserAttributesRequest& request) = 0;
  virtual boost::asio::awaitable<Result<void>> delete_users(CallContext& ctx,
                                                            const DeleteUsersRequest& request) = 0;
  virtual boost::asio::awaitable<Result<SessionToken>> impersonate_user(
      CallContext& ctx, const ImpersonateRequest& request) = 0;
  virtual boost::asio::awaitable<Result<SessionToken>> exchange_access_token(CallContext& ctx) = 0;
};

}  // namespace embark::internal
