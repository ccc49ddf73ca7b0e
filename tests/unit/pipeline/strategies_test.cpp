// Every strategy, selected by name, does what its name says.
#include "embark/directory.hpp"
#include "embark/strategies/ensure_user/assume_exists.hpp"
#include "embark/strategies/registry.hpp"

#include "pipeline/harness.hpp"

using namespace embark;
using namespace embark::test;
using namespace std::chrono_literals;

namespace {

constexpr auto kTokenStale = 56min;

Onboarder with(Harness& h, std::string ensure, std::string set, std::string imp) {
  auto config = h.config();
  config.ensure_user = std::move(ensure);
  config.set_attributes = std::move(set);
  config.impersonate = std::move(imp);
  return h.make(config);
}

FakeWisdom::User existing(std::string email, AttributeMap attributes) {
  FakeWisdom::User u;
  u.email = std::move(email);
  u.attributes = std::move(attributes);
  return u;
}

}  // namespace

TEST_CASE("the registry lists every strategy, defaults first, and rejects unknown names") {
  CHECK(ensure_user_strategy_names() ==
        std::vector<std::string_view>{"directory", "list-then-create", "create-always",
                                      "assume-exists"});
  CHECK(set_attributes_strategy_names() ==
        std::vector<std::string_view>{"diff", "always-replace", "merge", "session-only", "skip"});
  CHECK(impersonate_strategy_names() ==
        std::vector<std::string_view>{"reuse", "direct", "pre-mint"});
  for (auto name : ensure_user_strategy_names())
    CHECK(make_ensure_user_strategy(name).value()->name() == name);
  for (auto name : set_attributes_strategy_names())
    CHECK(make_set_attributes_strategy(name).value()->name() == name);
  for (auto name : impersonate_strategy_names())
    CHECK(make_impersonate_strategy(name).value()->name() == name);
  auto bad = make_set_attributes_strategy("sometimes");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().field() == "set_attributes");
  CHECK(bad.error().message().find("merge") != std::string::npos);
}

TEST_CASE("list-then-create lists on every login") {
  Harness h;
  auto onboarder = with(h, "list-then-create", "diff", "direct");
  for (int i = 0; i < 3; ++i) REQUIRE(onboarder.onboard(request_for("a@example.com")));
  CHECK(h.fake->list_calls == 3);
  CHECK(h.fake->create_calls == 1);
  CHECK(h.fake->impersonate_calls == 3);
}

TEST_CASE("create-always sends createUsers on every login and accepts both answers") {
  for (bool error_variant : {false, true}) {
    CAPTURE(error_variant);
    Harness h;
    h.fake->existing_user_error = error_variant;
    auto onboarder = with(h, "create-always", "diff", "direct");
    for (int i = 0; i < 3; ++i) {
      auto s = onboarder.onboard(request_for("b@example.com"));
      REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().to_string()));
      CHECK(s->stages[0].strategy == "create-always");
    }
    CHECK(h.fake->create_calls == 3);
    // createUsers does not say whether the user is new, so the attributes it carried are not
    // assumed stored: one listing settles them, and the directory remembers what it showed.
    CHECK(h.fake->list_calls == 1);
    CHECK(h.fake->set_calls == 0);
    CHECK(h.fake->user("", "b@example.com")->attributes == request_for("x@y.io").attributes);
  }
}

TEST_CASE("assume-exists makes no ensure call; a missing user fails at impersonate") {
  Harness h;
  h.fake->put_user("", existing("c@example.com", request_for("x@y.io").attributes));
  auto onboarder = with(h, "assume-exists", "skip", "direct");
  auto ok = onboarder.onboard(request_for("c@example.com"));
  REQUIRE(ok);
  CHECK(h.fake->total_calls() == 1);
  CHECK(ok->stages[0].outcome == StageOutcome::skipped);
  auto missing = onboarder.onboard(request_for("nobody@example.com"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::not_found);
  CHECK(missing.error().stage() == "impersonate");
  CHECK(missing.error().strategy() == "direct");
  CHECK(missing.error().operation() == "impersonateUser");
  CHECK(h.fake->create_calls == 0);
}

TEST_CASE("always-replace writes on every login but not right after creation") {
  Harness h;
  auto onboarder = with(h, "directory", "always-replace", "direct");
  REQUIRE(onboarder.onboard(request_for("d@example.com")));
  CHECK(h.fake->set_calls == 0);
  h.clock.advance(kTokenStale);
  REQUIRE(onboarder.onboard(request_for("d@example.com")));
  REQUIRE(onboarder.onboard(request_for("d@example.com")));
  CHECK(h.fake->set_calls == 2);
}

TEST_CASE("set-attributes looks an unknown user up with one listing, even right after another") {
  // assume-exists leaves the user id to set-attributes, which must list the workspace: the
  // minimum interval between listings (a directory-strategy option) never leaves it without one.
  Harness h;
  h.fake->put_user("", existing("g@example.com", {{"tenant", "old"}}));
  auto onboarder = with(h, "assume-exists", "always-replace", "direct");
  REQUIRE(onboarder.onboard(request_for("g@example.com")));
  CHECK(h.fake->list_calls == 1);
  CHECK(h.fake->set_calls == 1);
  // Added by another system after that listing, one second later: not in the directory yet.
  h.fake->put_user("", existing("h@example.com", {{"tenant", "old"}}));
  h.clock.advance(1s);
  auto second = onboarder.onboard(request_for("h@example.com"));
  REQUIRE_MESSAGE(second.has_value(), (second ? "" : second.error().to_string()));
  CHECK(h.fake->list_calls == 2);
  CHECK(h.fake->set_calls == 2);
  CHECK(h.fake->user("", "h@example.com")->attributes == request_for("x@y.io").attributes);
  // A user nobody created: one listing says so, and the login fails naming the operation.
  h.clock.advance(1s);
  auto missing = onboarder.onboard(request_for("nobody@example.com"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::not_found);
  CHECK(missing.error().operation() == "listUsers");
  CHECK(h.fake->list_calls == 3);
}

TEST_CASE("merge keeps attributes other systems set and skips when nothing changes") {
  Harness h;
  h.fake->put_user("", existing("e@example.com", {{"crm_id", "42"}, {"tenant", "old"}}));
  auto onboarder = with(h, "directory", "merge", "direct");
  auto first = onboarder.onboard(request_for("e@example.com"));
  REQUIRE(first);
  CHECK(h.fake->user("", "e@example.com")->attributes ==
        AttributeMap{{"crm_id", "42"}, {"region", "eu"}, {"tenant", "acme"}});
  CHECK(h.fake->set_calls == 1);
  h.clock.advance(kTokenStale);
  h.fake->reset_counters();
  REQUIRE(onboarder.onboard(request_for("e@example.com")));
  CHECK(h.fake->set_calls == 0);
  CHECK(h.fake->list_calls == 0);
  CHECK(h.fake->total_calls() == 1);
}

TEST_CASE("session-only never persists; skip never writes") {
  Harness h;
  h.fake->put_user("", existing("f@example.com", {{"tenant", "stored"}}));
  auto session_only = with(h, "directory", "session-only", "direct");
  REQUIRE(session_only.onboard(request_for("f@example.com", "session")));
  CHECK(h.fake->user("", "f@example.com")->attributes.at("tenant") == "stored");
  CHECK(h.fake->last_session_attributes("f@example.com").at("tenant") == "session");
  auto skip = with(h, "directory", "skip", "direct");
  h.fake->reset_counters();
  auto s = skip.onboard(request_for("f@example.com", "other"));
  REQUIRE(s);
  CHECK(h.fake->set_calls == 0);
  CHECK(h.fake->user("", "f@example.com")->attributes.at("tenant") == "stored");
  CHECK(h.fake->last_session_attributes("f@example.com").empty());
  CHECK(s->stages[1].outcome == StageOutcome::skipped);
}

TEST_CASE("direct mints on every login; reuse does not") {
  Harness h;
  auto direct = with(h, "directory", "diff", "direct");
  auto a = direct.onboard(request_for("g@example.com"));
  auto b = direct.onboard(request_for("g@example.com"));
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(a->jwt == b->jwt);
  CHECK(h.fake->impersonate_calls == 2);
}

namespace {

class FailingEnsure final : public EnsureUserStrategy {
 public:
  std::string_view name() const noexcept override { return "custom"; }
  boost::asio::awaitable<Result<EnsureUserVerdict>> ensure(PipelineContext&) override {
    co_return Error(ErrorCode::unimplemented, "not today");
  }
};

}  // namespace

TEST_CASE("strategies built by code take precedence over names") {
  Harness h;
  auto config = h.config();
  config.ensure_user = "directory";
  config.ensure_user_strategy = std::make_shared<AssumeExistsEnsureUser>();
  auto onboarder = h.make(config);
  CHECK(onboarder.strategy_name(Stage::ensure_user) == "assume-exists");
  CHECK(onboarder.strategy_name(Stage::set_attributes) == "diff");
  CHECK(onboarder.strategy_name(Stage::impersonate) == "reuse");

  config.ensure_user_strategy = std::make_shared<FailingEnsure>();
  auto failing = h.make(config);
  auto r = failing.onboard(request_for("h@example.com"));
  REQUIRE_FALSE(r);
  CHECK(r.error().stage() == "ensure-user");
  CHECK(r.error().strategy() == "custom");
  CHECK(h.fake->total_calls() == 0);
}
