// Shared state in Redis: user directory, token cache, cross-instance lock and vendor rate limit,
// so many app instances behind a load balancer share what one of them learned from the vendor.
// Available when embark is built with the `redis` switch (EMBARK_HAS_REDIS is then defined).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "embark/client_options.hpp"
#include "embark/config.hpp"
#include "embark/directory.hpp"
#include "embark/observer.hpp"
#include "embark/result.hpp"
#include "embark/secret.hpp"
#include "embark/shared_state.hpp"
#include "embark/token_cache.hpp"

namespace embark {

/// Where a Redis server is: `redis://[user:password@]host[:port][/db]` or
/// `unix://[user:password@]/path/to/redis.sock[?db=N]`.
struct RedisUrl {
  enum class Transport { tcp, unix_socket };
  Transport transport = Transport::tcp;
  std::string host;           ///< tcp only
  std::uint16_t port = 6379;  ///< tcp only
  std::string path;           ///< unix_socket only
  std::string user;           ///< AUTH user name (empty: the default user)
  Secret password;            ///< AUTH password (empty: no AUTH)
  int db = 0;                 ///< SELECT db (0: none sent)
};

/// Parses a Redis URL; errors are invalid_input naming the field `field` ("redis" by default).
Result<RedisUrl> parse_redis_url(std::string_view url, std::string_view field = "redis");
/// The URL without its password (safe for logs and errors).
std::string to_string(const RedisUrl& url);

/// Settings of the Redis shared state.
struct RedisOptions {
  RedisUrl url;
  /// AES-256-GCM key for the token cache (32 bytes). Empty: tokens are not shared (each instance
  /// keeps its own in-memory token cache), so a Redis dump never holds a session JWT.
  Secret token_key;
  /// Longest wait for one Redis round trip; beyond it the call counts as failed and the login
  /// goes on with local state.
  std::chrono::milliseconds timeout{25};
  /// After a failed connection, calls fail fast (local state) for this long, doubling up to
  /// `max_reconnect_backoff` while Redis stays away.
  std::chrono::milliseconds reconnect_backoff{50};
  std::chrono::milliseconds max_reconnect_backoff{1000};
  /// Time to live of a cross-instance onboarding lock (a crashed holder blocks others this long).
  std::chrono::milliseconds lock_ttl{5000};
  /// Shared vendor budget: requests per second and burst, per workspace (0: no shared limit).
  double vendor_rate = 0;
  double vendor_burst = 0;
  /// Told of every failed Redis call (Observer::on_shared_state_error; MetricsObserver counts
  /// them as embark_shared_state_errors_total). Usually the OnboarderConfig's observers.
  std::vector<std::shared_ptr<Observer>> observers;
  /// Local fallback bounds (used while Redis is unreachable).
  std::size_t local_directory_entries = 200'000;
  std::size_t local_token_entries = 100'000;
};

/// Parses a token key: 64 hex digits (32 bytes). Errors name the field `field`.
Result<Secret> parse_token_key(std::string_view hex, std::string_view field = "token_key");

/// Counters of the Redis shared state (`errors` is what observers see as shared-state errors).
struct RedisStats {
  std::uint64_t calls = 0;          ///< Redis round trips attempted by the backends
  std::uint64_t errors = 0;         ///< round trips that failed (unreachable, slow, garbage)
  std::uint64_t fallbacks = 0;      ///< operations answered from local state instead
  std::uint64_t repairs = 0;        ///< stale shared entries removed after Redis came back
  std::uint64_t invalidations = 0;  ///< forget() messages received from other instances
  std::uint64_t fenced_writes = 0;  ///< directory writes made under an onboarding lock
  /// Directory writes of a holder whose lock had expired (or of one granted before it), turned
  /// into deletes: their order against another holder's vendor writes is unknown.
  std::uint64_t stale_writes_refused = 0;
  /// Writes of a dropped connection that Redis executed only after the repair (refused).
  std::uint64_t late_writes_refused = 0;
  bool connected = false;  ///< whether the last round trip succeeded
};

/// The Redis backends, ready to put into OnboarderConfig (directory, token_cache, lock_service,
/// rate_limiter). All members are thread-safe and share one connection (pipelined) on an I/O
/// thread of their own, so no call blocks the caller's executor on the network.
struct RedisSharedState {
  std::shared_ptr<UserDirectory> directory;
  std::shared_ptr<TokenCache> token_cache;  ///< in-memory when no token key was given
  std::shared_ptr<LockService> lock_service;
  std::shared_ptr<RateLimiter> rate_limiter;  ///< null when vendor_rate is 0
  /// Counters so far (thread-safe).
  std::function<RedisStats()> stats;
  /// Drops every shared and local entry of one user (directory and tokens) on every instance:
  /// deletes the shared entries and publishes the email's digest so other instances drop their
  /// local copies. Never throws; errors are counted.
  std::function<void(std::string_view workspace, std::string_view email)> forget;
};

/// Puts the backends into an OnboarderConfig: directory, token_cache, lock_service.
void apply(const RedisSharedState& shared, OnboarderConfig& config);
/// Puts the shared vendor budget into ClientOptions (rate_limiter; nothing when it is null).
void apply(const RedisSharedState& shared, ClientOptions& options);

/// Builds the Redis backends. Does not connect yet (the first call does, and a Redis that is down
/// at start-up only means local-only behaviour until it comes up). Fails with invalid_input on a
/// bad token key.
Result<RedisSharedState> make_redis_shared_state(RedisOptions options);

}  // namespace embark
