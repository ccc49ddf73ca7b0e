// Observers: JSON lines without secrets or emails, Prometheus metrics.
#include <sstream>

#include <boost/json/parse.hpp>

#include "embark/observers/json_lines.hpp"
#include "embark/observers/metrics.hpp"

#include "pipeline/harness.hpp"

using namespace embark;
using namespace embark::test;
using namespace std::chrono_literals;

TEST_CASE("JSON-lines log: one object per event, fingerprints only") {
  Harness h;
  std::ostringstream out;
  auto log = std::make_shared<JsonLinesObserver>(out, h.clock.clock());
  auto config = h.config();
  config.observers = {log};
  auto onboarder = h.make(config);
  auto session = onboarder.onboard(request_for("Secretive.Person@example.com"));
  REQUIRE(session);
  h.fake->fail_next("impersonateUser", Error(ErrorCode::unauthenticated, "Unauthorized"));
  h.clock.advance(56min);
  REQUIRE_FALSE(onboarder.onboard(request_for("Secretive.Person@example.com")));
  REQUIRE_FALSE(onboarder.onboard(request_for("broken")));

  const std::string text = out.str();
  CHECK(text.find(std::string(session->jwt.reveal())) == std::string::npos);
  CHECK(text.find("secretive.person") == std::string::npos);
  CHECK(text.find("Secretive.Person") == std::string::npos);
  CHECK(text.find("acme") == std::string::npos);  // attribute values are not logged either
  std::istringstream lines(text);
  std::string line;
  int stages = 0, calls = 0, runs = 0, failures = 0;
  while (std::getline(lines, line)) {
    auto object = boost::json::parse(line).as_object();
    const auto event = object.at("event").as_string();
    CHECK(object.contains("ts"));
    if (event == "stage") {
      ++stages;
      CHECK(object.at("user").as_string() ==
            to_hex(user_fingerprint("", "secretive.person@example.com")));
    }
    if (event == "vendor_call") ++calls;
    if (event == "run") ++runs;
    if (object.contains("error")) {
      ++failures;
      const auto& error = object.at("error").as_object();
      CHECK(error.contains("code"));
    }
  }
  CHECK(stages == 6);
  CHECK(calls == 4);  // list, create, impersonate, failed impersonate
  CHECK(runs == 3);
  CHECK(failures >= 3);  // failed call, failed stage, failed run (+ the invalid-input run)
  CHECK(text.find(R"("stage":"impersonate","strategy":"reuse","outcome":"failed")") !=
        std::string::npos);
  CHECK(text.find(R"("field":"email")") != std::string::npos);
}

TEST_CASE("metrics: counters and histograms in the Prometheus text format") {
  Harness h;
  auto metrics = std::make_shared<MetricsObserver>();
  auto config = h.config();
  config.observers = {metrics};
  auto onboarder = h.make(config);
  REQUIRE(onboarder.onboard(request_for("m@example.com")));
  REQUIRE(onboarder.onboard(request_for("m@example.com")));
  const auto text = metrics->render_prometheus();
  CHECK(text.find("# TYPE embark_runs_total counter\n") != std::string::npos);
  CHECK(text.find("embark_runs_total{run=\"onboard\",result=\"ok\"} 2\n") != std::string::npos);
  CHECK(
      text.find(
          "embark_stage_total{stage=\"impersonate\",strategy=\"reuse\",outcome=\"called\"} 1\n") !=
      std::string::npos);
  CHECK(text.find("embark_stage_total{stage=\"impersonate\",strategy=\"reuse\",outcome=\"skipped_"
                  "cached\"} 1\n") != std::string::npos);
  CHECK(text.find("embark_vendor_calls_total{operation=\"createUsers\",result=\"ok\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE embark_vendor_call_duration_seconds histogram\n") != std::string::npos);
  CHECK(text.find("embark_vendor_call_duration_seconds_bucket{operation=\"impersonateUser\",le=\"+"
                  "Inf\"} 1\n") != std::string::npos);
  CHECK(text.find("embark_run_duration_seconds_count{run=\"onboard\"} 2\n") != std::string::npos);
  // Buckets are cumulative: each le line is >= the one before.
  std::istringstream lines(text);
  std::string line;
  long previous = -1;
  std::string series;
  while (std::getline(lines, line)) {
    if (line.rfind("embark_stage_duration_seconds_bucket{stage=\"ensure-user\"", 0) != 0) continue;
    const long value = std::stol(line.substr(line.rfind(' ') + 1));
    CHECK(value >= previous);
    previous = value;
  }
  CHECK(previous == 2);
}

TEST_CASE("metrics: failed shared-state calls are embark_shared_state_errors_total") {
  MetricsObserver metrics;
  const Error timeout(ErrorCode::timeout, "redis did not answer in time");
  metrics.on_shared_state_error(SharedStateEvent{"redis", "directory find", &timeout});
  metrics.on_shared_state_error(SharedStateEvent{"redis", "directory find", &timeout});
  // A failing backend of the application's own (reported by the pipeline) counts too.
  const Error down(ErrorCode::connect, "backend down");
  metrics.on_background(BackgroundEvent{"token-cache-backend", "ws", "u", &down});
  metrics.on_background(BackgroundEvent{"pre-mint", "ws", "u", &down});
  const auto text = metrics.render_prometheus();
  CHECK(text.find("# TYPE embark_shared_state_errors_total counter\n") != std::string::npos);
  CHECK(text.find("embark_shared_state_errors_total{backend=\"redis\",operation=\"directory "
                  "find\",result=\"timeout\"} 2\n") != std::string::npos);
  CHECK(text.find("embark_shared_state_errors_total{backend=\"custom\",operation=\"token-cache-"
                  "backend\",result=\"connect\"} 1\n") != std::string::npos);
  CHECK(text.find("operation=\"pre-mint\"") == std::string::npos);
}
