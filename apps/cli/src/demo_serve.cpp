#include "demo_serve.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace embark::cli {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

// The sample loads its Onboarder and hashes the demo passwords before it listens; on a loaded
// machine that can take a while, and a hung child must not hang the demo.
constexpr std::chrono::seconds kStartTimeout{120};
constexpr std::chrono::seconds kStopTimeout{10};
constexpr std::string_view kAccountPrefix = "demo account: ";
constexpr std::string_view kListeningPrefix = "embark-sample-server listening on ";

bool is_executable(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {}", WTERMSIG(status));
  return "ended";
}

// Waits for `pid` until `deadline`; true when it was reaped (status in `status`).
bool wait_until(pid_t pid, SteadyClock::time_point deadline, int& status) {
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) return true;
    if (SteadyClock::now() >= deadline) return false;
    // A child has no descriptor to wait on without pidfd; a short poll keeps stop() bounded.
    ::poll(nullptr, 0, 10);
  }
}

// One line from `fd` (without '\n') until `deadline`; nullopt at end of file, on an error or when
// the deadline passed (`timed_out` says which).
std::optional<std::string> read_line(int fd, std::string& pending, SteadyClock::time_point deadline,
                                     bool& timed_out) {
  for (;;) {
    if (auto eol = pending.find('\n'); eol != std::string::npos) {
      std::string line = pending.substr(0, eol);
      pending.erase(0, eol + 1);
      return line;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) {
      timed_out = true;
      return std::nullopt;
    }
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // the deadline check above ends the loop
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    pending.append(buffer, static_cast<std::size_t>(n));
  }
}

std::optional<SampleAccount> parse_account(std::string_view line) {
  line.remove_prefix(kAccountPrefix.size());
  const auto first = line.find(' ');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = line.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  return SampleAccount{std::string(line.substr(0, first)),
                       std::string(line.substr(first + 1, second - first - 1)),
                       std::string(line.substr(second + 1))};
}

}  // namespace

std::optional<std::string> find_sample_server(const EnvLookup& env) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    if (auto beside = self.parent_path() / kSampleServerProgram; is_executable(beside))
      return beside.string();
  }
  if (auto path = env ? env("PATH") : std::nullopt) {
    std::string_view rest = *path;
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const std::string_view dir = rest.substr(0, colon);
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
      if (dir.empty()) continue;
      if (auto candidate = fs::path(dir) / kSampleServerProgram; is_executable(candidate))
        return candidate.string();
    }
  }
#ifdef EMBARK_SAMPLE_SERVER_BUILD_PATH
  // Build trees that do not put programs side by side (Meson) and test programs elsewhere.
  if (is_executable(EMBARK_SAMPLE_SERVER_BUILD_PATH))
    return std::string(EMBARK_SAMPLE_SERVER_BUILD_PATH);
#endif
  return std::nullopt;
}

Result<std::unique_ptr<SampleServer>> SampleServer::start(const std::string& program,
                                                          const ServeOptions& options) {
  std::vector<std::string> args{program,
                                "--bind",
                                "127.0.0.1",
                                "--port",
                                std::to_string(options.port),
                                "--wisdom-url",
                                options.wisdom_url,
                                "--embed-origin",
                                options.embed_origin};
  if (!options.ca_file.empty()) {
    args.push_back("--wisdom-ca-file");
    args.push_back(options.ca_file);
  }
  if (!options.workspace.empty()) {
    args.push_back("--workspace");
    args.push_back(options.workspace);
  }
  // The access key travels in the child's environment: a command line is visible to every user.
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    if (entry.starts_with("WISDOM_ACCESS_KEY=") || entry.starts_with("WISDOM_URL=")) continue;
    env.emplace_back(entry);
  }
  env.push_back("WISDOM_ACCESS_KEY=" + std::string(options.access_key.reveal()));
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return fail(ErrorCode::internal, fmt::format("--serve: pipe: {}", std::strerror(errno)));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return fail(ErrorCode::internal, fmt::format("--serve: fork: {}", std::strerror(error)));
  }
  if (pid == 0) {
    // Only async-signal-safe calls until exec: the demo runs threads (the emulator's).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // the sample never outlives the demo
    if (::getppid() != parent) ::_exit(127);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);
    ::close_range(3, ~0U, 0);  // the emulator's sockets stay with the demo
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  for (auto& e : env) std::fill(e.begin(), e.end(), '\0');

  std::unique_ptr<SampleServer> server(new SampleServer());
  server->pid_ = pid;
  server->output_ = pipe_fds[0];

  // Until the address: the demo accounts, and anything else it says (kept for an error message).
  const auto deadline = SteadyClock::now() + kStartTimeout;
  std::string pending, said;
  bool timed_out = false;
  while (auto line = read_line(server->output_, pending, deadline, timed_out)) {
    if (line->starts_with(kListeningPrefix)) {
      server->url_ = line->substr(kListeningPrefix.size()) + "/";
      const auto colon = server->url_.rfind(':');
      server->port_ = static_cast<std::uint16_t>(std::stoul(server->url_.substr(colon + 1)));
      break;
    }
    if (line->starts_with(kAccountPrefix)) {
      if (auto account = parse_account(*line)) server->accounts_.push_back(std::move(*account));
      continue;
    }
    if (!said.empty()) said += "; ";
    said += *line;
  }
  if (server->url_.empty()) {
    if (timed_out) {
      server->stop();
      return fail(ErrorCode::internal, fmt::format("--serve: {} did not listen within {} s",
                                                   program, kStartTimeout.count()));
    }
    int status = 0;
    wait_until(pid, SteadyClock::now() + kStopTimeout, status);
    server->pid_ = -1;
    const bool bad_port = WIFEXITED(status) && WEXITSTATUS(status) == 2;
    Error error(bad_port ? ErrorCode::invalid_input : ErrorCode::internal,
                fmt::format("{} {} before listening{}{}", program, describe_status(status),
                            said.empty() ? "" : ": ", said));
    if (bad_port) error.with_field("--port");
    return error;
  }
  // Whatever it says later (a failed handler, say) goes to the demo's stderr.
  server->drain_ = std::thread([fd = server->output_, rest = std::move(pending)]() mutable {
    if (!rest.empty()) std::cerr << rest << std::flush;
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      std::cerr.write(buffer, n).flush();
    }
  });
  return server;
}

SampleServer::~SampleServer() { stop(); }

void SampleServer::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    if (!wait_until(pid_, SteadyClock::now() + kStopTimeout, status)) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  if (drain_.joinable()) drain_.join();
  if (output_ >= 0) {
    ::close(output_);
    output_ = -1;
  }
}

}  // namespace embark::cli
