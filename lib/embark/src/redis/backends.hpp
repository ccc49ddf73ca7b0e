// The Redis backends behind embark/redis.hpp. Internal.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "embark/directory.hpp"
#include "embark/redis.hpp"
#include "embark/shared_state.hpp"
#include "embark/token_cache.hpp"

#include "redis/client.hpp"

namespace embark::redis {

/// What the backends share: the connection, the local fallback copies, the counters and the
/// list of shared entries to repair once Redis is back. Thread-safe.
struct Core {
  explicit Core(RedisOptions options);
  ~Core();

  /// "embark:v1:{workspace}:" (one Redis Cluster slot per workspace).
  static std::string prefix(std::string_view workspace);
  /// Digest of the lower-cased email (keys never hold an email in clear).
  static std::string user_field(std::string_view email);

  /// Counts a successful round trip.
  void succeeded();
  /// Counts a failed one and logs it (at most one line per 10 s).
  void failed(std::string_view operation, const Error& error);
  /// Whether a batch answered `expected` replies and none was an error (counted either way).
  bool check(std::string_view operation, const Result<std::vector<Reply>>& r, std::size_t expected);
  void observe_epoch(std::string_view workspace, const Reply& reply);
  void mark_dirty_field(std::string key, std::string field);
  void mark_dirty_key(std::string key);
  /// The repair for a new connection whose writes carry `generation`.
  std::vector<Command> repair_commands(std::uint64_t generation);
  void repaired(bool ok);
  /// Whether a Redis miss of the field may be a repair's delete of this instance's own write
  /// (then the local copy answers).
  bool unshared(const std::string& key, const std::string& field);
  /// The field (or, with null, the whole key) holds this instance's writes again.
  void shared_again(const std::string& key, const std::string* field);
  /// The local copy's answer, fingerprints confirmed before the last outage dropped.
  std::optional<DirectoryEntry> local_answer(std::string_view workspace, std::string_view email);
  /// "embark:v1:{ws}:gen:<instance>": the lowest write generation Redis still accepts from this
  /// instance in that workspace.
  std::string generation_key(std::string_view prefix) const;
  /// Leases this instance holds (the directory fences its writes with them), by lock key.
  void lease_granted(const LockLease& lease, std::chrono::milliseconds ttl);
  void lease_released(const LockLease& lease);
  std::optional<LockLease> lease_for(const std::string& lock_key, long long& ttl_ms);
  void reset_local_tokens();
  std::shared_ptr<TokenCache> tokens_copy();
  RedisStats stats() const;

  static constexpr std::size_t kMaxDirty = 10'000;
  static constexpr long long kGenerationTtlMs = 7LL * 24 * 3600 * 1000;

  RedisOptions options;
  std::string instance;  ///< random, names this instance's generation keys
  std::shared_ptr<Client> client;
  std::shared_ptr<InMemoryUserDirectory> local_directory;

  std::mutex local_mutex;
  std::shared_ptr<TokenCache> local_tokens;
  std::unordered_map<std::string, long long> epochs;
  std::set<std::string> workspaces;

  std::mutex dirty_mutex;
  std::set<std::pair<std::string, std::string>> dirty_fields;
  std::set<std::string> dirty_keys;
  std::vector<std::pair<std::string, std::string>> repairing_fields;
  std::vector<std::string> repairing_keys;
  std::set<std::string> dirty_prefixes;  ///< workspaces (key prefixes) with failed writes
  std::vector<std::string> repairing_prefixes;
  std::set<std::pair<std::string, std::string>> unshared_fields;  ///< deleted by a repair
  std::set<std::string> unshared_keys;

  std::mutex lease_mutex;
  std::unordered_map<std::string, LockLease> leases;
  long long max_lock_ttl_ms = 0;

  std::atomic<std::uint64_t> calls{0}, errors{0}, fallbacks{0}, repairs{0}, invalidations{0};
  std::atomic<std::uint64_t> fenced_writes{0}, stale_writes_refused{0}, late_writes_refused{0};
  std::atomic<bool> down{false};
  std::atomic<long long> outage_since{0};  // ms since epoch (system clock)
  std::atomic<long long> last_log{std::numeric_limits<long long>::min() / 2};
};

/// UserDirectory in Redis with a local fallback copy. Thread-safe.
class RedisUserDirectory final : public UserDirectory {
 public:
  explicit RedisUserDirectory(std::shared_ptr<Core> core);
  std::optional<DirectoryEntry> find(std::string_view workspace, std::string_view email) override;
  void put(std::string_view workspace, std::string_view email,
           const DirectoryEntry& entry) override;
  void erase(std::string_view workspace, std::string_view email) override;
  void load_listing(std::string_view workspace, std::span<const UserRecord> users,
                    std::chrono::system_clock::time_point started_at,
                    std::chrono::system_clock::time_point listed_at) override;
  std::size_t size() const override;

  boost::asio::awaitable<Result<std::optional<DirectoryEntry>>> async_find(
      std::string_view workspace, std::string_view email) override;
  boost::asio::awaitable<Result<void>> async_put(std::string_view workspace, std::string_view email,
                                                 const DirectoryEntry& entry) override;
  boost::asio::awaitable<Result<void>> async_erase(std::string_view workspace,
                                                   std::string_view email) override;
  /// The listing's writes pipelined through the client, never blocking the caller's thread.
  boost::asio::awaitable<Result<void>> async_load_listing(
      std::string_view workspace, std::span<const UserRecord> users,
      std::chrono::system_clock::time_point started_at,
      std::chrono::system_clock::time_point listed_at) override;
  boost::asio::awaitable<void> co_load_listing(std::string_view workspace,
                                               std::span<const UserRecord> users,
                                               std::chrono::system_clock::time_point started_at,
                                               std::chrono::system_clock::time_point listed_at);
  boost::asio::awaitable<std::optional<DirectoryEntry>> co_find(std::string_view workspace,
                                                                std::string_view email);
  boost::asio::awaitable<void> co_put(std::string_view workspace, std::string_view email,
                                      const DirectoryEntry& entry);
  boost::asio::awaitable<void> co_erase(std::string_view workspace, std::string_view email);

 private:
  std::vector<Command> find_batch(std::string_view workspace, std::string_view email) const;
  std::optional<DirectoryEntry> on_find(std::string_view workspace, std::string_view email,
                                        const Result<std::vector<Reply>>& r);
  void on_write(std::string_view operation, std::string_view workspace, std::string_view email,
                const Result<std::vector<Reply>>& r);
  void on_put(std::string_view workspace, std::string_view email, bool fenced,
              const Result<std::vector<Reply>>& r);

 public:
  /// The key of the user's onboarding lock (the pipeline's lock name "onboard:<user fingerprint>").
  static std::string lock_key(std::string_view workspace, std::string_view email);
  /// The write of one entry: generation-checked, and fenced by the user's lease when this
  /// instance holds one.
  Command put_command(std::string_view workspace, std::string_view email,
                      const DirectoryEntry& entry) const;

 private:
  std::shared_ptr<Core> core_;
};

/// TokenCache in Redis (AES-256-GCM values) with a local fallback copy. Thread-safe.
class RedisTokenCache final : public TokenCache {
 public:
  explicit RedisTokenCache(std::shared_ptr<Core> core);
  std::optional<SessionToken> find(const TokenKey& key, std::chrono::system_clock::time_point now,
                                   std::chrono::seconds margin) override;
  void put(const TokenKey& key, const SessionToken& token) override;
  void erase(const TokenKey& key) override;
  /// Drops every token of the user here and in Redis, and bumps the workspace's invalidation
  /// epoch so that other instances drop their local copies too (Onboarder::forget).
  void erase_user(std::string_view workspace, std::string_view email) override;
  std::size_t size() const override;

  boost::asio::awaitable<Result<std::optional<SessionToken>>> async_find(
      const TokenKey& key, std::chrono::system_clock::time_point now,
      std::chrono::seconds margin) override;
  boost::asio::awaitable<Result<void>> async_put(const TokenKey& key,
                                                 const SessionToken& token) override;
  boost::asio::awaitable<Result<void>> async_erase(const TokenKey& key) override;
  boost::asio::awaitable<std::optional<SessionToken>> co_find(
      const TokenKey& key, std::chrono::system_clock::time_point now, std::chrono::seconds margin);
  boost::asio::awaitable<void> co_put(const TokenKey& key, const SessionToken& token);
  boost::asio::awaitable<void> co_erase(const TokenKey& key);

  static std::string key_of(const TokenKey& key);
  static std::string field_of(const TokenKey& key);

 private:
  std::optional<SessionToken> on_find(const TokenKey& key,
                                      std::chrono::system_clock::time_point now,
                                      std::chrono::seconds margin,
                                      const Result<std::vector<Reply>>& r);
  std::optional<std::vector<Command>> put_batch(const TokenKey& key,
                                                const SessionToken& token) const;
  void on_put(const TokenKey& key, const Result<std::vector<Reply>>& r);
  std::shared_ptr<Core> core_;
};

/// LockService over `SET NX PX` with a fencing counter and a compare-and-delete release.
class RedisLockService final : public LockService {
 public:
  explicit RedisLockService(std::shared_ptr<Core> core);
  boost::asio::awaitable<Result<std::optional<LockLease>>> async_try_acquire(
      std::string_view workspace, std::string_view name, std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<Result<bool>> async_release(const LockLease& lease) override;
  boost::asio::awaitable<Result<bool>> async_is_held(std::string_view workspace,
                                                     std::string_view name) override;

 private:
  std::shared_ptr<Core> core_;
};

/// RateLimiter: one token bucket per workspace in Redis (Lua), a local bucket while it is away.
class RedisRateLimiter final : public RateLimiter {
 public:
  explicit RedisRateLimiter(std::shared_ptr<Core> core);
  boost::asio::awaitable<std::chrono::milliseconds> async_acquire(
      std::string_view workspace) override;

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last{};
  };
  std::shared_ptr<Core> core_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> local_;
};

}  // namespace embark::redis
