// The round-trip budget (docs/architecture.md#round-trip-budget), proven with the emulator's
// per-operation counters: the real Onboarder over the real client stack (TLS, HTTP, GraphQL)
// against the in-process emulator.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include "embark/client.hpp"
#include "embark/directory.hpp"
#include "embark/fingerprint.hpp"
#include "embark/onboarder.hpp"
#include "embark/roles.hpp"
#include "embark/testing/emulator_fixture.hpp"

using namespace embark;
using namespace std::chrono_literals;
namespace emu = embark::emulator;

namespace {

// The cold login of the 100,000-user case lists 41 MB: its deadline, its listUsers call's deadline
// and per-step timeout leave room for sanitizer builds (TSan runs it about ten times slower).
constexpr auto kColdListingDeadline = 180s;

// Past the token-reuse window (margin 5 min of a 1 h token) but inside the directory TTL (1 h).
constexpr auto kTokenStale = 56min;

/// The real wall clock plus an offset the test advances (the emulator's token times stay real).
class OffsetClock {
 public:
  Clock clock() const {
    return [offset = offset_] {
      return std::chrono::system_clock::now() + std::chrono::seconds(offset->load());
    };
  }
  void advance(std::chrono::seconds by) { offset_->fetch_add(by.count()); }

 private:
  std::shared_ptr<std::atomic<std::int64_t>> offset_ =
      std::make_shared<std::atomic<std::int64_t>>(0);
};

emu::Options fast_options() {
  emu::Options o;
  o.jwt_alg = emu::JwtAlgorithm::es256;
  o.threads = 1;
  return o;
}

/// One Onboarder over a real WisdomClient connection to a fixture, both on one pool thread.
struct Stack {
  explicit Stack(const testing::EmulatorFixture& emulator, std::string set_attributes = "diff",
                 std::string impersonate = "reuse", int max_attempts = 4,
                 std::optional<std::chrono::milliseconds> slow_call_limit = std::nullopt) {
    auto options = emulator.client_options();
    options.retry.max_attempts = max_attempts;
    // For a call that may take long: its deadline and the per-step timeout (the wait for a
    // header the server is still building) both get this limit.
    if (slow_call_limit) {
      options.call_deadline = *slow_call_limit;
      options.transport.operation_timeout = *slow_call_limit;
    }
    auto connection = make_wisdom_connection(options, pool.get_executor());
    REQUIRE_MESSAGE(connection.has_value(), (connection ? "" : connection.error().to_string()));
    OnboarderConfig config;
    config.set_attributes = std::move(set_attributes);
    config.impersonate = std::move(impersonate);
    config.clock = clock.clock();
    config.executor = pool.get_executor();
    auto made = Onboarder::create(std::move(config), *connection);
    REQUIRE_MESSAGE(made.has_value(), (made ? "" : made.error().to_string()));
    onboarder.emplace(std::move(*made));
  }
  ~Stack() {
    onboarder.reset();
    pool.join();
  }

  boost::asio::thread_pool pool{1};
  OffsetClock clock;
  std::optional<Onboarder> onboarder;
};

OnboardRequest request_for(std::string email, std::string tenant = "acme") {
  OnboardRequest r;
  r.email = std::move(email);
  r.roles = {RoleAssignment{"viewer", {"domain_1"}}};
  r.attributes = {{"tenant", std::move(tenant)}, {"region", "eu"}};
  return r;
}

std::uint64_t calls(const emu::Stats& s, const char* op) { return s.of(op).calls; }

Session onboard_ok(const Onboarder& onboarder, const OnboardRequest& request) {
  auto session = onboarder.onboard(request);
  REQUIRE_MESSAGE(session.has_value(), (session ? "" : session.error().to_string()));
  return std::move(*session);
}

/// The "attributes" claim of a JWT (payload decoded from base64url).
boost::json::object jwt_attributes(std::string_view jwt) {
  const auto dot1 = jwt.find('.');
  const auto dot2 = jwt.find('.', dot1 + 1);
  REQUIRE(dot1 != std::string_view::npos);
  REQUIRE(dot2 != std::string_view::npos);
  const auto payload = jwt.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string decoded;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : payload) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else if (c == '=')
      break;
    REQUIRE(v >= 0);
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      decoded.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  auto claims = boost::json::parse(decoded);
  REQUIRE(claims.is_object());
  const auto* attrs = claims.as_object().if_contains("attributes");
  REQUIRE(attrs);
  REQUIRE(attrs->is_object());
  return attrs->as_object();
}

}  // namespace

TEST_CASE("new user: createUsers (with attributes) + impersonateUser, at most one listUsers") {
  testing::EmulatorFixture emulator(fast_options());
  Stack stack(emulator);
  auto session = onboard_ok(*stack.onboarder, request_for("alice@example.com"));
  const auto s = emulator.stats();
  CHECK(calls(s, "createUsers") == 1);
  CHECK(calls(s, "impersonateUser") == 1);
  CHECK(calls(s, "listUsers") <= 1);
  CHECK(calls(s, "setUserAttributes") == 0);
  CHECK(s.total.calls ==
        calls(s, "createUsers") + calls(s, "impersonateUser") + calls(s, "listUsers"));
  CHECK(static_cast<std::uint64_t>(session.vendor_calls) == s.total.calls);
  // The attributes went in with createUsers: they are in the token without a setUserAttributes.
  const auto attrs = jwt_attributes(session.jwt.reveal());
  CHECK(attrs.contains("tenant"));
  CHECK(attrs.contains("region"));
}

TEST_CASE(
    "returning user, attributes unchanged: 1 call with direct, 0 with reuse and a fresh token") {
  testing::EmulatorFixture emulator(fast_options());
  SUBCASE("impersonate = direct: exactly one call (impersonateUser)") {
    Stack stack(emulator, "diff", "direct");
    onboard_ok(*stack.onboarder, request_for("bob@example.com"));
    emulator.reset();
    auto again = onboard_ok(*stack.onboarder, request_for("BOB@example.com"));
    const auto s = emulator.stats();
    CHECK(s.total.calls == 1);
    CHECK(calls(s, "impersonateUser") == 1);
    CHECK(again.vendor_calls == 1);
  }
  SUBCASE("impersonate = reuse: zero calls while the token is fresh, one once it is not") {
    Stack stack(emulator);
    auto first = onboard_ok(*stack.onboarder, request_for("bob@example.com"));
    emulator.reset();
    stack.clock.advance(30min);
    auto second = onboard_ok(*stack.onboarder, request_for("bob@example.com"));
    CHECK(emulator.stats().total.calls == 0);
    CHECK(second.vendor_calls == 0);
    CHECK(second.jwt == first.jwt);
    stack.clock.advance(26min);  // inside the reuse margin now
    auto third = onboard_ok(*stack.onboarder, request_for("bob@example.com"));
    const auto s = emulator.stats();
    CHECK(s.total.calls == 1);
    CHECK(calls(s, "impersonateUser") == 1);
    CHECK_FALSE(third.jwt == first.jwt);
  }
}

TEST_CASE("returning user, attributes changed: setUserAttributes + impersonateUser") {
  testing::EmulatorFixture emulator(fast_options());
  Stack stack(emulator);
  onboard_ok(*stack.onboarder, request_for("carol@example.com", "acme"));
  // First change: createUsers returned no user id, so one listUsers learns it (pipeline ADR).
  stack.clock.advance(kTokenStale);
  emulator.reset();
  onboard_ok(*stack.onboarder, request_for("carol@example.com", "globex"));
  auto s = emulator.stats();
  CHECK(calls(s, "setUserAttributes") == 1);
  CHECK(calls(s, "impersonateUser") == 1);
  CHECK(calls(s, "listUsers") <= 1);
  CHECK(calls(s, "createUsers") == 0);
  CHECK(s.total.calls <= 3);
  // Every later change: exactly two calls.
  stack.clock.advance(kTokenStale);
  emulator.reset();
  auto session = onboard_ok(*stack.onboarder, request_for("carol@example.com", "initech"));
  s = emulator.stats();
  CHECK(calls(s, "setUserAttributes") == 1);
  CHECK(calls(s, "impersonateUser") == 1);
  CHECK(s.total.calls == 2);
  REQUIRE(session.stages.size() == 3);
  CHECK(session.stages[1].outcome == StageOutcome::called);
  CHECK(jwt_attributes(session.jwt.reveal()).at("tenant").as_string() == "initech");
}

TEST_CASE("session-only attributes: one call, and the token carries them") {
  testing::EmulatorFixture emulator(fast_options());
  Stack stack(emulator, "session-only");
  auto request = request_for("erin@example.com");
  request.session_attributes = {{"locale", "de"}};
  onboard_ok(*stack.onboarder, request);
  stack.clock.advance(kTokenStale);
  emulator.reset();
  auto session = onboard_ok(*stack.onboarder, request);
  const auto s = emulator.stats();
  CHECK(s.total.calls == 1);
  CHECK(calls(s, "impersonateUser") == 1);
  CHECK(calls(s, "setUserAttributes") == 0);
  const auto attrs = jwt_attributes(session.jwt.reveal());
  REQUIRE(attrs.contains("locale"));
  CHECK(attrs.at("locale").as_string() == "de");
  REQUIRE(attrs.contains("tenant"));
  CHECK(attrs.at("tenant").as_string() == "acme");
}

TEST_CASE(
    "100 concurrent logins of one new user: one createUsers, at most one listUsers, one "
    "impersonateUser") {
  testing::EmulatorFixture emulator(fast_options());
  Stack stack(emulator);
  std::vector<std::future<Result<Session>>> futures;
  futures.reserve(100);
  for (int i = 0; i < 100; ++i) {
    futures.push_back(
        stack.onboarder->async_onboard(request_for("grace@example.com"), boost::asio::use_future));
  }
  std::vector<Result<Session>> results;
  for (auto& f : futures) results.push_back(f.get());
  const auto s = emulator.stats();
  CHECK(calls(s, "createUsers") == 1);
  CHECK(calls(s, "listUsers") <= 1);
  CHECK(calls(s, "impersonateUser") == 1);
  CHECK(calls(s, "setUserAttributes") == 0);
  for (const auto& r : results) {
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().to_string()));
    CHECK(r->jwt == results.front()->jwt);
  }
  MESSAGE("100 concurrent logins: createUsers=", calls(s, "createUsers"),
          " listUsers=", calls(s, "listUsers"), " impersonateUser=", calls(s, "impersonateUser"));
}

TEST_CASE("a warm login costs the same calls and bytes with 1,000 and with 100,000 users") {
  struct Cost {
    std::uint64_t calls;
    std::uint64_t bytes;
    std::uint64_t cold_list_bytes;
  };
  auto measure = [](std::size_t workspace_size) {
    auto options = fast_options();
    options.seed_users = workspace_size;
    testing::EmulatorFixture emulator(options);
    Stack stack(emulator, "diff", "reuse", 4, kColdListingDeadline);
    // Cold: fills the directory once. Listing 100,000 users (41 MB) takes about 2 s natively and
    // several times the default 10 s deadline under a sanitizer: this login gets a deadline of
    // its own. The warm login below keeps the default.
    auto cold = request_for("warm@example.com");
    cold.deadline = kColdListingDeadline;
    onboard_ok(*stack.onboarder, cold);
    const auto cold_list_bytes = emulator.stats().of("listUsers").response_bytes;
    stack.clock.advance(kTokenStale);
    emulator.reset();
    onboard_ok(*stack.onboarder, request_for("warm@example.com"));
    const auto s = emulator.stats();
    return Cost{s.total.calls, s.total.response_bytes, cold_list_bytes};
  };
  const auto small = measure(1'000);
  const auto large = measure(100'000);
  MESSAGE("warm login: ", small.calls, " call(s), ", small.bytes, " B (1k users) vs ", large.calls,
          " call(s), ", large.bytes, " B (100k users); cold listUsers ", small.cold_list_bytes,
          " B vs ", large.cold_list_bytes, " B");
  CHECK(small.calls == 1);
  CHECK(small.calls == large.calls);
  CHECK(small.bytes == large.bytes);
  // The workspaces really differ in size: the one cold listing grew with it.
  CHECK(large.cold_list_bytes > 50 * small.cold_list_bytes);
}

TEST_CASE("a failing attribute write names the stage and the directory keeps the old fingerprint") {
  auto options = fast_options();
  options.fail_rates["setUserAttributes"] = 1.0;
  testing::EmulatorFixture emulator(options);
  Stack stack(emulator, "diff", "reuse", /*max_attempts=*/1);
  const auto old_request = request_for("ivan@example.com", "acme");
  onboard_ok(*stack.onboarder, old_request);  // new user: no setUserAttributes needed
  const auto before = stack.onboarder->directory().find("", "ivan@example.com");
  REQUIRE(before);
  REQUIRE(before->attributes);
  CHECK(*before->attributes == fingerprint(old_request.attributes));

  stack.clock.advance(kTokenStale);
  emulator.reset();
  const auto new_request = request_for("ivan@example.com", "initech");
  auto failed = stack.onboarder->onboard(new_request);
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().stage() == "set-attributes");
  CHECK(failed.error().strategy() == "diff");
  CHECK(failed.error().to_string().find("set-attributes") != std::string::npos);
  const auto s = emulator.stats();
  CHECK(calls(s, "setUserAttributes") == 1);
  CHECK(s.of("setUserAttributes").faults == 1);
  CHECK(calls(s, "impersonateUser") == 0);  // the pipeline stopped at the first error

  const auto after = stack.onboarder->directory().find("", "ivan@example.com");
  REQUIRE(after);
  REQUIRE(after->attributes);
  CHECK(*after->attributes == fingerprint(old_request.attributes));
  CHECK_FALSE(*after->attributes == fingerprint(new_request.attributes));
}

namespace {

OnboardRequest alice_in(std::string region) {
  OnboardRequest r;
  r.email = "alice@example.com";
  r.roles = {RoleAssignment{"viewer", {"domain_1"}}};
  r.attributes = {{"tenant_id", "acme"}, {"region", std::move(region)}};
  return r;
}

std::string region_of(const Session& s) {
  return std::string(jwt_attributes(s.jwt.reveal()).at("region").as_string());
}

}  // namespace

TEST_CASE("the four steps over the real stack: refresh and the next sign-in carry the new region") {
  testing::EmulatorFixture emulator(fast_options());
  Stack stack(emulator);
  auto& onboarder = *stack.onboarder;

  auto login = onboard_ok(onboarder, alice_in("us-west"));  // 1. signs in
  CHECK(region_of(login) == "us-west");

  stack.clock.advance(60s);  // 2. the app moves her; 3. the iframe refreshes
  emulator.reset();
  auto refreshed = onboarder.refresh(alice_in("eu-north"));
  REQUIRE_MESSAGE(refreshed.has_value(), (refreshed ? "" : refreshed.error().to_string()));
  CHECK(region_of(*refreshed) == "eu-north");
  CHECK(calls(emulator.stats(), "setUserAttributes") == 1);

  stack.clock.advance(60s);  // 4. signs out and in again
  emulator.reset();
  auto again = onboard_ok(onboarder, alice_in("eu-north"));
  CHECK(region_of(again) == "eu-north");
  CHECK(calls(emulator.stats(), "setUserAttributes") == 0);
  CHECK(calls(emulator.stats(), "impersonateUser") == 0);  // the refresh's token, rightly
}

TEST_CASE("a createUsers applied but its answer lost: one re-check, and admin-set roles survive") {
  for (auto mode : {emu::ExistingUserMode::reapply, emu::ExistingUserMode::error}) {
    CAPTURE(static_cast<int>(mode));
    auto options = fast_options();
    options.existing_user = mode;
    testing::EmulatorFixture emulator(options);
    emulator.server().inject_fault("createUsers", emu::InjectedFault::lose_answer, 1);
    Stack stack(emulator);
    auto admin = WisdomClient::create(emulator.client_options());
    REQUIRE(admin.has_value());

    // The creation is carried out and its answer lost: a listing shows it happened.
    auto first = onboard_ok(*stack.onboarder, alice_in("us-west"));
    CHECK(region_of(first) == "us-west");
    auto s = emulator.stats();
    CHECK(calls(s, "createUsers") == 1);
    CHECK(calls(s, "listUsers") == 2);  // before creating, and the re-check

    // An administrator gives her other roles (reapply mode: createUsers re-applies them).
    const auto admin_roles = std::vector<RoleAssignment>{
        RoleAssignment{resolve_role_id("creator").value(), {"domain_9"}}};
    if (mode == emu::ExistingUserMode::reapply) {
      CreateUsersRequest set_roles;
      set_roles.emails = {"alice@example.com"};
      set_roles.roles = admin_roles;
      REQUIRE(admin->create_users(set_roles).has_value());
    }

    // Later logins never send createUsers again, so whatever roles she holds stay hers.
    stack.clock.advance(kTokenStale);
    emulator.reset();
    onboard_ok(*stack.onboarder, alice_in("us-west"));
    CHECK(calls(emulator.stats(), "createUsers") == 0);
    auto users = admin->list_users();
    REQUIRE(users.has_value());
    REQUIRE(users->size() == 1);
    const auto& held = users->front().roles;
    REQUIRE(held.size() == 1);
    if (mode == emu::ExistingUserMode::reapply) {
      CHECK(fingerprint(held) == fingerprint(std::span<const RoleAssignment>(admin_roles)));
    } else {
      CHECK(held.front().role_id == resolve_role_id("viewer").value());
    }
  }
}

TEST_CASE("two concurrent logins of one user with other attributes: each token carries its own") {
  auto options = fast_options();
  options.slow_latency = 1500ms;  // holds the first login's write while the second one starts
  testing::EmulatorFixture emulator(options);
  Stack stack(emulator);
  auto& onboarder = *stack.onboarder;
  CHECK(region_of(onboard_ok(onboarder, alice_in("us-west"))) == "us-west");

  emulator.reset();
  emulator.server().inject_fault("setUserAttributes", emu::InjectedFault::slow, 1);
  auto first =
      std::async(std::launch::async, [&] { return onboarder.onboard(alice_in("eu-north")); });
  // The emulator counts a call when it arrives: the first login's write has been applied and its
  // answer is held.
  while (calls(emulator.stats(), "setUserAttributes") == 0) {
    if (first.wait_for(1ms) == std::future_status::ready) FAIL("the first login ended early");
  }
  auto second =
      std::async(std::launch::async, [&] { return onboarder.onboard(alice_in("ap-south")); });
  auto a = first.get();
  auto b = second.get();
  REQUIRE_MESSAGE(a.has_value(), (a ? "" : a.error().to_string()));
  REQUIRE_MESSAGE(b.has_value(), (b ? "" : b.error().to_string()));
  CHECK(region_of(*a) == "eu-north");
  CHECK(region_of(*b) == "ap-south");
  CHECK(calls(emulator.stats(), "setUserAttributes") == 2);

  // The directory and the token cache remember what the vendor holds: a third login with the
  // first login's attributes writes them again and gets a token that carries them.
  emulator.reset();
  auto third = onboard_ok(onboarder, alice_in("eu-north"));
  CHECK(region_of(third) == "eu-north");
  CHECK(calls(emulator.stats(), "setUserAttributes") == 1);
}

TEST_CASE(
    "a user the directory forgot is listed again inside min_refresh_interval, not re-created") {
  auto options = fast_options();
  options.existing_user = emu::ExistingUserMode::reapply;  // createUsers would reset her roles
  testing::EmulatorFixture emulator(options);
  auto admin = WisdomClient::create(emulator.client_options());
  REQUIRE(admin.has_value());
  const auto admin_roles =
      std::vector<RoleAssignment>{RoleAssignment{resolve_role_id("creator").value(), {"domain_9"}}};
  CreateUsersRequest dora;
  dora.emails = {"dora@example.com"};
  dora.roles = admin_roles;
  dora.attributes = AttributeMap{{"tenant_id", "acme"}, {"region", "eu"}};
  REQUIRE(admin->create_users(dora).has_value());

  Stack stack(emulator);
  auto& onboarder = *stack.onboarder;
  onboard_ok(onboarder, request_for("erin@example.com"));  // lists the workspace: dora is known
  REQUIRE(onboarder.directory().find("", "dora@example.com"));
  REQUIRE(onboarder.forget("dora@example.com").has_value());

  // Within min_refresh_interval of that listing: it showed dora, so her missing entry is no proof
  // she does not exist; a listing, not a createUsers, decides.
  emulator.reset();
  auto session = onboarder.onboard(request_for("dora@example.com"));
  REQUIRE_MESSAGE(session.has_value(), (session ? "" : session.error().to_string()));
  auto s = emulator.stats();
  CHECK(calls(s, "listUsers") == 1);
  CHECK(calls(s, "createUsers") == 0);
  REQUIRE(session->stages.size() == 3);
  CHECK(session->stages[0].vendor_calls == 1);  // ensure-user: the listing
  auto users = admin->list_users();
  REQUIRE(users.has_value());
  bool found = false;
  for (const auto& user : *users) {
    if (user.email != "dora@example.com") continue;
    found = true;
    CHECK(fingerprint(user.roles) == fingerprint(std::span<const RoleAssignment>(admin_roles)));
  }
  CHECK(found);

  // A user the last listing did not show is a confirmed miss: created without listing again.
  emulator.reset();
  auto fay = onboard_ok(onboarder, request_for("fay@example.com"));
  REQUIRE(fay.stages.size() == 3);
  CHECK(fay.stages[0].vendor_calls == 1);  // ensure-user: createUsers, no listing before it
  CHECK(calls(emulator.stats(), "createUsers") == 1);
}

TEST_CASE("a login waiting for an earlier run of the same user still ends at its own deadline") {
  auto options = fast_options();
  options.slow_latency = 1500ms;
  testing::EmulatorFixture emulator(options);
  Stack stack(emulator);
  auto& onboarder = *stack.onboarder;
  onboard_ok(onboarder, alice_in("us-west"));

  emulator.reset();
  emulator.server().inject_fault("setUserAttributes", emu::InjectedFault::slow, 1);
  auto first =
      std::async(std::launch::async, [&] { return onboarder.onboard(alice_in("eu-north")); });
  while (calls(emulator.stats(), "setUserAttributes") == 0) {
    if (first.wait_for(1ms) == std::future_status::ready) FAIL("the first login ended early");
  }
  auto hurried = alice_in("ap-south");
  hurried.deadline = 200ms;
  auto waited = onboarder.onboard(hurried);
  REQUIRE_FALSE(waited.has_value());
  CHECK(waited.error().code() == ErrorCode::deadline_exceeded);
  CHECK(waited.error().message().find("earlier run of the same user") != std::string::npos);
  auto a = first.get();
  REQUIRE_MESSAGE(a.has_value(), (a ? "" : a.error().to_string()));
  CHECK(region_of(*a) == "eu-north");
  CHECK(calls(emulator.stats(), "setUserAttributes") == 1);  // the hurried login sent nothing
}
