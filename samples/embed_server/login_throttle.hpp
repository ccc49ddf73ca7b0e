// LoginThrottle: limits failed sign-ins per account and per client address (brute force).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace embark::sample {

/// Remembers failed logins per account and per client address within a sliding window and says
/// how long the next attempt must wait. Only the vendor-independent app state is kept (no
/// passwords). Not thread-safe: use it from the app's executor thread.
class LoginThrottle {
 public:
  /// How many failures are allowed, over what window, and how much is remembered.
  struct Limits {
    int per_account = 5;   ///< failed logins for one account (any address) within `window`
    int per_address = 20;  ///< failed logins from one address (any account) within `window`
    std::chrono::seconds window{std::chrono::minutes{15}};
    /// Most accounts plus addresses remembered; beyond it expired entries are dropped first, then
    /// the oldest ones, so memory stays bounded under a spray of made-up emails.
    std::size_t max_tracked = 100'000;
  };
  /// Source of the current time (injected so tests control the window).
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit LoginThrottle(Limits limits, Clock clock = &std::chrono::steady_clock::now);

  /// How long an attempt for `account` from `address` must wait; zero when it may go ahead.
  /// `account` is compared case-insensitively; an empty address is not limited by address.
  std::chrono::seconds retry_after(std::string_view account, std::string_view address);
  /// Records a failed attempt.
  void record_failure(std::string_view account, std::string_view address);
  /// Forgets the account's failures after a successful login (its address's remain).
  void record_success(std::string_view account);
  /// Accounts plus addresses currently remembered.
  std::size_t tracked() const noexcept { return accounts_.size() + addresses_.size(); }

 private:
  using Failures = std::deque<std::chrono::steady_clock::time_point>;
  using Table = std::unordered_map<std::string, Failures>;

  std::chrono::seconds wait_for(Table& table, const std::string& key, int limit,
                                std::chrono::steady_clock::time_point now);
  void add(Table& table, std::string key, std::chrono::steady_clock::time_point now);
  void prune(Failures& failures, std::chrono::steady_clock::time_point now) const;
  void make_room(std::chrono::steady_clock::time_point now);

  Limits limits_;
  Clock clock_;
  Table accounts_;
  Table addresses_;
};

}  // namespace embark::sample
