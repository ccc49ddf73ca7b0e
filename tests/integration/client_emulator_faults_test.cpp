// WisdomClient against the in-process emulator over real TLS: the fault cases of issue 4 (an
// untrusted certificate, a wrong host name, 429 + Retry-After, connections closed by the server,
// 500, refused credentials) and a 100,000-user listUsers parsed with bounded memory.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include "embark/client.hpp"
#include "embark/log.hpp"
#include "embark/testing/emulator_fixture.hpp"

#include "internal/client/connection_factory.hpp"
#include "internal/transport/endpoint.hpp"
#include "internal/transport/pooled_http_transport.hpp"
#include "support/test_certificates.hpp"
#include <unistd.h>

// ---- heap accounting -------------------------------------------------------------------------
// Counts the bytes allocated with operator new by threads that opted in (the test's thread and
// the client's I/O thread), so that the emulator serving in the same process is not counted.
// Each block carries a header saying whether it was counted, so a block freed on another thread
// is still subtracted.
namespace {

struct alignas(16) BlockHeader {
  std::size_t size;
  bool counted;
};
static_assert(sizeof(BlockHeader) == 16);

thread_local bool t_count_heap = false;
std::atomic<std::size_t> g_live{0};
std::atomic<std::size_t> g_peak{0};

void* counted_new(std::size_t size) {
  auto* header = static_cast<BlockHeader*>(std::malloc(sizeof(BlockHeader) + size));
  if (header == nullptr) throw std::bad_alloc();
  header->size = size;
  header->counted = t_count_heap;
  if (header->counted) {
    const std::size_t now = g_live.fetch_add(size, std::memory_order_relaxed) + size;
    std::size_t peak = g_peak.load(std::memory_order_relaxed);
    while (now > peak && !g_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }
  return header + 1;
}

void counted_delete(void* p) noexcept {
  if (p == nullptr) return;
  auto* header = static_cast<BlockHeader*>(p) - 1;
  if (header->counted) g_live.fetch_sub(header->size, std::memory_order_relaxed);
  std::free(header);
}

}  // namespace

void* operator new(std::size_t size) { return counted_new(size); }
void* operator new[](std::size_t size) { return counted_new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_new(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_new(size);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { counted_delete(p); }
void operator delete[](void* p) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_delete(p); }

using namespace embark;
using namespace std::chrono_literals;
namespace emu = embark::emulator;
using std::chrono::milliseconds;

namespace {

const test_support::TestPki& pki() {
  static const auto generated = test_support::make_test_pki();
  return generated;
}

/// A PEM written to a fresh temporary file, removed again at the end of the scope.
class TempPem {
 public:
  TempPem(const std::string& name, const std::string& pem)
      : path_(std::filesystem::temp_directory_path() /
              ("embark-faults-" + std::to_string(::getpid()) + "-" + name + ".pem")) {
    std::ofstream(path_) << pem;
  }
  ~TempPem() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

/// Every log record at trace level, kept as text; restores the default sink and level at the end.
class LogCapture {
 public:
  LogCapture() {
    set_log_level(LogLevel::trace);
    set_log_sink([this](const LogRecord& record) {
      std::lock_guard lock(mutex_);
      text_.append(record.component).append(": ").append(record.message).append("\n");
    });
  }
  ~LogCapture() {
    set_log_sink({});
    set_log_level(LogLevel::warn);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

/// Checks that none of `secrets` appears in `text` (without printing a secret when one does).
void check_no_secret(const std::string& text, std::initializer_list<const Secret*> secrets) {
  for (const Secret* secret : secrets) {
    if (secret->empty()) continue;
    CHECK_MESSAGE(text.find(secret->reveal()) == std::string::npos,
                  "a secret with fingerprint " << secret->fingerprint() << " leaked");
  }
}

/// The emulator as these tests want it: ES256 (cheap to mint), one I/O thread, a fixed seed.
emu::Options emulator_options() {
  emu::Options o;
  o.jwt_alg = emu::JwtAlgorithm::es256;
  o.threads = 1;
  o.seed = 7;
  return o;
}

/// Client options for `emulator`: generous timeouts (the machine is loaded), quick backoff, a
/// budget that does not get in the way of counting retries.
ClientOptions client_options(const testing::EmulatorFixture& emulator) {
  ClientOptions o = emulator.client_options();
  o.transport.operation_timeout = 20s;
  o.call_deadline = 60s;
  o.retry.initial_backoff = 1ms;
  o.retry.max_backoff = 5ms;
  o.retry.budget_min_retries = 1000;
  return o;
}

/// The stack make_wisdom_connection builds (TLS transport, GraphQL, logging, retry, auth) under a
/// real WisdomClient, except that the retry loop's sleeps are recorded instead of slept (its clock
/// moves on by them) and the transport's counters can be read. Runs on a thread of its own.
class InstrumentedClient {
 public:
  explicit InstrumentedClient(const ClientOptions& options) {
    auto endpoint = internal::parse_endpoint(options.endpoint, options.transport);
    REQUIRE(endpoint.has_value());
    auto made =
        internal::make_http_transport(pool_.get_executor(), options.endpoint, options.transport);
    REQUIRE_MESSAGE(made.has_value(), (made ? "" : made.error().to_string()));
    transport_ = std::dynamic_pointer_cast<internal::PooledHttpTransport>(*made);
    REQUIRE(transport_ != nullptr);
    internal::ConnectionParts parts;
    parts.transport = *made;
    parts.target = endpoint->target;
    parts.environment.now = [sleeps = sleeps_] {
      return std::chrono::steady_clock::now() + sleeps->total();
    };
    parts.environment.sleep = [sleeps = sleeps_](milliseconds delay) {
      sleeps->add(delay);
      return no_wait();
    };
    auto stack = internal::make_connection_stack(options, std::move(parts));
    client_.emplace(stack.connection, pool_.get_executor());
  }
  ~InstrumentedClient() {
    client_.reset();
    transport_.reset();
    pool_.join();
  }

  const WisdomClient& client() const { return *client_; }
  std::vector<milliseconds> sleeps() const { return sleeps_->all(); }
  internal::TransportStats transport() const { return transport_->stats(); }

 private:
  class Sleeps {
   public:
    void add(milliseconds delay) {
      std::lock_guard lock(mutex_);
      sleeps_.push_back(delay);
      total_ += delay;
    }
    milliseconds total() const {
      std::lock_guard lock(mutex_);
      return total_;
    }
    std::vector<milliseconds> all() const {
      std::lock_guard lock(mutex_);
      return sleeps_;
    }

   private:
    mutable std::mutex mutex_;
    std::vector<milliseconds> sleeps_;
    milliseconds total_{0};
  };
  static boost::asio::awaitable<Result<void>> no_wait() { co_return Result<void>(); }

  boost::asio::thread_pool pool_{1};
  std::shared_ptr<Sleeps> sleeps_ = std::make_shared<Sleeps>();
  std::shared_ptr<internal::PooledHttpTransport> transport_;
  std::optional<WisdomClient> client_;
};

WisdomClient public_client(const ClientOptions& options) {
  auto client = WisdomClient::create(options);
  REQUIRE_MESSAGE(client.has_value(), (client ? "" : client.error().to_string()));
  return std::move(*client);
}

/// The email of a user the emulator seeded (listUsers is never faulted by these tests' options).
std::string some_seeded_email(const WisdomClient& client) {
  auto users = client.list_users();
  REQUIRE_MESSAGE(users.has_value(), (users ? "" : users.error().to_string()));
  REQUIRE_FALSE(users->empty());
  return users->front().email;
}

}  // namespace

TEST_CASE("a certificate the client does not trust is refused: Error{tls}, once, no secret in it") {
  LogCapture logs;
  testing::EmulatorFixture emulator(emulator_options());
  auto options = client_options(emulator);
  options.transport.ca_file.clear();  // the system CAs, which never signed the emulator's CA
  options.retry.max_attempts = 4;
  InstrumentedClient instrumented(options);

  auto token = instrumented.client().impersonate_user({.email = "someone@acme.test"});
  REQUIRE_FALSE(token.has_value());
  const Error& error = token.error();
  CHECK(error.code() == ErrorCode::tls);
  CHECK(error.message().find("certificate verification failed") != std::string::npos);
  CHECK_FALSE(error.retryable());
  // A certificate that failed verification fails again: one handshake, no retries, no sleeps.
  CHECK(instrumented.transport().connections_opened == 1);
  CHECK(instrumented.sleeps().empty());
  CHECK(emulator.stats().total.calls == 0);
  check_no_secret(error.to_string() + logs.text(), {&emulator.access_key(), &emulator.api_token()});

  // The same refusal through the public client and a management call (bearer token on board).
  auto users = public_client(options).list_users();
  REQUIRE_FALSE(users.has_value());
  CHECK(users.error().code() == ErrorCode::tls);
  CHECK_FALSE(users.error().retryable());
  check_no_secret(users.error().to_string() + logs.text(),
                  {&emulator.access_key(), &emulator.api_token()});
}

TEST_CASE("a certificate for another host name is refused: Error{tls} naming the mismatch") {
  LogCapture logs;
  // The emulator serves a certificate for wrong-host.invalid, signed by a CA the client trusts.
  TempPem cert("wrong-host-cert", pki().wrong_host.cert_pem);
  TempPem key("wrong-host-key", pki().wrong_host.key_pem);
  auto emu_options = emulator_options();
  emu_options.cert_file = cert.path();
  emu_options.key_file = key.path();
  testing::EmulatorFixture emulator(emu_options);
  auto options = client_options(emulator);
  options.transport.ca_file = pki().ca_file.string();

  SUBCASE("by IP address") {}
  SUBCASE("by DNS name (SNI localhost)") {
    options.endpoint = "https://localhost:" + std::to_string(emulator.server().port()) + "/graphql";
  }
  auto client = public_client(options);
  auto token = client.impersonate_user({.email = "someone@acme.test"});
  REQUIRE_FALSE(token.has_value());
  CHECK(token.error().code() == ErrorCode::tls);
  CHECK(token.error().message().find("mismatch") != std::string::npos);
  CHECK_FALSE(token.error().retryable());
  CHECK(emulator.stats().total.calls == 0);
  check_no_secret(token.error().to_string() + logs.text(),
                  {&emulator.access_key(), &emulator.api_token()});

  // The control: the same certificate for the right name is accepted.
  auto good_options = emulator_options();
  TempPem good_cert("localhost-cert", pki().localhost.cert_pem);
  TempPem good_key("localhost-key", pki().localhost.key_pem);
  good_options.cert_file = good_cert.path();
  good_options.key_file = good_key.path();
  good_options.seed_users = 1;
  testing::EmulatorFixture good(good_options);
  auto ok_options = client_options(good);
  ok_options.transport.ca_file = pki().ca_file.string();
  auto ok_client = public_client(ok_options);
  auto ok = ok_client.impersonate_user({.email = some_seeded_email(ok_client)});
  CHECK_MESSAGE(ok.has_value(), (ok ? "" : ok.error().to_string()));
}

TEST_CASE("429 with Retry-After is waited out: every retry sleeps the server's Retry-After") {
  LogCapture logs;
  auto emu_options = emulator_options();
  emu_options.seed_users = 3;
  emu_options.throttle_rates = {{"impersonateUser", 0.5}};
  emu_options.retry_after = 2s;
  testing::EmulatorFixture emulator(emu_options);
  auto options = client_options(emulator);
  options.retry.max_attempts = 10;  // 0.5 ^ 10: some call would fail only once in a thousand
  InstrumentedClient instrumented(options);
  const std::string email = some_seeded_email(instrumented.client());

  constexpr int kCalls = 20;
  std::vector<Secret> tokens;
  for (int i = 0; i < kCalls; ++i) {
    auto token = instrumented.client().impersonate_user({.email = email});
    REQUIRE_MESSAGE(token.has_value(), (token ? "" : token.error().to_string()));
    tokens.push_back(token->jwt);
  }
  const auto stats = emulator.stats().of("impersonateUser");
  const auto sleeps = instrumented.sleeps();
  MESSAGE(kCalls << " calls, " << stats.faults << " answered 429, " << sleeps.size() << " sleeps");
  CHECK(stats.faults > 0);
  CHECK(stats.calls == kCalls + stats.faults);
  CHECK(sleeps.size() == stats.faults);
  // The backoff alone would be at most 5 ms: each sleep is the server's Retry-After.
  for (const auto delay : sleeps) CHECK(delay == milliseconds(2000));
  std::string leaked = logs.text();
  for (const auto& t : tokens) check_no_secret(leaked, {&t});
  check_no_secret(leaked, {&emulator.access_key(), &emulator.api_token()});
}

TEST_CASE("429 with Retry-After through the public client: the call really waits that long") {
  auto emu_options = emulator_options();
  emu_options.seed_users = 1;
  emu_options.throttle_rates = {{"impersonateUser", 0.5}};
  emu_options.retry_after = 1s;
  testing::EmulatorFixture emulator(emu_options);
  auto options = client_options(emulator);
  options.retry.max_attempts = 10;
  auto client = public_client(options);
  const std::string email = some_seeded_email(client);

  // Call until one call met a 429 (the seed makes this the same call every run).
  bool throttled_once = false;
  for (int i = 0; i < 10 && !throttled_once; ++i) {
    const auto faults_before = emulator.stats().of("impersonateUser").faults;
    const auto start = std::chrono::steady_clock::now();
    auto token = client.impersonate_user({.email = email});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE_MESSAGE(token.has_value(), (token ? "" : token.error().to_string()));
    const auto throttled = emulator.stats().of("impersonateUser").faults - faults_before;
    if (throttled > 0) {
      throttled_once = true;
      CHECK(elapsed >= std::chrono::seconds(throttled));
    }
  }
  CHECK(throttled_once);
}

TEST_CASE("connections the server closes are survived; only idempotent requests are sent again") {
  SUBCASE("closed without notice after each second answer (as idle keep-alive connections are)") {
    auto emu_options = emulator_options();
    emu_options.seed_users = 1;
    emu_options.close_after_requests = 2;
    testing::EmulatorFixture emulator(emu_options);
    InstrumentedClient instrumented(client_options(emulator));
    const std::string email = some_seeded_email(instrumented.client());

    constexpr int kCalls = 30;
    for (int i = 0; i < kCalls; ++i) {
      auto token = instrumented.client().impersonate_user({.email = email});
      REQUIRE_MESSAGE(token.has_value(), (token ? "" : token.error().to_string()));
    }
    const auto transport = instrumented.transport();
    const auto stats = emulator.stats();
    MESSAGE((kCalls + 1) << " calls: " << transport.connections_opened << " connections, "
                         << transport.stale_resends
                         << " requests re-sent after finding the connection closed");
    // The server never reads a request on a connection it closed: nothing was done twice.
    CHECK(stats.of("impersonateUser").calls == kCalls);
    CHECK(stats.total.calls == kCalls + 1);
    CHECK(transport.connections_opened >= (kCalls + 1) / 2);
    CHECK(transport.requests == kCalls + 1 + transport.stale_resends);
    CHECK(instrumented.sleeps().empty());  // survived inside the transport, not by retrying
  }
  SUBCASE("reset after reading 30% of the requests: idempotent calls are retried and succeed") {
    auto emu_options = emulator_options();
    emu_options.seed_users = 1;
    emu_options.reset_rate = 0.3;
    testing::EmulatorFixture emulator(emu_options);
    auto options = client_options(emulator);
    options.retry.max_attempts = 10;
    InstrumentedClient instrumented(options);
    const std::string email = some_seeded_email(instrumented.client());
    emulator.reset();  // counters only
    const auto transport_before = instrumented.transport();
    const auto sleeps_before = instrumented.sleeps().size();

    constexpr int kCalls = 30;
    for (int i = 0; i < kCalls; ++i) {
      auto token = instrumented.client().impersonate_user({.email = email});
      REQUIRE_MESSAGE(token.has_value(), (token ? "" : token.error().to_string()));
    }
    const auto stats = emulator.stats().of("impersonateUser");
    const auto transport = instrumented.transport();
    MESSAGE(kCalls << " calls: " << stats.faults << " resets, "
                   << transport.stale_resends - transport_before.stale_resends
                   << " transport re-sends, " << instrumented.sleeps().size() - sleeps_before
                   << " retries");
    CHECK(stats.faults > 0);
    CHECK(stats.calls == kCalls + stats.faults);
    CHECK(transport.stale_resends - transport_before.stale_resends + instrumented.sleeps().size() -
              sleeps_before ==
          stats.faults);
  }
  SUBCASE("every request reset: deleteUsersFromWorkspace is sent once, impersonateUser retried") {
    auto emu_options = emulator_options();
    emu_options.reset_rate = 1.0;
    testing::EmulatorFixture emulator(emu_options);
    auto options = client_options(emulator);
    options.retry.max_attempts = 3;
    InstrumentedClient instrumented(options);

    auto deleted = instrumented.client().delete_users_from_workspace({.user_ids = {"u-1"}});
    REQUIRE_FALSE(deleted.has_value());
    CHECK(deleted.error().code() == ErrorCode::connect);
    CHECK(emulator.stats().of("deleteUsersFromWorkspace").calls == 1);

    auto token = instrumented.client().impersonate_user({.email = "someone@acme.test"});
    REQUIRE_FALSE(token.has_value());
    CHECK(token.error().code() == ErrorCode::connect);
    CHECK(emulator.stats().of("impersonateUser").calls == 3);
  }
}

TEST_CASE("500 is retried on idempotent operations within the budget, never on createUsers") {
  SUBCASE("every listUsers answered 500: max_attempts tries, then Error{server_error}") {
    auto emu_options = emulator_options();
    emu_options.fail_rates = {{"listUsers", 1.0}};
    testing::EmulatorFixture emulator(emu_options);
    auto options = client_options(emulator);
    options.retry.max_attempts = 3;
    auto users = public_client(options).list_users();
    REQUIRE_FALSE(users.has_value());
    CHECK(users.error().code() == ErrorCode::server_error);
    CHECK(users.error().http_status() == 500);
    CHECK(users.error().operation() == "listUsers");
    CHECK(emulator.stats().of("listUsers").calls == 3);
    CHECK(emulator.stats().of("listUsers").faults == 3);
  }
  SUBCASE("half of the impersonateUser calls answered 500: every token is minted") {
    auto emu_options = emulator_options();
    emu_options.seed_users = 1;
    emu_options.fail_rates = {{"impersonateUser", 0.5}};
    testing::EmulatorFixture emulator(emu_options);
    auto options = client_options(emulator);
    options.retry.max_attempts = 10;
    auto client = public_client(options);
    const std::string email = some_seeded_email(client);
    for (int i = 0; i < 20; ++i) {
      auto token = client.impersonate_user({.email = email});
      CHECK(token.has_value());
    }
    const auto stats = emulator.stats().of("impersonateUser");
    CHECK(stats.faults > 0);
    CHECK(stats.calls == 20 + stats.faults);
  }
  SUBCASE("createUsers answered 500 is reported after one attempt: it may have taken effect") {
    auto emu_options = emulator_options();
    emu_options.fail_rates = {{"createUsers", 1.0}};
    testing::EmulatorFixture emulator(emu_options);
    auto options = client_options(emulator);
    options.retry.max_attempts = 5;
    embark::CreateUsersRequest create;
    create.emails = {"new@example.com"};
    auto created = public_client(options).create_users(create);
    REQUIRE_FALSE(created.has_value());
    CHECK(created.error().code() == ErrorCode::server_error);
    CHECK(created.error().http_status() == 500);
    CHECK(emulator.stats().of("createUsers").calls == 1);
  }
}

TEST_CASE(
    "refused credentials are Error{unauthenticated}, not retried, whichever way the vendor says "
    "it") {
  LogCapture logs;
  for (const auto mode : {emu::AuthErrorMode::graphql, emu::AuthErrorMode::http401}) {
    CAPTURE(static_cast<int>(mode));
    auto emu_options = emulator_options();
    emu_options.auth_errors = mode;
    testing::EmulatorFixture emulator(emu_options);
    const Secret wrong_token("not-the-api-token-0123456789");
    const Secret wrong_key("not-the-access-key-0123456789");

    auto options = client_options(emulator);
    options.api_token = wrong_token;
    auto users = public_client(options).list_users();
    REQUIRE_FALSE(users.has_value());
    CHECK(users.error().code() == ErrorCode::unauthenticated);
    CHECK_FALSE(users.error().retryable());
    CHECK(emulator.stats().of("listUsers").calls == 1);

    options.access_key = wrong_key;
    auto token = public_client(options).impersonate_user({.email = "someone@acme.test"});
    REQUIRE_FALSE(token.has_value());
    CHECK(token.error().code() == ErrorCode::unauthenticated);
    CHECK(emulator.stats().of("impersonateUser").calls == 1);

    options.api_token = Secret();  // management calls now need the (wrong) access key exchanged
    auto exchanged = public_client(options).list_users();
    REQUIRE_FALSE(exchanged.has_value());
    CHECK(exchanged.error().code() == ErrorCode::unauthenticated);
    CHECK(emulator.stats().of("exchangeAccessToken").calls == 1);
    CHECK(emulator.stats().of("listUsers").calls == 1);
    check_no_secret(users.error().to_string() + token.error().to_string() +
                        exchanged.error().to_string() + logs.text(),
                    {&wrong_token, &wrong_key, &emulator.access_key(), &emulator.api_token()});
  }
}

TEST_CASE("a 100,000-user listUsers is parsed with bounded memory") {
  auto emu_options = emulator_options();
  emu_options.seed_users = 100'000;
  testing::EmulatorFixture emulator(emu_options);
  boost::asio::thread_pool io(1);
  boost::asio::post(io, [] { t_count_heap = true; });  // the client's I/O thread is counted
  std::optional<WisdomClient> client;
  {
    auto options = client_options(emulator);
    options.call_deadline =
        600s;  // an upper bound only: under the tsan preset this call takes minutes
    options.transport.operation_timeout = 300s;
    auto made = WisdomClient::create(options, io.get_executor());
    REQUIRE_MESSAGE(made.has_value(), (made ? "" : made.error().to_string()));
    client.emplace(std::move(*made));
  }
  // Warm the connection (and the bearer) so that only listUsers is measured.
  (void)client->impersonate_user({.email = "nobody@acme.test"});

  t_count_heap = true;
  const std::size_t before = g_live.load();
  g_peak.store(before);
  auto users = client->list_users();
  const std::size_t peak = g_peak.load() - before;
  const std::size_t kept = g_live.load() - before;
  t_count_heap = false;

  REQUIRE_MESSAGE(users.has_value(), (users ? "" : users.error().to_string()));
  CHECK(users->size() == 100'000);
  const std::size_t answer = emulator.stats().of("listUsers").response_bytes;
  MESSAGE("listUsers of " << users->size() << " users: answer " << answer << " B, records kept "
                          << kept << " B, peak heap during the call " << peak << " B ("
                          << double(peak) / double(answer) << "x the answer, "
                          << double(peak) / double(kept) << "x the records)");
  // The answer never existed whole next to the records (let alone as a DOM): the records and
  // some buffers are all there is at the peak.
  CHECK(peak < answer + kept);
  CHECK(double(peak) <= 1.5 * double(kept));
  client.reset();
  io.join();
}

TEST_CASE("a client that runs its own I/O thread can be dropped while its pool holds connections") {
  // Regression: the pooled sockets outlived the client's io_context and were closed into freed
  // memory. The corruption shows reliably only under a sanitizer (the tsan preset runs this test)
  // or glibc's heap checks without this binary's counting operator new (embark-bench-client).
  auto emu_options = emulator_options();
  emu_options.seed_users = 1;
  testing::EmulatorFixture emulator(emu_options);
  const auto options = client_options(emulator);
  std::string email;
  for (int i = 0; i < 20; ++i) {
    auto client = public_client(options);
    if (email.empty()) email = some_seeded_email(client);
    auto token = client.impersonate_user({.email = email});
    REQUIRE_MESSAGE(token.has_value(), (token ? "" : token.error().to_string()));
  }
  CHECK(emulator.stats().of("impersonateUser").calls == 20);
}
