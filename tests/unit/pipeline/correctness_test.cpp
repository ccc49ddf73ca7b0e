// What the caches may remember: only what the vendor confirmed (tokens keyed by the attributes
// they carry, refresh applying the app's attributes, forget, not_found), and shared-state
// backends whose failures never fail a login.
#include <atomic>
#include <mutex>
#include <vector>

#include "embark/directory.hpp"
#include "embark/observer.hpp"
#include "embark/token_cache.hpp"

#include "pipeline/harness.hpp"

using namespace embark;
using namespace embark::test;
using namespace std::chrono_literals;

namespace {

// Records background events (failed shared-state calls among them).
struct EventLog final : Observer {
  std::mutex mutex;
  std::vector<std::pair<std::string, bool>> events;  // what, failed
  void on_background(const BackgroundEvent& e) override {
    std::lock_guard lock(mutex);
    events.emplace_back(std::string(e.what), e.error != nullptr);
  }
  int failures(std::string_view what) {
    std::lock_guard lock(mutex);
    int n = 0;
    for (const auto& [w, failed] : events) n += (w == what && failed) ? 1 : 0;
    return n;
  }
};

// A shared backend that can be switched off: its async members then fail (as a dead Redis would)
// while the synchronous ones, which the pipeline must not call, throw.
class FlakyDirectory final : public UserDirectory {
 public:
  std::atomic<bool> down{false};
  std::atomic<int> sync_calls{0};
  InMemoryUserDirectory inner;

  std::optional<DirectoryEntry> find(std::string_view w, std::string_view e) override {
    ++sync_calls;
    return inner.find(w, e);
  }
  void put(std::string_view w, std::string_view e, const DirectoryEntry& entry) override {
    ++sync_calls;
    inner.put(w, e, entry);
  }
  void erase(std::string_view w, std::string_view e) override {
    ++sync_calls;
    inner.erase(w, e);
  }
  void load_listing(std::string_view w, std::span<const UserRecord> users,
                    std::chrono::system_clock::time_point started,
                    std::chrono::system_clock::time_point listed) override {
    ++sync_calls;
    inner.load_listing(w, users, started, listed);
  }
  std::size_t size() const override { return inner.size(); }

  boost::asio::awaitable<Result<std::optional<DirectoryEntry>>> async_find(
      std::string_view w, std::string_view e) override {
    if (down) co_return Error(ErrorCode::connect, "backend down");
    co_return inner.find(w, e);
  }
  boost::asio::awaitable<Result<void>> async_put(std::string_view w, std::string_view e,
                                                 const DirectoryEntry& entry) override {
    if (down) co_return Error(ErrorCode::connect, "backend down");
    inner.put(w, e, entry);
    co_return Result<void>{};
  }
  boost::asio::awaitable<Result<void>> async_erase(std::string_view w,
                                                   std::string_view e) override {
    if (down) co_return Error(ErrorCode::connect, "backend down");
    inner.erase(w, e);
    co_return Result<void>{};
  }
  boost::asio::awaitable<Result<void>> async_load_listing(
      std::string_view w, std::span<const UserRecord> users,
      std::chrono::system_clock::time_point started,
      std::chrono::system_clock::time_point listed) override {
    if (down) co_return Error(ErrorCode::connect, "backend down");
    inner.load_listing(w, users, started, listed);
    co_return Result<void>{};
  }
};

class FlakyTokenCache final : public TokenCache {
 public:
  std::atomic<bool> down{false};
  std::atomic<int> sync_calls{0};
  InMemoryTokenCache inner;

  std::optional<SessionToken> find(const TokenKey& k, std::chrono::system_clock::time_point now,
                                   std::chrono::seconds margin) override {
    ++sync_calls;
    return inner.find(k, now, margin);
  }
  void put(const TokenKey& k, const SessionToken& t) override {
    ++sync_calls;
    inner.put(k, t);
  }
  void erase(const TokenKey& k) override {
    ++sync_calls;
    inner.erase(k);
  }
  std::size_t size() const override { return inner.size(); }

  boost::asio::awaitable<Result<std::optional<SessionToken>>> async_find(
      const TokenKey& k, std::chrono::system_clock::time_point now,
      std::chrono::seconds margin) override {
    if (down) co_return Error(ErrorCode::timeout, "backend down");
    co_return inner.find(k, now, margin);
  }
  boost::asio::awaitable<Result<void>> async_put(const TokenKey& k,
                                                 const SessionToken& t) override {
    if (down) co_return Error(ErrorCode::timeout, "backend down");
    inner.put(k, t);
    co_return Result<void>{};
  }
  boost::asio::awaitable<Result<void>> async_erase(const TokenKey& k) override {
    if (down) co_return Error(ErrorCode::timeout, "backend down");
    inner.erase(k);
    co_return Result<void>{};
  }
};

}  // namespace

TEST_CASE("shared state: a backend that may block is called only through its async members") {
  Harness h;
  auto directory = std::make_shared<FlakyDirectory>();
  auto tokens = std::make_shared<FlakyTokenCache>();
  auto config = h.config();
  config.directory = directory;
  config.token_cache = tokens;
  auto onboarder = h.make(config);
  auto request = request_for("sam@example.com");
  REQUIRE(onboarder.onboard(request));
  REQUIRE(onboarder.onboard(request));
  CHECK(directory->inner.size() == 1);
  CHECK(tokens->inner.size() == 1);
  CHECK(directory->sync_calls == 0);
  CHECK(tokens->sync_calls == 0);
}

TEST_CASE("shared state: a failed read is a miss, a failed write is reported and dropped") {
  Harness h;
  auto log = std::make_shared<EventLog>();
  auto directory = std::make_shared<FlakyDirectory>();
  auto tokens = std::make_shared<FlakyTokenCache>();
  auto config = h.config();
  config.directory = directory;
  config.token_cache = tokens;
  config.observers = {log};
  auto onboarder = h.make(config);
  auto request = request_for("tess@example.com");
  auto first = onboarder.onboard(request);
  REQUIRE(first);
  REQUIRE(h.fake->create_calls == 1);

  // Both backends down: logins still succeed, asking the vendor instead of the caches.
  directory->down = true;
  tokens->down = true;
  h.clock.advance(11s);  // past min_refresh_interval: the directory strategy lists instead
  h.fake->reset_counters();
  auto second = onboarder.onboard(request);
  REQUIRE(second);
  CHECK(h.fake->impersonate_calls == 1);  // the cached token could not be read
  CHECK(h.fake->list_calls == 1);
  CHECK(h.fake->create_calls == 0);  // the listing itself showed the user exists
  CHECK(log->failures("directory-backend") > 0);
  CHECK(log->failures("token-cache-backend") > 0);

  // Back up: the cache still holds only what was written while it worked.
  directory->down = false;
  tokens->down = false;
  CHECK(tokens->inner.size() == 1);
  h.fake->reset_counters();
  auto third = onboarder.onboard(request);
  REQUIRE(third);
  CHECK(h.fake->total_calls() == 0);
  CHECK(third->jwt == first->jwt);
}
