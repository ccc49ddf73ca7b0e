// WisdomConnection: the abstract seam between typed operations and how they reach the vendor.
#pragma once

#include <memory>
#include <type_traits>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "embark/model.hpp"
#include "embark/result.hpp"

namespace embark {

namespace detail {
/// Error{unimplemented} naming `operation`.
Error unimplemented_operation(const char* operation);
/// The default of every WisdomConnection virtual: answers Error{unimplemented}.
template <class T>
boost::asio::awaitable<Result<T>> unimplemented(const char* operation) {
  co_return unimplemented_operation(operation);
}
}  // namespace detail

/// One virtual per vendor operation, each answering "unimplemented" unless overridden
/// (after google-cloud-cpp). The real implementation sends GraphQL over HTTPS with retries;
/// embark::testing provides a scripted fake. Implementations must be thread-safe.
///
/// Coroutines run on the executor they are spawned on; each call is independent. A new
/// operation is a virtual here and a term in implements_every_operation() below.
class WisdomConnection {
 public:
  virtual ~WisdomConnection() = default;

  // The defaults ignore their request, which overriders take by value (coroutines must own
  // their arguments): hence the NOLINTs.

  /// All users of a workspace (listUsers), parsed incrementally into compact records.
  virtual boost::asio::awaitable<Result<std::vector<UserRecord>>> list_users(
      ListUsersRequest /*request*/) {  // NOLINT(performance-unnecessary-value-param)
    return detail::unimplemented<std::vector<UserRecord>>("listUsers");
  }
  /// createUsers. An "already exists" answer is Error{already_exists}.
  virtual boost::asio::awaitable<Result<void>> create_users(
      CreateUsersRequest /*request*/) {  // NOLINT(performance-unnecessary-value-param)
    return detail::unimplemented<void>("createUsers");
  }
  /// setUserAttributes (full replacement of DATABASE attributes).
  virtual boost::asio::awaitable<Result<void>> set_user_attributes(
      SetUserAttributesRequest /*request*/) {  // NOLINT(performance-unnecessary-value-param)
    return detail::unimplemented<void>("setUserAttributes");
  }
  /// deleteUsersFromWorkspace.
  virtual boost::asio::awaitable<Result<void>> delete_users(
      DeleteUsersRequest /*request*/) {  // NOLINT(performance-unnecessary-value-param)
    return detail::unimplemented<void>("deleteUsersFromWorkspace");
  }
  /// impersonateUser: a session JWT for one user, expiry decoded from the token.
  virtual boost::asio::awaitable<Result<SessionToken>> impersonate_user(
      ImpersonateRequest /*request*/) {  // NOLINT(performance-unnecessary-value-param)
    return detail::unimplemented<SessionToken>("impersonateUser");
  }
  /// exchangeAccessToken: a bearer JWT for management calls.
  virtual boost::asio::awaitable<Result<SessionToken>> exchange_access_token() {
    return detail::unimplemented<SessionToken>("exchangeAccessToken");
  }
};

namespace detail {
/// The class that declares a member function pointer's function.
template <class Member>
struct MemberClass;
template <class R, class C, class... Args>
struct MemberClass<R (C::*)(Args...)> {
  using Class = C;
};
/// Whether a member (as `&Connection::name`) is declared below WisdomConnection, i.e. overridden.
template <class Member>
inline constexpr bool kOverridden =
    !std::is_same_v<typename MemberClass<Member>::Class, WisdomConnection>;
}  // namespace detail

/// Whether `Connection` overrides every operation of WisdomConnection, for a
/// `static_assert(implements_every_operation<MyConnection>())` in a connection meant to be
/// complete (the real one and embark::testing::FakeConnection assert it). Lists every virtual
/// above: one term per operation.
template <class Connection>
constexpr bool implements_every_operation() {
  static_assert(std::is_base_of_v<WisdomConnection, Connection>);
  return detail::kOverridden<decltype(&Connection::list_users)> &&
         detail::kOverridden<decltype(&Connection::create_users)> &&
         detail::kOverridden<decltype(&Connection::set_user_attributes)> &&
         detail::kOverridden<decltype(&Connection::delete_users)> &&
         detail::kOverridden<decltype(&Connection::impersonate_user)> &&
         detail::kOverridden<decltype(&Connection::exchange_access_token)>;
}

}  // namespace embark
