// embark::WisdomClient: the typed vendor operations, blocking and asynchronous.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>

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
/// Shared state of WisdomClient copies: the connection and, unless given an executor, an
/// io_context with the thread that runs it.
struct ClientState;
boost::asio::any_io_executor client_executor(const ClientState& state);
/// A new strand of the client's executor, for one operation.
boost::asio::any_io_executor operation_executor(const ClientState& state);
std::shared_ptr<WisdomConnection> client_connection(const ClientState& state);
/// Error{internal} when a blocking call would wait for the thread it runs on, else nullopt.
std::optional<Error> blocking_call_check(const ClientState& state, const char* operation);
/// Maps an exception escaping an operation's coroutine (a bug) to an Error.
Error error_from_exception(const std::exception_ptr& ep, const char* operation);

/// The coroutine of one operation: keeps the connection alive and never lets an exception out.
template <class T, class Make>
boost::asio::awaitable<Result<T>> run_operation(std::shared_ptr<WisdomConnection> connection,
                                                Make make) {
  co_await boost::asio::this_coro::throw_if_cancelled(false);
  co_return co_await make(*connection);
}

/// Completes an operation's handler with its Result on the handler's own executor.
template <class T, class Handler, class WorkGuard>
struct Completion {
  Handler handler;
  WorkGuard work;
  const char* operation;
  void operator()(const std::exception_ptr& ep, Result<T> result) {
    if (ep) result = error_from_exception(ep, operation);
    auto executor = work.get_executor();
    boost::asio::dispatch(executor,
                          [handler = std::move(handler), result = std::move(result)]() mutable {
                            std::move(handler)(std::move(result));
                          });
    work.reset();
  }
};

/// Starts one operation on the client's executor (see async_run). Everything the operation needs
/// travels inside the initiation object rather than as extra initiation arguments: GCC 12 loses
/// by-value parameter packs of coroutines such as use_awaitable's initiate().
template <class T, class Make>
struct Initiation {
  std::shared_ptr<ClientState> state;
  const char* operation;
  Make make;

  template <class Handler>
  void operator()(Handler handler) {
    namespace asio = boost::asio;
    auto executor = client_executor(*state);
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto work = asio::make_work_guard(asio::get_associated_executor(handler, executor));
    // A strand per operation: the call races each attempt against its deadline with `||`, whose
    // branches must not complete on two threads of a multi-threaded executor at once.
    asio::co_spawn(
        operation_executor(*state), run_operation<T>(client_connection(*state), std::move(make)),
        asio::bind_cancellation_slot(slot, Completion<T, Handler, decltype(work)>{
                                               std::move(handler), std::move(work), operation}));
  }
};

/// Runs `make(connection)` (an awaitable<Result<T>>) on the client's executor and completes the
/// token with void(Result<T>). Cancellation of the token's slot becomes Error{cancelled}.
template <class T, class Token, class Make>
auto async_run(const std::shared_ptr<ClientState>& state, const char* operation, Make make,
               Token&& token) {
  return boost::asio::async_initiate<Token, void(Result<T>)>(
      Initiation<T, Make>{state, operation, std::move(make)}, token);
}
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

  // Each operation below is one line naming its WisdomConnection member: call() and
  // async_call() are the same for all of them.

  /// All users of a workspace (listUsers), parsed incrementally into compact records.
  Result<std::vector<UserRecord>> list_users(ListUsersRequest request = {}) const {
    return call("listUsers", &WisdomConnection::list_users, std::move(request));
  }
  /// createUsers (an "already exists" answer is Error{already_exists}).
  Result<void> create_users(CreateUsersRequest request) const {
    return call("createUsers", &WisdomConnection::create_users, std::move(request));
  }
  /// setUserAttributes: replaces the user's DATABASE attributes.
  Result<void> set_user_attributes(SetUserAttributesRequest request) const {
    return call("setUserAttributes", &WisdomConnection::set_user_attributes, std::move(request));
  }
  /// deleteUsersFromWorkspace (irreversible; not retried once it may have reached the vendor).
  Result<void> delete_users_from_workspace(DeleteUsersRequest request) const {
    return call("deleteUsersFromWorkspace", &WisdomConnection::delete_users, std::move(request));
  }
  /// impersonateUser: a session JWT for one user, expiry decoded from the token.
  Result<SessionToken> impersonate_user(ImpersonateRequest request) const {
    return call("impersonateUser", &WisdomConnection::impersonate_user, std::move(request));
  }
  /// exchangeAccessToken: a bearer JWT for management calls (the client does this by itself
  /// when no api_token is configured).
  Result<SessionToken> exchange_access_token() const {
    return call("exchangeAccessToken", &WisdomConnection::exchange_access_token);
  }

  /// Async list_users; completion signature void(Result<std::vector<UserRecord>>).
  template <class Token>
  auto async_list_users(ListUsersRequest request, Token&& token) const {
    return async_call(std::forward<Token>(token), "listUsers", &WisdomConnection::list_users,
                      std::move(request));
  }
  /// Async create_users; completion signature void(Result<void>).
  template <class Token>
  auto async_create_users(CreateUsersRequest request, Token&& token) const {
    return async_call(std::forward<Token>(token), "createUsers", &WisdomConnection::create_users,
                      std::move(request));
  }
  /// Async set_user_attributes; completion signature void(Result<void>).
  template <class Token>
  auto async_set_user_attributes(SetUserAttributesRequest request, Token&& token) const {
    return async_call(std::forward<Token>(token), "setUserAttributes",
                      &WisdomConnection::set_user_attributes, std::move(request));
  }
  /// Async delete_users_from_workspace; completion signature void(Result<void>).
  template <class Token>
  auto async_delete_users_from_workspace(DeleteUsersRequest request, Token&& token) const {
    return async_call(std::forward<Token>(token), "deleteUsersFromWorkspace",
                      &WisdomConnection::delete_users, std::move(request));
  }
  /// Async impersonate_user; completion signature void(Result<SessionToken>).
  template <class Token>
  auto async_impersonate_user(ImpersonateRequest request, Token&& token) const {
    return async_call(std::forward<Token>(token), "impersonateUser",
                      &WisdomConnection::impersonate_user, std::move(request));
  }
  /// Async exchange_access_token; completion signature void(Result<SessionToken>).
  template <class Token>
  auto async_exchange_access_token(Token&& token) const {
    return async_call(std::forward<Token>(token), "exchangeAccessToken",
                      &WisdomConnection::exchange_access_token);
  }

 private:
  void set_connection(std::shared_ptr<WisdomConnection> connection);

  /// `member(args...)` of the connection on the client's executor, completing `token`.
  template <class Token, class T, class... Args>
  auto async_call(Token&& token, const char* operation,
                  boost::asio::awaitable<Result<T>> (WisdomConnection::*member)(Args...),
                  Args... args) const {
    return detail::async_run<T>(
        state_, operation,
        [member, ... args = std::move(args)](WisdomConnection& c) mutable {
          return (c.*member)(std::move(args)...);
        },
        std::forward<Token>(token));
  }

  /// The blocking form of async_call: refuses to wait for the client's own thread.
  template <class T, class... Args>
  Result<T> call(const char* operation,
                 boost::asio::awaitable<Result<T>> (WisdomConnection::*member)(Args...),
                 Args... args) const {
    if (auto error = detail::blocking_call_check(*state_, operation)) return *error;
    return async_call(boost::asio::use_future, operation, member, std::move(args)...).get();
  }

  std::shared_ptr<detail::ClientState> state_;
};

}  // namespace embark
