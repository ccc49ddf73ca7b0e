#include "internal/policies/retry_loop.hpp"

#include <deque>
#include <memory>
#include <set>

#include <doctest/doctest.h>

#include "client/test_support.hpp"

using embark::Error;
using embark::ErrorCode;
using embark::Idempotency;
using embark::Result;
using embark::internal::retry_loop;
using embark::internal::RetryEnvironment;
using embark::internal::RetrySettings;
using namespace std::chrono_literals;

namespace {

// Fake time: sleeping advances the clock and is recorded.
struct FakeTime {
  RetryEnvironment::Clock::time_point now{};
  std::vector<std::chrono::milliseconds> sleeps;
  RetryEnvironment env() {
    return RetryEnvironment{
        [this] { return now; },
        [this](std::chrono::milliseconds d) -> boost::asio::awaitable<Result<void>> {
          sleeps.push_back(d);
          now += d;
          co_return Result<void>();
        }};
  }
};

// Answers attempts from a script; each attempt may also take some (fake) time.
struct Script {
  FakeTime& time;
  std::deque<Result<int>> answers;
  std::chrono::milliseconds attempt_duration{0};
  int attempts = 0;
  auto attempt() {
    return [this](int n,
                  RetryEnvironment::Clock::time_point) -> boost::asio::awaitable<Result<int>> {
      ++attempts;
      CHECK(n == attempts);
      time.now += attempt_duration;
      Result<int> r = answers.empty() ? Result<int>(Error(ErrorCode::internal, "script ran out"))
                                      : answers.front();
      if (!answers.empty()) answers.pop_front();
      co_return r;
    };
  }
};

Error transient(ErrorCode code = ErrorCode::connect) { return Error(code, "transient"); }
Error http(int status, bool retryable) {
  return Error(ErrorCode::server_error, "http").with_http_status(status).with_retryable(retryable);
}

double zero() { return 0.0; }
double almost_one() { return 0.999999; }

}  // namespace

TEST_CASE("retries transient failures with capped exponential backoff") {
  FakeTime time;
  Script script{time, {transient(), transient(ErrorCode::timeout), http(503, true), 42}};
  embark::LimitedAttemptsRetryPolicy retry(5);
  embark::ExponentialBackoffPolicy backoff(100ms, 250ms, 2.0, &almost_one);
  auto r = embark::test::run_sync(retry_loop<int>(
      RetrySettings{retry, backoff, nullptr, time.now + 60s, Idempotency::idempotent, "listUsers"},
      time.env(), script.attempt()));
  REQUIRE(r.has_value());
  CHECK(*r == 42);
  CHECK(script.attempts == 4);
  // Caps 100, 200, 250 (max), jittered by ~1.0.
  REQUIRE(time.sleeps.size() == 3);
  CHECK(time.sleeps[0] == 99ms);
  CHECK(time.sleeps[1] == 199ms);
  CHECK(time.sleeps[2] == 249ms);
}

TEST_CASE("full jitter: delays spread over [0, cap]") {
  embark::ExponentialBackoffPolicy lowest(100ms, 5s, 2.0, &zero);
  CHECK(lowest.on_completion() == 0ms);
  embark::ExponentialBackoffPolicy real(100ms, 1600ms, 2.0);
  for (int round = 0; round < 200; ++round) {
    auto policy = real.clone();
    std::chrono::milliseconds cap = 100ms;
    for (int n = 0; n < 6; ++n) {
      auto d = policy->on_completion();
      CHECK(d >= 0ms);
      CHECK(d <= cap);
      cap = std::min(cap * 2, std::chrono::milliseconds(1600));
    }
  }
  // Not all the same: jitter really varies (200 draws below 100 ms).
  std::set<long long> seen;
  for (int i = 0; i < 200; ++i) seen.insert(real.clone()->on_completion().count());
  CHECK(seen.size() > 20);
}

TEST_CASE("never retries permanent failures or HTTP-200 GraphQL errors") {
  for (auto error :
       {Error(ErrorCode::unauthenticated, "x"), http(500, false),
        Error(ErrorCode::invalid_input, "x"),
        Error(ErrorCode::server_error, "graphql").with_http_status(200).with_retryable(false)}) {
    FakeTime time;
    Script script{time, {error, 1}};
    embark::LimitedAttemptsRetryPolicy retry(5);
    embark::ExponentialBackoffPolicy backoff(100ms, 1s);
    auto r = embark::test::run_sync(
        retry_loop<int>(RetrySettings{retry, backoff, nullptr, time.now + 60s,
                                      Idempotency::idempotent, "createUsers"},
                        time.env(), script.attempt()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == error.code());
    CHECK(script.attempts == 1);
    CHECK(time.sleeps.empty());
  }
}

TEST_CASE("stops after max attempts with the last error") {
  FakeTime time;
  Script script{time, {transient(), transient(), transient(ErrorCode::tls), 1}};
  embark::LimitedAttemptsRetryPolicy retry(3);
  embark::ExponentialBackoffPolicy backoff(10ms, 10ms);
  auto r = embark::test::run_sync(retry_loop<int>(
      RetrySettings{retry, backoff, nullptr, time.now + 60s, Idempotency::idempotent, "listUsers"},
      time.env(), script.attempt()));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::tls);
  CHECK(script.attempts == 3);
}

TEST_CASE("Retry-After is honoured when longer than the backoff") {
  FakeTime time;
  Script script{
      time, {Error(ErrorCode::rate_limited, "429").with_retryable(true).with_retry_after(3s), 7}};
  embark::LimitedAttemptsRetryPolicy retry(3);
  embark::ExponentialBackoffPolicy backoff(100ms, 1s, 2.0, &almost_one);
  auto r = embark::test::run_sync(
      retry_loop<int>(RetrySettings{retry, backoff, nullptr, time.now + 60s,
                                    Idempotency::idempotent, "impersonateUser"},
                      time.env(), script.attempt()));
  REQUIRE(r.has_value());
  REQUIRE(time.sleeps.size() == 1);
  CHECK(time.sleeps[0] == 3s);
}

TEST_CASE("a Retry-After past the deadline ends the call at once with deadline_exceeded") {
  FakeTime time;
  Script script{time,
                {Error(ErrorCode::rate_limited, "429")
                     .with_retryable(true)
                     .with_retry_after(30s)
                     .with_http_status(429),
                 7}};
  embark::LimitedAttemptsRetryPolicy retry(3);
  embark::ExponentialBackoffPolicy backoff(100ms, 1s);
  const auto start = time.now;
  auto r = embark::test::run_sync(
      retry_loop<int>(RetrySettings{retry, backoff, nullptr, time.now + 10s,
                                    Idempotency::idempotent, "impersonateUser"},
                      time.env(), script.attempt()));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::deadline_exceeded);
  CHECK(r.error().http_status() == 429);
  CHECK(r.error().operation() == "impersonateUser");
  CHECK(time.sleeps.empty());
  CHECK(time.now - start < 10s);
}

TEST_CASE("the deadline bounds slow attempts") {
  FakeTime time;
  Script script{time,
                {transient(ErrorCode::timeout), transient(ErrorCode::timeout),
                 transient(ErrorCode::timeout), 1}};
  script.attempt_duration = 4s;
  embark::LimitedAttemptsRetryPolicy retry(10);
  embark::ExponentialBackoffPolicy backoff(100ms, 100ms, 2.0, &almost_one);
  auto r = embark::test::run_sync(retry_loop<int>(
      RetrySettings{retry, backoff, nullptr, time.now + 10s, Idempotency::idempotent, "listUsers"},
      time.env(), script.attempt()));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::deadline_exceeded);
  CHECK(script.attempts == 3);  // 0-4 s, 4.1-8.1 s, 8.2-12.2 s; no fourth start past 10 s
}

TEST_CASE("non-idempotent calls retry only failures that prove nothing was processed") {
  auto run = [](Error first) {
    FakeTime time;
    Script script{time, {first, 5}};
    embark::LimitedAttemptsRetryPolicy retry(3);
    embark::ExponentialBackoffPolicy backoff(10ms, 10ms);
    auto r = embark::test::run_sync(
        retry_loop<int>(RetrySettings{retry, backoff, nullptr, time.now + 60s,
                                      Idempotency::non_idempotent, "deleteUsersFromWorkspace"},
                        time.env(), script.attempt()));
    return std::pair(r.has_value(), script.attempts);
  };
  CHECK(run(transient(ErrorCode::timeout)) == std::pair(false, 1));
  CHECK(run(transient(ErrorCode::connect)) == std::pair(false, 1));
  CHECK(run(http(502, true)) == std::pair(false, 1));
  CHECK(run(transient(ErrorCode::tls)) == std::pair(true, 2));
  CHECK(run(Error(ErrorCode::rate_limited, "429").with_retryable(true)) == std::pair(true, 2));
}

TEST_CASE("the retry budget keeps retries a small fraction of calls") {
  auto budget = std::make_shared<embark::RetryBudget>(0.1, 5);
  embark::LimitedAttemptsRetryPolicy retry(4);
  embark::ExponentialBackoffPolicy backoff(1ms, 1ms);
  int calls = 0;
  int attempts = 0;
  // The vendor fails everything: 200 calls with up to 3 retries each would be 800 attempts.
  for (int i = 0; i < 200; ++i) {
    FakeTime time;
    Script script{time, {transient(), transient(), transient(), transient()}};
    auto r = embark::test::run_sync(
        retry_loop<int>(RetrySettings{retry, backoff, budget.get(), time.now + 60s,
                                      Idempotency::idempotent, "listUsers"},
                        time.env(), script.attempt()));
    CHECK_FALSE(r.has_value());
    ++calls;
    attempts += script.attempts;
  }
  const int retries = attempts - calls;
  MESSAGE("calls=" << calls << " retries=" << retries);
  CHECK(retries <= 5 + calls / 10 + 1);
  CHECK(retries >= 5);  // the minimum is always allowed
  CHECK(budget->tokens() < 1.0);
}

TEST_CASE("retry budget arithmetic") {
  embark::RetryBudget budget(0.5, 2);
  CHECK(budget.try_spend());
  CHECK(budget.try_spend());
  CHECK_FALSE(budget.try_spend());
  budget.on_call();
  CHECK_FALSE(budget.try_spend());
  budget.on_call();
  CHECK(budget.try_spend());
  for (int i = 0; i < 100; ++i) budget.on_call();
  CHECK(budget.tokens() == doctest::Approx(2.0));  // capped
}

namespace {

// A limiter answering waits from a script (then zero), recording the bucket it was asked for.
class ScriptedLimiter final : public embark::RateLimiter {
 public:
  explicit ScriptedLimiter(std::deque<std::chrono::milliseconds> waits)
      : waits_(std::move(waits)) {}
  boost::asio::awaitable<std::chrono::milliseconds> async_acquire(
      std::string_view bucket) override {
    ++asked;
    buckets.insert(std::string(bucket));
    if (waits_.empty()) co_return 0ms;
    auto w = waits_.front();
    waits_.pop_front();
    co_return w;
  }
  int asked = 0;
  std::set<std::string> buckets;

 private:
  std::deque<std::chrono::milliseconds> waits_;
};

}  // namespace

TEST_CASE("the rate limiter is consulted before every attempt, retries included") {
  FakeTime time;
  Script script{time, {transient(), 7}};
  embark::LimitedAttemptsRetryPolicy retry(3);
  embark::ExponentialBackoffPolicy backoff(100ms, 100ms, 2.0, &almost_one);
  // First attempt: the bucket is empty for 300 ms; the retry: empty for another 50 ms.
  ScriptedLimiter limiter({300ms, 0ms, 50ms});
  RetrySettings settings{retry,      backoff, nullptr, time.now + 60s, Idempotency::idempotent,
                         "listUsers"};
  settings.limiter = &limiter;
  settings.limiter_bucket = "ws-1";
  auto r = embark::test::run_sync(retry_loop<int>(settings, time.env(), script.attempt()));
  REQUIRE(r.has_value());
  CHECK(*r == 7);
  CHECK(script.attempts == 2);
  CHECK(limiter.asked == 4);  // 300 ms, then a token; after the backoff 50 ms, then a token
  CHECK(limiter.buckets == std::set<std::string>{"ws-1"});
  REQUIRE(time.sleeps.size() == 3);
  CHECK(time.sleeps[0] == 300ms);
  CHECK(time.sleeps[1] == 99ms);  // the backoff
  CHECK(time.sleeps[2] == 50ms);
}

TEST_CASE("a rate-limit wait past the deadline ends the call without sending it") {
  FakeTime time;
  Script script{time, {7}};
  embark::LimitedAttemptsRetryPolicy retry(3);
  embark::ExponentialBackoffPolicy backoff(100ms, 100ms);
  ScriptedLimiter limiter({5s});
  RetrySettings settings{retry,        backoff, nullptr, time.now + 1s, Idempotency::idempotent,
                         "createUsers"};
  settings.limiter = &limiter;
  auto r = embark::test::run_sync(retry_loop<int>(settings, time.env(), script.attempt()));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::deadline_exceeded);
  CHECK(r.error().message().find("rate limit") != std::string::npos);
  CHECK(script.attempts == 0);
  CHECK(time.sleeps.empty());
}
