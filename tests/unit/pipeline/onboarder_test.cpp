// The round-trip budget (docs/architecture.md#round-trip-budget) and the pipeline's guarantees,
// against FakeWisdom.
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "embark/directory.hpp"
#include "embark/fingerprint.hpp"
#include "embark/observer.hpp"
#include "embark/strategies/ensure_user/directory.hpp"
#include "embark/strategies/impersonate/pre_mint.hpp"
#include "embark/strategies/impersonate/reuse.hpp"
#include "embark/token_endpoint.hpp"

#include "pipeline/harness.hpp"

using namespace embark;
using namespace embark::test;
using namespace std::chrono_literals;

namespace {

// Past the token-reuse window (reuse margin 5 min) but inside the directory TTL (1 h).
constexpr auto kTokenStale = 56min;

int calls_of(const Session& s) {
  int n = 0;
  for (const auto& st : s.stages) n += st.vendor_calls;
  return n;
}

}  // namespace

TEST_CASE("new user: createUsers with attributes + impersonate, plus one listUsers") {
  Harness h;
  auto onboarder = h.make();
  auto session = onboarder.onboard(request_for("Alice@Example.com"));
  REQUIRE_MESSAGE(session.has_value(), (session ? "" : session.error().to_string()));
  CHECK(h.fake->create_calls == 1);
  CHECK(h.fake->impersonate_calls == 1);
  CHECK(h.fake->set_calls == 0);
  CHECK(h.fake->list_calls <= 1);
  CHECK(session->vendor_calls == h.fake->total_calls());
  CHECK(calls_of(*session) == session->vendor_calls);

  auto stored = h.fake->user("", "alice@example.com");
  REQUIRE(stored);
  CHECK(stored->attributes == AttributeMap{{"region", "eu"}, {"tenant", "acme"}});
  REQUIRE(stored->roles.size() == 1);
  CHECK(stored->roles[0].role_id == viewer_id());
  CHECK(h.fake->welcome_emails == 0);

  REQUIRE(session->stages.size() == 3);
  CHECK(session->stages[0].stage == Stage::ensure_user);
  CHECK(session->stages[0].strategy == "directory");
  CHECK(session->stages[0].outcome == StageOutcome::called);
  CHECK(session->stages[1].strategy == "diff");
  CHECK(session->stages[1].outcome == StageOutcome::skipped_unchanged);
  CHECK(session->stages[2].strategy == "reuse");
  CHECK(session->stages[2].outcome == StageOutcome::called);
  CHECK_FALSE(session->jwt.empty());
  CHECK(session->expires_at == h.clock.clock()() + 3600s);
  CHECK(session->embed_url.reveal().starts_with(
      "https://acme.wisdom.ai/embed/dashboards/sales-42?token="));
}

TEST_CASE("returning user, attributes unchanged: exactly one call (impersonate)") {
  Harness h;
  auto onboarder = h.make();
  REQUIRE(onboarder.onboard(request_for("bob@example.com")));
  h.clock.advance(kTokenStale);
  h.fake->reset_counters();
  auto session = onboarder.onboard(request_for("bob@example.com"));
  REQUIRE(session);
  CHECK(h.fake->total_calls() == 1);
  CHECK(h.fake->impersonate_calls == 1);
  CHECK(session->vendor_calls == 1);
  CHECK(session->stages[0].outcome == StageOutcome::skipped_cached);
  CHECK(session->stages[1].outcome == StageOutcome::skipped_unchanged);
  CHECK(session->stages[2].outcome == StageOutcome::called);
}

TEST_CASE("returning user, attributes changed: setUserAttributes + impersonate") {
  Harness h;
  auto onboarder = h.make();
  REQUIRE(onboarder.onboard(request_for("carol@example.com", "acme")));
  // A second login learns the user id (createUsers returns none) from one listUsers, later ones
  // not.
  h.clock.advance(kTokenStale);
  REQUIRE(onboarder.onboard(request_for("carol@example.com", "globex")));
  h.clock.advance(kTokenStale);
  h.fake->reset_counters();
  auto session = onboarder.onboard(request_for("carol@example.com", "initech"));
  REQUIRE(session);
  CHECK(h.fake->set_calls == 1);
  CHECK(h.fake->impersonate_calls == 1);
  CHECK(h.fake->total_calls() == 2);
  CHECK(session->stages[1].outcome == StageOutcome::called);
  CHECK(h.fake->user("", "carol@example.com")->attributes.at("tenant") == "initech");
}

TEST_CASE(
    "a user already in the workspace (previous process): one listUsers, then one call per login") {
  Harness h;
  FakeWisdom::User dave;
  dave.email = "Dave@Example.com";
  dave.attributes = {{"region", "eu"}, {"tenant", "acme"}};
  dave.roles = {RoleAssignment{viewer_id(), {"domain_1"}}};
  h.fake->put_user("", dave);
  auto onboarder = h.make();
  auto first = onboarder.onboard(request_for("dave@example.com"));
  REQUIRE(first);
  CHECK(h.fake->list_calls == 1);
  CHECK(h.fake->create_calls == 0);
  CHECK(h.fake->set_calls == 0);
  CHECK(first->user_id == h.fake->user("", "dave@example.com")->id);
  h.clock.advance(kTokenStale);
  h.fake->reset_counters();
  REQUIRE(onboarder.onboard(request_for("DAVE@example.com")));
  CHECK(h.fake->total_calls() == 1);
}

TEST_CASE("session-only attributes: one call, attributes travel with impersonateUser") {
  Harness h;
  auto config = h.config();
  config.set_attributes = "session-only";
  auto onboarder = h.make(config);
  auto request = request_for("erin@example.com");
  request.session_attributes = {{"region", "us"}, {"locale", "de"}};
  REQUIRE(onboarder.onboard(request));
  CHECK(h.fake->user("", "erin@example.com")->attributes.empty());
  h.clock.advance(kTokenStale);
  h.fake->reset_counters();
  auto session = onboarder.onboard(request);
  REQUIRE(session);
  CHECK(h.fake->total_calls() == 1);
  CHECK(h.fake->impersonate_calls == 1);
  CHECK(session->stages[1].strategy == "session-only");
  CHECK(session->stages[1].outcome == StageOutcome::skipped);
  // Request session attributes win over the stored ones passed as session attributes.
  CHECK(h.fake->last_session_attributes("erin@example.com") ==
        AttributeMap{{"locale", "de"}, {"region", "us"}, {"tenant", "acme"}});
}

TEST_CASE("same user again while a reusable token is fresh: zero calls") {
  Harness h;
  auto onboarder = h.make();
  auto first = onboarder.onboard(request_for("frank@example.com"));
  REQUIRE(first);
  h.clock.advance(30min);
  h.fake->reset_counters();
  auto second = onboarder.onboard(request_for("frank@example.com"));
  REQUIRE(second);
  CHECK(h.fake->total_calls() == 0);
  CHECK(second->vendor_calls == 0);
  CHECK(second->jwt == first->jwt);
  CHECK(second->stages[2].outcome == StageOutcome::skipped_cached);
  // Inside the margin the cached token is no longer handed out.
  h.clock.advance(26min);
  auto third = onboarder.onboard(request_for("frank@example.com"));
  REQUIRE(third);
  CHECK(h.fake->impersonate_calls == 1);
  CHECK_FALSE(third->jwt == first->jwt);
}

TEST_CASE("100 concurrent logins of one new user share one run") {
  Harness h;
  boost::asio::io_context io;
  auto config = h.config();
  config.executor = io.get_executor();
  auto onboarder = h.make(config);
  std::vector<Result<Session>> results;
  for (int i = 0; i < 100; ++i) {
    onboarder.async_onboard(request_for("grace@example.com"),
                            [&results](Result<Session> r) { results.push_back(std::move(r)); });
  }
  io.run();
  REQUIRE(results.size() == 100);
  CHECK(h.fake->create_calls == 1);
  CHECK(h.fake->list_calls <= 1);
  CHECK(h.fake->impersonate_calls == 1);
  CHECK(h.fake->set_calls == 0);
  int joined = 0;
  for (const auto& r : results) {
    REQUIRE(r);
    CHECK(r->jwt == results.front()->jwt);
    if (r->joined_in_flight) {
      ++joined;
      CHECK(r->vendor_calls == 0);
      for (const auto& st : r->stages) CHECK(st.outcome == StageOutcome::joined_in_flight);
    }
  }
  CHECK(joined == 99);
}

TEST_CASE("different session attributes never share a token, even concurrently") {
  Harness h;
  boost::asio::io_context io;
  auto config = h.config();
  config.executor = io.get_executor();
  auto onboarder = h.make(config);
  auto a = request_for("heidi@example.com");
  a.session_attributes = {{"view", "a"}};
  auto b = request_for("heidi@example.com");
  b.session_attributes = {{"view", "b"}};
  std::optional<Result<Session>> ra, rb;
  onboarder.async_onboard(a, [&](Result<Session> r) { ra = std::move(r); });
  onboarder.async_onboard(b, [&](Result<Session> r) { rb = std::move(r); });
  io.run();
  REQUIRE(ra);
  REQUIRE(rb);
  REQUIRE(*ra);
  REQUIRE(*rb);
  CHECK_FALSE((*ra)->jwt == (*rb)->jwt);
  CHECK_FALSE((*ra)->joined_in_flight);
  CHECK_FALSE((*rb)->joined_in_flight);
  CHECK(h.fake->impersonate_calls == 2);
  // Both runs missed the directory at once: the refresh was shared.
  CHECK(h.fake->list_calls == 1);
  // Afterwards each set is served from its own cached token.
  auto again_a = onboarder.async_onboard(a, boost::asio::use_future);
  io.restart();
  io.run();
  CHECK(again_a.get()->jwt == (*ra)->jwt);
}

TEST_CASE("warm-login cost does not grow with workspace size") {
  auto warm_cost = [](int workspace_size) {
    Harness h;
    h.fake->seed("", workspace_size);
    auto onboarder = h.make();
    OnboardRequest r;
    r.email = "seed5@example.com";
    r.attributes = {{"tenant", "t5"}};
    REQUIRE(onboarder.onboard(r));  // cold: the directory is filled once
    h.clock.advance(kTokenStale);
    h.fake->reset_counters();
    auto warm = onboarder.onboard(r);
    REQUIRE(warm);
    return std::make_pair(h.fake->total_calls(), static_cast<std::size_t>(h.fake->list_bytes));
  };
  const auto small = warm_cost(1'000);
  const auto large = warm_cost(100'000);
  CHECK(small.first == 1);
  CHECK(small == large);
}

TEST_CASE("a failing attribute write names stage and strategy and keeps the old fingerprint") {
  Harness h;
  auto onboarder = h.make();
  REQUIRE(onboarder.onboard(request_for("ivan@example.com", "acme")));
  h.clock.advance(kTokenStale);
  REQUIRE(onboarder.onboard(request_for("ivan@example.com", "globex")));  // learns the id
  const auto before = onboarder.directory().find("", "ivan@example.com");
  REQUIRE(before);
  REQUIRE(before->attributes);

  h.clock.advance(kTokenStale);
  h.fake->reset_counters();
  h.fake->fail_next("setUserAttributes",
                    Error(ErrorCode::server_error, "backend unavailable").with_http_status(503));
  auto failed = onboarder.onboard(request_for("ivan@example.com", "initech"));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code() == ErrorCode::server_error);
  CHECK(failed.error().stage() == "set-attributes");
  CHECK(failed.error().strategy() == "diff");
  CHECK(failed.error().operation() == "setUserAttributes");
  CHECK(h.fake->impersonate_calls == 0);  // the pipeline stopped at the first error
  const auto after = onboarder.directory().find("", "ivan@example.com");
  REQUIRE(after);
  CHECK(after->attributes == before->attributes);
  CHECK(h.fake->user("", "ivan@example.com")->attributes.at("tenant") == "globex");

  // Once the vendor recovers, the same login writes and succeeds.
  auto retried = onboarder.onboard(request_for("ivan@example.com", "initech"));
  REQUIRE(retried);
  CHECK(h.fake->set_calls == 2);
  CHECK(onboarder.directory().find("", "ivan@example.com")->attributes ==
        fingerprint(request_for("ivan@example.com", "initech").attributes));
}

TEST_CASE("both createUsers answers for an existing user end in the same state") {
  for (bool error_variant : {false, true}) {
    CAPTURE(error_variant);
    Harness h;
    h.fake->existing_user_error = error_variant;
    auto onboarder = h.make();
    REQUIRE(onboarder.onboard(request_for("first@example.com")));  // the directory is now fresh
    // Another system creates judy after our listing; within the refresh interval we cannot know.
    FakeWisdom::User judy;
    judy.email = "judy@example.com";
    judy.attributes = {{"tenant", "old"}};
    h.fake->put_user("", judy);
    h.fake->reset_counters();
    auto session = onboarder.onboard(request_for("judy@example.com", "acme"));
    REQUIRE_MESSAGE(session.has_value(), (session ? "" : session.error().to_string()));
    CHECK(h.fake->create_calls == 1);
    CHECK(h.fake->impersonate_calls == 1);
    CHECK(h.fake->user("", "judy@example.com")->attributes ==
          request_for("j@x.io", "acme").attributes);
    auto entry = onboarder.directory().find("", "judy@example.com");
    REQUIRE(entry);
    CHECK(entry->attributes == fingerprint(request_for("j@x.io", "acme").attributes));
    // And the next login costs one call, whichever answer the vendor gave.
    h.clock.advance(kTokenStale);
    h.fake->reset_counters();
    REQUIRE(onboarder.onboard(request_for("judy@example.com", "acme")));
    CHECK(h.fake->total_calls() == 1);
  }
}

TEST_CASE("roles: set at creation only, unless enforce and they differ") {
  Harness h;
  auto mallory = request_for("mallory@example.com");
  {
    auto onboarder = h.make();
    REQUIRE(onboarder.onboard(mallory));
    // An administrator upgrades mallory by hand; the app keeps asking for viewer.
    auto user = *h.fake->user("", "mallory@example.com");
    user.roles = {RoleAssignment{resolve_role_id("admin").value(), {"domain_1"}}};
    h.fake->put_user("", user);
    auto changed = mallory;
    changed.roles = {RoleAssignment{"explorer", {"domain_1"}}};
    for (int i = 0; i < 3; ++i) {
      h.clock.advance(kTokenStale);
      REQUIRE(onboarder.onboard(i == 2 ? changed : mallory));
    }
    CHECK(h.fake->create_calls == 1);
    CHECK(h.fake->user("", "mallory@example.com")->roles[0].role_id ==
          resolve_role_id("admin").value());
  }
  {
    auto config = h.config();
    config.ensure_user_strategy = std::make_shared<DirectoryEnsureUser>(
        DirectoryEnsureUser::Options{.role_policy = RolePolicy::enforce});
    auto onboarder = h.make(config);
    h.fake->reset_counters();
    REQUIRE(onboarder.onboard(mallory));  // cold directory: listUsers shows admin != viewer
    CHECK(h.fake->create_calls == 1);
    CHECK(h.fake->user("", "mallory@example.com")->roles[0].role_id == viewer_id());
    h.clock.advance(kTokenStale);
    REQUIRE(onboarder.onboard(mallory));  // same roles: nothing re-applied
    CHECK(h.fake->create_calls == 1);
  }
}

TEST_CASE("invalid input is refused before any call, naming the field") {
  Harness h;
  auto onboarder = h.make();
  struct Case {
    std::function<void(OnboardRequest&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases{
      {[](OnboardRequest& r) { r.email = "not-an-email"; }, "email"},
      {[](OnboardRequest& r) { r.email = std::string(250, 'a') + "@example.com"; }, "email"},
      {[](OnboardRequest& r) { r.session_attributes["impersonated_user_id"] = "someone"; },
       "session_attributes.impersonated_user_id"},
      {[](OnboardRequest& r) { r.roles[0].role_id = "superuser"; }, "roles[0].role_id"},
      {[](OnboardRequest& r) { r.attributes["bad key"] = "x"; }, "attributes"},
      {[](OnboardRequest& r) { r.attributes["tenant"] = "line\nbreak"; }, "attributes.tenant"},
      {[](OnboardRequest& r) { r.groups = {""}; }, "groups[0]"},
      {[](OnboardRequest& r) {
         r.embed = EmbedTarget{EmbedKind::dashboard, ""};
       },
       "embed.id"},
  };
  for (const auto& c : cases) {
    auto request = request_for("valid@example.com");
    c.mutate(request);
    auto result = onboarder.onboard(request);
    REQUIRE_FALSE(result);
    CHECK(result.error().code() == ErrorCode::invalid_input);
    CHECK(result.error().field() == c.field);
  }
  CHECK(h.fake->total_calls() == 0);
}

TEST_CASE("required attribute keys deny onboarding by default") {
  Harness h;
  auto config = h.config();
  config.validation.required_attribute_keys = {"tenant", "account_id"};
  auto onboarder = h.make(config);
  auto result = onboarder.onboard(request_for("kim@example.com"));
  REQUIRE_FALSE(result);
  CHECK(result.error().field() == "attributes.account_id");
  CHECK(h.fake->total_calls() == 0);
  auto request = request_for("kim@example.com");
  request.session_attributes["account_id"] = "a1";
  CHECK(onboarder.onboard(request));
}

TEST_CASE("display name is stored as the display_name attribute") {
  Harness h;
  auto onboarder = h.make();
  auto request = request_for("leo@example.com");
  request.display_name = "Leo Tolstoy";
  REQUIRE(onboarder.onboard(request));
  CHECK(h.fake->user("", "leo@example.com")->attributes.at("display_name") == "Leo Tolstoy");
}

TEST_CASE("refresh: attributes unchanged, only impersonate") {
  Harness h;
  auto onboarder = h.make();
  auto request = request_for("nina@example.com");
  auto first = onboarder.onboard(request);
  REQUIRE(first);
  h.clock.advance(3590s);  // the iframe asks about 10 s before expiry
  h.fake->reset_counters();
  auto refreshed = onboarder.refresh(request);
  REQUIRE(refreshed);
  CHECK(h.fake->total_calls() == 1);
  CHECK(h.fake->impersonate_calls == 1);
  // The refresh plan: the user from the directory, no write (unchanged), then a mint.
  REQUIRE(refreshed->stages.size() == 3);
  CHECK(refreshed->stages[0].strategy == "assume-exists");
  CHECK(refreshed->stages[0].outcome == StageOutcome::skipped_cached);
  CHECK(refreshed->stages[1].outcome == StageOutcome::skipped_unchanged);
  CHECK(refreshed->stages[2].stage == Stage::impersonate);
  CHECK(refreshed->stages[2].outcome == StageOutcome::called);
  CHECK_FALSE(refreshed->jwt == first->jwt);
  CHECK(refreshed->expires_at > first->expires_at);
}

namespace {

struct BackgroundWaiter final : Observer {
  std::promise<bool> done;
  std::atomic<bool> fired{false};
  void on_background(const BackgroundEvent& e) override {
    if (e.what == "pre-mint" && !fired.exchange(true)) done.set_value(e.error == nullptr);
  }
};

}  // namespace

TEST_CASE("pre-mint: the next token is ready before the iframe asks") {
  Harness h;
  auto waiter = std::make_shared<BackgroundWaiter>();
  auto config = h.config();
  config.impersonate = "pre-mint";
  config.observers = {waiter};
  auto onboarder = h.make(config);
  auto request = request_for("olga@example.com");
  auto first = onboarder.onboard(request);
  REQUIRE(first);
  // Inside the lead window (10 min before expiry) the next token is minted in the background.
  h.clock.advance(3100s);
  auto second = onboarder.onboard(request);
  REQUIRE(second);
  CHECK(second->jwt == first->jwt);
  auto done = waiter->done.get_future();
  REQUIRE(done.wait_for(30s) == std::future_status::ready);
  CHECK(done.get());
  CHECK(h.fake->impersonate_calls == 2);
  h.clock.advance(490s);  // 10 s before the first token expires
  h.fake->reset_counters();
  auto refreshed = onboarder.refresh(request);
  REQUIRE(refreshed);
  CHECK(h.fake->total_calls() == 0);
  CHECK_FALSE(refreshed->jwt == first->jwt);
  CHECK(refreshed->expires_at == first->expires_at + 3100s);
}

TEST_CASE("pre-mint: its own premint_lead decides when the next token is minted") {
  Harness h;
  auto waiter = std::make_shared<BackgroundWaiter>();
  auto config = h.config();
  config.impersonate_strategy = std::make_shared<PreMintImpersonate>(
      PreMintImpersonate::Options{.token_reuse_margin = 300s, .premint_lead = 1800s});
  config.observers = {waiter};
  auto onboarder = h.make(config);
  auto request = request_for("quinn@example.com");
  auto first = onboarder.onboard(request);
  REQUIRE(first);
  CHECK(h.fake->impersonate_calls == 1);
  // 28 min before expiry: outside the default lead (10 min), inside this strategy's (30 min).
  h.clock.advance(1900s);
  auto second = onboarder.onboard(request);
  REQUIRE(second);
  CHECK(second->jwt == first->jwt);
  auto done = waiter->done.get_future();
  REQUIRE(done.wait_for(30s) == std::future_status::ready);
  CHECK(done.get());
  CHECK(h.fake->impersonate_calls == 2);
}

TEST_CASE("directory: its own directory_ttl decides when an entry is listed again") {
  Harness h;
  auto config = h.config();
  config.ensure_user_strategy =
      std::make_shared<DirectoryEnsureUser>(DirectoryEnsureUser::Options{.directory_ttl = 60s});
  auto onboarder = h.make(config);
  auto request = request_for("rita@example.com");
  REQUIRE(onboarder.onboard(request));
  h.fake->reset_counters();
  h.clock.advance(30s);
  REQUIRE(onboarder.onboard(request));
  CHECK(h.fake->list_calls == 0);  // fresh
  h.clock.advance(31s);
  REQUIRE(onboarder.onboard(request));
  CHECK(h.fake->list_calls == 1);  // 61 s old: past this strategy's TTL (the default is 1 h)
}

TEST_CASE("async_onboard works with use_awaitable and use_future") {
  Harness h;
  auto onboarder = h.make();
  auto future = onboarder.async_onboard(request_for("pat@example.com"), boost::asio::use_future);
  auto from_future = future.get();
  REQUIRE(from_future);

  boost::asio::io_context io;
  std::optional<Result<Session>> from_coroutine;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        from_coroutine = co_await onboarder.async_onboard(request_for("pat@example.com"),
                                                          boost::asio::use_awaitable);
      },
      boost::asio::detached);
  io.run();
  REQUIRE(from_coroutine);
  REQUIRE(*from_coroutine);
  CHECK((*from_coroutine)->jwt == from_future->jwt);  // reused token
}

TEST_CASE("async_onboard: the handler runs on its associated executor, kept busy until then") {
  Harness h;
  auto onboarder = h.make();
  boost::asio::io_context user_io;
  std::optional<Result<Session>> result;
  bool on_user_io = false;
  onboarder.async_onboard(request_for("ivan@example.com"),
                          boost::asio::bind_executor(user_io, [&](Result<Session> r) {
                            on_user_io = user_io.get_executor().running_in_this_thread();
                            result = std::move(r);
                          }));
  // Nothing else is queued on user_io: run() returns before the session unless the run holds
  // work on the handler's executor.
  user_io.run();
  REQUIRE(result);
  CHECK(result->has_value());
  CHECK(on_user_io);
}

TEST_CASE("async_refresh and co_onboard complete through the same path") {
  Harness h;
  auto onboarder = h.make();
  REQUIRE(onboarder.onboard(request_for("judy@example.com")));
  auto refreshed =
      onboarder.async_refresh(request_for("judy@example.com"), boost::asio::use_future).get();
  REQUIRE(refreshed);

  boost::asio::io_context io;
  std::optional<Result<Session>> from_coroutine;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        from_coroutine = co_await onboarder.co_onboard(request_for("judy@example.com"));
      },
      boost::asio::detached);
  io.run();
  REQUIRE(from_coroutine);
  REQUIRE(*from_coroutine);
  CHECK((*from_coroutine)->email == "judy@example.com");
}

TEST_CASE(
    "blocking calls on the Onboarder's own thread return Error{internal} instead of hanging") {
  Harness h;
  auto onboarder = h.make();
  struct Inner {
    Result<Session> onboard = Error(ErrorCode::internal, "not run");
    Result<Session> refresh = Error(ErrorCode::internal, "not run");
    Result<void> forget = Error(ErrorCode::internal, "not run");
  };
  std::promise<Inner> inner;
  // The handler's default executor is the Onboarder's: it runs on the Onboarder's own thread.
  onboarder.async_onboard(request_for("kim@example.com"), [&](Result<Session>) {
    Inner got;
    got.onboard = onboarder.onboard(request_for("kim@example.com"));
    got.refresh = onboarder.refresh(request_for("kim@example.com"));
    got.forget = onboarder.forget("kim@example.com");
    inner.set_value(std::move(got));
  });
  auto future = inner.get_future();
  REQUIRE(future.wait_for(30s) == std::future_status::ready);
  auto got = future.get();
  REQUIRE_FALSE(got.onboard);
  CHECK(got.onboard.error().code() == ErrorCode::internal);
  CHECK(got.onboard.error().message().find("co_onboard") != std::string::npos);
  REQUIRE_FALSE(got.refresh);
  CHECK(got.refresh.error().code() == ErrorCode::internal);
  CHECK(got.refresh.error().message().find("co_refresh") != std::string::npos);
  REQUIRE_FALSE(got.forget);
  CHECK(got.forget.error().code() == ErrorCode::internal);
  CHECK(got.forget.error().message().find("co_forget") != std::string::npos);
  // Off that thread the same calls work.
  CHECK(onboarder.onboard(request_for("kim@example.com")));
  CHECK(onboarder.forget("kim@example.com"));
}

namespace {

// Its first `hanging` impersonateUser calls never answer unless cancelled (then they report the
// cancellation, as the real connection does); later ones answer at once.
class HangingImpersonation final : public WisdomConnection {
 public:
  int hanging = 1'000'000;
  std::atomic<int> started{0};
  boost::asio::awaitable<Result<SessionToken>> impersonate_user(ImpersonateRequest) override {
    if (++started > hanging) {
      SessionToken token;
      token.jwt = Secret("eyJhbGciOiJIUzI1NiJ9.answered.c2lnbmF0dXJl");
      token.expires_at = std::chrono::system_clock::now() + 1h;
      co_return token;
    }
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 1h);
    auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec == boost::asio::error::operation_aborted)
      co_return Error(ErrorCode::cancelled, "impersonateUser cancelled");
    co_return Error(ErrorCode::server_error, "not cancelled within an hour");
  }
};

Onboarder hanging_onboarder(std::shared_ptr<HangingImpersonation> connection,
                            std::optional<boost::asio::any_io_executor> executor = {}) {
  Harness h;
  auto config = h.config();
  config.executor = std::move(executor);
  config.ensure_user = "assume-exists";
  config.set_attributes = "skip";
  config.impersonate = "direct";
  config.deadline = 1h;  // only the cancellation can end the run
  auto made = Onboarder::create(std::move(config), std::move(connection));
  REQUIRE_MESSAGE(made.has_value(), (made ? std::string() : made.error().to_string()));
  return std::move(*made);
}

}  // namespace

TEST_CASE("async_onboard: cancellation through a cancellation slot gives Error{cancelled}") {
  auto connection = std::make_shared<HangingImpersonation>();
  auto onboarder = hanging_onboarder(connection);
  boost::asio::cancellation_signal signal;
  std::promise<Result<Session>> promise;
  onboarder.async_onboard(
      request_for("lee@example.com"),
      boost::asio::bind_cancellation_slot(
          signal.slot(), [&](Result<Session> r) { promise.set_value(std::move(r)); }));
  while (connection->started.load() == 0) std::this_thread::yield();
  // Emitted from the Onboarder's thread, which runs the operation.
  boost::asio::post(onboarder.get_executor(),
                    [&] { signal.emit(boost::asio::cancellation_type::terminal); });
  auto future = promise.get_future();
  REQUIRE(future.wait_for(30s) == std::future_status::ready);
  auto r = future.get();
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::cancelled);
}

TEST_CASE("co_onboard: the awaiting coroutine's cancellation gives Error{cancelled}") {
  auto connection = std::make_shared<HangingImpersonation>();
  auto onboarder = hanging_onboarder(connection);
  boost::asio::io_context io;
  boost::asio::cancellation_signal signal;
  std::optional<Result<Session>> result;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        result = co_await onboarder.co_onboard(request_for("lee@example.com"));
      },
      boost::asio::bind_cancellation_slot(signal.slot(), boost::asio::detached));
  while (connection->started.load() == 0) io.run_one();
  signal.emit(boost::asio::cancellation_type::terminal);
  io.run();
  REQUIRE(result);
  REQUIRE_FALSE(*result);
  CHECK(result->error().code() == ErrorCode::cancelled);
}

TEST_CASE("a run cancelled by its caller does not cancel the identical requests that joined it") {
  auto connection = std::make_shared<HangingImpersonation>();
  connection->hanging = 1;
  boost::asio::io_context io;
  auto onboarder = hanging_onboarder(connection, io.get_executor());
  boost::asio::cancellation_signal signal;
  std::optional<Result<Session>> leader, joiner;
  onboarder.async_onboard(request_for("mia@example.com"),
                          boost::asio::bind_cancellation_slot(
                              signal.slot(), [&](Result<Session> r) { leader = std::move(r); }));
  onboarder.async_onboard(request_for("mia@example.com"),
                          [&](Result<Session> r) { joiner = std::move(r); });
  io.poll();  // both are in: the leader waits for impersonateUser, the joiner for the leader
  REQUIRE(connection->started == 1);
  REQUIRE_FALSE(leader);
  REQUIRE_FALSE(joiner);
  signal.emit(boost::asio::cancellation_type::terminal);
  io.run();
  REQUIRE(leader);
  REQUIRE_FALSE(*leader);
  CHECK(leader->error().code() == ErrorCode::cancelled);
  REQUIRE(joiner);
  REQUIRE(*joiner);  // ran again, within its own deadline
  CHECK(connection->started == 2);
}

TEST_CASE("config errors name the field") {
  Harness h;
  auto config = h.config();
  config.impersonate = "teleport";
  auto r = Onboarder::create(config, h.fake);
  REQUIRE_FALSE(r);
  CHECK(r.error().field() == "impersonate");
  config = h.config();
  config.embed_base_url = "ftp://files";
  r = Onboarder::create(config, h.fake);
  REQUIRE_FALSE(r);
  CHECK(r.error().field() == "embed_base_url");
  // A strategy's own options are checked by Onboarder::create, the field named with its stage.
  config = h.config();
  config.impersonate_strategy = std::make_shared<PreMintImpersonate>(
      PreMintImpersonate::Options{.token_reuse_margin = 300s, .premint_lead = 60s});
  r = Onboarder::create(config, h.fake);
  REQUIRE_FALSE(r);
  CHECK(r.error().field() == "impersonate.premint_lead");
  config.impersonate_strategy =
      std::make_shared<ReuseImpersonate>(ReuseImpersonate::Options{.token_reuse_margin = 3600s});
  r = Onboarder::create(config, h.fake);
  REQUIRE_FALSE(r);
  CHECK(r.error().field() == "impersonate.token_reuse_margin");
  config = h.config();
  config.ensure_user_strategy =
      std::make_shared<DirectoryEnsureUser>(DirectoryEnsureUser::Options{.directory_ttl = 0s});
  r = Onboarder::create(config, h.fake);
  REQUIRE_FALSE(r);
  CHECK(r.error().field() == "ensure_user.directory_ttl");
  config.ensure_user_strategy = std::make_shared<DirectoryEnsureUser>(
      DirectoryEnsureUser::Options{.min_refresh_interval = -1s});
  r = Onboarder::create(config, h.fake);
  REQUIRE_FALSE(r);
  CHECK(r.error().field() == "ensure_user.min_refresh_interval");
  r = Onboarder::create(h.config(), nullptr);
  REQUIRE_FALSE(r);
  CHECK(r.error().field() == "connection");
}

TEST_CASE("many threads, many users: one creation per user, every session for its own user") {
  Harness h;
  boost::asio::thread_pool pool(4);
  auto config = h.config();
  config.executor = pool.get_executor();
  auto onboarder = h.make(config);
  constexpr int kUsers = 20;
  constexpr int kLoginsPerUser = 10;
  std::mutex mutex;
  std::vector<std::pair<int, Result<Session>>> results;
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      for (int i = t; i < kUsers * kLoginsPerUser; i += 4) {
        const int user = i % kUsers;
        onboarder.async_onboard(request_for("user" + std::to_string(user) + "@example.com"),
                                [&, user](Result<Session> r) {
                                  std::lock_guard lock(mutex);
                                  results.emplace_back(user, std::move(r));
                                });
      }
    });
  }
  for (auto& c : callers) c.join();
  pool.join();
  REQUIRE(results.size() == kUsers * kLoginsPerUser);
  for (const auto& [user, r] : results) {
    REQUIRE(r.has_value());
    CHECK(r->email == "user" + std::to_string(user) + "@example.com");
    // The fake's tokens name their user: no session ever carries another user's token.
    CHECK(std::string(r->jwt.reveal()).find(".user" + std::to_string(user) + "@example.com.") !=
          std::string::npos);
  }
  CHECK(h.fake->create_calls == kUsers);
  CHECK(h.fake->impersonate_calls == kUsers);
  CHECK(h.fake->set_calls == 0);
}

TEST_CASE("blocking onboard from several threads") {
  Harness h;
  auto onboarder = h.make();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i)
        ok += onboarder.onboard(request_for("t" + std::to_string(t) + "@example.com")).has_value();
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 20);
  CHECK(h.fake->create_calls == 4);
  CHECK(h.fake->impersonate_calls == 4);
}

TEST_CASE("the token endpoint helper refreshes for the app's session user") {
  Harness h;
  auto onboarder = h.make();
  auto request = request_for("quinn@example.com");
  REQUIRE(onboarder.onboard(request));
  h.clock.advance(3590s);
  auto response = answer_token_request(onboarder, request);
  CHECK(response.status == 200);
  CHECK(response.body.find("\"token\":\"") != std::string::npos);
  CHECK(h.fake->impersonate_calls == 2);
  auto unknown = answer_token_request(onboarder, request_for("stranger@example.com"));
  CHECK(unknown.status == 404);
}

TEST_CASE(
    "a failing directory refresh: known users still log in, unknown ones fail naming the stage") {
  Harness h;
  auto onboarder = h.make();
  REQUIRE(onboarder.onboard(request_for("rita@example.com")));
  h.clock.advance(2h);  // the entry is stale and the token expired
  h.fake->fail_next("listUsers", Error(ErrorCode::server_error, "down"));
  auto known = onboarder.onboard(request_for("rita@example.com"));
  REQUIRE(known.has_value());
  CHECK(h.fake->list_calls == 2);
  CHECK(h.fake->create_calls == 1);

  h.clock.advance(1min);
  h.fake->fail_next("listUsers", Error(ErrorCode::server_error, "down"));
  auto unknown = onboarder.onboard(request_for("sam@example.com"));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().stage() == "ensure-user");
  CHECK(unknown.error().strategy() == "directory");
  CHECK(unknown.error().operation() == "listUsers");
  CHECK(h.fake->create_calls == 1);
}
