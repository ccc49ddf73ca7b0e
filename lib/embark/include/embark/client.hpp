// embark::WisdomClient: the typed vendor operations, blocking and asynchronous.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "embark/async.hpp"
#include "embark/client_options.hpp"
#include "embark/connection.hpp"
#include "embark/model.hpp"
#include "embark/result.hpp"

namespace embark {

/// The real connection: HTTPS transport, GraphQL mapping, per-attempt logging, retries (policy,
/// backoff with jitter, Retry-After, budget, deadline) and bearer handling (the API token, or the
/// access key exchanged, cached and renewed), stacked in that order. Validates `options` (errors
/// name the field). Sockets and timers run on `executor`. The result may be shared by threads,
/// but await each of its coroutines from a strand (or a one-thread io_context): a call races
/// child operations against its deadline, which a bare multi-threaded executor could run at once
/// on two threads. WisdomClient and Onboarder put each of their calls on a strand themselves.
Result<std::shared_ptr<WisdomConnection>> make_wisdom_connection(
    const ClientOptions& options, const boost::asio::any_io_executor& executor);

/// Checks ClientOptions without connecting; Error{invalid_input} naming the field.
Result<void> validate(const ClientOptions& options);

namespace detail {
/// Shared state of WisdomClient copies: the connection and the runtime (an io_context with the
/// thread that runs it, unless given an executor).
struct ClientState;
const Runtime& client_runtime(const ClientState& state);
}  // namespace detail

/// The typed WisdomAI operations over a WisdomConnection. Create one at start-up and share it:
/// every member is thread-safe, copies share one connection and I/O thread (the thread stops when
/// the last copy goes). Each operation exists in two forms: blocking (`list_users`), and Asio's
/// universal async model (`async_list_users(request, token)` with callbacks, use_awaitable,
/// use_future, ...; completion signature void(Result<T>)).
///
/// Blocking calls must not be made from the client's own I/O thread (for example inside a
/// completion handler): they return Error{internal} instead of deadlocking. With an executor of
/// your own, a blocking call needs that executor to be run by some other thread.
class WisdomClient {
 public:
  /// Connects to `options.endpoint` with the real transport; runs an I/O thread of its own.
  static Result<WisdomClient> create(const ClientOptions& options);
  /// As above, on `executor` (no thread of its own; run the executor's context yourself).
  static Result<WisdomClient> create(const ClientOptions& options,
                                     boost::asio::any_io_executor executor);
  /// Over any connection (e.g. embark::testing::FakeConnection), with an I/O thread of its own.
  explicit WisdomClient(std::shared_ptr<WisdomConnection> connection);
  /// Over any connection, on `executor`.
  WisdomClient(std::shared_ptr<WisdomConnection> connection, boost::asio::any_io_executor executor);

  /// The executor the operations run on.
  boost::asio::any_io_executor get_executor() const;
  /// The connection the operations use.
  std::shared_ptr<WisdomConnection> connection() const;

  // Each operation below is one statement naming its WisdomConnection member and how the call
  // names itself in errors: call() and async_call() are the same for all of them.

  /// All users of a workspace (listUsers), parsed incrementally into compact records.
  Result<std::vector<UserRecord>> list_users(ListUsersRequest request = {}) const {
    return call({"WisdomClient::list_users", "listUsers", "async_list_users"},
                &WisdomConnection::list_users, std::move(request));
  }
  /// createUsers (an "already exists" answer is Error{already_exists}).
  Result<void> create_users(CreateUsersRequest request) const {
    return call({"WisdomClient::create_users", "createUsers", "async_create_users"},
                &WisdomConnection::create_users, std::move(request));
  }
  /// setUserAttributes: replaces the user's DATABASE attributes.
  Result<void> set_user_attributes(SetUserAttributesRequest request) const {
    return call(
        {"WisdomClient::set_user_attributes", "setUserAttributes", "async_set_user_attributes"},
        &WisdomConnection::set_user_attributes, std::move(request));
  }
  /// deleteUsersFromWorkspace (irreversible; not retried once it may have reached the vendor).
  Result<void> delete_users_from_workspace(DeleteUsersRequest request) const {
    return call({"WisdomClient::delete_users_from_workspace", "deleteUsersFromWorkspace",
                 "async_delete_users_from_workspace"},
                &WisdomConnection::delete_users, std::move(request));
  }
  /// impersonateUser: a session JWT for one user, expiry decoded from the token.
  Result<SessionToken> impersonate_user(ImpersonateRequest request) const {
    return call({"WisdomClient::impersonate_user", "impersonateUser", "async_impersonate_user"},
                &WisdomConnection::impersonate_user, std::move(request));
  }
  /// exchangeAccessToken: a bearer JWT for management calls (the client does this by itself
  /// when no api_token is configured).
  Result<SessionToken> exchange_access_token() const {
    return call({"WisdomClient::exchange_access_token", "exchangeAccessToken",
                 "async_exchange_access_token"},
                &WisdomConnection::exchange_access_token);
  }

  /// Async list_users; completion signature void(Result<std::vector<UserRecord>>).
  template <class Token>
  auto async_list_users(ListUsersRequest request, Token&& token) const {
    return async_call(std::forward<Token>(token),
                      {"WisdomClient::list_users", "listUsers", "async_list_users"},
                      &WisdomConnection::list_users, std::move(request));
  }
  /// Async create_users; completion signature void(Result<void>).
  template <class Token>
  auto async_create_users(CreateUsersRequest request, Token&& token) const {
    return async_call(std::forward<Token>(token),
                      {"WisdomClient::create_users", "createUsers", "async_create_users"},
                      &WisdomConnection::create_users, std::move(request));
  }
  /// Async set_user_attributes; completion signature void(Result<void>).
  template <class Token>
  auto async_set_user_attributes(SetUserAttributesRequest request, Token&& token) const {
    return async_call(
        std::forward<Token>(token),
        {"WisdomClient::set_user_attributes", "setUserAttributes", "async_set_user_attributes"},
        &WisdomConnection::set_user_attributes, std::move(request));
  }
  /// Async delete_users_from_workspace; completion signature void(Result<void>).
  template <class Token>
  auto async_delete_users_from_workspace(DeleteUsersRequest request, Token&& token) const {
    return async_call(std::forward<Token>(token),
                      {"WisdomClient::delete_users_from_workspace", "deleteUsersFromWorkspace",
                       "async_delete_users_from_workspace"},
                      &WisdomConnection::delete_users, std::move(request));
  }
  /// Async impersonate_user; completion signature void(Result<SessionToken>).
  template <class Token>
  auto async_impersonate_user(ImpersonateRequest request, Token&& token) const {
    return async_call(
        std::forward<Token>(token),
        {"WisdomClient::impersonate_user", "impersonateUser", "async_impersonate_user"},
        &WisdomConnection::impersonate_user, std::move(request));
  }
  /// Async exchange_access_token; completion signature void(Result<SessionToken>).
  template <class Token>
  auto async_exchange_access_token(Token&& token) const {
    return async_call(std::forward<Token>(token),
                      {"WisdomClient::exchange_access_token", "exchangeAccessToken",
                       "async_exchange_access_token"},
                      &WisdomConnection::exchange_access_token);
  }

 private:
  void set_connection(std::shared_ptr<WisdomConnection> connection);

  /// The operation `member(args...)` of the connection, as a factory of its coroutine that keeps
  /// the connection alive until the operation ends.
  template <class T, class... Args>
  auto operation(boost::asio::awaitable<Result<T>> (WisdomConnection::*member)(Args...),
                 Args... args) const {
    return [connection = connection(), member, ... args = std::move(args)]() mutable {
      return ((*connection).*member)(std::move(args)...);
    };
  }

  /// The async form of an operation on the client's runtime, completing `token`.
  template <class Token, class T, class... Args>
  auto async_call(Token&& token, const detail::CallName& name,
                  boost::asio::awaitable<Result<T>> (WisdomConnection::*member)(Args...),
                  Args... args) const {
    return detail::async_run<T>(detail::client_runtime(*state_), name,
                                operation(member, std::move(args)...), std::forward<Token>(token));
  }

  /// The blocking form of an operation (refuses to wait for the client's own thread).
  template <class T, class... Args>
  Result<T> call(const detail::CallName& name,
                 boost::asio::awaitable<Result<T>> (WisdomConnection::*member)(Args...),
                 Args... args) const {
    return detail::run_blocking<T>(detail::client_runtime(*state_), name,
                                   operation(member, std::move(args)...));
  }

  std::shared_ptr<detail::ClientState> state_;
};

}  // namespace embark
