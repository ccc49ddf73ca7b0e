// The embark client side of embark-bench (`embark-bench worker ...`): runs a workload through an
// Onboarder with the given strategies and reports one JSON line. Runs in its own process so that
// its CPU time and peak RSS are its own (the emulator lives in the driver process).
#include "client_worker.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "embark/client.hpp"
#include "embark/onboarder.hpp"

#include <sys/resource.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define EMBARK_BENCH_CALLGRIND 1
#endif

namespace embark::bench {
namespace {

// Counts the users of a streamed listUsers answer.
struct CountingSink final : embark::UserSink {
  std::size_t users = 0;
  void restart() override { users = 0; }
  void add(const embark::UserRecord&) override { ++users; }
};

namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

// User + system CPU of this process; `system` (optional) receives the system (kernel) share.
double cpu_seconds(double* system = nullptr) {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  if (system) *system = seconds(usage.ru_stime);
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// VmHWM, not ru_maxrss: a spawned process inherits its parent's high-water mark through exec.
double max_rss_mb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  return 0;
}

// Runs logins [first, first + count) of the workload at `concurrency`, starting no new login
// after `duration`. Everything runs on the Onboarder's executor (one I/O thread), so the
// bookkeeping needs no lock.
class Phase {
 public:
  /// `loop`: after the last login start again from the first (a token-cache workload repeats a
  /// few logins for the whole window). `connection` set: each login is one listUsers call alone.
  /// `count` bounds the logins of a looping window too.
  Phase(const Onboarder& onboarder, const std::vector<Login>& workload, std::size_t first,
        std::size_t count, std::chrono::duration<double> duration, bool loop = false,
        std::shared_ptr<WisdomConnection> connection = nullptr)
      : onboarder_(onboarder),
        workload_(workload),
        first_(first),
        next_(first),
        end_(loop ? first + count : std::min(workload.size(), first + count)),
        loop_(loop),
        duration_(duration),
        connection_(std::move(connection)) {
    if (!loop) latencies_ms_.reserve(end_ - first);
  }

  /// Runs the phase to completion and returns its result (latency quantiles, counts, wall time).
  WorkerResult run(int concurrency) {
    start_ = SteadyClock::now();
    boost::asio::post(onboarder_.get_executor(), [this, concurrency] {
      for (int i = 0; i < concurrency; ++i) start_next();
      if (in_flight_ == 0) done_.set_value();
    });
    done_.get_future().wait();
    WorkerResult result;
    result.wall_s = std::chrono::duration<double>(end_time_ - start_).count();
    std::sort(latencies_ms_.begin(), latencies_ms_.end());
    result.ok = ok_;
    result.failed = failed_;
    result.p50_ms = quantile(latencies_ms_, 0.50);
    result.p90_ms = quantile(latencies_ms_, 0.90);
    result.p99_ms = quantile(latencies_ms_, 0.99);
    result.first_error = first_error_;
    return result;
  }

 private:
  void start_next() {
    if (next_ >= end_ || SteadyClock::now() - start_ >= duration_) return;
    const std::size_t index =
        loop_ ? first_ + (next_++ - first_) % (workload_.size() - first_) : next_++;
    const Login& login = workload_[index];
    ++in_flight_;
    const auto sent = SteadyClock::now();
    if (connection_) {
      // Streamed into a sink that counts, as a directory refresh lists: no records are held.
      auto counter = std::make_shared<CountingSink>();
      ListUsersRequest list;
      list.sink = counter;
      boost::asio::co_spawn(
          onboarder_.get_executor(), connection_->list_users(std::move(list)),
          [this, sent, counter](std::exception_ptr e, Result<std::vector<UserRecord>> users) {
            const bool ok = !e && users && counter->users > 0;
            finish(sent, ok,
                   ok       ? std::string()
                   : e      ? std::string("listUsers threw")
                   : !users ? users.error().to_string()
                            : std::string("listUsers returned no users"));
          });
      return;
    }
    OnboardRequest request;
    request.email = login.email;
    request.attributes = login.attributes;
    onboarder_.async_onboard(std::move(request), [this, sent](Result<Session> session) {
      // A login counts only when it ends with a JWT (three segments) that has not expired.
      const bool valid = session && three_parts(session->jwt.reveal()) &&
                         session->expires_at > std::chrono::system_clock::now();
      finish(sent, valid,
             valid     ? std::string()
             : session ? std::string("the session JWT is malformed or expired")
                       : session.error().to_string());
    });
  }

  // Exactly two dots (memchr-based finds: a byte-wise count of a 600-byte token was ~4,000
  // instructions of the client CPU this benchmark reports per login).
  static bool three_parts(std::string_view jwt) {
    const auto first = jwt.find('.');
    if (first == std::string_view::npos) return false;
    const auto second = jwt.find('.', first + 1);
    return second != std::string_view::npos && jwt.find('.', second + 1) == std::string_view::npos;
  }

  void finish(SteadyClock::time_point sent, bool valid, std::string error) {
    const auto now = SteadyClock::now();
    --in_flight_;
    if (valid) {
      ++ok_;
      latencies_ms_.push_back(std::chrono::duration<double, std::milli>(now - sent).count());
    } else {
      ++failed_;
      if (first_error_.empty()) first_error_ = std::move(error);
    }
    start_next();
    if (in_flight_ == 0) {
      end_time_ = SteadyClock::now();
      done_.set_value();
    }
  }

  const Onboarder& onboarder_;
  const std::vector<Login>& workload_;
  std::size_t first_;
  std::size_t next_;
  std::size_t end_;
  bool loop_;
  std::chrono::duration<double> duration_;
  SteadyClock::time_point start_;
  SteadyClock::time_point end_time_;
  int in_flight_ = 0;
  std::uint64_t ok_ = 0;
  std::uint64_t failed_ = 0;
  std::vector<double> latencies_ms_;
  std::string first_error_;
  std::promise<void> done_;
  std::shared_ptr<WisdomConnection> connection_;
};

}  // namespace

Result<Credentials> read_credentials(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::invalid_input, "cannot read the credentials file " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec || !value.is_object())
    return fail(ErrorCode::invalid_input, "the credentials file is not a JSON object: " + path);
  const auto& o = value.as_object();
  auto field = [&](const char* name) {
    const auto* v = o.if_contains(name);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  return Credentials{field("graphql_url"), field("access_key"), field("api_token"),
                     field("ca_file")};
}

Result<std::vector<Login>> read_workload(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::invalid_input, "cannot read the workload file " + path);
  std::vector<Login> logins;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    boost::system::error_code ec;
    auto value = json::parse(line, ec);
    if (ec || !value.is_object())
      return fail(ErrorCode::invalid_input,
                  "workload line " + std::to_string(logins.size() + 1) + " is not a JSON object");
    Login login;
    login.email = std::string(value.at("email").as_string());
    for (const auto& [key, v] : value.at("attributes").as_object())
      login.attributes.emplace(std::string(key), std::string(v.as_string()));
    logins.push_back(std::move(login));
  }
  return logins;
}

int run_worker(const WorkerOptions& options) {
  auto credentials = read_credentials(options.credentials_file);
  auto workload = read_workload(options.workload_file);
  if (!credentials || !workload) {
    std::cerr << "embark-bench worker: "
              << (credentials ? workload.error() : credentials.error()).to_string() << "\n";
    return 2;
  }
  boost::asio::io_context io(1);
  auto guard = boost::asio::make_work_guard(io);
  std::thread io_thread([&io] { io.run(); });
  struct Joiner {
    decltype(guard)& g;
    std::thread& t;
    ~Joiner() {
      g.reset();
      t.join();
    }
  } joiner{guard, io_thread};

  ClientOptions client;
  client.endpoint = credentials->graphql_url;
  client.access_key = Secret(credentials->access_key);
  client.api_token = Secret(credentials->api_token);
  client.transport.ca_file = credentials->ca_file;
  if (options.max_connections > 0)
    client.transport.max_connections_per_host = options.max_connections;
  if (options.max_response_mb > 0)
    client.transport.max_response_bytes = options.max_response_mb * 1024 * 1024;
  const auto deadline = std::chrono::milliseconds(static_cast<long long>(options.deadline_s * 1e3));
  if (options.deadline_s > 0) client.call_deadline = deadline;
  auto connection = make_wisdom_connection(client, io.get_executor());
  if (!connection) {
    std::cerr << "embark-bench worker: " << connection.error().to_string() << "\n";
    return 2;
  }
  OnboarderConfig config;
  config.ensure_user = options.ensure_user;
  config.set_attributes = options.set_attributes;
  config.impersonate = options.impersonate;
  config.executor = io.get_executor();
  if (options.deadline_s > 0) config.deadline = deadline;
  auto onboarder = Onboarder::create(config, *connection);
  if (!onboarder) {
    std::cerr << "embark-bench worker: " << onboarder.error().to_string() << "\n";
    return 2;
  }

  // Warm-up: fills the directory (the first login lists the workspace), opens the pool's
  // connections and, for a token-cache workload, mints the tokens the window reuses.
  std::size_t warmup = std::min(options.warmup, workload->size());
  if (warmup > 0) {
    Phase first(*onboarder, *workload, 0, 1, std::chrono::hours(1));
    auto r = first.run(1);
    Phase rest(*onboarder, *workload, 1, warmup - 1, std::chrono::hours(1));
    auto r2 = rest.run(options.concurrency);
    if (r.failed + r2.failed > 0) {
      std::cerr << "embark-bench worker: warm-up failed: "
                << (r.first_error.empty() ? r2.first_error : r.first_error) << "\n";
      return 1;
    }
  }
  const std::size_t window_first = options.loop ? 0 : warmup;
  std::cout << "ready" << std::endl;
  std::string go;
  std::getline(std::cin, go);

  std::size_t window_logins =
      options.loop ? static_cast<std::size_t>(-1) - window_first : workload->size() - window_first;
  if (options.logins > 0) window_logins = std::min(window_logins, options.logins);
  Phase window(*onboarder, *workload, window_first, window_logins,
               std::chrono::duration<double>(options.duration_s), options.loop,
               options.list_users_only ? *connection : nullptr);
#ifdef EMBARK_BENCH_CALLGRIND
  CALLGRIND_START_INSTRUMENTATION;
#endif
  double sys_before = 0, sys_after = 0;
  const double cpu_before = cpu_seconds(&sys_before);
  auto result = window.run(options.concurrency);
  result.cpu_s = cpu_seconds(&sys_after) - cpu_before;
  const double sys_s = sys_after - sys_before;
#ifdef EMBARK_BENCH_CALLGRIND
  CALLGRIND_STOP_INSTRUMENTATION;
#endif
  result.max_rss_mb = max_rss_mb();

  json::object out{{"ok", result.ok},
                   {"failed", result.failed},
                   {"wall_s", result.wall_s},
                   {"cpu_s", result.cpu_s},
                   {"sys_s", sys_s},
                   {"p50_ms", result.p50_ms},
                   {"p90_ms", result.p90_ms},
                   {"p99_ms", result.p99_ms},
                   {"max_rss_mb", result.max_rss_mb},
                   {"first_error", result.first_error}};
  std::cout << json::serialize(out) << std::endl;
  return 0;
}

}  // namespace embark::bench
