// The demo's call counting: differences of the emulator's counters, their rendering, the stats
// document, and the summary's check that the parts add up to the emulator's total.
#include "call_counts.hpp"

#include <sstream>

#include <boost/json.hpp>
#include <doctest/doctest.h>
#ifdef EMBARK_CLI_DEMO
#include "demo_report.hpp"
#endif

using namespace embark;
using namespace embark::cli;

TEST_CASE("call counts: difference keeps only operations that grew") {
  const CallCounts before{{"listUsers", 2}, {"impersonateUser", 5}};
  const CallCounts after{{"listUsers", 2}, {"impersonateUser", 7}, {"createUsers", 1}};
  const CallCounts diff = difference(after, before);
  CHECK(diff == CallCounts{{"impersonateUser", 2}, {"createUsers", 1}});
  CHECK(total(diff) == 3);
  CallCounts sum = diff;
  accumulate(sum, CallCounts{{"createUsers", 4}, {"setUserAttributes", 1}});
  CHECK(sum == CallCounts{{"impersonateUser", 2}, {"createUsers", 5}, {"setUserAttributes", 1}});
}

TEST_CASE("call counts: described in login order, other operations after, none when empty") {
  CHECK(describe(CallCounts{}) == "none");
  CHECK(describe({{"impersonateUser", 1},
                  {"listUsers", 1},
                  {"exchangeAccessToken", 1},
                  {"createUsers", 1}}) ==
        "exchangeAccessToken 1, listUsers 1, createUsers 1, impersonateUser 1");
  CHECK(describe({{"currentUser", 2}, {"listUsers", 1}}) == "listUsers 1, currentUser 2");
}

TEST_CASE("call counts: the emulator's stats document") {
  auto counts = parse_stats_document(
      R"({"operations":{"listUsers":{"calls":3,"response_bytes":10,"faults":0},"impersonateUser":{"calls":1}},)"
      R"("total":{"calls":4}})");
  REQUIRE(counts.has_value());
  CHECK(*counts == CallCounts{{"listUsers", 3}, {"impersonateUser", 1}});
  for (const char* bad :
       {"", "[]", R"({"total":{}})", R"({"operations":{"listUsers":{"calls":"3"}}})",
        R"({"operations":{"listUsers":7}})"}) {
    CAPTURE(bad);
    auto parsed = parse_stats_document(bad);
    REQUIRE(!parsed.has_value());
    CHECK(parsed.error().code() == ErrorCode::protocol);
  }
}

#ifdef EMBARK_CLI_DEMO
TEST_CASE("demo report: totals per column, and the check against the emulator's own count") {
  DemoReport report;
  report.setup = {{"createUsers", 2}};
  report.scenes.push_back({"new user",
                           "a+t@x.test",
                           "a+t-docs@x.test",
                           1,
                           {{"listUsers", 1}, {"createUsers", 1}, {"impersonateUser", 1}},
                           CallCounts{{"exchangeAccessToken", 1},
                                      {"listUsers", 1},
                                      {"createUsers", 1},
                                      {"impersonateUser", 1}}});
  report.scenes.push_back({"fresh token",
                           "a+t@x.test",
                           "a+t-docs@x.test",
                           1,
                           {},
                           CallCounts{{"exchangeAccessToken", 1},
                                      {"listUsers", 1},
                                      {"setUserAttributes", 1},
                                      {"impersonateUser", 1}}});
  report.emulator = CallCounts{{"createUsers", 4},
                               {"listUsers", 3},
                               {"impersonateUser", 3},
                               {"exchangeAccessToken", 2},
                               {"setUserAttributes", 1}};
  CHECK(total(report.embark_total()) == 3);
  REQUIRE(report.docs_total().has_value());
  CHECK(total(*report.docs_total()) == 8);

  std::ostringstream text;
  report.print_summary(text);
  CHECK(text.str().find(
            "The emulator counted 13 calls during the demo: 2 set-up + 3 embark + 8 docs' flow.") !=
        std::string::npos);
  const auto json = report.to_json();
  CHECK(json.at("totals").at("docs_flow").to_number<int>() == 8);
  CHECK(json.at("scenes").at(1).at("embark").at("calls").to_number<int>() == 0);
  CHECK(json.at("emulator").at("calls").to_number<int>() == 13);

  // Calls from elsewhere are named, not hidden; an unmeasured scene makes the docs' total unknown.
  report.emulator->at("listUsers") += 2;
  text.str("");
  report.print_summary(text);
  CHECK(text.str().find("(and 2 from elsewhere)") != std::string::npos);
  report.scenes.at(1).docs.reset();
  CHECK(!report.docs_total().has_value());
  CHECK(report.to_json().at("totals").at("docs_flow").is_null());
}
#endif
