// The in-memory token cache.
#include "embark/token_cache.hpp"

#include <doctest/doctest.h>

#include "pipeline/result_printer.hpp"

using namespace embark;
using namespace std::chrono_literals;

namespace {
const auto kT0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
SessionToken token(std::string value, std::chrono::system_clock::time_point expires) {
  return SessionToken{Secret(std::move(value)), expires};
}
}  // namespace

TEST_CASE("reusable only while remaining lifetime exceeds the margin") {
  InMemoryTokenCache cache;
  TokenKey key{"w", "a@x.io", 1, 2};
  cache.put(key, token("t1", kT0 + 1h));
  CHECK(cache.find(key, kT0, 300s)->jwt == Secret("t1"));
  CHECK(cache.find(key, kT0 + 54min, 300s));
  CHECK_FALSE(cache.find(key, kT0 + 55min, 300s));
  CHECK_FALSE(cache.find(key, kT0 + 2h, 0s));
  CHECK(cache.size() == 0);  // expired tokens are dropped on sight
}

TEST_CASE("keys differ by every component") {
  InMemoryTokenCache cache;
  TokenKey key{"w", "a@x.io", 1, 2};
  cache.put(key, token("t", kT0 + 1h));
  for (TokenKey other : {TokenKey{"v", "a@x.io", 1, 2}, TokenKey{"w", "b@x.io", 1, 2},
                         TokenKey{"w", "a@x.io", 9, 2}, TokenKey{"w", "a@x.io", 1, 9}}) {
    CHECK_FALSE(cache.find(other, kT0, 0s));
  }
}

TEST_CASE("a later-expiring token replaces an earlier one, never the reverse") {
  InMemoryTokenCache cache;
  TokenKey key{"w", "a@x.io", 1, 2};
  cache.put(key, token("late", kT0 + 2h));
  cache.put(key, token("early", kT0 + 1h));
  CHECK(cache.find(key, kT0, 0s)->jwt == Secret("late"));
  cache.erase(key);
  CHECK_FALSE(cache.find(key, kT0, 0s));
}

TEST_CASE("bounded: expired, then soonest-expiring tokens make room") {
  InMemoryTokenCache cache(
      InMemoryTokenCacheOptions{.max_entries = 3, .clock = [] { return kT0; }});
  cache.put({"w", "a", 0, 0}, token("a", kT0 - 1s));  // already expired
  cache.put({"w", "b", 0, 0}, token("b", kT0 + 10min));
  cache.put({"w", "c", 0, 0}, token("c", kT0 + 50min));
  cache.put({"w", "d", 0, 0}, token("d", kT0 + 40min));
  CHECK(cache.size() == 3);
  CHECK(cache.find({"w", "b", 0, 0}, kT0, 0s));
  cache.put({"w", "e", 0, 0}, token("e", kT0 + 45min));
  CHECK(cache.size() == 3);
  CHECK_FALSE(cache.find({"w", "b", 0, 0}, kT0, 0s));
  CHECK(cache.find({"w", "c", 0, 0}, kT0, 0s));
}
