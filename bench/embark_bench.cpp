// embark-bench: logins through embark and through the peers a team would otherwise write, against
// the WisdomAI emulator with injected latency (run `embark-bench --help`).
//
// The driver runs the emulator in its own process and every client in a child process of its own
// (`embark-bench worker`, python3 bench/peers/docs_flow.py, node bench/peers/docs_flow.mjs), so a
// client's CPU time and peak RSS are its own. All clients follow one protocol: warm up, print
// "ready", wait for a line on stdin, run the measured window, print one JSON line. The driver
// zeroes the emulator's counters between "ready" and "go", so vendor calls and response bytes per
// login count the window only.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "embark/client.hpp"
#include "embark/emulator/server.hpp"

#include "client_worker.hpp"
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace emu = embark::emulator;
using embark::bench::Login;
using SteadyClock = std::chrono::steady_clock;

#ifndef EMBARK_BENCH_SOURCE_DIR
#define EMBARK_BENCH_SOURCE_DIR "bench"
#endif

// ---- options --------------------------------------------------------------------------------

struct Options {
  std::vector<std::size_t> users{1'000, 100'000};
  int latency_ms = 20;
  int concurrency = 64;
  double duration_s = 8;
  std::vector<std::string> peers{"node", "python"};
  int peer_concurrency_large = 4;  // peers at >= 100k users hold a 41 MB answer per worker
  std::vector<int> sweep{1, 4, 16, 64, 128};
  double sweep_duration_s = 4;
  double mix_unchanged = 0.8, mix_changed = 0.1, mix_new = 0.1;
  double reuse = 0.5;
  bool callgrind = false;
  bool cli_memory = true;
  std::size_t directory_users = 0;  // > 0: a warm client of a workspace this large (peak RSS)
  std::string out_dir = "bench/results";
  std::string results_md;  // empty: no RESULTS.md
  std::string peers_dir = EMBARK_BENCH_SOURCE_DIR "/peers";
  std::string command_line;
  std::vector<std::string> only;  // non-empty: run only the scenarios with these keys
};

// ---- small helpers --------------------------------------------------------------------------

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

double process_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Resolved once at start-up: a rebuild while the benchmark runs replaces the file, and
// /proc/self/exe would then name "... (deleted)".
const std::string& self_exe() {
  static const std::string path = fs::read_symlink("/proc/self/exe").string();
  return path;
}

void write_private(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  out << text;
}

std::string fmt_count(double v) {
  if (v >= 100) return fmt::format("{:.0f}", v);
  if (v >= 10) return fmt::format("{:.1f}", v);
  return fmt::format("{:.2f}", v);
}

// ---- child processes ------------------------------------------------------------------------

/// A client process speaking the worker protocol over its stdin/stdout.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
    int in_pipe[2], out_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    // `extra_env` entries replace variables of the same name. Trust-store variables of the
    // machine (REQUESTS_CA_BUNDLE would override a requests Session's `verify`) are dropped, so
    // each client trusts exactly the emulator's CA it is given.
    auto dropped = [&](std::string_view entry) {
      const auto name = entry.substr(0, entry.find('=') + 1);
      if (name == "REQUESTS_CA_BUNDLE=" || name == "CURL_CA_BUNDLE=" ||
          name == "NODE_EXTRA_CA_CERTS=")
        return true;
      return std::any_of(extra_env.begin(), extra_env.end(), [&](const std::string& e) {
        return e.substr(0, e.find('=') + 1) == name;
      });
    };
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e)
      if (!dropped(*e)) env_strings.emplace_back(*e);
    for (const auto& e : extra_env) env_strings.push_back(e);
    std::vector<char*> env;
    for (auto& e : env_strings) env.push_back(e.data());
    env.push_back(nullptr);
    const int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    if (rc != 0) {
      ::close(in_pipe[1]);
      ::close(out_pipe[0]);
      throw std::runtime_error("cannot start " + argv[0]);
    }
    to_child_ = ::fdopen(in_pipe[1], "w");
    from_child_ = ::fdopen(out_pipe[0], "r");
  }
  ~Child() {
    if (to_child_) std::fclose(to_child_);
    if (from_child_) std::fclose(from_child_);
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGTERM);
      wait();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  /// Next line of the child's stdout; nullopt at end of file.
  std::optional<std::string> read_line() {
    std::string line;
    int c;
    while ((c = std::fgetc(from_child_)) != EOF) {
      if (c == '\n') return line;
      line.push_back(static_cast<char>(c));
    }
    if (line.empty()) return std::nullopt;
    return line;
  }
  void write_line(const std::string& line) {
    std::fputs((line + "\n").c_str(), to_child_);
    std::fflush(to_child_);
  }
  /// Waits for exit; returns the exit status. With `peak_rss_mb`, samples the child's VmHWM every
  /// 20 ms until it exits (ru_maxrss cannot be used: a spawned child inherits the high-water mark
  /// of the driver's memory through exec).
  int wait(double* peak_rss_mb = nullptr) {
    int status = 0;
    if (peak_rss_mb) {
      *peak_rss_mb = 0;
      while (::waitpid(pid_, &status, WNOHANG) == 0) {
        *peak_rss_mb = std::max(*peak_rss_mb, vm_hwm_mb(pid_));
        ::usleep(20'000);
      }
    } else {
      ::waitpid(pid_, &status, 0);
    }
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  static double vm_hwm_mb(pid_t pid) {
    std::ifstream in(fmt::format("/proc/{}/status", pid));
    for (std::string line; std::getline(in, line);)
      if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
    return 0;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  FILE* to_child_ = nullptr;
  FILE* from_child_ = nullptr;
};

// ---- scenarios ------------------------------------------------------------------------------

struct Scenario {
  std::string name;    // e.g. "embark warm (1 call)"
  std::string client;  // "embark", "node", "python"
  std::string key;     // short id used by targets and plots
  std::string ensure_user = "directory", set_attributes = "diff", impersonate = "direct";
  int concurrency = 64;
  double duration_s = 8;
  std::size_t warmup = 0;
  std::size_t max_connections = 0;
  bool callgrind = false;
  std::size_t max_response_mb = 0;  // > 0: raise the client's response size limit
  double deadline_s = 0;            // > 0: raise the call and onboarding deadlines
  bool loop = false;                // the window repeats the workload (token cache)
  bool list_users_only = false;     // each login is one listUsers call (parse speed)
  std::size_t logins = 0;           // > 0: the window ends after this many logins
};

struct Measured {
  Scenario scenario;
  std::size_t users = 0;
  int latency_ms = 0;
  embark::bench::WorkerResult r;
  double logins_per_s = 0;
  double calls_per_login = 0;
  double bytes_per_login = 0;
  double cpu_us_per_login = 0;
  double sys_us_per_login = 0;  // the kernel's share of cpu_us_per_login (system calls)
  double service_ms = 0;        // emulator CPU per vendor call during the window
  double bound = 0;             // logins/s latency allows
  double of_bound = 0;          // logins_per_s / bound
  double instructions_per_login = 0;
  std::map<std::string, std::uint64_t> calls;
  std::string load;
};

class Bench {
 public:
  explicit Bench(Options options) : o_(std::move(options)) {
    tmp_ = fs::temp_directory_path() / fmt::format("embark-bench-{}", ::getpid());
    fs::create_directories(tmp_);
    fs::permissions(tmp_, fs::perms::owner_all);
    fs::create_directories(o_.out_dir);
  }
  ~Bench() {
    std::error_code ignored;
    fs::remove_all(tmp_, ignored);
  }

  int run();

 private:
  void start_emulator(std::size_t users);
  std::vector<Login> list_users();
  std::vector<Login> make_workload(const Scenario& s, const std::vector<Login>& listed,
                                   std::size_t count, double unchanged, double changed,
                                   double fresh, double reuse, std::size_t distinct);
  std::optional<Measured> measure(const Scenario& s, const std::vector<Login>& workload);
  void cli_memory();
  void write_outputs();
  std::string markdown() const;
  void plots() const;
  std::vector<std::pair<std::string, std::string>> targets() const;
  const Measured* find(const std::string& key, std::size_t users, int concurrency = -1) const;

  Options o_;
  fs::path tmp_;
  std::unique_ptr<emu::Server> server_;
  std::size_t users_ = 0;
  std::vector<Measured> results_;
  std::vector<std::string> callgrind_top_;
  std::vector<std::string> notes_;  // scenarios that could not run, and why
  std::optional<double> cli_rss_mb_, cli_output_mb_;
  std::optional<double> directory_rss_mb_;     // embark-bench-directory's peak RSS
  std::optional<double> parse_mb_per_s_;       // embark-bench-parse: the parser alone
  std::vector<std::string> parse_report_;      // and what it printed
  std::vector<std::string> directory_report_;  // and what it printed
  std::mt19937_64 rng_{42};
  int scenario_counter_ = 0;
};

void Bench::start_emulator(std::size_t users) {
  server_.reset();
  emu::Options eo;
  eo.jwt_alg = emu::JwtAlgorithm::es256;  // RS256 signing would make the emulator the bottleneck
  eo.threads = 2;
  eo.seed_users = users;
  eo.latency = std::chrono::milliseconds(o_.latency_ms);
  eo.ca_out = (tmp_ / "ca.pem").string();
  eo.max_body_bytes = 16 * 1024 * 1024;
  std::cerr << fmt::format("embark-bench: starting the emulator with {} users\n", users);
  auto started = emu::Server::start(eo);
  if (!started) throw std::runtime_error(started.error().to_string());
  server_ = std::move(*started);
  users_ = users;
  json::object creds{{"graphql_url", server_->graphql_url()},
                     {"access_key", server_->access_key().reveal()},
                     {"api_token", server_->api_token().reveal()},
                     {"ca_file", eo.ca_out}};
  write_private(tmp_ / "credentials.json", json::serialize(creds));
  write_private(tmp_ / "access_key", std::string(server_->access_key().reveal()) + "\n");
  write_private(tmp_ / "api_token", std::string(server_->api_token().reveal()) + "\n");
}

std::vector<Login> Bench::list_users() {
  embark::ClientOptions co;
  co.endpoint = server_->graphql_url();
  co.access_key = server_->access_key();
  co.api_token = server_->api_token();
  co.transport.ca_file = (tmp_ / "ca.pem").string();
  co.transport.operation_timeout = std::chrono::seconds(60);
  co.transport.max_response_bytes = std::size_t{1} << 30;
  co.call_deadline = std::chrono::seconds(120);
  auto client = embark::WisdomClient::create(co);
  if (!client) throw std::runtime_error(client.error().to_string());
  auto users = client->list_users();
  if (!users) throw std::runtime_error("listUsers: " + users.error().to_string());
  std::vector<Login> out;
  out.reserve(users->size());
  for (auto& u : *users) out.push_back({std::move(u.email), std::move(u.attributes)});
  return out;
}

// The first `warmup` logins of the workload warm the client; the rest is the window. `distinct`
// (> 0) draws returning users from the first `distinct` listed users only (a token-cache workload).
std::vector<Login> Bench::make_workload(const Scenario& s, const std::vector<Login>& listed,
                                        std::size_t count, double unchanged, double changed,
                                        double fresh, double reuse, std::size_t distinct) {
  const int id = ++scenario_counter_;
  const std::size_t pool = distinct > 0 ? std::min(distinct, listed.size()) : listed.size();
  // Returning users come from a shuffled cycle through the workspace, so logins in flight at
  // once are for different users (identical concurrent logins would be joined, not called).
  std::vector<std::size_t> order(pool);
  for (std::size_t i = 0; i < pool; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng_);
  std::size_t cursor = 0;
  auto pick = [&](auto&) { return order[cursor++ % pool]; };
  std::uniform_real_distribution<double> coin(0, 1);
  std::vector<Login> out;
  out.reserve(count + s.warmup);
  for (std::size_t i = 0; i < s.warmup; ++i)
    out.push_back(listed[distinct > 0 ? i % pool : pick(rng_)]);
  const double total = unchanged + changed + fresh;
  for (std::size_t i = 0; i < count; ++i) {
    if (out.size() > s.warmup && coin(rng_) < reuse) {
      std::uniform_int_distribution<std::size_t> earlier(s.warmup, out.size() - 1);
      out.push_back(out[earlier(rng_)]);
      continue;
    }
    const double r = coin(rng_) * total;
    if (r < unchanged) {
      out.push_back(listed[pick(rng_)]);
    } else if (r < unchanged + changed) {
      Login l = listed[pick(rng_)];
      l.attributes["plan"] = fmt::format("bench{}-{}", id, i);
      out.push_back(std::move(l));
    } else {
      out.push_back({fmt::format("new{}.{}@bench.example", id, i),
                     {{"account_id", fmt::format("acct_b{}", i % 5000)},
                      {"plan", "pro"},
                      {"region", "eu-central"}}});
    }
  }
  return out;
}

std::optional<Measured> Bench::measure(const Scenario& s, const std::vector<Login>& workload) {
  if (!o_.only.empty() && std::find(o_.only.begin(), o_.only.end(), s.key) == o_.only.end())
    return std::nullopt;
  const fs::path workload_file = tmp_ / "workload.jsonl";
  {
    std::ofstream out(workload_file, std::ios::trunc);
    for (const auto& l : workload) {
      json::object attrs;
      for (const auto& [k, v] : l.attributes) attrs[k] = v;
      out << json::serialize(json::object{{"email", l.email}, {"attributes", attrs}}) << "\n";
    }
  }
  const std::vector<std::string> common{"--credentials", (tmp_ / "credentials.json").string(),
                                        "--workload",    workload_file.string(),
                                        "--concurrency", std::to_string(s.concurrency),
                                        "--duration",    fmt::format("{}", s.duration_s),
                                        "--warmup",      std::to_string(s.warmup)};
  std::vector<std::string> argv;
  std::vector<std::string> env;
  const fs::path callgrind_out = fs::path(o_.out_dir) / fmt::format("callgrind.{}.out", s.key);
  if (s.client == "embark") {
    if (s.callgrind)
      argv = {"valgrind", "-q", "--tool=callgrind", "--instr-atstart=no",
              "--callgrind-out-file=" + callgrind_out.string()};
    argv.push_back(self_exe());
    argv.push_back("worker");
    argv.insert(argv.end(), common.begin(), common.end());
    argv.insert(argv.end(), {"--ensure-user", s.ensure_user, "--set-attributes", s.set_attributes,
                             "--impersonate", s.impersonate});
    if (s.max_connections > 0)
      argv.insert(argv.end(), {"--max-connections", std::to_string(s.max_connections)});
    if (s.loop) argv.push_back("--loop");
    if (s.max_response_mb > 0)
      argv.insert(argv.end(), {"--max-response-mb", std::to_string(s.max_response_mb)});
    if (s.deadline_s > 0) argv.insert(argv.end(), {"--deadline", fmt::format("{}", s.deadline_s)});
    if (s.list_users_only) argv.push_back("--list-users-only");
    if (s.logins > 0) argv.insert(argv.end(), {"--logins", std::to_string(s.logins)});
  } else if (s.client == "python") {
    argv = {"python3", o_.peers_dir + "/docs_flow.py"};
    argv.insert(argv.end(), common.begin(), common.end());
  } else {
    argv = {"node", o_.peers_dir + "/docs_flow.mjs"};
    argv.insert(argv.end(), common.begin(), common.end());
    env.push_back("NODE_EXTRA_CA_CERTS=" + (tmp_ / "ca.pem").string());
  }
  std::cerr << fmt::format("embark-bench: {} users, {} (concurrency {}) ...", users_, s.name,
                           s.concurrency);
  // The child's stderr goes to a file, so a failure can be quoted in the report.
  const fs::path child_err = tmp_ / "child.err";
  argv.insert(argv.begin(), {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>\"$EMBARK_BENCH_ERR\""});
  env.push_back("EMBARK_BENCH_ERR=" + child_err.string());
  Child child(argv, env);
  auto ready = child.read_line();
  if (!ready || *ready != "ready") {
    child.wait();
    std::ifstream in(child_err);
    std::string why((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!why.empty() && std::isspace(static_cast<unsigned char>(why.back()))) why.pop_back();
    std::cerr << " did not start: " << why << "\n";
    notes_.push_back(
        fmt::format("{} users, {}: did not start: {}", users_, s.name, why.substr(0, 400)));
    return std::nullopt;
  }
  server_->reset(false);
  const double emu_cpu_before = process_cpu_seconds();
  child.write_line("go");
  auto line = child.read_line();
  const double emu_cpu = process_cpu_seconds() - emu_cpu_before;
  const auto stats = server_->stats();
  const int status = child.wait();
  if (!line || status != 0) {
    std::cerr << fmt::format(" failed (exit status {})\n", status);
    return std::nullopt;
  }
  boost::system::error_code ec;
  auto value = json::parse(*line, ec);
  if (ec || !value.is_object()) {
    std::cerr << " answered no result line\n";
    return std::nullopt;
  }
  const auto& v = value.as_object();
  auto num = [&](const char* k) { return v.at(k).to_number<double>(); };
  Measured m;
  m.scenario = s;
  m.users = users_;
  m.latency_ms = o_.latency_ms;
  m.r.ok = static_cast<std::uint64_t>(num("ok"));
  m.r.failed = static_cast<std::uint64_t>(num("failed"));
  m.r.wall_s = num("wall_s");
  m.r.cpu_s = num("cpu_s");
  m.r.p50_ms = num("p50_ms");
  m.r.p90_ms = num("p90_ms");
  m.r.p99_ms = num("p99_ms");
  m.r.max_rss_mb = num("max_rss_mb");
  m.r.first_error = std::string(v.at("first_error").as_string());
  const double ok = std::max<double>(1, static_cast<double>(m.r.ok));
  m.logins_per_s = m.r.wall_s > 0 ? static_cast<double>(m.r.ok) / m.r.wall_s : 0;
  m.calls_per_login = static_cast<double>(stats.total.calls) / ok;
  m.bytes_per_login = static_cast<double>(stats.total.response_bytes) / ok;
  m.cpu_us_per_login = m.r.cpu_s * 1e6 / ok;
  if (v.contains("sys_s")) m.sys_us_per_login = num("sys_s") * 1e6 / ok;
  for (const auto& [op, st] : stats.operations) m.calls[op] = st.calls;
  m.service_ms = stats.total.calls > 0 ? emu_cpu * 1e3 / static_cast<double>(stats.total.calls) : 0;
  m.bound = m.calls_per_login > 0
                ? s.concurrency / ((o_.latency_ms + m.service_ms) / 1e3) / m.calls_per_login
                : 0;
  m.of_bound = m.bound > 0 ? m.logins_per_s / m.bound : 0;
  m.load = load_average();
  if (s.callgrind) {
    std::ifstream in(callgrind_out);
    std::string text;
    double total = 0;
    while (std::getline(in, text))
      if (text.rfind("totals:", 0) == 0 || text.rfind("summary:", 0) == 0)
        total = std::max(total, std::atof(text.substr(text.find(':') + 1).c_str()));
    m.instructions_per_login = total / ok;
  }
  std::cerr << fmt::format(
      " {:.0f} logins/s, p50 {:.1f} ms, {:.2f} calls and {:.0f} bytes per login, {:.0f} us CPU per "
      "login ({:.0f} in the kernel), RSS {:.0f} MB{}\n",
      m.logins_per_s, m.r.p50_ms, m.calls_per_login, m.bytes_per_login, m.cpu_us_per_login,
      m.sys_us_per_login, m.r.max_rss_mb,
      m.r.failed ? fmt::format(", {} FAILED: {}", m.r.failed, m.r.first_error) : "");
  results_.push_back(m);
  return m;
}

// `embark users list --json` of the current workspace: peak RSS against the output size.
void Bench::cli_memory() {
  const fs::path cli = fs::path(self_exe()).parent_path() / "embark";
  if (!fs::exists(cli)) return;
  const fs::path out = tmp_ / "users.json";
  const std::string command = fmt::format(
      "exec '{}' --url '{}' --ca-file '{}' --access-key-file '{}' --api-token-file '{}' users list "
      "--json > '{}'",
      cli.string(), server_->graphql_url(), (tmp_ / "ca.pem").string(),
      (tmp_ / "access_key").string(), (tmp_ / "api_token").string(), out.string());
  Child child({"/bin/sh", "-c", command}, {});
  double rss = 0;
  const int status = child.wait(&rss);
  std::error_code ec;
  const auto size = fs::file_size(out, ec);
  if (status != 0 || ec) {
    std::cerr << "embark-bench: `embark users list --json` failed\n";
    return;
  }
  cli_rss_mb_ = rss;
  cli_output_mb_ = static_cast<double>(size) / 1e6;
  std::cerr << fmt::format(
      "embark-bench: `embark users list --json` of {} users: {:.1f} MB out, "
      "peak RSS {:.0f} MB\n",
      users_, *cli_output_mb_, *cli_rss_mb_);
}

const Measured* Bench::find(const std::string& key, std::size_t users, int concurrency) const {
  for (const auto& m : results_)
    if (m.scenario.key == key && m.users == users &&
        (concurrency < 0 || m.scenario.concurrency == concurrency))
      return &m;
  return nullptr;
}

int Bench::run() {
  const std::size_t large = 100'000;
  for (std::size_t users : o_.users) {
    start_emulator(users);
    const int c = o_.concurrency;
    const double d = o_.duration_s;
    // Enough logins that the window, not the workload, ends first.
    const auto count = [&](double per_s, double secs) {
      return static_cast<std::size_t>(per_s * secs) + 1000;
    };
    {
      Scenario s{.name = "embark, warm login (1 call)", .client = "embark", .key = "warm"};
      s.concurrency = c, s.duration_s = d, s.warmup = static_cast<std::size_t>(2 * c);
      const auto listed = list_users();
      measure(s, make_workload(s, listed, count(5000, d), 1, 0, 0, 0, 0));
    }
    {
      Scenario s{.name = "embark, token cache (0 calls)", .client = "embark", .key = "cached"};
      s.impersonate = "reuse", s.concurrency = c, s.duration_s = d;
      const std::size_t distinct = std::min<std::size_t>(1000, users);
      s.warmup = distinct, s.loop = true;
      const auto listed = list_users();
      measure(s, make_workload(s, listed, 0, 1, 0, 0, 0, distinct));
    }
    {
      Scenario s{.name = fmt::format("embark, defaults, mix {:.0f}/{:.0f}/{:.0f}, reuse {:.0f}%",
                                     o_.mix_unchanged * 100, o_.mix_changed * 100, o_.mix_new * 100,
                                     o_.reuse * 100),
                 .client = "embark",
                 .key = "mix"};
      s.impersonate = "reuse", s.concurrency = c, s.duration_s = d;
      s.warmup = static_cast<std::size_t>(c);
      const auto listed = list_users();
      measure(s, make_workload(s, listed, count(5000, d), o_.mix_unchanged, o_.mix_changed,
                               o_.mix_new, o_.reuse, 0));
    }
    // The docs' literal flow: list, create or set, impersonate; the same workload for all three.
    const int peer_c = users >= large ? std::min(c, o_.peer_concurrency_large) : c;
    const auto listed = list_users();
    Scenario lit{
        .name = "embark, the docs' flow (list-then-create)", .client = "embark", .key = "literal"};
    lit.ensure_user = "list-then-create", lit.set_attributes = "always-replace";
    lit.concurrency = c, lit.duration_s = d, lit.warmup = 0;
    const auto literal_workload = make_workload(lit, listed, count(3000, d), o_.mix_unchanged,
                                                o_.mix_changed, o_.mix_new, 0, 0);
    measure(lit, literal_workload);
    for (const auto& peer : o_.peers) {
      Scenario s{.name = peer == "node" ? "Node 20 fetch, the docs' flow"
                                        : "Python requests, the docs' flow",
                 .client = peer,
                 .key = peer};
      s.concurrency = peer_c, s.duration_s = d, s.warmup = 0;
      // New users must be new again: a fresh suffix per peer.
      auto w = literal_workload;
      for (auto& l : w)
        if (l.email.rfind("new", 0) == 0) l.email = peer + "-" + l.email;
      measure(s, w);
    }
    {
      Scenario s{
          .name = "embark, listUsers alone (parse speed)", .client = "embark", .key = "list"};
      s.concurrency = 1, s.duration_s = 4, s.list_users_only = true, s.loop = true;
      measure(s, {listed.front()});
    }
    if (users == o_.users.front()) {
      const auto relisted = list_users();  // the scenarios above changed some attributes
      for (int sc : o_.sweep) {
        Scenario s{.name = "embark, warm login (1 call), default pool",
                   .client = "embark",
                   .key = "sweep"};
        s.concurrency = sc, s.duration_s = o_.sweep_duration_s;
        s.warmup = static_cast<std::size_t>(2 * sc);
        measure(s, make_workload(s, relisted, count(5000, o_.sweep_duration_s), 1, 0, 0, 0, 0));
      }
      if (o_.callgrind) {
        for (const char* key : {"warm", "cached"}) {
          Scenario s{.name = fmt::format("embark, {} under callgrind", key),
                     .client = "embark",
                     .key = std::string("callgrind-") + key};
          // A fixed number of logins, not a time window: the same work whatever the machine's
          // load, so the count per login repeats from run to run.
          s.concurrency = 16, s.duration_s = 600, s.callgrind = true;
          s.logins = std::string(key) == "cached" ? 3000 : 800;
          // Valgrind runs the client ~50x slower (more on a busy machine): the 10 s onboarding
          // deadline would cancel the warm-up. Instruction counts do not depend on it.
          s.deadline_s = 120;
          if (std::string(key) == "cached") s.impersonate = "reuse";
          const std::size_t distinct = std::string(key) == "cached" ? 200 : 0;
          s.warmup = distinct > 0 ? distinct : 32;
          s.loop = distinct > 0;
          measure(s, make_workload(s, relisted, distinct > 0 ? 0 : 4000, 1, 0, 0, 0, distinct));
        }
        Scenario s{.name = "embark, listUsers alone under callgrind",
                   .client = "embark",
                   .key = "callgrind-list"};
        s.concurrency = 1, s.duration_s = 4, s.callgrind = true, s.loop = true;
        s.list_users_only = true;
        measure(s, {relisted.front()});
      }
    }
    if (users >= large && o_.cli_memory &&
        (o_.only.empty() || std::find(o_.only.begin(), o_.only.end(), "cli") != o_.only.end()))
      cli_memory();
  }
  if (o_.only.empty() || std::find(o_.only.begin(), o_.only.end(), "parse") != o_.only.end()) {
    // The parser alone: which part of a listUsers call's CPU is parsing, which TLS and HTTP.
    const fs::path tool = fs::path(self_exe()).parent_path() / "embark-bench-parse";
    if (fs::exists(tool)) {
      std::cerr << "embark-bench: the listUsers parser alone (embark-bench-parse 100000)\n";
      Child child({tool.string(), "100000"}, {});
      std::optional<double> speed;
      while (auto line = child.read_line()) {
        parse_report_.push_back(*line);
        if (line->rfind("speed", 0) == 0) speed = std::atof(line->substr(5).c_str());
      }
      if (child.wait() == 0) parse_mb_per_s_ = speed;
    }
  }
  if (o_.directory_users > 0) {
    start_emulator(o_.directory_users);
    Scenario s{.name = "embark, warm login (1 call), large directory",
               .client = "embark",
               .key = "directory"};
    s.concurrency = o_.concurrency, s.duration_s = 4, s.warmup = 2 * s.concurrency;
    // About 410 bytes per user, 410 MB for a million: the Onboarder streams it into the
    // directory, so the default max_response_bytes (256 MB) does not apply. Listing a million users
    // takes seconds of the vendor's time and ours: the defaults (a 30 s call deadline, a 10 s
    // onboarding deadline) are for logins, not for this warm-up.
    s.deadline_s = 300;
    const auto listed = list_users();
    measure(s, make_workload(s, listed, 20'000, 1, 0, 0, 0, 0));
    server_.reset();
    const fs::path tool = fs::path(self_exe()).parent_path() / "embark-bench-directory";
    if (fs::exists(tool)) {
      Child child({tool.string(), std::to_string(o_.directory_users)}, {});
      std::optional<double> rss;
      while (auto line = child.read_line()) {
        directory_report_.push_back(*line);
        if (line->rfind("peak RSS", 0) == 0) rss = std::atof(line->substr(8).c_str());
      }
      if (child.wait() == 0) directory_rss_mb_ = rss;
    }
  }
  if (o_.callgrind) {
    const fs::path file = fs::path(o_.out_dir) / "callgrind.callgrind-warm.out";
    if (fs::exists(file)) {
      Child annotate({"/bin/sh", "-c",
                      fmt::format("callgrind_annotate --threshold=95 '{}' 2>/dev/null | head -50",
                                  file.string())},
                     {});
      // Only the per-function table: the header names temporary files.
      bool table = false;
      while (auto line = annotate.read_line()) {
        if (line->find("file:function") != std::string::npos) table = true;
        if (table) callgrind_top_.push_back(*line);
      }
      annotate.wait();
    }
  }
  write_outputs();
  return 0;
}

// ---- reporting ------------------------------------------------------------------------------

std::vector<std::pair<std::string, std::string>> Bench::targets() const {
  std::vector<std::pair<std::string, std::string>> out;
  auto verdict = [](bool met) { return met ? std::string("**met**") : std::string("**missed**"); };
  const std::size_t small = o_.users.front();
  const std::size_t big = o_.users.back();
  if (const auto* w = find("warm", small)) {
    std::string why = fmt::format(
        "{:.0f} µs per warm 1-call login at {} users, {:.0f} µs of it in the kernel "
        "(send, receive, epoll)",
        w->cpu_us_per_login, small, w->sys_us_per_login);
    if (const auto* g = find("callgrind-warm", small))
      why += fmt::format(" ({:.0f} instructions per login under callgrind)",
                         g->instructions_per_login);
    if (w->cpu_us_per_login > 40)
      why +=
          "; where the rest goes: see the callgrind profile below (malloc/free, Asio's coroutine "
          "frames, handlers and type-erased executors, TLS records, the answer's JSON document "
          "and the JWT's payload)";
    out.emplace_back(fmt::format("client CPU per warm 1-call login ≤ 40 µs: {}",
                                 verdict(w->cpu_us_per_login <= 40)),
                     why);
  }
  if (const auto* t = find("cached", small)) {
    std::string why = fmt::format("{:.1f} µs per login from the token cache", t->cpu_us_per_login);
    if (const auto* g = find("callgrind-cached", small))
      why += fmt::format(" ({:.0f} instructions)", g->instructions_per_login);
    out.emplace_back(fmt::format("client CPU per token-cache login ≤ 10 µs: {}",
                                 verdict(t->cpu_us_per_login <= 10)),
                     why);
  }
  for (std::size_t users : o_.users) {
    if (const auto* w = find("warm", users))
      out.emplace_back(fmt::format("throughput ≥ 95% of the latency bound at {} users (default "
                                   "pool, concurrency {}): {}",
                                   users, w->scenario.concurrency, verdict(w->of_bound >= 0.95)),
                       fmt::format("{:.0f} of {:.0f} logins/s ({:.0f}%)", w->logins_per_s, w->bound,
                                   w->of_bound * 100));
  }
  if (const auto* lit = find("literal", small); lit) {
    if (const auto* node = find("node", small)) {
      const double ratio = node->logins_per_s > 0 ? lit->logins_per_s / node->logins_per_s : 0;
      std::string why = fmt::format("{:.0f} vs {:.0f} logins/s ({:.1f}×)", lit->logins_per_s,
                                    node->logins_per_s, ratio);
      out.emplace_back(fmt::format("the docs' flow through embark ≥ 5× Node at {} users: {}", small,
                                   verdict(ratio >= 5)),
                       why);
    }
  }
  if (const auto* list = find("list", big); list && list->cpu_us_per_login > 0) {
    const double mb_per_s = list->bytes_per_login / list->cpu_us_per_login;
    out.emplace_back(
        fmt::format("listUsers answers processed at ≥ 400 MB/s of client CPU: {}",
                    verdict(mb_per_s >= 400)),
        fmt::format("{:.0f} MB/s at {} users ({:.1f} MB answer, {:.0f} ms of client "
                    "CPU per call, {:.0f} ms of it in the kernel receiving; the rest TLS, HTTP "
                    "framing, copies, JSON parsing and the records: see the parser alone below)",
                    mb_per_s, big, list->bytes_per_login / 1e6, list->cpu_us_per_login / 1e3,
                    list->sys_us_per_login / 1e3));
  }
  if (parse_mb_per_s_) {
    out.emplace_back(
        fmt::format("the listUsers parser alone at ≥ 400 MB/s of CPU: {}",
                    verdict(*parse_mb_per_s_ >= 400)),
        fmt::format("{:.0f} MB/s (embark-bench-parse: a 100,000-user answer in 16 KB chunks, "
                    "records built and destroyed)",
                    *parse_mb_per_s_));
  }
  const auto* w_small = find("warm", small);
  const auto* w_big = find("warm", big);
  if (w_small && w_big && small != big) {
    // The JWT carries the user's email, so answers differ by the emails' lengths (the 100,000-user
    // workspace has longer ones); anything beyond 1% would be work that grows with the workspace.
    const bool same = std::abs(w_small->calls_per_login - w_big->calls_per_login) < 0.005 &&
                      std::abs(w_small->bytes_per_login - w_big->bytes_per_login) <
                          0.01 * w_small->bytes_per_login;
    out.emplace_back(
        fmt::format("vendor calls and bytes per warm login the same at {} and {} users: {}", small,
                    big, verdict(same)),
        fmt::format("{:.2f} / {:.2f} calls, {:.0f} / {:.0f} bytes (the JWT carries the email, "
                    "longer in the larger workspace)",
                    w_small->calls_per_login, w_big->calls_per_login, w_small->bytes_per_login,
                    w_big->bytes_per_login));
  }
  {
    // Default timeouts: the per-step timer is re-armed by every chunk that arrives and the call's
    // deadline bounds the whole attempt, so a large answer still arriving is never cut off.
    std::uint64_t lists = 0, failed = 0;
    for (const auto& m : results_)
      if (m.scenario.client == "embark" && m.users == big && !m.scenario.callgrind &&
          m.calls.count("listUsers") > 0 && m.calls.at("listUsers") > 0) {
        lists += m.calls.at("listUsers");
        failed += m.r.failed;
      }
    if (lists > 0)
      out.emplace_back(
          fmt::format("large answers never cut off by a per-step timer (default options): {}",
                      verdict(failed == 0)),
          fmt::format("{} listUsers answers of the {}-user workspace under load, {} logins failed",
                      lists, big, failed));
  }
  if (cli_rss_mb_) {
    const double limit = 2 * *cli_output_mb_ + 50;
    out.emplace_back(fmt::format("`embark users list --json` of {} users ≤ 2 × output + 50 MB: {}",
                                 big, verdict(*cli_rss_mb_ <= limit)),
                     fmt::format("peak RSS {:.0f} MB for {:.1f} MB of output (limit {:.0f} MB)",
                                 *cli_rss_mb_, *cli_output_mb_, limit));
  }
  if (const auto* d = find("directory", o_.directory_users)) {
    std::string why = fmt::format(
        "a warm client of a {}-user workspace peaked at {:.0f} MB (the listing, about 410 bytes "
        "per user, streamed into the directory; default transport options, call_deadline and "
        "the onboarding deadline raised to {:.0f} s for the listing)",
        d->users, d->r.max_rss_mb, d->scenario.deadline_s);
    if (directory_rss_mb_)
      why += fmt::format("; the directory alone (embark-bench-directory) {:.0f} MB",
                         *directory_rss_mb_);
    out.emplace_back(fmt::format("client peak RSS with a {}-user directory ≤ 150 MB: {}", d->users,
                                 verdict(d->r.max_rss_mb <= 150)),
                     why);
  }
  return out;
}

std::string Bench::markdown() const {
  std::ostringstream md;
  md << "| workspace | client | conc. | logins/s | p50 ms | p90 ms | p99 ms | calls/login | "
        "bytes/login "
        "| client CPU µs/login | of it kernel µs | peak RSS MB | bound logins/s | % of bound | "
        "failed | load |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& m : results_) {
    if (m.scenario.key == "sweep" || m.scenario.callgrind) continue;
    md << fmt::format(
        "| {} | {} | {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.2f} | {} | {:.0f} | {:.0f} | {:.0f} "
        "| {} | {:.0f}% | {} | {} |\n",
        m.users, m.scenario.name, m.scenario.concurrency, fmt_count(m.logins_per_s), m.r.p50_ms,
        m.r.p90_ms, m.r.p99_ms, m.calls_per_login, fmt_count(m.bytes_per_login), m.cpu_us_per_login,
        m.sys_us_per_login, m.r.max_rss_mb, fmt_count(m.bound), m.of_bound * 100, m.r.failed,
        m.load);
  }
  return md.str();
}

void Bench::plots() const {
  const fs::path dir = o_.out_dir;
  {
    std::ofstream data(dir / "throughput_vs_concurrency.dat");
    data << "# concurrency logins_per_s bound\n";
    for (const auto& m : results_)
      if (m.scenario.key == "sweep")
        data << m.scenario.concurrency << " " << m.logins_per_s << " " << m.bound << "\n";
  }
  {
    std::ofstream data(dir / "latency_vs_users.dat");
    data << "# users then p50 ms per client (embark warm, embark docs' flow, node, python)\n";
    for (std::size_t users : o_.users) {
      data << users;
      for (const char* key : {"warm", "literal", "node", "python"}) {
        const auto* m = find(key, users);
        data << " " << (m ? fmt::format("{}", m->r.p50_ms) : std::string("NaN"));
      }
      data << "\n";
    }
  }
  const std::string script = fmt::format(
      "set terminal pngcairo size 800,500 noenhanced\n"
      "set grid\n"
      "set key left top\n"
      "set output '{0}/throughput_vs_concurrency.png'\n"
      "set title 'embark warm 1-call logins, default pool, {1} ms latency'\n"
      "set xlabel 'concurrent logins'\n"
      "set ylabel 'logins/s'\n"
      "set logscale x 2\n"
      "plot '{0}/throughput_vs_concurrency.dat' using 1:2 with linespoints title 'measured', "
      "'' using 1:3 with lines dashtype 2 title 'latency bound'\n"
      "unset logscale\n"
      "set output '{0}/latency_vs_users.png'\n"
      "set title 'median login latency against workspace size, {1} ms latency'\n"
      "set xlabel 'users in the workspace'\n"
      "set ylabel 'p50 ms'\n"
      "set logscale xy\n"
      "plot '{0}/latency_vs_users.dat' using 1:2 with linespoints title 'embark warm', "
      "'' using 1:3 with linespoints title 'embark, docs flow', "
      "'' using 1:4 with linespoints title 'Node fetch, docs flow', "
      "'' using 1:5 with linespoints title 'Python requests, docs flow'\n",
      dir.string(), o_.latency_ms);
  const bool any_sweep = std::any_of(results_.begin(), results_.end(),
                                     [](const Measured& m) { return m.scenario.key == "sweep"; });
  if (!any_sweep || o_.users.size() < 2) {
    std::cerr << "embark-bench: plots need a sweep and two workspace sizes; skipped\n";
    return;
  }
  std::ofstream(dir / "plots.gp") << script;
  Child gnuplot({"gnuplot", (dir / "plots.gp").string()}, {});
  if (gnuplot.wait() != 0) std::cerr << "embark-bench: gnuplot failed; the .dat files remain\n";
}

void Bench::write_outputs() {
  json::array all;
  for (const auto& m : results_) {
    json::object calls;
    for (const auto& [op, n] : m.calls) calls[op] = n;
    all.push_back(
        json::object{{"scenario", m.scenario.name},
                     {"key", m.scenario.key},
                     {"client", m.scenario.client},
                     {"users", m.users},
                     {"latency_ms", m.latency_ms},
                     {"concurrency", m.scenario.concurrency},
                     {"strategies", fmt::format("{} / {} / {}", m.scenario.ensure_user,
                                                m.scenario.set_attributes, m.scenario.impersonate)},
                     {"logins_ok", m.r.ok},
                     {"logins_failed", m.r.failed},
                     {"first_error", m.r.first_error},
                     {"logins_per_s", m.logins_per_s},
                     {"p50_ms", m.r.p50_ms},
                     {"p90_ms", m.r.p90_ms},
                     {"p99_ms", m.r.p99_ms},
                     {"vendor_calls_per_login", m.calls_per_login},
                     {"vendor_calls", calls},
                     {"response_bytes_per_login", m.bytes_per_login},
                     {"client_cpu_us_per_login", m.cpu_us_per_login},
                     {"client_kernel_cpu_us_per_login", m.sys_us_per_login},
                     {"client_peak_rss_mb", m.r.max_rss_mb},
                     {"emulator_cpu_ms_per_call", m.service_ms},
                     {"latency_bound_logins_per_s", m.bound},
                     {"fraction_of_bound", m.of_bound},
                     {"instructions_per_login", m.instructions_per_login},
                     {"load_average", m.load}});
  }
  json::array target_list;
  for (const auto& [t, why] : targets())
    target_list.push_back(json::object{{"target", t}, {"detail", why}});
  std::ofstream(fs::path(o_.out_dir) / "results.json")
      << json::serialize(json::object{{"results", all}, {"targets", target_list}}) << "\n";
  const std::string table = markdown();
  std::ofstream(fs::path(o_.out_dir) / "results.md") << table;
  plots();
  std::cout << table;
  for (const auto& [t, why] : targets()) std::cout << "- " << t << " — " << why << "\n";
  if (o_.results_md.empty()) return;

  std::ostringstream md;
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  std::string cpu_model;
  {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);)
      if (line.rfind("model name", 0) == 0) {
        cpu_model = line.substr(line.find(':') + 2);
        break;
      }
  }
  const auto rel = [&](const char* name) {
    return (fs::path(o_.out_dir).filename() / name).string();
  };
  md << "# embark benchmark results\n\n"
     << "Written by `./dev bench` (embark-bench); do not edit by hand.\n\n"
     << "- date: " << date << "\n"
     << "- machine: " << std::thread::hardware_concurrency() << " cores, " << cpu_model << "\n"
     << "- load average (1, 5, 15 min) at the end: " << load_average()
     << " (other processes share the machine; each row has the load when it ended)\n"
     << "- command: `" << o_.command_line << "`\n"
     << "- emulator: in the driver process, TLS, ES256, 2 I/O threads, " << o_.latency_ms
     << " ms injected latency per GraphQL answer; every client is a process of its own\n\n"
     << "Every login counts only when it ends with an unexpired three-part JWT. Client CPU is the "
        "client process's user + system time during the window (getrusage; the kernel's share in "
        "its "
        "own column, for the Node and Python peers as they report it from their own rusage), which "
        "the load of "
        "other processes hardly moves; calls and bytes come from the emulator's counters. The "
        "bound is concurrency ÷ (latency + the emulator's CPU per call) ÷ calls per login. The "
        "mix is returning users with unchanged attributes / changed attributes / new users, and "
        "a share of logins repeating an earlier one (token reuse).\n\n"
     << table << "\n"
     << "## Targets\n\n";
  for (const auto& [t, why] : targets()) md << "- " << t << " — " << why << "\n";
  md << "\n## Throughput against concurrency\n\n"
     << "| concurrency | logins/s | bound | % | p50 ms | client CPU µs/login | load |\n"
        "|---|---|---|---|---|---|---|\n";
  for (const auto& m : results_)
    if (m.scenario.key == "sweep")
      md << fmt::format("| {} | {} | {} | {:.0f}% | {:.1f} | {:.0f} | {} |\n",
                        m.scenario.concurrency, fmt_count(m.logins_per_s), fmt_count(m.bound),
                        m.of_bound * 100, m.r.p50_ms, m.cpu_us_per_login, m.load);
  md << "\n![throughput against concurrency](" << rel("throughput_vs_concurrency.png") << ")\n"
     << "![latency against workspace size](" << rel("latency_vs_users.png") << ")\n";
  if (!notes_.empty()) {
    md << "\n## Scenarios that did not run\n\n";
    for (const auto& n : notes_) md << "- " << n << "\n";
  }
  if (!directory_report_.empty()) {
    md << "\n## The user directory alone (embark-bench-directory " << o_.directory_users
       << ")\n\n```\n";
    for (const auto& l : directory_report_) md << l << "\n";
    md << "```\n";
  }
  if (!parse_report_.empty()) {
    md << "\n## The listUsers parser alone (embark-bench-parse 100000)\n\n```\n";
    for (const auto& l : parse_report_) md << l << "\n";
    md << "```\n";
  }
  if (!callgrind_top_.empty()) {
    md << "\n## Where a warm login's instructions go (callgrind, self cost)\n\n```\n";
    for (const auto& l : callgrind_top_) md << l << "\n";
    md << "```\n";
  }
  std::ofstream(o_.results_md) << md.str();
  std::cerr << "embark-bench: wrote " << o_.results_md << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "embark-bench: logins through embark and through the docs' flow in Node and Python, "
      "against the WisdomAI emulator with injected latency. Prints a Markdown table; writes "
      "results.json, results.md and PNG plots (gnuplot) to --out."};
  app.require_subcommand(0, 1);
  Options o;
  std::ostringstream command;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    // Relative to the directory it ran in, as a user would type it (./dev passes absolute paths).
    const std::string here = fs::current_path().string() + "/";
    if (arg.rfind(here, 0) == 0) arg.erase(0, here.size());
    command << (i ? " " : "") << arg;
  }
  o.command_line = command.str();
  app.add_option("--users", o.users, "workspace sizes (users seeded in the emulator)")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--latency-ms", o.latency_ms, "latency the emulator adds to every answer")
      ->capture_default_str();
  app.add_option("--concurrency", o.concurrency, "logins in flight at once")->capture_default_str();
  app.add_option("--duration", o.duration_s, "seconds of each measured window")
      ->capture_default_str();
  app.add_option("--peers", o.peers, "peers to run: node, python (none: --peers '')")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--peer-concurrency-large", o.peer_concurrency_large,
                 "peers' concurrency at >= 100,000 users (each worker holds a whole listUsers "
                 "answer)")
      ->capture_default_str();
  app.add_option("--sweep", o.sweep,
                 "concurrencies of the throughput sweep (first workspace size, warm logins)")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--sweep-duration", o.sweep_duration_s, "seconds of each sweep window")
      ->capture_default_str();
  app.add_option("--mix", o.mix_unchanged,
                 "share of returning users with unchanged attributes in the mixed workloads");
  app.add_option("--changed", o.mix_changed, "share of returning users with changed attributes");
  app.add_option("--new", o.mix_new, "share of new users");
  app.add_option("--reuse", o.reuse, "share of logins repeating an earlier one (token reuse)")
      ->capture_default_str();
  app.add_option("--directory-users", o.directory_users,
                 "also run warm logins against a workspace this large and report the client's "
                 "peak RSS (e.g. 1000000)");
  app.add_option(
         "--only", o.only,
         "run only these scenarios (keys: warm, cached, mix, literal, node, python, list, "
         "sweep, callgrind-warm, callgrind-cached, callgrind-list, cli, parse, directory); for "
         "profiling one of them")
      ->delimiter(',');
  app.add_flag("--callgrind", o.callgrind,
               "also count instructions per warm and token-cache login under valgrind");
  app.add_option("--out", o.out_dir, "directory for results.json, results.md and the plots")
      ->capture_default_str();
  app.add_option("--results-md", o.results_md, "also write this report (e.g. bench/RESULTS.md)");
  app.add_option("--peers-dir", o.peers_dir, "where docs_flow.py and docs_flow.mjs are")
      ->capture_default_str();

  embark::bench::WorkerOptions w;
  auto* worker = app.add_subcommand("worker", "internal: the embark client of one scenario");
  worker->add_option("--credentials", w.credentials_file)->required();
  worker->add_option("--workload", w.workload_file)->required();
  worker->add_option("--concurrency", w.concurrency);
  worker->add_option("--duration", w.duration_s);
  worker->add_option("--warmup", w.warmup);
  worker->add_option("--ensure-user", w.ensure_user);
  worker->add_option("--set-attributes", w.set_attributes);
  worker->add_option("--impersonate", w.impersonate);
  worker->add_option("--max-connections", w.max_connections);
  worker->add_flag("--loop", w.loop);
  worker->add_option("--max-response-mb", w.max_response_mb);
  worker->add_option("--deadline", w.deadline_s);
  worker->add_flag("--list-users-only", w.list_users_only);
  worker->add_option("--logins", w.logins);
  CLI11_PARSE(app, argc, argv);

  if (worker->parsed()) return embark::bench::run_worker(w);
  self_exe();
  o.peers.erase(std::remove(o.peers.begin(), o.peers.end(), std::string()), o.peers.end());
  // `--sweep ''` turns the sweep off (CLI11 reads the empty value as 0).
  o.sweep.erase(std::remove_if(o.sweep.begin(), o.sweep.end(), [](int c) { return c < 1; }),
                o.sweep.end());
  for (const auto& p : o.peers)
    if (p != "node" && p != "python") {
      std::cerr << "embark-bench: --peers: unknown peer '" << p << "' (node, python)\n";
      return 2;
    }
  if (o.users.empty() || o.concurrency < 1 || o.duration_s <= 0) {
    std::cerr << "embark-bench: --users, --concurrency and --duration must be positive\n";
    return 2;
  }
  try {
    Bench bench(o);
    return bench.run();
  } catch (const std::exception& e) {
    std::cerr << "embark-bench: " << e.what() << "\n";
    return 1;
  }
}
