// What the caches may remember: only what the vendor confirmed (tokens keyed by the attributes
// they carry, refresh applying the app's attributes, forget, not_found), and shared-state
// backends whose failures never fail a login.
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "embark/directory.hpp"
#include "embark/observer.hpp"
#include "embark/shared_state.hpp"
#include "embark/strategies/ensure_user/list_then_create.hpp"
#include "embark/strategies/set_attributes/merge.hpp"
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
  void erase_user(std::string_view w, std::string_view e) override {
    ++sync_calls;
    inner.erase_user(w, e);
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
  boost::asio::awaitable<Result<void>> async_erase_user(std::string_view w,
                                                        std::string_view e) override {
    if (down) co_return Error(ErrorCode::timeout, "backend down");
    inner.erase_user(w, e);
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

namespace {

OnboardRequest alice_in(std::string region) {
  OnboardRequest r;
  r.email = "alice@example.com";
  r.roles = {RoleAssignment{"viewer", {"domain_1"}}};
  r.attributes = {{"tenant_id", "acme"}, {"region", std::move(region)}};
  return r;
}

StageOutcome outcome_of(const Session& s, Stage stage) {
  for (const auto& report : s.stages) {
    if (report.stage == stage) return report.outcome;
  }
  FAIL("stage not reported");
  return StageOutcome::failed;
}

}  // namespace

TEST_CASE("the four steps: a changed attribute reaches the refresh and the next sign-in") {
  for (const char* impersonate : {"reuse", "pre-mint"}) {
    CAPTURE(impersonate);
    Harness h;
    auto config = h.config();
    config.impersonate = impersonate;
    auto onboarder = h.make(config);

    // 1. alice signs in; her token carries region=us-west.
    auto login = onboarder.onboard(alice_in("us-west"));
    REQUIRE(login);
    CHECK(h.fake->carried(login->jwt).at("region") == "us-west");

    // 2. The app moves her to eu-north while she is signed in; 3. the iframe refreshes.
    h.clock.advance(60s);
    h.fake->reset_counters();
    auto refreshed = onboarder.refresh(alice_in("eu-north"));
    REQUIRE(refreshed);
    CHECK(h.fake->set_calls == 1);  // one write, then the mint
    CHECK(outcome_of(*refreshed, Stage::set_attributes) == StageOutcome::called);
    CHECK(outcome_of(*refreshed, Stage::impersonate) == StageOutcome::called);
    CHECK(h.fake->carried(refreshed->jwt).at("region") == "eu-north");
    CHECK(h.fake->user("", "alice@example.com")->attributes.at("region") == "eu-north");

    // 4. She signs out and in again: nothing to write, and the token reused carries eu-north.
    h.clock.advance(60s);
    h.fake->reset_counters();
    auto again = onboarder.onboard(alice_in("eu-north"));
    REQUIRE(again);
    CHECK(h.fake->set_calls == 0);
    CHECK(outcome_of(*again, Stage::impersonate) == StageOutcome::skipped_cached);
    CHECK(h.fake->carried(again->jwt).at("region") == "eu-north");

    // And back: the us-west token of step 1 is never handed out for eu-north, nor the reverse.
    h.fake->reset_counters();
    auto back = onboarder.refresh(alice_in("us-west"));
    REQUIRE(back);
    CHECK(h.fake->set_calls == 1);
    CHECK(h.fake->carried(back->jwt).at("region") == "us-west");
  }
}

TEST_CASE("a refresh for a user the directory does not know settles the attributes first") {
  Harness h;
  auto onboarder = h.make();
  REQUIRE(onboarder.onboard(alice_in("us-west")));
  REQUIRE(onboarder.forget("alice@example.com"));
  h.clock.advance(11s);  // past min_refresh_interval
  h.fake->reset_counters();
  auto refreshed = onboarder.refresh(alice_in("eu-north"));
  REQUIRE(refreshed);
  CHECK(h.fake->list_calls == 1);  // what is stored is learnt, not assumed
  CHECK(h.fake->set_calls == 1);
  CHECK(h.fake->create_calls == 0);  // a refresh never creates users
  CHECK(h.fake->carried(refreshed->jwt).at("region") == "eu-north");
}

TEST_CASE("forget drops the directory entry and every token of the user, nobody else's") {
  Harness h;
  auto onboarder = h.make();
  auto alice = alice_in("us-west");
  auto bob = alice_in("us-west");
  bob.email = "bob@example.com";
  auto first = onboarder.onboard(alice);
  REQUIRE(first);
  REQUIRE(onboarder.onboard(bob));
  auto alice_session = alice;
  alice_session.session_attributes = {{"view", "compact"}};  // a second token of alice's
  REQUIRE(onboarder.onboard(alice_session));
  REQUIRE(onboarder.tokens().size() == 3);

  REQUIRE(onboarder.forget("ALICE@example.com"));
  CHECK_FALSE(onboarder.directory().find("", "alice@example.com"));
  CHECK(onboarder.directory().find("", "bob@example.com"));
  CHECK(onboarder.tokens().size() == 1);

  CHECK(onboarder.forget("").error().field() == "email");

  // The next login asks the vendor again (listing, fresh token), and never re-creates her.
  h.clock.advance(11s);
  h.fake->reset_counters();
  auto again = onboarder.onboard(alice);
  REQUIRE(again);
  CHECK(h.fake->list_calls == 1);
  CHECK(h.fake->create_calls == 0);
  CHECK(h.fake->impersonate_calls == 1);
  CHECK_FALSE(again->jwt == first->jwt);
}

TEST_CASE("the vendor not knowing a known user drops its entry; the next login re-creates it") {
  Harness h;
  auto onboarder = h.make();
  REQUIRE(onboarder.onboard(alice_in("us-west")));
  REQUIRE(onboarder.directory().find("", "alice@example.com"));

  h.fake->remove_user("", "alice@example.com");  // deleted at the vendor
  h.clock.advance(56min);                        // the cached token is past its reuse window
  auto failed = onboarder.onboard(alice_in("us-west"));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code() == ErrorCode::not_found);
  CHECK_FALSE(onboarder.directory().find("", "alice@example.com"));
  CHECK(onboarder.tokens().size() == 0);

  h.fake->reset_counters();
  auto again = onboarder.onboard(alice_in("us-west"));
  REQUIRE(again);
  CHECK(h.fake->create_calls == 1);
  REQUIRE(h.fake->user("", "alice@example.com"));
  CHECK(h.fake->carried(again->jwt).at("region") == "us-west");
}

TEST_CASE("a createUsers answer that confirms nothing leaves no directory entry") {
  Harness h;
  auto onboarder = h.make();
  // What the client makes of {"data":{"createUsers":null}}: not a success.
  h.fake->fail_always("createUsers", Error(ErrorCode::protocol, "no OK status in the answer"));
  auto failed = onboarder.onboard(alice_in("us-west"));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().stage() == "ensure-user");
  CHECK(onboarder.directory().size() == 0);
  CHECK(onboarder.tokens().size() == 0);
  // Doubtful, so re-checked with a listing; sent once more only because that listing showed
  // the user absent.
  CHECK(h.fake->list_calls == 2);
  CHECK(h.fake->create_calls == 2);
}

TEST_CASE("after createUsers for a user that may have existed, stored attributes are not assumed") {
  Harness h;
  auto config = h.config();
  config.ensure_user = "create-always";
  auto onboarder = h.make(config);
  // Someone else created alice with other attributes; createUsers (OK variant) may not change
  // them, and nothing told embark she was new.
  FakeWisdom::User other;
  other.email = "alice@example.com";
  other.attributes = {{"tenant_id", "acme"}, {"region", "ap-south"}};
  h.fake->put_user("", other);
  h.fake->existing_user_error = true;  // createUsers leaves her as she is
  auto session = onboarder.onboard(alice_in("us-west"));
  REQUIRE(session);
  CHECK(h.fake->set_calls == 1);  // settled by a listing and a write, not assumed
  CHECK(h.fake->carried(session->jwt).at("region") == "us-west");
}

TEST_CASE(
    "logins and refreshes of one user with other attributes take turns: tokens carry theirs") {
  for (bool single_flight : {true, false}) {
    CAPTURE(single_flight);
    Harness h;
    boost::asio::io_context io;
    auto config = h.config();
    config.executor = io.get_executor();
    config.single_flight = single_flight;
    auto onboarder = h.make(config);
    std::optional<Result<Session>> created;
    onboarder.async_onboard(alice_in("us-west"),
                            [&](Result<Session> r) { created = std::move(r); });
    io.run();
    REQUIRE(created);
    REQUIRE(*created);

    // Started together on one thread; the fake vendor yields inside every call, so runs that did
    // not take turns would interleave their writes and mints.
    const std::vector<std::string> regions{"eu-north", "ap-south", "us-west",  "eu-north",
                                           "ap-south", "us-west",  "eu-north", "ap-south"};
    std::vector<std::optional<Result<Session>>> results(regions.size());
    for (std::size_t i = 0; i < regions.size(); ++i) {
      auto done = [&results, i](Result<Session> r) { results[i] = std::move(r); };
      if (i % 2 == 0) {
        onboarder.async_onboard(alice_in(regions[i]), done);
      } else {
        onboarder.async_refresh(alice_in(regions[i]), done);
      }
    }
    io.restart();
    io.run();
    for (std::size_t i = 0; i < regions.size(); ++i) {
      CAPTURE(i);
      REQUIRE(results[i]);
      REQUIRE_MESSAGE(*results[i], (*results[i] ? "" : results[i]->error().to_string()));
      CHECK(h.fake->carried((*results[i])->jwt).at("region") == regions[i]);
    }

    // What the caches kept is what each token carries.
    for (const std::string region : {"eu-north", "ap-south", "us-west"}) {
      CAPTURE(region);
      std::optional<Result<Session>> again;
      onboarder.async_onboard(alice_in(region), [&](Result<Session> r) { again = std::move(r); });
      io.restart();
      io.run();
      REQUIRE(again);
      REQUIRE(*again);
      CHECK(h.fake->carried((*again)->jwt).at("region") == region);
    }
  }
}

namespace {

// A lock service for instances of one process (the Redis one does this across processes).
class LocalLocks final : public LockService {
 public:
  boost::asio::awaitable<Result<std::optional<LockLease>>> async_try_acquire(
      std::string_view workspace, std::string_view name, std::chrono::milliseconds) override {
    std::lock_guard lock(mutex_);
    std::string key = std::string(workspace) + '\x1f' + std::string(name);
    std::optional<LockLease> lease;
    if (!held_.contains(key)) {
      lease = LockLease{key, std::to_string(++grants_), grants_};
      held_[key] = lease->owner;
    }
    co_return lease;
  }
  boost::asio::awaitable<Result<bool>> async_release(const LockLease& lease) override {
    std::lock_guard lock(mutex_);
    auto it = held_.find(lease.key);
    if (it == held_.end() || it->second != lease.owner) co_return false;
    held_.erase(it);
    co_return true;
  }
  boost::asio::awaitable<Result<bool>> async_is_held(std::string_view workspace,
                                                     std::string_view name) override {
    std::lock_guard lock(mutex_);
    co_return held_.contains(std::string(workspace) + '\x1f' + std::string(name));
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> held_;
  std::uint64_t grants_ = 0;
};

}  // namespace

TEST_CASE("two instances sharing state: a refresh on one takes turns with a login on the other") {
  Harness h;
  boost::asio::io_context io;
  auto locks = std::make_shared<LocalLocks>();
  auto directory = std::make_shared<InMemoryUserDirectory>();
  auto tokens = std::make_shared<InMemoryTokenCache>();
  auto instance = [&] {
    auto config = h.config();
    config.executor = io.get_executor();
    config.lock_service = locks;
    config.directory = directory;
    config.token_cache = tokens;
    return h.make(config);
  };
  auto one = instance();
  auto two = instance();
  std::optional<Result<Session>> created, a, b;
  one.async_onboard(alice_in("us-west"), [&](Result<Session> r) { created = std::move(r); });
  io.run();
  REQUIRE(created);
  REQUIRE(*created);

  // Started together; the fake vendor yields inside every call.
  one.async_onboard(alice_in("eu-north"), [&](Result<Session> r) { a = std::move(r); });
  two.async_refresh(alice_in("ap-south"), [&](Result<Session> r) { b = std::move(r); });
  io.restart();
  io.run();
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE_MESSAGE(*a, (*a ? "" : a->error().to_string()));
  REQUIRE_MESSAGE(*b, (*b ? "" : b->error().to_string()));
  CHECK(h.fake->carried((*a)->jwt).at("region") == "eu-north");
  CHECK(h.fake->carried((*b)->jwt).at("region") == "ap-south");

  // The shared caches hold what each token carries.
  std::optional<Result<Session>> again;
  two.async_onboard(alice_in("eu-north"), [&](Result<Session> r) { again = std::move(r); });
  io.restart();
  io.run();
  REQUIRE(again);
  REQUIRE(*again);
  CHECK(h.fake->carried((*again)->jwt).at("region") == "eu-north");
}

TEST_CASE("a listing that fails midway leaves the directory as it was; the next one loads it") {
  for (const bool streamed : {true, false}) {
    CAPTURE(streamed);
    Harness h;
    h.fake->stream_listing = streamed;
    h.fake->seed("", 3);
    auto config = h.config();
    config.ensure_user_strategy = std::make_shared<ListThenCreateEnsureUser>();
    auto onboarder = h.make(config);
    REQUIRE(onboarder.onboard(alice_in("us-west")));  // lists seed0..2, creates alice
    auto before = onboarder.directory().find("", "seed0@example.com");
    REQUIRE(before);

    h.fake->put_user("", {.id = "changed-id", .email = "seed0@example.com"});
    h.fake->put_user("", {.email = "bob@example.com"});
    h.fake->remove_user("", "seed1@example.com");
    h.clock.advance(11s);
    // Every user went by, then the answer turned out broken (an `errors` member, a cut).
    h.fake->fail_next_listing_midway(
        Error(ErrorCode::protocol, "the connection closed in the middle of the response"));
    auto carol = alice_in("us-west");
    carol.email = "carol@example.com";
    REQUIRE_FALSE(onboarder.onboard(carol));
    auto after = onboarder.directory().find("", "seed0@example.com");
    REQUIRE(after);
    CHECK(after->user_id == before->user_id);
    CHECK(after->seen == before->seen);
    CHECK(onboarder.directory().find("", "seed1@example.com"));
    CHECK_FALSE(onboarder.directory().find("", "bob@example.com"));
    CHECK_FALSE(h.fake->user("", "carol@example.com"));  // no createUsers on a failed listing

    REQUIRE(onboarder.onboard(carol));
    CHECK(onboarder.directory().find("", "seed0@example.com")->user_id == "changed-id");
    CHECK(onboarder.directory().find("", "bob@example.com"));
    CHECK_FALSE(onboarder.directory().find("", "seed1@example.com"));
  }
}

TEST_CASE("runs sharing one listing each get their own user's record") {
  Harness h;
  for (int i = 0; i < 8; ++i) {
    h.fake->put_user("", {.email = "u" + std::to_string(i) + "@example.com",
                          .attributes = {{"other", "x" + std::to_string(i)}}});
  }
  h.fake->seed("", 50);
  auto config = h.config();
  config.set_attributes_strategy = std::make_shared<MergeSetAttributes>();
  config.ensure_user_strategy = std::make_shared<ListThenCreateEnsureUser>();
  auto onboarder = h.make(config);
  std::vector<std::future<Result<Session>>> sessions;
  for (int i = 0; i < 8; ++i) {
    auto request = alice_in("r" + std::to_string(i));
    request.email = "U" + std::to_string(i) + "@example.com";
    sessions.push_back(onboarder.async_onboard(request, boost::asio::use_future));
  }
  for (auto& s : sessions) REQUIRE(s.get().has_value());
  CHECK(h.fake->list_calls < 16);  // shared listings (each run lists twice at most alone)
  CHECK(h.fake->create_calls == 0);
  for (int i = 0; i < 8; ++i) {
    auto stored = h.fake->user("", "u" + std::to_string(i) + "@example.com");
    REQUIRE(stored);
    // merged from the run's own record: the other system's attribute survives
    CHECK(stored->attributes.at("other") == "x" + std::to_string(i));
    CHECK(stored->attributes.at("region") == "r" + std::to_string(i));
  }
}
