// An in-memory WisdomConnection for unit tests of the command line (one layer only).
#pragma once

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "embark/connection.hpp"

namespace embark::cli::test {

/// Keeps users in memory, counts calls, tracks calls in flight, fails on demand.
class FakeConnection final : public WisdomConnection {
 public:
  std::vector<UserRecord> users;
  std::set<std::string> fail_create_for;  ///< a createUsers carrying one of these fails whole
  std::map<std::string, int> calls;
  std::vector<CreateUsersRequest> create_requests;
  int in_flight = 0;
  int max_in_flight = 0;
  Error list_error;  ///< code != ok: listUsers fails with it

  void add(std::string id, std::string email, AttributeMap attributes = {},
           std::vector<RoleAssignment> roles = {}) {
    users.push_back({std::move(id), std::move(email), std::move(attributes), std::move(roles)});
  }
  const UserRecord* find(std::string_view email) const {
    for (const UserRecord& u : users) {
      if (lower(u.email) == lower(email)) return &u;
    }
    return nullptr;
  }

  boost::asio::awaitable<Result<std::vector<UserRecord>>> list_users(ListUsersRequest) override {
    ++calls["listUsers"];
    co_await yield();
    if (list_error.code() != ErrorCode::ok) co_return list_error;
    co_return users;
  }
  boost::asio::awaitable<Result<void>> create_users(CreateUsersRequest request) override {
    ++calls["createUsers"];
    create_requests.push_back(request);
    co_await yield();
    for (const std::string& e : request.emails) {
      if (fail_create_for.contains(e)) {
        co_return Error(ErrorCode::server_error, "injected failure").with_operation("createUsers");
      }
    }
    for (const std::string& e : request.emails) {
      UserRecord* user = const_cast<UserRecord*>(find(e));
      if (!user) {
        users.push_back({"u-" + std::to_string(users.size() + 1), e, {}, {}});
        user = &users.back();
        if (request.attributes) user->attributes = *request.attributes;
      }
      if (request.roles) user->roles = *request.roles;
    }
    co_return Result<void>{};
  }
  boost::asio::awaitable<Result<void>> set_user_attributes(
      SetUserAttributesRequest request) override {
    ++calls["setUserAttributes"];
    co_await yield();
    for (UserRecord& u : users) {
      if (u.id == request.user_id) {
        u.attributes = request.attributes;
        co_return Result<void>{};
      }
    }
    co_return Error(ErrorCode::not_found, "User not found");
  }
  boost::asio::awaitable<Result<void>> delete_users(DeleteUsersRequest request) override {
    ++calls["deleteUsersFromWorkspace"];
    co_await yield();
    std::erase_if(users, [&](const UserRecord& u) {
      return std::find(request.user_ids.begin(), request.user_ids.end(), u.id) !=
             request.user_ids.end();
    });
    co_return Result<void>{};
  }
  boost::asio::awaitable<Result<SessionToken>> impersonate_user(
      ImpersonateRequest request) override {
    ++calls["impersonateUser"];
    co_await yield();
    if (!find(request.email)) co_return Error(ErrorCode::not_found, "User not found");
    co_return SessionToken{
        Secret{"jwt-for-" + request.email},
        std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 57)};
  }

 private:
  static std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }
  // Suspends a few times so that concurrent calls interleave; tracks calls in flight.
  boost::asio::awaitable<void> yield() {
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    auto ex = co_await boost::asio::this_coro::executor;
    for (int i = 0; i < 3; ++i) co_await boost::asio::post(ex, boost::asio::use_awaitable);
    --in_flight;
  }
};

}  // namespace embark::cli::test
