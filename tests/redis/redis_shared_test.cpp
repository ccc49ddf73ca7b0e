// Several app instances (processes running tests/redis/redis_instance.cpp) sharing one real
// redis-server, against the in-process emulator whose counters are the vendor-call truth.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include "embark/client.hpp"
#include "embark/redis.hpp"
#include "embark/testing/emulator_fixture.hpp"

#include "redis_server.hpp"
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace std::chrono_literals;
namespace emu = embark::emulator;

namespace {

/// One instance process, driven line by line.
class Instance {
 public:
  Instance(const embark::testing::EmulatorFixture& emulator, const std::string& redis_url) {
    int to_child[2], from_child[2];
    REQUIRE(::pipe(to_child) == 0);
    REQUIRE(::pipe(from_child) == 0);
    // Secrets travel in the environment, never on a command line.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
    env_strings.push_back("EMBARK_TEST_ACCESS_KEY=" + std::string(emulator.access_key().reveal()));
    env_strings.push_back("EMBARK_TEST_API_TOKEN=" + std::string(emulator.api_token().reveal()));
    env_strings.push_back("EMBARK_TEST_TOKEN_KEY=" + std::string(64, '7'));
    std::vector<std::string> args = {EMBARK_REDIS_INSTANCE, emulator.graphql_url(),
                                     emulator.ca_file(), redis_url};
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(to_child[0], STDIN_FILENO);
      ::dup2(from_child[1], STDOUT_FILENO);
      ::close(to_child[0]);
      ::close(to_child[1]);
      ::close(from_child[0]);
      ::close(from_child[1]);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    in_ = ::fdopen(to_child[1], "w");
    out_ = ::fdopen(from_child[0], "r");
    REQUIRE(line() == "ready");
  }
  ~Instance() {
    if (pid_ > 0) {
      std::fputs("quit\n", in_);
      std::fflush(in_);
      std::fclose(in_);
      std::fclose(out_);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    } else {
      if (in_) std::fclose(in_);
      if (out_) std::fclose(out_);
    }
  }
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  void send(const std::string& command) {
    std::fputs((command + "\n").c_str(), in_);
    std::fflush(in_);
  }
  std::string line() {
    char buf[512];
    if (!std::fgets(buf, sizeof buf, out_)) return "<eof>";
    std::string s(buf);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }
  /// "ok SUCCEEDED FAILED CALLS" as numbers.
  struct Outcome {
    int ok = -1, failed = -1, calls = -1;
  };
  Outcome outcome() {
    std::string s = line();
    while (s.rfind("progress", 0) == 0) s = line();
    std::istringstream in(s);
    std::string word;
    Outcome o;
    in >> word >> o.ok >> o.failed >> o.calls;
    INFO("instance said: " << s);
    CHECK(word == "ok");
    return o;
  }
  /// SIGKILL (a crashed instance).
  void crash() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  FILE* in_ = nullptr;
  FILE* out_ = nullptr;
};

emu::Options emulator_options() {
  emu::Options o;
  o.jwt_alg = emu::JwtAlgorithm::es256;
  o.threads = 2;
  return o;
}

std::uint64_t calls(const emu::Stats& s, const char* op) { return s.of(op).calls; }

std::uint64_t total_calls(const emu::Stats& s) {
  return calls(s, "listUsers") + calls(s, "createUsers") + calls(s, "setUserAttributes") +
         calls(s, "impersonateUser");
}

}  // namespace

TEST_CASE("two instances: a user onboarded by the first costs the second one vendor call") {
  embark::testing::EmulatorFixture emulator(emulator_options());
  embark::testing::RedisServer redis;
  Instance first(emulator, redis.url());
  Instance second(emulator, redis.url());

  first.send("onboard dana@example.com 1 a");
  auto one = first.outcome();
  CHECK(one.ok == 1);
  CHECK(calls(emulator.stats(), "createUsers") == 1);
  // The pipeline's directory writes went out under its onboarding lock (fenced).
  first.send("stats");
  std::istringstream stats(first.line());
  std::string word;
  std::uint64_t rcalls = 0, errors = 0, fallbacks = 0, connected = 0, fenced = 0;
  stats >> word >> rcalls >> errors >> fallbacks >> connected >> fenced;
  CHECK(fenced >= 1);

  emulator.reset();
  // Another session attribute: a new token is needed; the directory (user id, attribute and role
  // fingerprints) comes from Redis, so impersonateUser is the only call.
  second.send("onboard dana@example.com 1 b");
  auto two = second.outcome();
  CHECK(two.ok == 1);
  CHECK(two.calls == 1);
  const auto s = emulator.stats();
  CHECK(calls(s, "impersonateUser") == 1);
  CHECK(total_calls(s) == 1);

  // The same request as the first login: the shared (encrypted) token is handed out again.
  emulator.reset();
  second.send("onboard dana@example.com 1 a");
  CHECK(second.outcome().calls == 0);
  CHECK(total_calls(emulator.stats()) == 0);
}

TEST_CASE("100 concurrent logins of one new user over 4 instances make one createUsers") {
  embark::testing::EmulatorFixture emulator(emulator_options());
  embark::testing::RedisServer redis;
  std::vector<std::unique_ptr<Instance>> instances;
  for (int i = 0; i < 4; ++i)
    instances.push_back(std::make_unique<Instance>(emulator, redis.url()));
  for (auto& instance : instances) instance->send("onboard erin@example.com 25 same");
  int ok = 0, calls_reported = 0;
  for (auto& instance : instances) {
    auto o = instance->outcome();
    ok += o.ok;
    calls_reported += o.calls;
  }
  CHECK(ok == 100);
  const auto s = emulator.stats();
  CHECK(calls(s, "createUsers") == 1);
  CHECK(calls(s, "setUserAttributes") == 0);
  CHECK(calls(s, "impersonateUser") == 1);  // one token, shared through Redis
  CHECK(calls_reported == static_cast<int>(total_calls(s)));
  MESSAGE("4 instances with Redis, 100 logins of one new user: ", total_calls(s),
          " vendor calls (listUsers ", calls(s, "listUsers"), ")");
}

TEST_CASE("without Redis, 4 instances each pay for the same new user (the baseline)") {
  embark::testing::EmulatorFixture emulator(emulator_options());
  std::vector<std::unique_ptr<Instance>> instances;
  for (int i = 0; i < 4; ++i) instances.push_back(std::make_unique<Instance>(emulator, "none"));
  for (auto& instance : instances) instance->send("onboard erin@example.com 25 same");
  int ok = 0;
  for (auto& instance : instances) ok += instance->outcome().ok;
  CHECK(ok == 100);
  const auto s = emulator.stats();
  // Every instance does its own work (local single flight only): at least one impersonateUser
  // each, and createUsers races that the vendor answers with "already exists".
  CHECK(calls(s, "impersonateUser") == 4);
  CHECK(calls(s, "createUsers") >= 1);
  MESSAGE("4 instances without Redis, 100 logins of one new user: ", total_calls(s),
          " vendor calls (createUsers ", calls(s, "createUsers"), ", listUsers ",
          calls(s, "listUsers"), ")");
}

TEST_CASE("Redis killed mid-run, then restarted: every login succeeds, sharing resumes") {
  embark::testing::EmulatorFixture emulator(emulator_options());
  embark::testing::RedisServer redis;
  Instance a(emulator, redis.url());
  Instance b(emulator, redis.url());
  a.send("series early 20");
  for (int i = 0; i < 5; ++i) CHECK(a.line().rfind("progress", 0) == 0);
  redis.kill();
  for (int i = 0; i < 5; ++i) CHECK(a.line().rfind("progress", 0) == 0);
  redis.restart();
  auto run = a.outcome();
  CHECK(run.ok == 20);
  CHECK(run.failed == 0);
  b.send("series late 10");
  CHECK(b.outcome().ok == 10);

  // Shared behaviour is back: a user onboarded by one instance costs the other one call.
  a.send("onboard fay@example.com 1 a");
  CHECK(a.outcome().ok == 1);
  emulator.reset();
  bool shared = false;
  for (int attempt = 0; attempt < 3 && !shared; ++attempt) {
    b.send("onboard fay@example.com 1 b" + std::to_string(attempt));
    auto o = b.outcome();
    CHECK(o.ok == 1);
    shared = o.calls == 1;
  }
  CHECK(shared);
  a.send("stats");
  std::istringstream stats(a.line());
  std::string word;
  std::uint64_t rcalls = 0, errors = 0;
  stats >> word >> rcalls >> errors;
  CHECK(errors >= 1);  // the outage was seen and counted
}

TEST_CASE("a lock holder that dies: the others proceed after the lock's TTL") {
  embark::testing::EmulatorFixture emulator(emulator_options());
  embark::testing::RedisServer redis;
  auto holder = std::make_unique<Instance>(emulator, redis.url());
  Instance other(emulator, redis.url());
  holder->send("hold gus@example.com 1000");
  REQUIRE(holder->line() == "held");
  holder->crash();
  const auto start = std::chrono::steady_clock::now();
  other.send("onboard gus@example.com 3 a");
  auto o = other.outcome();
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(o.ok == 3);
  CHECK(calls(emulator.stats(), "createUsers") == 1);
  CHECK(waited >= 500ms);  // it did wait for the dead holder's lock (TTL 1 s from the grant)
}

TEST_CASE("figures: vendor calls per login (1 instance) and the warm-login latency Redis adds") {
  embark::testing::EmulatorFixture emulator(emulator_options());
  embark::testing::RedisServer redis;
  for (const std::string url : {std::string("none"), redis.url()}) {
    emulator.reset();
    Instance one(emulator, url);
    one.send("onboard hal@" + std::string(url == "none" ? "a" : "b") + ".example 25 same");
    CHECK(one.outcome().ok == 25);
    const auto s = emulator.stats();
    CHECK(calls(s, "createUsers") == 1);
    one.send("warm ivy@" + std::string(url == "none" ? "a" : "b") + ".example 1000");
    std::istringstream warm(one.line());
    std::string word;
    long mean_us = -1, cpu_us = -1;
    warm >> word >> mean_us >> cpu_us;
    CHECK(word == "warm");
    CHECK(cpu_us >= 0);
    MESSAGE("1 instance, ", std::string(url == "none" ? "no Redis" : "Redis"),
            ": 25 logins of a new user -> ", total_calls(s), " vendor calls; warm login ", mean_us,
            " us wall, ", cpu_us, " us CPU (getrusage, all threads of the instance)");
  }
}

namespace {

// Forwards to the Redis limiter, counting what the retry layer asked and how often it had to wait.
class CountingLimiter final : public embark::RateLimiter {
 public:
  explicit CountingLimiter(std::shared_ptr<embark::RateLimiter> inner) : inner_(std::move(inner)) {}
  boost::asio::awaitable<std::chrono::milliseconds> async_acquire(
      std::string_view bucket) override {
    ++asked;
    auto wait = co_await inner_->async_acquire(bucket);
    if (wait > std::chrono::milliseconds(0)) ++waits;
    co_return wait;
  }
  std::atomic<int> asked{0}, waits{0};

 private:
  std::shared_ptr<embark::RateLimiter> inner_;
};

}  // namespace

TEST_CASE("the vendor rate limit is shared through Redis and no retry bypasses it") {
  embark::testing::EmulatorFixture emulator(emulator_options());
  embark::testing::RedisServer redis;
  embark::RedisOptions options;
  options.url = embark::parse_redis_url(redis.url()).value();
  options.timeout = 500ms;
  options.vendor_rate = 1;  // one call per second for all instances together, no burst
  options.vendor_burst = 1;
  boost::asio::thread_pool pool(2);
  // The client's calls race child operations on their executor: a strand, not the bare pool.
  const boost::asio::any_io_executor executor = boost::asio::make_strand(pool);
  struct Side {
    embark::RedisSharedState shared;
    std::shared_ptr<CountingLimiter> limiter;
    std::shared_ptr<embark::WisdomConnection> connection;
  };
  auto make_side = [&] {
    Side side{embark::make_redis_shared_state(options).value(), nullptr, nullptr};
    REQUIRE(side.shared.rate_limiter);
    side.limiter = std::make_shared<CountingLimiter>(side.shared.rate_limiter);
    auto client = emulator.client_options();
    embark::apply(side.shared, client);
    CHECK(client.rate_limiter == side.shared.rate_limiter);
    client.rate_limiter = side.limiter;
    side.connection = embark::make_wisdom_connection(client, executor).value();
    return side;
  };
  Side a = make_side();
  Side b = make_side();
  auto list = [&](Side& side) {
    return boost::asio::co_spawn(executor, side.connection->list_users({}), boost::asio::use_future)
        .get();
  };

  // A's first attempt takes the only token and gets a 503; its retry must wait for the bucket.
  emulator.server().inject_fault("listUsers", embark::emulator::InjectedFault::unavailable, 1);
  auto listed_a = list(a);
  REQUIRE_MESSAGE(listed_a.has_value(), (listed_a ? "" : listed_a.error().to_string()));
  CHECK(a.limiter->asked >= 3);  // attempt 1; the retry: "wait", then the token
  CHECK(a.limiter->waits >= 1);
  // B, another instance, finds the bucket A emptied: it waits too.
  auto listed_b = list(b);
  REQUIRE_MESSAGE(listed_b.has_value(), (listed_b ? "" : listed_b.error().to_string()));
  CHECK(b.limiter->waits >= 1);
  CHECK(calls(emulator.stats(), "listUsers") == 3);
  pool.join();
}
