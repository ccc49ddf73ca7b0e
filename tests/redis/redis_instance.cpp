// One "app instance" for the multi-process Redis tests: an Onboarder over the real client stack,
// sharing state through Redis, driven by line commands on stdin. Answers one line per command.
//
//   usage: redis_instance ENDPOINT CA_FILE REDIS_URL|none
//   env:   EMBARK_TEST_ACCESS_KEY, EMBARK_TEST_API_TOKEN, EMBARK_TEST_TOKEN_KEY (64 hex digits)
//   commands:
//     onboard EMAIL N TAG   N concurrent logins of EMAIL (session attribute tag=TAG)
//                           -> "ok SUCCEEDED FAILED VENDOR_CALLS"
//     series PREFIX N       N logins of PREFIX0@x .. PREFIX{N-1}@x one after the other, a line
//                           "progress I" after each -> "ok SUCCEEDED FAILED VENDOR_CALLS"
//     warm EMAIL N          one login, then N more one after the other
//                           -> "warm MEAN_WALL_MICROSECONDS MEAN_CPU_MICROSECONDS" (CPU: getrusage
//                           of the whole process, every thread: pipeline, client, Redis client)
//     hold EMAIL TTL_MS     takes the onboarding lock of EMAIL as a run would -> "held" / "busy"
//     stats                 -> "stats CALLS ERRORS FALLBACKS CONNECTED FENCED_WRITES"
//     quit
#include <chrono>
#include <cstdlib>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include "embark/client.hpp"
#include "embark/fingerprint.hpp"
#include "embark/onboarder.hpp"
#include "embark/redis.hpp"

#include <sys/resource.h>

using namespace embark;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// User plus system CPU time of the process so far.
std::chrono::microseconds cpu_time() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto us = [](const timeval& t) {
    return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec);
  };
  return us(usage.ru_utime) + us(usage.ru_stime);
}

OnboardRequest request_for(const std::string& email, const std::string& tag) {
  OnboardRequest r;
  r.email = email;
  r.roles = {RoleAssignment{"viewer", {"domain_1"}}};
  r.attributes = {{"tenant", "acme"}, {"region", "eu"}};
  r.session_attributes = {{"tag", tag}};
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: redis_instance ENDPOINT CA_FILE REDIS_URL|none\n";
    return 2;
  }
  ClientOptions client;
  client.endpoint = argv[1];
  client.transport.ca_file = argv[2];
  client.access_key = Secret(env("EMBARK_TEST_ACCESS_KEY"));
  client.api_token = Secret(env("EMBARK_TEST_API_TOKEN"));
  boost::asio::thread_pool pool(2);
  // One strand: the pipeline's coroutines race child operations (`||`) on their executor, which
  // must not run them on two threads at once (a bare two-thread pool crashed now and then).
  const boost::asio::any_io_executor executor = boost::asio::make_strand(pool);
  auto connection = make_wisdom_connection(client, executor);
  if (!connection) {
    std::cerr << connection.error().to_string() << "\n";
    return 1;
  }
  OnboarderConfig config;
  config.executor = executor;
  std::optional<RedisSharedState> shared;
  if (std::string(argv[3]) != "none") {
    RedisOptions options;
    auto url = parse_redis_url(argv[3]);
    auto key = parse_token_key(env("EMBARK_TEST_TOKEN_KEY"));
    if (!url || !key) {
      std::cerr << (url ? key.error() : url.error()).to_string() << "\n";
      return 2;
    }
    options.url = *url;
    options.token_key = *key;
    options.timeout = std::chrono::milliseconds(200);  // a loaded test machine, not a slow Redis
    options.reconnect_backoff = std::chrono::milliseconds(5);
    options.max_reconnect_backoff = std::chrono::milliseconds(50);
    auto made = make_redis_shared_state(options);
    if (!made) {
      std::cerr << made.error().to_string() << "\n";
      return 2;
    }
    shared = std::move(*made);
    config.directory = shared->directory;
    config.token_cache = shared->token_cache;
    config.lock_service = shared->lock_service;
    config.lock_ttl = std::chrono::milliseconds(1000);
    config.lock_wait = std::chrono::milliseconds(10000);
  }
  auto created = Onboarder::create(std::move(config), *connection);
  if (!created) {
    std::cerr << created.error().to_string() << "\n";
    return 1;
  }
  std::optional<Onboarder> onboarder(std::move(*created));
  std::cout << "ready" << std::endl;

  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string command;
    in >> command;
    if (command == "onboard") {
      std::string email, tag;
      int n = 0;
      in >> email >> n >> tag;
      std::vector<std::future<Result<Session>>> runs;
      for (int i = 0; i < n; ++i)
        runs.push_back(onboarder->async_onboard(request_for(email, tag), boost::asio::use_future));
      int ok = 0, failed = 0, calls = 0;
      for (auto& f : runs) {
        auto r = f.get();
        if (r) {
          ++ok;
          calls += r->vendor_calls;
        } else {
          ++failed;
          std::cerr << r.error().to_string() << "\n";
        }
      }
      std::cout << "ok " << ok << " " << failed << " " << calls << std::endl;
    } else if (command == "series") {
      std::string prefix;
      int n = 0;
      in >> prefix >> n;
      int ok = 0, failed = 0, calls = 0;
      for (int i = 0; i < n; ++i) {
        auto r = onboarder->onboard(request_for(prefix + std::to_string(i) + "@x.example", "s"));
        if (r) {
          ++ok;
          calls += r->vendor_calls;
        } else {
          ++failed;
          std::cerr << r.error().to_string() << "\n";
        }
        std::cout << "progress " << i << std::endl;
      }
      std::cout << "ok " << ok << " " << failed << " " << calls << std::endl;
    } else if (command == "warm") {
      std::string email;
      int n = 0;
      in >> email >> n;
      auto first = onboarder->onboard(request_for(email, "w"));
      if (!first) std::cerr << first.error().to_string() << "\n";
      const auto cpu_start = cpu_time();
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < n; ++i) (void)onboarder->onboard(request_for(email, "w"));
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
      const auto cpu_us = (cpu_time() - cpu_start).count();
      std::cout << "warm " << (n > 0 ? us / n : 0) << " " << (n > 0 ? cpu_us / n : 0) << std::endl;
    } else if (command == "hold") {
      std::string email;
      long ttl = 0;
      in >> email >> ttl;
      if (!shared) {
        std::cout << "busy" << std::endl;
        continue;
      }
      const std::string name = "onboard:" + to_hex(user_fingerprint("", email));
      auto got = boost::asio::co_spawn(pool,
                                       shared->lock_service->async_try_acquire(
                                           "", name, std::chrono::milliseconds(ttl)),
                                       boost::asio::use_future)
                     .get();
      std::cout << (got && *got ? "held" : "busy") << std::endl;
    } else if (command == "stats") {
      RedisStats s = shared ? shared->stats() : RedisStats{};
      std::cout << "stats " << s.calls << " " << s.errors << " " << s.fallbacks << " "
                << (s.connected ? 1 : 0) << " " << s.fenced_writes << std::endl;
    } else if (command == "quit") {
      break;
    } else {
      std::cout << "error unknown command" << std::endl;
    }
  }
  onboarder.reset();
  pool.join();
  return 0;
}
