// WisdomConnection: the abstract seam between typed operations and how they reach the vendor.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "embark/model.hpp"
#include "embark/result.hpp"

namespace embark {

/// One virtual per vendor operation, each answering "unimplemented" unless overridden
/// (after google-cloud-cpp). The real implementation sends GraphQL over HTTPS with retries;
/// embark::testing provides a scripted fake. Implementations must be thread-safe.
///
/// Coroutines run on the executor they are spawned on; each call is independent.
class WisdomConnection {
 public:
  virtual ~WisdomConnection() = default;

  /// All users of a workspace (listUsers), parsed incrementally into compact records.
  virtual boost::asio::awaitable<Result<std::vector<UserRecord>>> list_users(
      ListUsersRequest request);
  /// createUsers. An "already exists" answer is Error{already_exists}.
  virtual boost::asio::awaitable<Result<void>> create_users(CreateUsersRequest request);
  /// setUserAttributes (full replacement of DATABASE attributes).
  virtual boost::asio::awaitable<Result<void>> set_user_attributes(
      SetUserAttributesRequest request);
  /// deleteUsersFromWorkspace.
  virtual boost::asio::awaitable<Result<void>> delete_users(DeleteUsersRequest request);
  /// impersonateUser: a session JWT for one user, expiry decoded from the token.
  virtual boost::asio::awaitable<Result<SessionToken>> impersonate_user(ImpersonateRequest request);
  /// exchangeAccessToken: a bearer JWT for management calls.
  virtual boost::asio::awaitable<Result<SessionToken>> exchange_access_token();
};

}  // namespace embark
