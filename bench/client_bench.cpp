// impersonateUser on a warm pooled connection vs on a new TLS connection (issue 4's figure),
// against the in-process emulator over TLS, through the public WisdomClient only.
//
//   embark-bench-client [calls]      (default 200 calls per case)
//
// Cases, each `calls` timed impersonateUser calls (median and p90 in microseconds):
//   warm     one client; its pooled keep-alive connection is reused (after one untimed call)
//   resumed  one client whose pool keeps nothing (idle_timeout 0): every call connects anew and
//            resumes the TLS session the transport cached from the previous connection
//   full     a fresh client per call (no cached session): TCP connect + full TLS handshake;
//            only the call is timed, not creating the client
// The client and the emulator (ES256, one I/O thread) share the machine, so the figures include
// the emulator's work; the load average is printed with them.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "embark/client.hpp"
#include "embark/log.hpp"
#include "embark/testing/emulator_fixture.hpp"

namespace {

using Micros = std::chrono::duration<double, std::micro>;

struct Summary {
  double median_us = 0;
  double p90_us = 0;
};

Summary summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) {
    return samples[static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1))];
  };
  return {at(0.5), at(0.9)};
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

/// Counts the transport's "opened TLS connection ... (session new|resumed)" debug records.
struct HandshakeCounter {
  std::atomic<int> resumed{0};
  std::atomic<int> full{0};
  void install() {
    embark::set_log_level(embark::LogLevel::debug);
    embark::set_log_sink([this](const embark::LogRecord& r) {
      if (r.component != "transport") return;
      if (r.message.find("session resumed") != std::string_view::npos) ++resumed;
      if (r.message.find("session new") != std::string_view::npos) ++full;
    });
  }
  static void remove() {
    embark::set_log_sink({});
    embark::set_log_level(embark::LogLevel::warn);
  }
};

double timed_call(const embark::WisdomClient& client, const std::string& email) {
  const auto start = std::chrono::steady_clock::now();
  auto token = client.impersonate_user({.email = email});
  const auto elapsed = Micros(std::chrono::steady_clock::now() - start).count();
  if (!token) {
    std::fprintf(stderr, "impersonateUser failed: %s\n", token.error().to_string().c_str());
    std::exit(1);
  }
  return elapsed;
}

embark::WisdomClient make_client(const embark::ClientOptions& options) {
  auto client = embark::WisdomClient::create(options);
  if (!client) {
    std::fprintf(stderr, "cannot create the client: %s\n", client.error().to_string().c_str());
    std::exit(1);
  }
  return std::move(*client);
}

void print(const char* name, const Summary& s, const std::string& note) {
  std::printf("%-8s median %8.0f us   p90 %8.0f us   %s\n", name, s.median_us, s.p90_us,
              note.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;

  embark::emulator::Options emu;
  emu.jwt_alg = embark::emulator::JwtAlgorithm::es256;
  emu.threads = 1;
  emu.seed_users = 1;
  embark::testing::EmulatorFixture emulator(emu);
  const embark::ClientOptions options = emulator.client_options();

  const auto warm_client = make_client(options);
  auto users = warm_client.list_users();
  if (!users || users->empty()) {
    std::fprintf(stderr, "listUsers failed\n");
    return 1;
  }
  const std::string email = users->front().email;
  std::printf(
      "impersonateUser against the in-process emulator over TLS, %d calls per case, load %s\n",
      calls, load_average().c_str());

  std::vector<double> warm;
  timed_call(warm_client, email);  // opens the connection the timed calls reuse
  for (int i = 0; i < calls; ++i) warm.push_back(timed_call(warm_client, email));
  print("warm", summarize(warm), "pooled keep-alive connection");

  HandshakeCounter counter;
  counter.install();
  auto no_pool = options;
  no_pool.transport.idle_timeout = std::chrono::milliseconds(0);
  const auto resuming_client = make_client(no_pool);
  timed_call(resuming_client, email);  // the first handshake is a full one; later ones resume it
  const int resumed_before = counter.resumed.load();
  std::vector<double> resumed;
  for (int i = 0; i < calls; ++i) resumed.push_back(timed_call(resuming_client, email));
  print("resumed", summarize(resumed),
        "new TLS connection per call, " + std::to_string(counter.resumed.load() - resumed_before) +
            " of " + std::to_string(calls) + " handshakes resumed");

  const int full_before = counter.full.load();
  std::vector<double> full;
  for (int i = 0; i < calls; ++i) {
    const auto fresh = make_client(options);
    full.push_back(timed_call(fresh, email));
  }
  print("full", summarize(full),
        "fresh client per call, " + std::to_string(counter.full.load() - full_before) + " of " +
            std::to_string(calls) + " handshakes full");
  HandshakeCounter::remove();

  const auto w = summarize(warm);
  const auto r = summarize(resumed);
  const auto f = summarize(full);
  std::printf("new connection / warm (median): resumed %.1fx, full %.1fx; load after %s\n",
              r.median_us / w.median_us, f.median_us / w.median_us, load_average().c_str());
  return 0;
}
