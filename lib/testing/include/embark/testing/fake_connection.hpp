// embark::testing::FakeConnection: a scripted WisdomConnection, so that an application can
// unit-test its login handler (or anything else built on WisdomClient) without a server.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "embark/connection.hpp"
#include "embark/model.hpp"
#include "embark/result.hpp"

namespace embark::testing {

/// Answers each operation from its own queue of scripted results (first in, first out) and
/// records every request. An operation with an empty queue answers Error{unimplemented} naming
/// the operation. Thread-safe. Use with `WisdomClient(std::make_shared<FakeConnection>(...))`.
class FakeConnection : public WisdomConnection {
 public:
  /// Every request received, per operation, in order.
  struct Calls {
    std::vector<ListUsersRequest> list_users;
    std::vector<CreateUsersRequest> create_users;
    std::vector<SetUserAttributesRequest> set_user_attributes;
    std::vector<DeleteUsersRequest> delete_users;
    std::vector<ImpersonateRequest> impersonate_user;
    int exchange_access_token = 0;
    /// Calls of all operations together.
    std::size_t total() const {
      return list_users.size() + create_users.size() + set_user_attributes.size() +
             delete_users.size() + impersonate_user.size() +
             static_cast<std::size_t>(exchange_access_token);
    }
  };

  /// Queues the answer of the next list_users call.
  void push_list_users(Result<std::vector<UserRecord>> result) {
    push(list_users_, std::move(result));
  }
  /// Queues the answer of the next create_users call.
  void push_create_users(Result<void> result) { push(create_users_, std::move(result)); }
  /// Queues the answer of the next set_user_attributes call.
  void push_set_user_attributes(Result<void> result) {
    push(set_user_attributes_, std::move(result));
  }
  /// Queues the answer of the next delete_users call.
  void push_delete_users(Result<void> result) { push(delete_users_, std::move(result)); }
  /// Queues the answer of the next impersonate_user call.
  void push_impersonate_user(Result<SessionToken> result) {
    push(impersonate_user_, std::move(result));
  }
  /// Queues the answer of the next exchange_access_token call.
  void push_exchange_access_token(Result<SessionToken> result) {
    push(exchange_access_token_, std::move(result));
  }

  /// A copy of the requests recorded so far.
  Calls calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

  boost::asio::awaitable<Result<std::vector<UserRecord>>> list_users(
      ListUsersRequest request) override {
    co_return next(list_users_, calls_.list_users, std::move(request), "listUsers");
  }
  boost::asio::awaitable<Result<void>> create_users(CreateUsersRequest request) override {
    co_return next(create_users_, calls_.create_users, std::move(request), "createUsers");
  }
  boost::asio::awaitable<Result<void>> set_user_attributes(
      SetUserAttributesRequest request) override {
    co_return next(set_user_attributes_, calls_.set_user_attributes, std::move(request),
                   "setUserAttributes");
  }
  boost::asio::awaitable<Result<void>> delete_users(DeleteUsersRequest request) override {
    co_return next(delete_users_, calls_.delete_users, std::move(request),
                   "deleteUsersFromWorkspace");
  }
  boost::asio::awaitable<Result<SessionToken>> impersonate_user(
      ImpersonateRequest request) override {
    co_return next(impersonate_user_, calls_.impersonate_user, std::move(request),
                   "impersonateUser");
  }
  boost::asio::awaitable<Result<SessionToken>> exchange_access_token() override {
    std::lock_guard lock(mutex_);
    ++calls_.exchange_access_token;
    co_return pop(exchange_access_token_, "exchangeAccessToken");
  }

 private:
  template <class T>
  void push(std::deque<Result<T>>& queue, Result<T> result) {
    std::lock_guard lock(mutex_);
    queue.push_back(std::move(result));
  }

  template <class T>
  static Result<T> pop(std::deque<Result<T>>& queue, const char* operation) {
    if (queue.empty()) {
      return Error(ErrorCode::unimplemented,
                   std::string("FakeConnection: no scripted result left for ") + operation)
          .with_operation(operation);
    }
    Result<T> out = std::move(queue.front());
    queue.pop_front();
    return out;
  }

  template <class T, class Request>
  Result<T> next(std::deque<Result<T>>& queue, std::vector<Request>& seen, Request request,
                 const char* operation) {
    std::lock_guard lock(mutex_);
    seen.push_back(std::move(request));
    return pop(queue, operation);
  }

  mutable std::mutex mutex_;
  std::deque<Result<std::vector<UserRecord>>> list_users_;
  std::deque<Result<void>> create_users_;
  std::deque<Result<void>> set_user_attributes_;
  std::deque<Result<void>> delete_users_;
  std::deque<Result<SessionToken>> impersonate_user_;
  std::deque<Result<SessionToken>> exchange_access_token_;
  Calls calls_;
};

// A WisdomConnection operation the fake does not script fails to compile here.
static_assert(implements_every_operation<FakeConnection>(),
              "FakeConnection must script every WisdomConnection operation");

}  // namespace embark::testing
