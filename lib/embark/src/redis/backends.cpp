// Redis backends of the shared state. Every operation tries Redis once (one pipelined batch) and
// falls back to a local in-memory copy when Redis is unreachable, slow or answers garbage: a
// shared-state failure never fails a login.
#include "redis/backends.hpp"

#include <atomic>
#include <charconv>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "embark/log.hpp"
#include "embark/redis.hpp"

#include "redis/client.hpp"
#include "redis/crypto.hpp"

namespace embark::redis {
namespace {

namespace asio = boost::asio;
using SystemClock = std::chrono::system_clock;
using std::chrono::milliseconds;

// Acquire: take the lock only if free, and number the grant (fencing token) in the same slot.
constexpr std::string_view kAcquireScript = R"(
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0)";

// Release: delete only while the lock still holds our value (a lock that expired and went to
// another holder is not ours to delete).
constexpr std::string_view kReleaseScript = R"(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0)";

// Token bucket shared by all instances; time from the server so instances need no common clock.
// Returns 0 when a token was taken, else the milliseconds until one is due.
constexpr std::string_view kBucketScript = R"(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait)";

// Writes of this instance carry its write generation; a repair after a failed connection raises
// the generation recorded in Redis first, so a write of the dropped connection that Redis executes
// only later (it was still in the socket when Redis stalled) is refused instead of overwriting
// newer state. Generations only grow, so a workspace repaired long ago accepts today's writes.
// KEYS: hash, generation. ARGV: generation, field, value[, field, value ...]. -1: refused.
constexpr std::string_view kPutScript = R"(
if tonumber(ARGV[1]) < tonumber(redis.call('GET', KEYS[2]) or '0') then return -1 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1)";

// A directory write made while holding the user's onboarding lock. A holder whose lease has
// expired (another instance may hold it now) cannot know how its vendor write is ordered against
// the new holder's, so its write deletes the entry instead (the next login asks the vendor) and
// marks the user contested up to the latest grant: holders granted before that point are refused
// too (their vendor writes may be older than the stale holder's), later grants write normally.
// KEYS: dir, generation, lock, contested, fence counter.
// ARGV: generation, field, value, owner, fence, contested ttl ms.
// -1: refused (generation), 0: refused (fence; entry deleted), 1: written.
constexpr std::string_view kFencedPutScript = R"(
if tonumber(ARGV[1]) < tonumber(redis.call('GET', KEYS[2]) or '0') then return -1 end
local fence = tonumber(ARGV[5])
if redis.call('GET', KEYS[3]) ~= ARGV[4] then
  redis.call('HDEL', KEYS[1], ARGV[2])
  local latest = tonumber(redis.call('GET', KEYS[5]) or '0')
  if latest > tonumber(redis.call('GET', KEYS[4]) or '0') then
    redis.call('SET', KEYS[4], latest, 'PX', ARGV[6])
  end
  return 0
end
if fence <= tonumber(redis.call('GET', KEYS[4]) or '0') then
  redis.call('HDEL', KEYS[1], ARGV[2])
  return 0
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 1)";

// A token: the hash lives as long as its longest-lived token (NX sets the first expiry, GT never
// shortens it). Generation-checked like kPutScript (a late write could revive a forgotten user's
// token). KEYS: tokens, generation. ARGV: generation, field, value, ttl ms.
constexpr std::string_view kTokenPutScript = R"(
if tonumber(ARGV[1]) < tonumber(redis.call('GET', KEYS[2]) or '0') then return -1 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4], 'NX')
redis.call('PEXPIRE', KEYS[1], ARGV[4], 'GT')
return 1)";

// Removes directory fields only if they still hold the value the caller read (a put that raced
// with the listing survives).
constexpr std::string_view kPruneScript = R"(
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    n = n + redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return n)";

std::string hex(const unsigned char* p, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

// 128 bits of SHA-256, hex: keys and fields never carry an email in clear.
std::string digest(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_Digest(text.data(), text.size(), md, &len, kSha256, nullptr);
  return hex(md, 16);
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  return hex(reinterpret_cast<const unsigned char*>(raw.data()), bytes);
}

long long to_ms(SystemClock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

bool parse_ll(std::string_view s, long long& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_fp(std::string_view s, std::optional<Fingerprint>& out) {
  if (s.empty()) {
    out.reset();
    return true;
  }
  Fingerprint v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  out = v;
  return true;
}

// "1|attributes|roles|seen_ms|user_id": the id last, as it may contain anything.
std::string encode(const DirectoryEntry& e) {
  std::string s = "1|";
  if (e.attributes) s += to_hex(*e.attributes);
  s += '|';
  if (e.roles) s += to_hex(*e.roles);
  s += '|';
  s += std::to_string(to_ms(e.seen));
  s += '|';
  s += e.user_id;
  return s;
}

std::optional<DirectoryEntry> decode(std::string_view s) {
  std::string_view parts[4];
  for (auto& part : parts) {
    const auto bar = s.find('|');
    if (bar == std::string_view::npos) return std::nullopt;
    part = s.substr(0, bar);
    s.remove_prefix(bar + 1);
  }
  if (parts[0] != "1") return std::nullopt;
  DirectoryEntry e;
  long long seen = 0;
  if (!parse_fp(parts[1], e.attributes) || !parse_fp(parts[2], e.roles) ||
      !parse_ll(parts[3], seen)) {
    return std::nullopt;
  }
  e.seen = SystemClock::time_point(milliseconds(seen));
  e.user_id = std::string(s);
  return e;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Core::Core(RedisOptions o)
    : options(std::move(o)),
      client(std::make_shared<Client>(
          options.url, ClientOptions{.timeout = options.timeout,
                                     .reconnect_backoff = options.reconnect_backoff,
                                     .max_reconnect_backoff = options.max_reconnect_backoff})) {
  instance = random_hex(8);
  InMemoryDirectoryOptions d;
  d.max_entries = options.local_directory_entries;
  local_directory = std::make_shared<InMemoryUserDirectory>(d);
  reset_local_tokens();
  client->set_connect_hook(ConnectHook{
      .commands = [this](std::uint64_t generation) { return repair_commands(generation); },
      .done = [this](bool ok) { repaired(ok); },
  });
}

// The client first: its thread runs the connect hook, which uses the members below.
Core::~Core() { client.reset(); }

std::string Core::prefix(std::string_view workspace) {
  // One hash tag per workspace: all its keys live in one Redis Cluster slot (Lua scripts touch
  // several). Names with braces, or that could be mistaken for the empty/hashed forms, are hashed.
  std::string p = "embark:v1:{";
  if (workspace.empty()) {
    p += '~';
  } else if (workspace.size() > 64 || workspace.find_first_of("{}") != std::string_view::npos ||
             workspace.front() == '~' || workspace.front() == '#') {
    p += '#';
    p += digest(workspace);
  } else {
    p += workspace;
  }
  p += "}:";
  return p;
}

std::string Core::user_field(std::string_view email) { return digest(lower_email(email)); }

void Core::reset_local_tokens() {
  InMemoryTokenCacheOptions t;
  t.max_entries = options.local_token_entries;
  auto fresh = std::make_shared<InMemoryTokenCache>(t);
  std::lock_guard lock(local_mutex);
  local_tokens = std::move(fresh);
}

std::shared_ptr<TokenCache> Core::tokens_copy() {
  std::lock_guard lock(local_mutex);
  return local_tokens;
}

void Core::succeeded() {
  calls.fetch_add(1, std::memory_order_relaxed);
  if (down.exchange(false)) {
    logf(LogLevel::warn, "redis", "shared state is back on {}", to_string(options.url));
  }
}

void Core::failed(std::string_view operation, const Error& error) {
  calls.fetch_add(1, std::memory_order_relaxed);
  errors.fetch_add(1, std::memory_order_relaxed);
  fallbacks.fetch_add(1, std::memory_order_relaxed);
  if (!options.observers.empty()) {
    const SharedStateEvent event{"redis", operation, &error};
    for (const auto& observer : options.observers) {
      try {
        observer->on_shared_state_error(event);
      } catch (...) {
        // An observer's failure must not turn a fallback into a failed login.
      }
    }
  }
  // Whole seconds: the local directory keeps `seen` at that precision.
  if (!down.exchange(true)) outage_since.store(to_ms(SystemClock::now()) / 1000 * 1000);
  // One line per 10 s at most: a dead Redis must not flood the log at thousands of logins/s.
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  auto last = last_log.load();
  constexpr auto kEvery =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::seconds(10))
          .count();
  if (now - last >= kEvery && last_log.compare_exchange_strong(last, now)) {
    const auto total = errors.load();
    logf(LogLevel::warn, "redis",
         "shared state unavailable ({} failed calls so far; last: {} {}); logins go on with "
         "this instance's local state",
         total, operation, error.message());
  }
}

bool Core::check(std::string_view operation, const Result<std::vector<Reply>>& r,
                 std::size_t expected) {
  if (!r) {
    failed(operation, r.error());
    return false;
  }
  if (r->size() != expected) {
    failed(operation, Error(ErrorCode::protocol, "unexpected number of replies"));
    return false;
  }
  for (const auto& reply : *r) {
    if (reply.is_error()) {
      failed(operation, Error(ErrorCode::protocol, "redis error: " + reply.str));
      return false;
    }
  }
  succeeded();
  return true;
}

// The invalidation epoch of a workspace: forget() bumps it; an instance that sees a new value
// drops its local copies (they are only used while Redis is away).
void Core::observe_epoch(std::string_view workspace, const Reply& reply) {
  long long epoch = 0;
  if (reply.type == Reply::Type::string) parse_ll(reply.str, epoch);
  std::unique_lock lock(local_mutex);
  auto [it, inserted] = epochs.try_emplace(std::string(workspace), epoch);
  if (inserted || it->second == epoch) return;
  it->second = epoch;
  lock.unlock();
  invalidations.fetch_add(1, std::memory_order_relaxed);
  // Empty listing "taken" in the far future: removes every local entry of the workspace.
  const auto future = SystemClock::now() + std::chrono::hours(24 * 365);
  local_directory->load_listing(workspace, {}, future, future);
  reset_local_tokens();
}

namespace {
// "embark:v1:{ws}:dir" -> "embark:v1:{ws}:"
std::string prefix_of(const std::string& key) {
  const auto end = key.find("}:");
  return end == std::string::npos ? std::string() : key.substr(0, end + 2);
}
}  // namespace

std::string Core::generation_key(std::string_view prefix) const {
  return std::string(prefix) + "gen:" + instance;
}

void Core::mark_dirty_field(std::string key, std::string field) {
  std::lock_guard lock(dirty_mutex);
  dirty_prefixes.insert(prefix_of(key));
  if (dirty_fields.size() >= kMaxDirty) {
    dirty_keys.insert(std::move(key));
  } else {
    dirty_fields.emplace(std::move(key), std::move(field));
  }
}

void Core::mark_dirty_key(std::string key) {
  std::lock_guard lock(dirty_mutex);
  dirty_prefixes.insert(prefix_of(key));
  dirty_keys.insert(std::move(key));
}

// First on a new connection: raise the write generation of every workspace with failed writes
// (their late copies are then refused), then delete what they may have left behind.
std::vector<Command> Core::repair_commands(std::uint64_t generation) {
  std::lock_guard lock(dirty_mutex);
  std::vector<Command> out;
  repairing_fields.assign(dirty_fields.begin(), dirty_fields.end());
  repairing_keys.assign(dirty_keys.begin(), dirty_keys.end());
  repairing_prefixes.assign(dirty_prefixes.begin(), dirty_prefixes.end());
  if (repairing_prefixes.empty()) return out;
  const auto gen = std::to_string(generation);
  for (const auto& p : repairing_prefixes)
    out.push_back({"SET", generation_key(p), gen, "PX", std::to_string(kGenerationTtlMs)});
  for (const auto& [key, field] : repairing_fields) out.push_back({"HDEL", key, field});
  for (const auto& key : repairing_keys) out.push_back({"DEL", key});
  return out;
}

void Core::repaired(bool ok) {
  std::lock_guard lock(dirty_mutex);
  if (ok) {
    repairs.fetch_add(repairing_fields.size() + repairing_keys.size());
    for (const auto& f : repairing_fields) dirty_fields.erase(f);
    for (const auto& k : repairing_keys) dirty_keys.erase(k);
    for (const auto& p : repairing_prefixes) dirty_prefixes.erase(p);
    // What the repair deleted is now known only to this instance's local copy.
    if (unshared_fields.size() + repairing_fields.size() > kMaxDirty) unshared_fields.clear();
    unshared_fields.insert(repairing_fields.begin(), repairing_fields.end());
    unshared_keys.insert(repairing_keys.begin(), repairing_keys.end());
  }
  repairing_fields.clear();
  repairing_keys.clear();
  repairing_prefixes.clear();
}

bool Core::unshared(const std::string& key, const std::string& field) {
  std::lock_guard lock(dirty_mutex);
  return unshared_keys.count(key) > 0 || unshared_fields.count({key, field}) > 0;
}

void Core::shared_again(const std::string& key, const std::string* field) {
  std::lock_guard lock(dirty_mutex);
  if (field) {
    unshared_fields.erase({key, *field});
    return;
  }
  unshared_keys.erase(key);
  for (auto it = unshared_fields.lower_bound({key, std::string()});
       it != unshared_fields.end() && it->first == key;)
    it = unshared_fields.erase(it);
}

std::optional<DirectoryEntry> Core::local_answer(std::string_view workspace,
                                                 std::string_view email) {
  auto entry = local_directory->find(workspace, email);
  // Another instance may have changed what the vendor holds since this copy was confirmed:
  // keep the id, forget fingerprints older than the outage, so attributes are sent again.
  if (entry && to_ms(entry->seen) < outage_since.load()) {
    entry->attributes.reset();
    entry->roles.reset();
  }
  return entry;
}

void Core::lease_granted(const LockLease& lease, milliseconds ttl) {
  std::lock_guard lock(lease_mutex);
  leases[lease.key] = lease;
  if (ttl.count() > max_lock_ttl_ms) max_lock_ttl_ms = ttl.count();
}

void Core::lease_released(const LockLease& lease) {
  std::lock_guard lock(lease_mutex);
  auto it = leases.find(lease.key);
  if (it != leases.end() && it->second.owner == lease.owner) leases.erase(it);
}

std::optional<LockLease> Core::lease_for(const std::string& lock_key, long long& ttl_ms) {
  std::lock_guard lock(lease_mutex);
  ttl_ms = max_lock_ttl_ms;
  auto it = leases.find(lock_key);
  if (it == leases.end()) return std::nullopt;
  return it->second;
}

RedisStats Core::stats() const {
  RedisStats s;
  s.calls = calls.load();
  s.errors = errors.load();
  s.fallbacks = fallbacks.load();
  s.repairs = repairs.load();
  s.invalidations = invalidations.load();
  s.fenced_writes = fenced_writes.load();
  s.stale_writes_refused = stale_writes_refused.load();
  s.late_writes_refused = late_writes_refused.load();
  s.connected = client->connected();
  return s;
}

// ---------------------------------------------------------------------------------------------
// Directory: one hash per workspace, field = digest of the lower-cased email.

RedisUserDirectory::RedisUserDirectory(std::shared_ptr<Core> core) : core_(std::move(core)) {}

std::vector<Command> RedisUserDirectory::find_batch(std::string_view workspace,
                                                    std::string_view email) const {
  const auto p = Core::prefix(workspace);
  return {{"HGET", p + "dir", Core::user_field(email)}, {"GET", p + "epoch"}};
}

std::optional<DirectoryEntry> RedisUserDirectory::on_find(std::string_view workspace,
                                                          std::string_view email,
                                                          const Result<std::vector<Reply>>& r) {
  auto& local = *core_->local_directory;
  if (!core_->check("directory find", r, 2)) return core_->local_answer(workspace, email);
  core_->observe_epoch(workspace, (*r)[1]);
  const Reply& value = (*r)[0];
  if (value.is_nil()) {
    // Deleted by the repair after a failed write of ours (e.g. a listing taken while Redis was
    // away): this instance's copy is the freshest knowledge until it is shared again.
    if (core_->unshared(Core::prefix(workspace) + "dir", Core::user_field(email)))
      return core_->local_answer(workspace, email);
    local.erase(workspace, email);
    return std::nullopt;
  }
  auto entry = value.type == Reply::Type::string ? decode(value.str) : std::nullopt;
  if (!entry) {
    core_->failed("directory find", Error(ErrorCode::protocol, "undecodable directory entry"));
    return std::nullopt;  // a miss: the vendor is asked, the put that follows repairs it
  }
  local.put(workspace, email, *entry);
  return entry;
}

std::optional<DirectoryEntry> RedisUserDirectory::find(std::string_view workspace,
                                                       std::string_view email) {
  return on_find(workspace, email, core_->client->exec(find_batch(workspace, email)));
}

asio::awaitable<std::optional<DirectoryEntry>> RedisUserDirectory::co_find(
    std::string_view workspace, std::string_view email) {
  auto r = co_await core_->client->co_batch(find_batch(workspace, email));
  co_return on_find(workspace, email, r);
}

void RedisUserDirectory::on_write(std::string_view operation, std::string_view workspace,
                                  std::string_view email, const Result<std::vector<Reply>>& r) {
  // The shared entry now may contradict the vendor: remove it as soon as Redis is back.
  if (!core_->check(operation, r, 1))
    core_->mark_dirty_field(Core::prefix(workspace) + "dir", Core::user_field(email));
}

// The onboarding lock of the user, as the pipeline names it ("onboard:" + user fingerprint).
std::string RedisUserDirectory::lock_key(std::string_view workspace, std::string_view email) {
  return Core::prefix(workspace) + "lock:onboard:" + to_hex(user_fingerprint(workspace, email));
}

Command RedisUserDirectory::put_command(std::string_view workspace, std::string_view email,
                                        const DirectoryEntry& entry) const {
  const auto p = Core::prefix(workspace);
  const std::string gen(kWriteGeneration);
  long long ttl_ms = 0;
  auto lease = core_->lease_for(lock_key(workspace, email), ttl_ms);
  if (!lease) {
    return {"EVAL", std::string(kPutScript), "2",          p + "dir", core_->generation_key(p),
            gen,    Core::user_field(email), encode(entry)};
  }
  return {"EVAL",
          std::string(kFencedPutScript),
          "5",
          p + "dir",
          core_->generation_key(p),
          lease->key,
          p + "contested:" + Core::user_field(email),
          p + "fence",
          gen,
          Core::user_field(email),
          encode(entry),
          lease->owner,
          std::to_string(lease->fence),
          std::to_string(std::max<long long>(ttl_ms, 1000))};
}

void RedisUserDirectory::on_put(std::string_view workspace, std::string_view email, bool fenced,
                                const Result<std::vector<Reply>>& r) {
  on_write("directory put", workspace, email, r);
  if (!r || r->size() != 1 || (*r)[0].type != Reply::Type::integer) return;
  const auto written = (*r)[0].integer;
  if (written == 1) {
    const auto field = Core::user_field(email);
    core_->shared_again(Core::prefix(workspace) + "dir", &field);
  }
  if (written == -1) {
    core_->late_writes_refused.fetch_add(1, std::memory_order_relaxed);
  } else if (fenced) {
    core_->fenced_writes.fetch_add(1, std::memory_order_relaxed);
    if (written == 0) core_->stale_writes_refused.fetch_add(1, std::memory_order_relaxed);
  }
}

void RedisUserDirectory::put(std::string_view workspace, std::string_view email,
                             const DirectoryEntry& entry) {
  core_->local_directory->put(workspace, email, entry);
  auto command = put_command(workspace, email, entry);
  const bool fenced = command[1] == kFencedPutScript;
  on_put(workspace, email, fenced, core_->client->exec({std::move(command)}));
}

asio::awaitable<void> RedisUserDirectory::co_put(std::string_view workspace, std::string_view email,
                                                 const DirectoryEntry& entry) {
  core_->local_directory->put(workspace, email, entry);
  auto command = put_command(workspace, email, entry);
  const bool fenced = command[1] == kFencedPutScript;
  std::vector<Command> batch;
  batch.push_back(std::move(command));
  auto r = co_await core_->client->co_batch(std::move(batch));
  on_put(workspace, email, fenced, r);
}

void RedisUserDirectory::erase(std::string_view workspace, std::string_view email) {
  core_->local_directory->erase(workspace, email);
  on_write(
      "directory erase", workspace, email,
      core_->client->exec({{"HDEL", Core::prefix(workspace) + "dir", Core::user_field(email)}}));
}

asio::awaitable<void> RedisUserDirectory::co_erase(std::string_view workspace,
                                                   std::string_view email) {
  core_->local_directory->erase(workspace, email);
  std::vector<Command> batch{{"HDEL", Core::prefix(workspace) + "dir", Core::user_field(email)}};
  auto r = co_await core_->client->co_batch(std::move(batch));
  on_write("directory erase", workspace, email, r);
}

void RedisUserDirectory::load_listing(std::string_view workspace, std::span<const UserRecord> users,
                                      SystemClock::time_point started_at,
                                      SystemClock::time_point listed_at) {
  // The coroutine runs on the client's thread (it never blocks there); this caller waits.
  asio::co_spawn(core_->client->executor(),
                 co_load_listing(workspace, users, started_at, listed_at), asio::use_future)
      .get();
}

asio::awaitable<Result<void>> RedisUserDirectory::async_load_listing(
    std::string_view workspace, std::span<const UserRecord> users,
    SystemClock::time_point started_at, SystemClock::time_point listed_at) {
  co_await co_load_listing(workspace, users, started_at, listed_at);
  co_return Result<void>();
}

// Writes go out pipelined, several chunks per round trip, each awaited without blocking a thread.
asio::awaitable<void> RedisUserDirectory::co_load_listing(std::string_view workspace,
                                                          std::span<const UserRecord> users,
                                                          SystemClock::time_point started_at,
                                                          SystemClock::time_point listed_at) {
  core_->local_directory->load_listing(workspace, users, started_at, listed_at);
  const std::string key = Core::prefix(workspace) + "dir";
  const milliseconds bulk(std::max<long long>(1000, core_->options.timeout.count()));
  auto fail = [&] { core_->mark_dirty_key(key); };

  std::set<std::string> listed;
  constexpr std::size_t kChunk = 500;        // fields per HSET
  constexpr std::size_t kChunksPerTrip = 8;  // HSETs per round trip
  std::vector<Command> trip;
  const auto p = Core::prefix(workspace);
  for (std::size_t i = 0; i < users.size(); i += kChunk) {
    Command hset{"EVAL", std::string(kPutScript),  "2",
                 key,    core_->generation_key(p), std::string(kWriteGeneration)};
    for (std::size_t j = i; j < std::min(users.size(), i + kChunk); ++j) {
      const auto& u = users[j];
      DirectoryEntry e;
      e.user_id = u.id;
      e.attributes = fingerprint(u.attributes);
      e.roles = fingerprint(u.roles);
      e.seen = listed_at;
      auto field = Core::user_field(u.email);
      hset.push_back(field);
      hset.push_back(encode(e));
      listed.insert(std::move(field));
    }
    trip.push_back(std::move(hset));
    if (trip.size() == kChunksPerTrip || i + kChunk >= users.size()) {
      const std::size_t n = trip.size();
      std::vector<Command> batch = std::exchange(trip, {});
      auto r = co_await core_->client->co_batch(std::move(batch), bulk);
      if (!core_->check("directory listing", r, n)) co_return fail();
    }
  }
  // Prune entries confirmed before the listing started and absent from it.
  std::string cursor = "0";
  const long long started_ms = to_ms(started_at);
  do {
    std::vector<Command> scan{{"HSCAN", key, cursor, "COUNT", "1000"}};
    auto r = co_await core_->client->co_batch(std::move(scan), bulk);
    if (!core_->check("directory listing", r, 1)) co_return fail();
    const Reply& page = (*r)[0];
    if (page.elements.size() != 2) {
      core_->failed("directory listing", Error(ErrorCode::protocol, "bad HSCAN reply"));
      co_return fail();
    }
    cursor = page.elements[0].str;
    Command prune{"EVAL", std::string(kPruneScript), "1", key};
    const auto& kv = page.elements[1].elements;
    for (std::size_t i = 0; i + 1 < kv.size(); i += 2) {
      if (listed.count(kv[i].str)) continue;
      auto entry = decode(kv[i + 1].str);
      if (entry && to_ms(entry->seen) >= started_ms) continue;
      prune.push_back(kv[i].str);
      prune.push_back(kv[i + 1].str);
    }
    if (prune.size() > 4) {
      std::vector<Command> batch;
      batch.push_back(std::move(prune));
      auto pruned = co_await core_->client->co_batch(std::move(batch), bulk);
      if (!core_->check("directory listing", pruned, 1)) co_return fail();
    }
  } while (cursor != "0");
  core_->shared_again(key, nullptr);
  std::lock_guard lock(core_->local_mutex);
  core_->workspaces.insert(std::string(workspace));
}

std::size_t RedisUserDirectory::size() const {
  std::vector<Command> batch;
  {
    std::lock_guard lock(core_->local_mutex);
    for (const auto& ws : core_->workspaces) batch.push_back({"HLEN", Core::prefix(ws) + "dir"});
  }
  if (batch.empty()) return core_->local_directory->size();
  auto r = core_->client->exec(batch);
  if (!core_->check("directory size", r, batch.size())) return core_->local_directory->size();
  std::size_t n = 0;
  for (const auto& reply : *r) n += static_cast<std::size_t>(reply.integer);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Token cache: one hash per user (so forget() is one DEL), field = digest of the fingerprints,
// value = AES-256-GCM(expiry + JWT) bound to key and field. The hash lives as long as its
// longest-lived token.

RedisTokenCache::RedisTokenCache(std::shared_ptr<Core> core) : core_(std::move(core)) {}

std::string RedisTokenCache::key_of(const TokenKey& key) {
  return Core::prefix(key.workspace) + "tok:" + Core::user_field(key.email);
}

std::string RedisTokenCache::field_of(const TokenKey& key) {
  return to_hex(key.session_attributes) + to_hex(key.entitlements);
}

std::optional<SessionToken> RedisTokenCache::on_find(const TokenKey& key,
                                                     SystemClock::time_point now,
                                                     std::chrono::seconds margin,
                                                     const Result<std::vector<Reply>>& r) {
  if (!core_->check("token find", r, 2)) return core_->tokens_copy()->find(key, now, margin);
  core_->observe_epoch(key.workspace, (*r)[1]);
  const Reply& value = (*r)[0];
  if (value.type != Reply::Type::string) return std::nullopt;
  const auto k = key_of(key);
  const auto f = field_of(key);
  auto plain = open(core_->options.token_key, k + '\x1f' + f, value.str);
  if (!plain || plain->reveal().size() < 8) {
    core_->failed("token find", Error(ErrorCode::protocol, "token entry did not decrypt"));
    return std::nullopt;
  }
  long long expires_ms = 0;
  for (int i = 0; i < 8; ++i)
    expires_ms = (expires_ms << 8) | static_cast<unsigned char>(plain->reveal()[i]);
  SessionToken token;
  token.expires_at = SystemClock::time_point(milliseconds(expires_ms));
  if (token.expires_at <= now + margin) return std::nullopt;
  token.jwt = Secret(std::string(plain->reveal().substr(8)));
  core_->tokens_copy()->put(key, token);
  return token;
}

std::optional<std::vector<Command>> RedisTokenCache::put_batch(const TokenKey& key,
                                                               const SessionToken& token) const {
  const long long ttl = to_ms(token.expires_at) - to_ms(SystemClock::now());
  if (ttl <= 0) return std::nullopt;
  std::string plain(8, '\0');
  long long expires_ms = to_ms(token.expires_at);
  for (int i = 7; i >= 0; --i) {
    plain[i] = static_cast<char>(expires_ms & 0xff);
    expires_ms >>= 8;
  }
  plain += token.jwt.reveal();
  const auto k = key_of(key);
  const auto f = field_of(key);
  std::string sealed = seal(core_->options.token_key, k + '\x1f' + f, plain);
  std::fill(plain.begin(), plain.end(), '\0');
  const auto p = Core::prefix(key.workspace);
  return std::vector<Command>{{"EVAL", std::string(kTokenPutScript), "2", k,
                               core_->generation_key(p), std::string(kWriteGeneration), f,
                               std::move(sealed), std::to_string(ttl)}};
}

void RedisTokenCache::on_put(const TokenKey& key, const Result<std::vector<Reply>>& r) {
  // A late copy of a failed put could revive a token forget() removed: repair it like the
  // directory's writes.
  if (!core_->check("token put", r, 1)) {
    core_->mark_dirty_field(key_of(key), field_of(key));
    return;
  }
  if ((*r)[0].type == Reply::Type::integer && (*r)[0].integer == -1)
    core_->late_writes_refused.fetch_add(1, std::memory_order_relaxed);
}

std::optional<SessionToken> RedisTokenCache::find(const TokenKey& key, SystemClock::time_point now,
                                                  std::chrono::seconds margin) {
  auto r = core_->client->exec(
      {{"HGET", key_of(key), field_of(key)}, {"GET", Core::prefix(key.workspace) + "epoch"}});
  return on_find(key, now, margin, r);
}

asio::awaitable<std::optional<SessionToken>> RedisTokenCache::co_find(const TokenKey& key,
                                                                      SystemClock::time_point now,
                                                                      std::chrono::seconds margin) {
  std::vector<Command> batch{{"HGET", key_of(key), field_of(key)},
                             {"GET", Core::prefix(key.workspace) + "epoch"}};
  auto r = co_await core_->client->co_batch(std::move(batch));
  co_return on_find(key, now, margin, r);
}

void RedisTokenCache::put(const TokenKey& key, const SessionToken& token) {
  core_->tokens_copy()->put(key, token);
  auto batch = put_batch(key, token);
  if (batch) on_put(key, core_->client->exec(*batch));
}

asio::awaitable<void> RedisTokenCache::co_put(const TokenKey& key, const SessionToken& token) {
  core_->tokens_copy()->put(key, token);
  auto batch = put_batch(key, token);
  if (!batch) co_return;
  auto r = co_await core_->client->co_batch(*batch);
  on_put(key, r);
}

void RedisTokenCache::erase(const TokenKey& key) {
  core_->tokens_copy()->erase(key);
  auto r = core_->client->exec({{"HDEL", key_of(key), field_of(key)}});
  if (!core_->check("token erase", r, 1)) core_->mark_dirty_field(key_of(key), field_of(key));
}

asio::awaitable<void> RedisTokenCache::co_erase(const TokenKey& key) {
  core_->tokens_copy()->erase(key);
  std::vector<Command> batch{{"HDEL", key_of(key), field_of(key)}};
  auto r = co_await core_->client->co_batch(std::move(batch));
  if (!core_->check("token erase", r, 1)) core_->mark_dirty_field(key_of(key), field_of(key));
}

std::size_t RedisTokenCache::size() const { return core_->tokens_copy()->size(); }

// The pipeline's entry points: Redis failures are answered locally and counted inside, so these
// never fail.
asio::awaitable<Result<std::optional<DirectoryEntry>>> RedisUserDirectory::async_find(
    std::string_view workspace, std::string_view email) {
  co_return co_await co_find(workspace, email);
}

asio::awaitable<Result<void>> RedisUserDirectory::async_put(std::string_view workspace,
                                                            std::string_view email,
                                                            const DirectoryEntry& entry) {
  co_await co_put(workspace, email, entry);
  co_return Result<void>();
}

asio::awaitable<Result<void>> RedisUserDirectory::async_erase(std::string_view workspace,
                                                              std::string_view email) {
  co_await co_erase(workspace, email);
  co_return Result<void>();
}

asio::awaitable<Result<std::optional<SessionToken>>> RedisTokenCache::async_find(
    const TokenKey& key, SystemClock::time_point now, std::chrono::seconds margin) {
  co_return co_await co_find(key, now, margin);
}

asio::awaitable<Result<void>> RedisTokenCache::async_put(const TokenKey& key,
                                                         const SessionToken& token) {
  co_await co_put(key, token);
  co_return Result<void>();
}

void RedisTokenCache::erase_user(std::string_view workspace, std::string_view email) {
  core_->tokens_copy()->erase_user(workspace, email);
  const auto p = Core::prefix(workspace);
  const auto key = p + "tok:" + Core::user_field(email);
  auto r = core_->client->exec({{"DEL", key}, {"INCR", p + "epoch"}});
  if (!core_->check("token forget", r, 2)) {
    core_->mark_dirty_key(key);
    return;
  }
  Reply epoch;
  epoch.type = Reply::Type::string;
  epoch.str = std::to_string((*r)[1].integer);
  core_->observe_epoch(workspace, epoch);
}

asio::awaitable<Result<void>> RedisTokenCache::async_erase(const TokenKey& key) {
  co_await co_erase(key);
  co_return Result<void>();
}

// ---------------------------------------------------------------------------------------------

RedisLockService::RedisLockService(std::shared_ptr<Core> core) : core_(std::move(core)) {}

asio::awaitable<Result<std::optional<LockLease>>> RedisLockService::async_try_acquire(
    std::string_view workspace, std::string_view name, milliseconds ttl) {
  const auto p = Core::prefix(workspace);
  LockLease lease;
  lease.key = p + "lock:" + std::string(name);
  lease.owner = random_hex(16);
  std::vector<Command> batch{{"EVAL", std::string(kAcquireScript), "2", lease.key, p + "fence",
                              lease.owner, std::to_string(ttl.count())}};
  auto r = co_await core_->client->co_batch(std::move(batch));
  if (!core_->check("lock acquire", r, 1))
    co_return Error(ErrorCode::connect, "lock service unavailable");
  if ((*r)[0].type != Reply::Type::integer) {
    core_->failed("lock acquire", Error(ErrorCode::protocol, "bad lock reply"));
    co_return Error(ErrorCode::protocol, "bad lock reply");
  }
  if ((*r)[0].integer == 0) co_return std::optional<LockLease>();
  lease.fence = static_cast<std::uint64_t>((*r)[0].integer);
  core_->lease_granted(lease, ttl);
  co_return std::optional<LockLease>(std::move(lease));
}

asio::awaitable<Result<bool>> RedisLockService::async_release(const LockLease& lease) {
  core_->lease_released(lease);
  std::vector<Command> batch{{"EVAL", std::string(kReleaseScript), "1", lease.key, lease.owner}};
  auto r = co_await core_->client->co_batch(std::move(batch));
  if (!core_->check("lock release", r, 1))
    co_return Error(ErrorCode::connect, "lock service unavailable");
  co_return (*r)[0].integer == 1;
}

asio::awaitable<Result<bool>> RedisLockService::async_is_held(std::string_view workspace,
                                                              std::string_view name) {
  std::vector<Command> batch{{"EXISTS", Core::prefix(workspace) + "lock:" + std::string(name)}};
  auto r = co_await core_->client->co_batch(std::move(batch));
  if (!core_->check("lock check", r, 1))
    co_return Error(ErrorCode::connect, "lock service unavailable");
  co_return (*r)[0].integer == 1;
}

// ---------------------------------------------------------------------------------------------

RedisRateLimiter::RedisRateLimiter(std::shared_ptr<Core> core) : core_(std::move(core)) {}

asio::awaitable<milliseconds> RedisRateLimiter::async_acquire(std::string_view workspace) {
  const double rate = core_->options.vendor_rate;
  const double burst = std::max(1.0, core_->options.vendor_burst);
  std::vector<Command> batch{{"EVAL", std::string(kBucketScript), "1",
                              Core::prefix(workspace) + "rate", std::to_string(rate),
                              std::to_string(burst)}};
  auto r = co_await core_->client->co_batch(std::move(batch));
  if (core_->check("rate limit", r, 1) && (*r)[0].type == Reply::Type::integer)
    co_return milliseconds((*r)[0].integer);
  // Redis away: this instance's own bucket (the same rate, so at worst N instances times it).
  std::lock_guard lock(mutex_);
  auto& b = local_[std::string(workspace)];
  const auto now = std::chrono::steady_clock::now();
  if (b.last.time_since_epoch().count() == 0) b.tokens = burst;
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  if (b.last.time_since_epoch().count() != 0) b.tokens = std::min(burst, b.tokens + elapsed * rate);
  b.last = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    co_return milliseconds(0);
  }
  co_return milliseconds(static_cast<long long>((1 - b.tokens) * 1000 / rate) + 1);
}

}  // namespace embark::redis

namespace embark {

void apply(const RedisSharedState& shared, OnboarderConfig& config) {
  config.directory = shared.directory;
  config.token_cache = shared.token_cache;
  config.lock_service = shared.lock_service;
}

void apply(const RedisSharedState& shared, ClientOptions& options) {
  if (shared.rate_limiter) options.rate_limiter = shared.rate_limiter;
}

Result<RedisSharedState> make_redis_shared_state(RedisOptions options) {
  if (!options.token_key.empty() && options.token_key.reveal().size() != 32) {
    Error e(ErrorCode::invalid_input, "must be 32 bytes (see parse_token_key)");
    e.with_field("token_key");
    return e;
  }
  if (options.timeout.count() <= 0) {
    Error e(ErrorCode::invalid_input, "must be positive");
    e.with_field("timeout");
    return e;
  }
  if (options.vendor_rate < 0 || options.vendor_burst < 0) {
    Error e(ErrorCode::invalid_input, "must not be negative");
    e.with_field("vendor_rate");
    return e;
  }
  auto core = std::make_shared<redis::Core>(std::move(options));
  RedisSharedState out;
  out.directory = std::make_shared<redis::RedisUserDirectory>(core);
  if (!core->options.token_key.empty()) {
    out.token_cache = std::make_shared<redis::RedisTokenCache>(core);
  } else {
    InMemoryTokenCacheOptions t;
    t.max_entries = core->options.local_token_entries;
    out.token_cache = std::make_shared<InMemoryTokenCache>(t);
  }
  out.lock_service = std::make_shared<redis::RedisLockService>(core);
  if (core->options.vendor_rate > 0)
    out.rate_limiter = std::make_shared<redis::RedisRateLimiter>(core);
  out.stats = [core] { return core->stats(); };
  out.forget = [core](std::string_view workspace, std::string_view email) {
    const auto p = redis::Core::prefix(workspace);
    const auto field = redis::Core::user_field(email);
    core->local_directory->erase(workspace, email);
    auto r = core->client->exec(
        {{"HDEL", p + "dir", field}, {"DEL", p + "tok:" + field}, {"INCR", p + "epoch"}});
    if (!core->check("forget", r, 3)) {
      core->mark_dirty_field(p + "dir", field);
      core->mark_dirty_key(p + "tok:" + field);
    } else {
      redis::Reply epoch;
      epoch.type = redis::Reply::Type::string;
      epoch.str = std::to_string((*r)[2].integer);
      core->observe_epoch(workspace, epoch);
    }
    core->reset_local_tokens();
  };
  return out;
}

}  // namespace embark
