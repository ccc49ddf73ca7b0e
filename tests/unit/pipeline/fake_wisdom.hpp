// FakeWisdom: an in-memory WisdomConnection with the vendor's documented semantics, counting
// calls per operation (unit tests of the pipeline only; integration tests use the emulator).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "embark/clock.hpp"
#include "embark/connection.hpp"
#include "embark/fingerprint.hpp"

namespace embark::test {

/// A settable wall clock shared by the test, the Onboarder and the fake.
class ManualClock {
 public:
  ManualClock() : now_(std::make_shared<std::atomic<std::int64_t>>(1'800'000'000)) {}
  Clock clock() const {
    auto now = now_;
    return
        [now] { return std::chrono::system_clock::time_point(std::chrono::seconds(now->load())); };
  }
  void advance(std::chrono::seconds s) { now_->fetch_add(s.count()); }

 private:
  std::shared_ptr<std::atomic<std::int64_t>> now_;
};

/// Vendor semantics (docs/vendor-api.md#operations): users keyed by (workspace, lower-cased email);
/// createUsers re-applies roles for existing users (or answers ERROR "already exists" when
/// `existing_user_error`); setUserAttributes replaces; impersonateUser needs an existing user and
/// never lets session attributes override impersonated_user_id; listUsers returns everything.
class FakeWisdom final : public WisdomConnection {
 public:
  struct User {
    std::string id;
    std::string email;
    AttributeMap attributes;
    std::vector<RoleAssignment> roles;
    std::vector<std::string> groups;
  };

  explicit FakeWisdom(Clock clock) : clock_(std::move(clock)) {}

  bool existing_user_error = false;  ///< createUsers' "already exists" variant
  int yields_per_call = 2;           ///< let other coroutines run inside each call
  std::chrono::seconds token_lifetime{3600};
  /// Fails the next call of an operation ("listUsers", "createUsers", ...) with this error.
  void fail_next(const std::string& operation, Error error) {
    std::lock_guard lock(mutex_);
    failures_[operation] = std::move(error);
  }

  /// Fails every call of an operation with this error until cleared (nullopt).
  void fail_always(const std::string& operation, std::optional<Error> error) {
    std::lock_guard lock(mutex_);
    if (error) {
      sticky_failures_.insert_or_assign(operation, std::move(*error));
    } else {
      sticky_failures_.erase(operation);
    }
  }

  /// listUsers hands users to the request's sink as they "arrive" (as the real client does);
  /// false: collects them into the answer (a connection that ignores the sink).
  bool stream_listing = true;
  /// Fails the next listUsers with this error after every user went to the sink (an `errors`
  /// member after the data, or a connection cut at the end of the answer).
  void fail_next_listing_midway(Error error) {
    std::lock_guard lock(mutex_);
    midway_failure_ = std::move(error);
  }

  std::atomic<int> list_calls{0}, create_calls{0}, set_calls{0}, impersonate_calls{0};
  std::atomic<std::size_t> list_bytes{0};  ///< rough size of listUsers answers
  int total_calls() const { return list_calls + create_calls + set_calls + impersonate_calls; }
  void reset_counters() {
    list_calls = create_calls = set_calls = impersonate_calls = 0;
    list_bytes = 0;
  }

  /// Adds `n` users "seed<i>@example.com" to a workspace, each with one attribute.
  void seed(const std::string& workspace, int n) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < n; ++i) {
      User u;
      u.email = "seed" + std::to_string(i) + "@example.com";
      u.id = next_id();
      u.attributes["tenant"] = "t" + std::to_string(i % 97);
      users_[{workspace, lower_email(u.email)}] = u;
    }
  }
  /// Adds (or replaces) one user directly, as an administrator or another system would.
  User& put_user(const std::string& workspace, User u) {
    std::lock_guard lock(mutex_);
    if (u.id.empty()) u.id = next_id();
    auto& slot = users_[{workspace, lower_email(u.email)}];
    slot = std::move(u);
    return slot;
  }
  std::optional<User> user(const std::string& workspace, const std::string& email) const {
    std::lock_guard lock(mutex_);
    auto it = users_.find({workspace, lower_email(email)});
    if (it == users_.end()) return std::nullopt;
    return it->second;
  }
  /// Removes a user, as an administrator deleting it at the vendor would.
  void remove_user(const std::string& workspace, const std::string& email) {
    std::lock_guard lock(mutex_);
    users_.erase({workspace, lower_email(email)});
  }
  /// The stored attributes a token carries: the user's when it was minted.
  AttributeMap carried(const Secret& jwt) const {
    std::lock_guard lock(mutex_);
    auto it = carried_.find(std::string(jwt.reveal()));
    return it == carried_.end() ? AttributeMap{} : it->second;
  }
  /// The session attributes the last impersonateUser for `email` carried.
  AttributeMap last_session_attributes(const std::string& email) const {
    std::lock_guard lock(mutex_);
    auto it = last_session_.find(lower_email(email));
    return it == last_session_.end() ? AttributeMap{} : it->second;
  }

  boost::asio::awaitable<Result<std::vector<UserRecord>>> list_users(
      ListUsersRequest request) override {
    ++list_calls;
    co_await yield();
    if (auto e = take_failure("listUsers")) co_return *e;
    std::lock_guard lock(mutex_);
    std::vector<UserRecord> out;
    std::size_t bytes = 0;
    for (const auto& [key, u] : users_) {
      if (key.first != request.workspace_id) continue;
      out.push_back(UserRecord{u.id, u.email, u.attributes, u.roles});
      bytes += u.id.size() + u.email.size() + 64;
      for (const auto& [k, v] : u.attributes) bytes += k.size() + v.size();
    }
    list_bytes += bytes;
    if (request.sink && stream_listing) {
      request.sink->restart();
      for (const auto& user : out) request.sink->add(user);
      out.clear();
    }
    if (midway_failure_) {
      Error error = std::move(*midway_failure_);
      midway_failure_.reset();
      co_return error;
    }
    co_return out;
  }

  boost::asio::awaitable<Result<void>> create_users(CreateUsersRequest request) override {
    ++create_calls;
    co_await yield();
    if (auto e = take_failure("createUsers")) co_return *e;
    std::lock_guard lock(mutex_);
    for (const auto& email : request.emails) {
      auto it = users_.find({request.workspace_id, lower_email(email)});
      if (it != users_.end() && existing_user_error) {
        co_return Error(ErrorCode::already_exists, "User with email already exists")
            .with_operation("createUsers");
      }
    }
    for (const auto& email : request.emails) {
      auto key = std::make_pair(request.workspace_id, lower_email(email));
      auto it = users_.find(key);
      if (it == users_.end()) {
        User u;
        u.id = next_id();
        u.email = email;
        it = users_.emplace(key, std::move(u)).first;
      }
      // Omitted fields leave the user unchanged; provided ones replace (docs/vendor-api.md#gap-5).
      if (request.roles) it->second.roles = *request.roles;
      if (request.attributes) it->second.attributes = *request.attributes;
      for (const auto& g : request.group_ids) it->second.groups.push_back(g);
    }
    welcome_emails += request.send_welcome_email ? 1 : 0;
    co_return Result<void>{};
  }

  boost::asio::awaitable<Result<void>> set_user_attributes(
      SetUserAttributesRequest request) override {
    ++set_calls;
    co_await yield();
    if (auto e = take_failure("setUserAttributes")) co_return *e;
    std::lock_guard lock(mutex_);
    for (auto& [key, u] : users_) {
      if (u.id == request.user_id) {
        u.attributes = request.attributes;
        co_return Result<void>{};
      }
    }
    co_return Error(ErrorCode::not_found, "User not found").with_operation("setUserAttributes");
  }

  boost::asio::awaitable<Result<SessionToken>> impersonate_user(
      ImpersonateRequest request) override {
    ++impersonate_calls;
    co_await yield();
    if (auto e = take_failure("impersonateUser")) co_return *e;
    std::lock_guard lock(mutex_);
    const User* found = nullptr;
    for (const auto& [key, u] : users_) {
      if (key.second == lower_email(request.email)) found = &u;
    }
    if (!found)
      co_return Error(ErrorCode::not_found, "User not found").with_operation("impersonateUser");
    last_session_[lower_email(request.email)] = request.session_attributes;
    ++minted_;
    SessionToken token;
    token.jwt = Secret("eyJhbGciOiJIUzI1NiJ9.fake+token/" + std::to_string(minted_) + "." +
                       lower_email(request.email) + ".c2lnbmF0dXJl==");
    token.expires_at = clock_() + token_lifetime;
    carried_[std::string(token.jwt.reveal())] = found->attributes;
    co_return token;
  }

  std::atomic<int> welcome_emails{0};

 private:
  boost::asio::awaitable<void> yield() {
    for (int i = 0; i < yields_per_call; ++i) {
      co_await boost::asio::post(co_await boost::asio::this_coro::executor,
                                 boost::asio::use_awaitable);
    }
  }
  std::optional<Error> take_failure(const std::string& op) {
    std::lock_guard lock(mutex_);
    if (auto sticky = sticky_failures_.find(op); sticky != sticky_failures_.end())
      return sticky->second;
    auto it = failures_.find(op);
    if (it == failures_.end()) return std::nullopt;
    Error e = it->second;
    failures_.erase(it);
    return e;
  }
  std::string next_id() { return "usr_" + std::to_string(++ids_); }

  Clock clock_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, User> users_;
  std::map<std::string, AttributeMap> last_session_;
  std::map<std::string, AttributeMap> carried_;
  std::map<std::string, Error> failures_;
  std::map<std::string, Error> sticky_failures_;
  std::optional<Error> midway_failure_;
  int ids_ = 0;
  int minted_ = 0;
};

}  // namespace embark::test
