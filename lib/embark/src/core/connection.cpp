#include "embark/connection.hpp"

namespace embark {
namespace {

Error unimplemented(const char* operation) {
  return Error(ErrorCode::unimplemented, "this connection does not implement the operation")
      .with_operation(operation);
}

}  // namespace

boost::asio::awaitable<Result<std::vector<UserRecord>>> WisdomConnection::list_users(
    ListUsersRequest) {
  co_return unimplemented("listUsers");
}
boost::asio::awaitable<Result<void>> WisdomConnection::create_users(CreateUsersRequest) {
  co_return unimplemented("createUsers");
}
boost::asio::awaitable<Result<void>> WisdomConnection::set_user_attributes(
    SetUserAttributesRequest) {
  co_return unimplemented("setUserAttributes");
}
boost::asio::awaitable<Result<void>> WisdomConnection::delete_users(DeleteUsersRequest) {
  co_return unimplemented("deleteUsersFromWorkspace");
}
boost::asio::awaitable<Result<SessionToken>> WisdomConnection::impersonate_user(
    ImpersonateRequest) {
  co_return unimplemented("impersonateUser");
}
boost::asio::awaitable<Result<SessionToken>> WisdomConnection::exchange_access_token() {
  co_return unimplemented("exchangeAccessToken");
}

}  // namespace embark
