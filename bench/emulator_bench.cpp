// Speed of the WisdomAI emulator (issue 3): impersonateUser answers per second over keep-alive
// HTTP/1.1 (ES256, no added latency) and the time to answer listUsers of a 100,000-user workspace.
//
// By default the emulator runs in this process (embark::emulator::Server, plain HTTP on
// 127.0.0.1, port 0) and the load generator on one thread of its own, on the same machine. The
// CPU time of the two sides is measured separately (the load generator's thread clock; the
// server's share is the process's CPU time minus it), so the figures say what the emulator costs.
// --credentials FILE (written by `embark-emulator --credentials-out FILE --plain-http`) points it
// at an external emulator instead; --server-pid then reads that process's CPU time from /proc.
//
// Results go to stdout (text, or one JSON object with --json); progress goes to stderr.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <fmt/format.h>

#include "embark/emulator/server.hpp"

#include <sys/resource.h>
#include <unistd.h>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kBenchEmail = "bench.user@example.com";
// The documents the client library sends (lib/embark/src/internal/graphql/operations.hpp).
constexpr std::string_view kImpersonateDocument =
    "mutation ImpersonateUser($accessToken: String!, $userEmail: String!, $attributes: "
    "[UserAttributeInput!]) "
    "{ impersonateUser(accessToken: $accessToken, userEmail: $userEmail, attributes: $attributes) "
    "}";
constexpr std::string_view kListUsersDocument =
    "query ListUsers($workspaceId: ID) { listUsers(workspaceId: $workspaceId) "
    "{ id email userAttributes { key value source } roleAssignments { roleId scopes } } }";
constexpr std::string_view kCreateUsersDocument =
    "mutation CreateUsers($input: CreateUsersInput!) { createUsers(input: $input) { status { code "
    "message } } }";

struct Config {
  double duration_s = 10;
  double warmup_s = 1;
  int connections = 16;
  std::size_t users = 100'000;
  int threads = 0;
  int runs = 5;
  bool json_output = false;
  std::string part = "all";
  std::string credentials_file;
  std::string url;
  int server_pid = 0;
};

struct Target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string access_key;
  std::string api_token;
};

void progress(const std::string& line) { std::cerr << "emulator-bench: " << line << std::endl; }

// ---- CPU clocks ------------------------------------------------------------------------------

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// utime + stime of another process (fields 14 and 15 of /proc/PID/stat), in seconds.
std::optional<double> other_process_cpu_s(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU seconds the whole machine spent busy (all cores: user, nice, system, irq, softirq), from
// /proc/stat; minus this process's share it tells how much other programs took meanwhile.
std::optional<double> machine_busy_s() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  if (!(in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq) || cpu != "cpu")
    return std::nullopt;
  return (user + nice + system + irq + softirq) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Whole-server CPU time: in-process it is everything but the load generator's thread (the main
// thread only waits meanwhile); external, it is read from /proc.
struct ServerCpu {
  bool in_process = true;
  int pid = 0;
  std::optional<double> now(double load_thread_cpu) const {
    if (in_process) return process_cpu_s() - load_thread_cpu;
    if (pid > 0) return other_process_cpu_s(pid);
    return std::nullopt;
  }
};

// ---- HTTP framing ------------------------------------------------------------------------------

std::string post_request(const Target& target, std::string_view body, std::string_view bearer) {
  std::string r = "POST /graphql HTTP/1.1\r\nHost: ";
  r += target.host;
  r += ':';
  r += std::to_string(target.port);
  r += "\r\nContent-Type: application/json\r\nAccept: application/json\r\n";
  if (!bearer.empty()) {
    r += "Authorization: Bearer ";
    r += bearer;
    r += "\r\n";
  }
  r += "Content-Length: ";
  r += std::to_string(body.size());
  r += "\r\n\r\n";
  r += body;
  return r;
}

std::string graphql_body(std::string_view document, std::string_view operation_name,
                         json::object variables) {
  return json::serialize(json::object{
      {"query", document}, {"operationName", operation_name}, {"variables", std::move(variables)}});
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

// Header block parsed just enough for Content-Length framing. `head` ends with the blank line.
struct ResponseHead {
  int status = 0;
  std::size_t content_length = 0;
  bool has_length = false;
};

std::optional<ResponseHead> parse_head(std::string_view head) {
  ResponseHead h;
  if (head.size() < 12 || head.substr(0, 7) != "HTTP/1.") return std::nullopt;
  h.status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    const std::size_t start = pos + 2;
    const std::size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos) break;
    std::string_view line = head.substr(start, end - start);
    if (iequals_prefix(line, "content-length:")) {
      std::size_t v = 0;
      std::size_t i = 15;
      while (i < line.size() && line[i] == ' ') ++i;
      if (i == line.size()) return std::nullopt;
      for (; i < line.size(); ++i) {
        if (line[i] < '0' || line[i] > '9') return std::nullopt;
        v = v * 10 + static_cast<std::size_t>(line[i] - '0');
      }
      h.content_length = v;
      h.has_length = true;
    }
    pos = end;
  }
  if (!h.has_length) return std::nullopt;  // the emulator always frames by Content-Length
  return h;
}

// A JWT in compact form: three non-empty base64url parts.
bool looks_like_jwt(std::string_view t) {
  int dots = 0;
  std::size_t part = 0;
  for (char c : t) {
    if (c == '.') {
      if (part == 0) return false;
      ++dots;
      part = 0;
      continue;
    }
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
    ++part;
  }
  return dots == 2 && part > 0;
}

// {"data":{"impersonateUser":"<jwt>"}} and nothing else (no errors).
bool is_token_answer(std::string_view body) {
  constexpr std::string_view kPrefix = R"({"data":{"impersonateUser":")";
  constexpr std::string_view kSuffix = R"("}})";
  if (body.size() <= kPrefix.size() + kSuffix.size() || body.substr(0, kPrefix.size()) != kPrefix ||
      body.substr(body.size() - kSuffix.size()) != kSuffix) {
    return false;
  }
  return looks_like_jwt(body.substr(kPrefix.size(), body.size() - kPrefix.size() - kSuffix.size()));
}

// One blocking request/response on a fresh connection (setup and listUsers).
struct Exchange {
  int status = 0;
  std::string body;
  double seconds = 0;  ///< from the first request byte sent to the last response byte read
};

Exchange round_trip(const Target& target, const std::string& request) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(asio::ip::make_address(target.host), target.port));
  socket.set_option(tcp::no_delay(true));
  std::string buffer(64 * 1024, '\0');
  std::size_t filled = 0;
  const auto start = SteadyClock::now();
  asio::write(socket, asio::buffer(request));
  std::optional<ResponseHead> head;
  std::size_t head_len = 0;
  for (;;) {
    if (filled == buffer.size()) buffer.resize(buffer.size() * 2);
    filled += socket.read_some(asio::buffer(buffer.data() + filled, buffer.size() - filled));
    if (!head) {
      const auto end = std::string_view(buffer.data(), filled).find("\r\n\r\n");
      if (end == std::string_view::npos) continue;
      head_len = end + 4;
      head = parse_head(std::string_view(buffer.data(), head_len));
      if (!head) throw std::runtime_error("malformed HTTP response head");
      if (buffer.size() < head_len + head->content_length)
        buffer.resize(head_len + head->content_length);
    }
    if (filled >= head_len + head->content_length) break;
  }
  Exchange out;
  out.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  out.status = head->status;
  out.body.assign(buffer.data() + head_len, head->content_length);
  return out;
}

// ---- impersonateUser load
// ------------------------------------------------------------------------

struct LoadCounters {
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t reconnects = 0;
  std::vector<std::uint32_t> latencies_us;  // measured window only
  bool measuring = false;
  bool stopping = false;
};

// One keep-alive connection sending the same pre-built request as soon as the previous answer is
// in.
class LoadConnection : public std::enable_shared_from_this<LoadConnection> {
 public:
  LoadConnection(asio::io_context& ioc, tcp::endpoint endpoint, const std::string& request,
                 LoadCounters& counters)
      : ioc_(ioc),
        socket_(ioc),
        endpoint_(endpoint),
        request_(request),
        counters_(counters),
        buffer_(16 * 1024) {}

  void start() {
    socket_.async_connect(endpoint_, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return self->broken();
      boost::system::error_code ignored;
      self->socket_.set_option(tcp::no_delay(true), ignored);
      self->send();
    });
  }

 private:
  void send() {
    if (counters_.stopping) return close();
    sent_ = SteadyClock::now();
    filled_ = 0;
    asio::async_write(socket_, asio::buffer(request_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (ec) return self->broken();
                        self->read();
                      });
  }

  void read() {
    if (filled_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    socket_.async_read_some(
        asio::buffer(buffer_.data() + filled_, buffer_.size() - filled_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec) return self->broken();
          self->filled_ += n;
          self->parse();
        });
  }

  void parse() {
    const std::string_view data(buffer_.data(), filled_);
    const auto end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) return read();
    const auto head = parse_head(data.substr(0, end + 4));
    if (!head) return broken();
    const std::size_t total = end + 4 + head->content_length;
    if (filled_ < total) {
      if (buffer_.size() < total) buffer_.resize(total);
      return read();
    }
    if (filled_ != total) return broken();  // one request in flight: nothing may follow the answer
    const bool ok =
        head->status == 200 && is_token_answer(data.substr(end + 4, head->content_length));
    if (ok) {
      ++counters_.ok;
    } else {
      ++counters_.failed;
    }
    if (counters_.measuring) {
      const auto us =
          std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - sent_).count();
      counters_.latencies_us.push_back(static_cast<std::uint32_t>(us));
    }
    send();
  }

  // An I/O or framing failure: count it and start over on a new connection.
  void broken() {
    ++counters_.failed;
    close();
    if (counters_.stopping) return;
    ++counters_.reconnects;
    auto next = std::make_shared<LoadConnection>(ioc_, endpoint_, request_, counters_);
    next->start();
  }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  asio::io_context& ioc_;
  tcp::socket socket_;
  tcp::endpoint endpoint_;
  const std::string& request_;
  LoadCounters& counters_;
  std::vector<char> buffer_;
  std::size_t filled_ = 0;
  SteadyClock::time_point sent_;
};

struct ImpersonateResult {
  std::uint64_t answers = 0;
  std::uint64_t failed = 0;
  std::uint64_t reconnects = 0;
  double seconds = 0;
  double per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  double load_cpu_s = 0;
  std::optional<double> server_cpu_s;
  std::optional<double> machine_busy_s;
};

double percentile(std::vector<std::uint32_t>& v, double q) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

ImpersonateResult run_impersonate(const Config& config, const Target& target,
                                  const ServerCpu& server_cpu) {
  json::object vars{{"accessToken", target.access_key}, {"userEmail", kBenchEmail}};
  const std::string request = post_request(
      target, graphql_body(kImpersonateDocument, "ImpersonateUser", std::move(vars)), "");
  {
    const Exchange probe = round_trip(target, request);
    if (probe.status != 200 || !is_token_answer(probe.body)) {
      throw std::runtime_error("impersonateUser is not answered with a token (HTTP " +
                               std::to_string(probe.status) + ")");
    }
  }

  ImpersonateResult result;
  LoadCounters counters;
  counters.latencies_us.reserve(static_cast<std::size_t>(config.duration_s * 50'000));
  std::thread load([&] {
    asio::io_context ioc(1);
    const tcp::endpoint endpoint(asio::ip::make_address(target.host), target.port);
    for (int i = 0; i < config.connections; ++i) {
      std::make_shared<LoadConnection>(ioc, endpoint, request, counters)->start();
    }
    std::uint64_t ok0 = 0, failed0 = 0, reconnects0 = 0;
    double load_cpu0 = 0;
    std::optional<double> server_cpu0;
    std::optional<double> busy0;
    SteadyClock::time_point t0;
    asio::steady_timer timer(ioc);
    timer.expires_after(std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(config.warmup_s)));
    timer.async_wait([&](boost::system::error_code) {
      ok0 = counters.ok;
      failed0 = counters.failed;
      reconnects0 = counters.reconnects;
      load_cpu0 = thread_cpu_s();
      server_cpu0 = server_cpu.now(load_cpu0);
      busy0 = machine_busy_s();
      t0 = SteadyClock::now();
      counters.measuring = true;
      timer.expires_after(std::chrono::duration_cast<SteadyClock::duration>(
          std::chrono::duration<double>(config.duration_s)));
      timer.async_wait([&](boost::system::error_code) {
        const double load_cpu1 = thread_cpu_s();
        const auto server_cpu1 = server_cpu.now(load_cpu1);
        const auto busy1 = machine_busy_s();
        if (busy0 && busy1) result.machine_busy_s = *busy1 - *busy0;
        result.seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
        result.answers = counters.ok - ok0;
        result.failed = counters.failed - failed0;
        result.reconnects = counters.reconnects - reconnects0;
        result.load_cpu_s = load_cpu1 - load_cpu0;
        if (server_cpu0 && server_cpu1) result.server_cpu_s = *server_cpu1 - *server_cpu0;
        counters.measuring = false;
        counters.stopping = true;  // connections finish their request in flight, then close
      });
    });
    ioc.run();
  });
  load.join();
  result.per_second = static_cast<double>(result.answers) / result.seconds;
  result.p50_us = percentile(counters.latencies_us, 0.50);
  result.p99_us = percentile(counters.latencies_us, 0.99);
  return result;
}

// ---- listUsers ----------------------------------------------------------------------------------

struct ListResult {
  std::size_t users = 0;
  std::size_t bytes = 0;
  std::vector<double> seconds;  // each run
  double median_s = 0;
  double best_s = 0;
  std::optional<double> server_cpu_s;  // median per run
};

std::size_t count_occurrences(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string_view::npos;
       pos = text.find(what, pos + what.size()))
    ++n;
  return n;
}

ListResult run_list(const Config& config, const Target& target, const ServerCpu& server_cpu) {
  const std::string request = post_request(
      target, graphql_body(kListUsersDocument, "ListUsers", json::object{}), target.api_token);
  ListResult result;
  std::vector<double> cpu;
  for (int run = 0; run < config.runs; ++run) {
    const double load0 = thread_cpu_s();
    const auto server0 = server_cpu.now(load0);
    const Exchange ex = round_trip(target, request);
    const double load1 = thread_cpu_s();
    const auto server1 = server_cpu.now(load1);
    // In-process the client is this (main) thread: its own CPU is not the server's.
    if (server0 && server1) cpu.push_back(*server1 - *server0);
    constexpr std::string_view kPrefix = R"({"data":{"listUsers":[)";
    if (ex.status != 200 || ex.body.compare(0, kPrefix.size(), kPrefix) != 0 ||
        ex.body.find("\"errors\"") != std::string::npos) {
      throw std::runtime_error("listUsers failed (HTTP " + std::to_string(ex.status) +
                               "): " + ex.body.substr(0, 200));
    }
    result.users = count_occurrences(ex.body, "{\"id\":");
    result.bytes = ex.body.size();
    result.seconds.push_back(ex.seconds);
    progress(fmt::format("listUsers run {}: {} users, {} bytes, {:.3f} s", run + 1, result.users,
                         result.bytes, ex.seconds));
  }
  auto sorted = result.seconds;
  std::sort(sorted.begin(), sorted.end());
  result.median_s = sorted[sorted.size() / 2];
  result.best_s = sorted.front();
  if (cpu.size() == result.seconds.size() && !cpu.empty()) {
    std::sort(cpu.begin(), cpu.end());
    result.server_cpu_s = cpu[cpu.size() / 2];
  }
  return result;
}

// ---- set-up
// ---------------------------------------------------------------------------------------

void create_bench_user(const Target& target) {
  json::object vars{
      {"input", json::object{{"emails", json::array{kBenchEmail}},
                             {"userAttributes",
                              json::array{json::object{{"key", "tenant_id"}, {"value", "t-42"}},
                                          json::object{{"key", "region"}, {"value", "eu"}}}}}}};
  const Exchange ex = round_trip(
      target,
      post_request(target, graphql_body(kCreateUsersDocument, "CreateUsers", std::move(vars)),
                   target.api_token));
  if (ex.status != 200 || ex.body.find(R"("code":"OK")") == std::string::npos) {
    throw std::runtime_error("createUsers failed (HTTP " + std::to_string(ex.status) +
                             "): " + ex.body.substr(0, 200));
  }
}

Target external_target(const Config& config) {
  Target t;
  std::ifstream in(config.credentials_file);
  if (!in) throw std::runtime_error("cannot read --credentials " + config.credentials_file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const json::object creds = json::parse(text).as_object();
  t.access_key = std::string(creds.at("access_key").as_string());
  t.api_token = std::string(creds.at("api_token").as_string());
  std::string url = config.url.empty() ? std::string(creds.at("url").as_string()) : config.url;
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0)
    throw std::runtime_error(
        "only plain http:// URLs are supported (start the emulator with --plain-http)");
  url.erase(0, kScheme.size());
  url = url.substr(0, url.find('/'));
  const auto colon = url.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("the URL needs a port");
  t.host = url.substr(0, colon);
  t.port = static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1)));
  return t;
}

double load_average() {
  std::ifstream in("/proc/loadavg");
  double one = -1;
  in >> one;
  return one;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  CLI::App app{
      "embark-bench-emulator: impersonateUser answers/s and listUsers time of the WisdomAI "
      "emulator"};
  app.add_option("--duration", config.duration_s, "seconds of measured impersonateUser load")
      ->capture_default_str();
  app.add_option("--warmup", config.warmup_s, "seconds of load before measuring")
      ->capture_default_str();
  app.add_option("--connections", config.connections,
                 "keep-alive connections, one request in flight each")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--users", config.users, "users seeded for listUsers (in-process emulator)")
      ->capture_default_str();
  app.add_option("--threads", config.threads, "emulator I/O threads (0 = number of cores)")
      ->capture_default_str();
  app.add_option("--runs", config.runs, "listUsers runs (the median is reported)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--part", config.part, "what to measure")
      ->check(CLI::IsMember({"all", "impersonate", "list"}))
      ->capture_default_str();
  app.add_flag("--json", config.json_output, "print the results as one JSON object");
  app.add_option("--credentials", config.credentials_file,
                 "JSON from `embark-emulator --plain-http --credentials-out FILE`: use that "
                 "emulator instead of one in-process");
  app.add_option("--url", config.url,
                 "base URL of the external emulator (default: the one in --credentials)");
  app.add_option("--server-pid", config.server_pid,
                 "pid of the external emulator, to report its CPU time");
  CLI11_PARSE(app, argc, argv);
  const bool do_list = config.part != "impersonate";
  const bool do_impersonate = config.part != "list";

  try {
    Target target;
    ServerCpu server_cpu;
    std::unique_ptr<embark::emulator::Server> server;
    int server_threads = 0;
    if (config.credentials_file.empty()) {
      embark::emulator::Options o;
      o.tls = false;
      o.jwt_alg = embark::emulator::JwtAlgorithm::es256;
      o.latency = std::chrono::milliseconds(0);
      o.threads = config.threads;
      o.seed_users = do_list ? config.users : 0;
      progress(fmt::format("starting the emulator in-process ({} seeded users)", o.seed_users));
      auto started = embark::emulator::Server::start(std::move(o));
      if (!started) throw std::runtime_error("emulator: " + started.error().to_string());
      server = std::move(*started);
      target.port = server->port();
      target.access_key = server->access_key().reveal();
      target.api_token = server->api_token().reveal();
      server_threads = config.threads > 0
                           ? config.threads
                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    } else {
      target = external_target(config);
      server_cpu.in_process = false;
      server_cpu.pid = config.server_pid;
    }

    json::object report{{"cores", std::thread::hardware_concurrency()},
                        {"server", server ? "in-process" : "external"},
                        {"server_threads", server_threads},
                        {"load_average_1m_before", load_average()}};
    std::string text =
        fmt::format("machine: {} cores, load average {:.2f} at start; emulator {}{}\n",
                    std::thread::hardware_concurrency(), load_average(),
                    server ? "in-process, I/O threads " : "external",
                    server ? std::to_string(server_threads) : std::string());

    if (do_list) {
      progress(fmt::format("listUsers: {} runs", config.runs));
      const ListResult r = run_list(config, target, server_cpu);
      json::object o{{"users", r.users},
                     {"bytes", r.bytes},
                     {"median_s", r.median_s},
                     {"best_s", r.best_s},
                     {"runs_s", json::value_from(r.seconds)}};
      if (r.server_cpu_s) o["server_cpu_s"] = *r.server_cpu_s;
      report["list_users"] = std::move(o);
      text += fmt::format(
          "listUsers: {} users, {} bytes: median {:.3f} s, best {:.3f} s over {} runs{}\n", r.users,
          r.bytes, r.median_s, r.best_s, r.seconds.size(),
          r.server_cpu_s ? fmt::format(" (server CPU {:.3f} s per answer)", *r.server_cpu_s)
                         : std::string());
    }
    if (do_impersonate) {
      create_bench_user(target);
      progress(fmt::format("impersonateUser: {} connections, {:.0f} s warm-up + {:.0f} s measured",
                           config.connections, config.warmup_s, config.duration_s));
      const ImpersonateResult r = run_impersonate(config, target, server_cpu);
      json::object o{{"connections", config.connections},
                     {"seconds", r.seconds},
                     {"answers", r.answers},
                     {"failed", r.failed},
                     {"reconnects", r.reconnects},
                     {"answers_per_s", r.per_second},
                     {"p50_us", r.p50_us},
                     {"p99_us", r.p99_us},
                     {"load_generator_cpu_us_per_answer",
                      r.answers ? r.load_cpu_s * 1e6 / static_cast<double>(r.answers) : 0.0},
                     {"load_generator_cores", r.load_cpu_s / r.seconds}};
      text += fmt::format(
          "impersonateUser (ES256): {:.0f} answers/s over {} keep-alive connections ({} answers in "
          "{:.2f} s, {} failed); "
          "latency p50 {:.0f} us, p99 {:.0f} us\n",
          r.per_second, config.connections, r.answers, r.seconds, r.failed, r.p50_us, r.p99_us);
      text += fmt::format("  load generator: 1 thread, {:.2f} cores, {:.1f} us CPU per answer\n",
                          r.load_cpu_s / r.seconds,
                          r.answers ? r.load_cpu_s * 1e6 / static_cast<double>(r.answers) : 0.0);
      if (r.server_cpu_s) {
        const double per = r.answers ? *r.server_cpu_s * 1e6 / static_cast<double>(r.answers) : 0.0;
        o["server_cpu_us_per_answer"] = per;
        o["server_cores"] = *r.server_cpu_s / r.seconds;
        text += fmt::format("  emulator: {:.2f} cores, {:.1f} us CPU per answer\n",
                            *r.server_cpu_s / r.seconds, per);
        if (r.machine_busy_s && server) {
          // In-process, server + load generator = this process; the rest of the busy time is
          // others'.
          const double others =
              std::max(0.0, *r.machine_busy_s - *r.server_cpu_s - r.load_cpu_s) / r.seconds;
          o["other_processes_cores"] = others;
          text += fmt::format("  other processes meanwhile: {:.2f} cores (of {})\n", others,
                              std::thread::hardware_concurrency());
        }
      }
      report["impersonate_user"] = std::move(o);
    }
    report["load_average_1m_after"] = load_average();
    text += fmt::format("load average {:.2f} at the end\n", load_average());
    if (server) server->stop();
    if (config.json_output) {
      std::cout << json::serialize(report) << std::endl;
    } else {
      std::cout << text;
    }
    if (report.contains("impersonate_user") &&
        report.at("impersonate_user").as_object().at("failed").as_uint64() > 0)
      return 1;
  } catch (const std::exception& e) {
    std::cerr << "emulator-bench: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
