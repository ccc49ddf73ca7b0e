// RedisServer: a real redis-server (Debian's) on a Unix socket in a temporary folder, for tests.
#pragma once

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace embark::testing {

/// Starts `redis-server` with no persistence and no TCP port, listening on `<tmp>/redis.sock`.
/// Ready means the server printed that it accepts connections (read from its stdout, no
/// polling; Redis 7.0 says "The server is now ready to accept connections", later ones "Ready to
/// accept connections"). kill() / restart() / pause() / resume() drive the process for fault tests;
/// the destructor kills it and removes the folder, and it dies with the thread that started it
/// (PR_SET_PDEATHSIG) if the test process crashes. Not thread-safe.
class RedisServer {
 public:
  /// `extra`: more redis-server arguments, e.g. {"--requirepass", "pw"}.
  explicit RedisServer(std::vector<std::string> extra = {})
      : dir_(make_dir()), extra_(std::move(extra)) {
    start();
  }
  ~RedisServer() {
    kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  /// "unix:///tmp/.../redis.sock".
  std::string url() const { return "unix://" + socket_path(); }
  std::string socket_path() const { return (dir_ / "redis.sock").string(); }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  /// SIGKILL, and reaps the process (the socket file stays until the next start).
  void kill() {
    if (pid_ <= 0) return;
    if (paused_) ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    paused_ = false;
  }
  /// Starts a fresh, empty server on the same socket.
  void restart() {
    kill();
    start();
  }
  /// SIGSTOP: the server accepts nothing and answers nothing (a "slow" Redis).
  /// Returns once the process is stopped: a signal is delivered asynchronously, and a server
  /// still running on the other core could otherwise answer the next command.
  void pause() {
    if (pid_ > 0 && !paused_) {
      ::kill(pid_, SIGSTOP);
      int status = 0;
      ::waitpid(pid_, &status, WUNTRACED);
    }
    paused_ = true;
  }
  /// SIGCONT; returns once the process runs again.
  void resume() {
    if (pid_ > 0 && paused_) {
      ::kill(pid_, SIGCONT);
      int status = 0;
      ::waitpid(pid_, &status, WCONTINUED);
    }
    paused_ = false;
  }

 private:
  static std::filesystem::path make_dir() {
    std::random_device rd;
    auto dir = std::filesystem::temp_directory_path() /
               ("embark-redis-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    return dir;
  }

  void start() {
    std::error_code ignored;
    std::filesystem::remove(socket_path(), ignored);
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    const std::string sock = socket_path();
    const std::string dir = dir_.string();
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // A test that crashes or is killed must not leave its server running forever.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<std::string> args = {"redis-server",
                                       "--port",
                                       "0",
                                       "--unixsocket",
                                       sock,
                                       "--unixsocketperm",
                                       "700",
                                       "--save",
                                       "",
                                       "--appendonly",
                                       "no",
                                       "--dir",
                                       dir,
                                       "--daemonize",
                                       "no",
                                       "--loglevel",
                                       "notice"};
      args.insert(args.end(), extra_.begin(), extra_.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("redis-server", argv.data());
      std::perror("redis-server");
      ::_exit(127);
    }
    ::close(out[1]);
    // Blocking reads of the server's log until it says it is ready (or exits).
    std::string log;
    char buf[512];
    for (;;) {
      const auto n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      log.append(buf, static_cast<std::size_t>(n));
      if (log.find("eady to accept connections") != std::string::npos) break;
    }
    // Redis ignores SIGPIPE: once ready, its later log lines may go nowhere.
    ::close(out[0]);
    if (log.find("eady to accept connections") == std::string::npos) {
      kill();
      throw std::runtime_error("redis-server did not start: " + log);
    }
  }

  std::filesystem::path dir_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  bool paused_ = false;
};

}  // namespace embark::testing
