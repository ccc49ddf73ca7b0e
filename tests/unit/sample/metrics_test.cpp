// Prometheus text rendering of the sample server's metrics.
#include "metrics.hpp"

#include <doctest/doctest.h>

using namespace embark::sample;
using namespace std::chrono_literals;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

}  // namespace

TEST_CASE("counters and the onboarding histogram render in the Prometheus text format") {
  Metrics m;
  m.count_login(LoginOutcome::success);
  m.count_login(LoginOutcome::success);
  m.count_login(LoginOutcome::bad_credentials);
  m.count_refresh(RefreshOutcome::success);
  m.count_refresh(RefreshOutcome::unauthenticated);
  m.count_logout();
  m.observe_onboarding(3ms, false);
  m.observe_onboarding(40ms, false);
  m.observe_onboarding(2s, true);
  m.observe_onboarding(10s, true);

  std::string text = m.render();
  CHECK(has_line(text, "# TYPE sample_logins_total counter"));
  CHECK(has_line(text, "sample_logins_total{outcome=\"success\"} 2"));
  CHECK(has_line(text, "sample_logins_total{outcome=\"bad_credentials\"} 1"));
  CHECK(has_line(text, "sample_logins_total{outcome=\"csrf_rejected\"} 0"));
  CHECK(has_line(text, "sample_token_refreshes_total{outcome=\"success\"} 1"));
  CHECK(has_line(text, "sample_token_refreshes_total{outcome=\"unauthenticated\"} 1"));
  CHECK(has_line(text, "sample_logouts_total 1"));
  CHECK(has_line(text, "sample_onboarding_failures_total 2"));
  CHECK(has_line(text, "# TYPE sample_onboarding_duration_seconds histogram"));
  // Buckets are cumulative; +Inf equals the count.
  CHECK(has_line(text, "sample_onboarding_duration_seconds_bucket{le=\"0.005\"} 1"));
  CHECK(has_line(text, "sample_onboarding_duration_seconds_bucket{le=\"0.025\"} 1"));
  CHECK(has_line(text, "sample_onboarding_duration_seconds_bucket{le=\"0.05\"} 2"));
  CHECK(has_line(text, "sample_onboarding_duration_seconds_bucket{le=\"2.5\"} 3"));
  CHECK(has_line(text, "sample_onboarding_duration_seconds_bucket{le=\"5\"} 3"));
  CHECK(has_line(text, "sample_onboarding_duration_seconds_bucket{le=\"+Inf\"} 4"));
  CHECK(has_line(text, "sample_onboarding_duration_seconds_count 4"));
  CHECK(text.find("sample_onboarding_duration_seconds_sum 12.043") != std::string::npos);
  CHECK(text.back() == '\n');
}
