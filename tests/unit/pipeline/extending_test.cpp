// docs/extending.md's example strategy, as printed there (extracted by tests/unit/CMakeLists.txt).
#include "extending_example.hpp"
#include "pipeline/harness.hpp"

namespace embark::test {

TEST_CASE("extending.md: the one-knob strategy runs as printed, its knob checked at create") {
  Harness h;
  auto config = h.config();
  config.impersonate_strategy = std::make_shared<example::OriginTaggedImpersonate>(
      example::OriginTaggedImpersonate::Options{.origin = "billing"});
  auto onboarder = h.make(config);
  auto request = request_for("dora@example.com");
  request.session_attributes = {{"page", "invoices"}};
  auto session = onboarder.onboard(request);
  REQUIRE_MESSAGE(session, (session ? std::string() : session.error().to_string()));
  CHECK(onboarder.strategy_name(Stage::impersonate) == "origin-tagged");
  CHECK(h.fake->last_session_attributes("dora@example.com") ==
        AttributeMap{{"app_origin", "billing"}, {"page", "invoices"}});
  REQUIRE(session->stages.size() == 3);
  CHECK(session->stages[2].strategy == "origin-tagged");
  CHECK(session->stages[2].outcome == StageOutcome::called);
  CHECK(session->stages[2].vendor_calls == 1);
  // Every login mints (the example keeps no cache).
  h.fake->reset_counters();
  REQUIRE(onboarder.onboard(request));
  CHECK(h.fake->impersonate_calls == 1);

  config.impersonate_strategy = std::make_shared<example::OriginTaggedImpersonate>(
      example::OriginTaggedImpersonate::Options{.origin = ""});
  auto refused = Onboarder::create(config, h.fake);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == ErrorCode::invalid_input);
  CHECK(refused.error().field() == "impersonate.origin");
}

}  // namespace embark::test
