// LoginThrottle with a controlled clock: windows, per-account and per-address limits, memory bound.
#include "login_throttle.hpp"

#include <doctest/doctest.h>

using namespace embark::sample;
using namespace std::chrono_literals;

namespace {

struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours{1000}};
  LoginThrottle::Clock fn() {
    return [this] { return now; };
  }
};

}  // namespace

TEST_CASE("an account waits until its oldest counted failure leaves the window") {
  ManualClock clock;
  LoginThrottle::Limits limits;
  limits.per_account = 3;
  limits.window = 60s;
  LoginThrottle throttle(limits, clock.fn());
  for (int i = 0; i < 3; ++i) {
    CHECK(throttle.retry_after("a@x.test", "10.0.0.1") == 0s);
    throttle.record_failure("a@x.test", "10.0.0.1");
    clock.now += 10s;
  }
  // Failures at t=0, 10, 20; now t=30: the first leaves the window at t=60.
  CHECK(throttle.retry_after("A@X.TEST", "10.0.0.2") == 30s);
  clock.now += 29s;
  CHECK(throttle.retry_after("a@x.test", "") == 1s);
  clock.now += 1s;
  CHECK(throttle.retry_after("a@x.test", "") == 0s);
}

TEST_CASE("a success clears the account's failures but not the address's") {
  ManualClock clock;
  LoginThrottle::Limits limits;
  limits.per_account = 2;
  limits.per_address = 3;
  LoginThrottle throttle(limits, clock.fn());
  throttle.record_failure("a@x.test", "10.0.0.1");
  throttle.record_failure("a@x.test", "10.0.0.1");
  CHECK(throttle.retry_after("a@x.test", "") > 0s);
  throttle.record_success("a@x.test");
  CHECK(throttle.retry_after("a@x.test", "") == 0s);
  throttle.record_failure("b@x.test", "10.0.0.1");
  CHECK(throttle.retry_after("c@x.test", "10.0.0.1") > 0s);  // 3 failures from that address
  CHECK(throttle.retry_after("c@x.test", "10.0.0.9") == 0s);
}

TEST_CASE("a spray of made-up accounts stays within max_tracked") {
  ManualClock clock;
  LoginThrottle::Limits limits;
  limits.max_tracked = 100;
  LoginThrottle throttle(limits, clock.fn());
  for (int i = 0; i < 1000; ++i) {
    throttle.record_failure("user" + std::to_string(i) + "@x.test",
                            "10.0.0." + std::to_string(i % 7));
    CHECK(throttle.tracked() <= 100);
  }
  // The attacking addresses stay remembered (they fail most recently) and are limited.
  CHECK(throttle.retry_after("new@x.test", "10.0.0.3") > 0s);
}
