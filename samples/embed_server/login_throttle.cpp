#include "login_throttle.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace embark::sample {
namespace {

std::string account_key(std::string_view account) {
  std::string key(account);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return key;
}

}  // namespace

LoginThrottle::LoginThrottle(Limits limits, Clock clock)
    : limits_(limits), clock_(std::move(clock)) {}

void LoginThrottle::prune(Failures& failures, std::chrono::steady_clock::time_point now) const {
  while (!failures.empty() && failures.front() + limits_.window <= now) failures.pop_front();
}

std::chrono::seconds LoginThrottle::wait_for(Table& table, const std::string& key, int limit,
                                             std::chrono::steady_clock::time_point now) {
  auto it = table.find(key);
  if (it == table.end()) return std::chrono::seconds{0};
  prune(it->second, now);
  if (it->second.empty()) {
    table.erase(it);
    return std::chrono::seconds{0};
  }
  if (static_cast<int>(it->second.size()) < limit) return std::chrono::seconds{0};
  // The attempt may go ahead once enough old failures have left the window.
  auto until = it->second[it->second.size() - static_cast<std::size_t>(limit)] + limits_.window;
  auto wait = std::chrono::ceil<std::chrono::seconds>(until - now);
  return std::max(wait, std::chrono::seconds{1});
}

std::chrono::seconds LoginThrottle::retry_after(std::string_view account,
                                                std::string_view address) {
  const auto now = clock_();
  auto wait = wait_for(accounts_, account_key(account), limits_.per_account, now);
  if (!address.empty()) {
    wait = std::max(wait, wait_for(addresses_, std::string(address), limits_.per_address, now));
  }
  return wait;
}

void LoginThrottle::add(Table& table, std::string key, std::chrono::steady_clock::time_point now) {
  auto& failures = table[std::move(key)];
  prune(failures, now);
  failures.push_back(now);
  // Only the newest `limit` failures ever matter; keep no more per key than the larger limit.
  const auto keep = static_cast<std::size_t>(std::max(limits_.per_account, limits_.per_address));
  while (failures.size() > keep) failures.pop_front();
}

void LoginThrottle::make_room(std::chrono::steady_clock::time_point now) {
  if (tracked() < limits_.max_tracked) return;
  for (Table* table : {&accounts_, &addresses_}) {
    for (auto it = table->begin(); it != table->end();) {
      prune(it->second, now);
      it = it->second.empty() ? table->erase(it) : std::next(it);
    }
  }
  // Still full: drop the entries whose newest failure is oldest.
  while (tracked() >= limits_.max_tracked) {
    Table& table = accounts_.size() >= addresses_.size() ? accounts_ : addresses_;
    if (table.empty()) break;  // max_tracked == 0
    auto oldest = std::min_element(table.begin(), table.end(), [](const auto& a, const auto& b) {
      return a.second.back() < b.second.back();
    });
    table.erase(oldest);
  }
}

void LoginThrottle::record_failure(std::string_view account, std::string_view address) {
  const auto now = clock_();
  make_room(now);
  add(accounts_, account_key(account), now);
  if (!address.empty()) add(addresses_, std::string(address), now);
}

void LoginThrottle::record_success(std::string_view account) {
  accounts_.erase(account_key(account));
}

}  // namespace embark::sample
