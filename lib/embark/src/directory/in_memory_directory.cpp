#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "embark/directory.hpp"

#include "internal/sha256.hpp"

namespace embark {
namespace {

constexpr std::uint32_t kEmpty = 0;
constexpr std::uint8_t kHasAttributes = 1;
constexpr std::uint8_t kHasRoles = 2;
constexpr std::uint8_t kPackedUuid = 4;

// The user key: 128 bits of SHA-256 over the lower-cased email. Storing the digest instead of
// the email saves ~40 bytes per user; a cryptographic digest keeps crafted collisions (one user
// reading another's entry) out of reach, and 128 bits keep accidental ones at ~1e-27 per million.
struct Key {
  std::uint64_t hi;
  std::uint64_t lo;
  friend bool operator==(const Key&, const Key&) = default;
};

Key key_of(std::string_view email) {
  const std::string lower = lower_email(email);
  unsigned char digest[32];
  const std::string_view part(lower);
  internal::sha256(std::span(&part, 1), digest);
  Key key{0, 0};
  for (int i = 0; i < 8; ++i) key.hi = (key.hi << 8) | digest[i];
  for (int i = 8; i < 16; ++i) key.lo = (key.lo << 8) | digest[i];
  return key;
}

// 48 bytes per user; the user id lives in the shard's arena (16 bytes when it is a UUID).
struct Entry {
  Key key;
  Fingerprint attributes;
  Fingerprint roles;
  std::uint32_t id_offset;
  std::uint32_t seen;  // seconds since the Unix epoch
  std::uint16_t workspace;
  std::uint8_t id_len;
  std::uint8_t flags;
};
static_assert(sizeof(Entry) == 48);

std::size_t home_of(const Key& key, std::uint16_t workspace) {
  return static_cast<std::size_t>(key.lo ^ (0x9e3779b97f4a7c15ULL * workspace));
}

std::uint32_t to_seconds(std::chrono::system_clock::time_point t) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(s, 0, UINT32_MAX));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// A canonical lower-case UUID packs into 16 bytes and unpacks to the identical text.
bool pack_uuid(std::string_view id, unsigned char out[16]) {
  if (id.size() != 36) return false;
  int n = 0;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (id[i] != '-') return false;
      continue;
    }
    const int v = hex_value(id[i]);
    if (v < 0) return false;
    if (n % 2 == 0) {
      out[n / 2] = static_cast<unsigned char>(v << 4);
    } else {
      out[n / 2] |= static_cast<unsigned char>(v);
    }
    ++n;
  }
  return true;
}

std::string unpack_uuid(const char* packed) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  std::size_t pos = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++pos;
    const auto b = static_cast<unsigned char>(packed[i]);
    out[pos++] = kHex[b >> 4];
    out[pos++] = kHex[b & 0xf];
  }
  return out;
}

}  // namespace

// One lock stripe: a dense entry array, an index of uint32 slots (entry index + 1, linear
// probing, backward-shift deletion) and an id arena compacted when half of it is dead.
struct InMemoryUserDirectory::Shard {
  std::mutex mutex;
  std::vector<Entry> entries;
  std::vector<std::uint32_t> slots;
  std::vector<char> arena;
  std::size_t dead_bytes = 0;
  std::uint64_t evict_cursor = 0;

  std::string id_of(const Entry& e) const {
    const char* p = arena.data() + e.id_offset;
    if (e.flags & kPackedUuid) return unpack_uuid(p);
    return std::string(p, e.id_len);
  }
  std::size_t mask() const { return slots.size() - 1; }

  // Slot index holding the key, or the empty slot where it would go.
  std::size_t probe(const Key& key, std::uint16_t workspace, bool& found) const {
    std::size_t i = home_of(key, workspace) & mask();
    while (true) {
      const auto s = slots[i];
      if (s == kEmpty) {
        found = false;
        return i;
      }
      const Entry& e = entries[s - 1];
      if (e.key == key && e.workspace == workspace) {
        found = true;
        return i;
      }
      i = (i + 1) & mask();
    }
  }

  std::size_t slot_of_entry(std::uint32_t index) const {
    const Entry& e = entries[index];
    std::size_t i = home_of(e.key, e.workspace) & mask();
    while (slots[i] != index + 1) i = (i + 1) & mask();
    return i;
  }

  void grow_index() { rebuild_index(std::max<std::size_t>(16, slots.size() * 2)); }

  // Sizes the index for `n` entries at once (a listing's commit) instead of doubling n times.
  void reserve_index(std::size_t n) {
    std::size_t size = std::max<std::size_t>(16, slots.size());
    while (n * 4 > size * 3) size *= 2;
    if (size != slots.size()) rebuild_index(size);
  }

  void rebuild_index(std::size_t size) {
    std::vector<std::uint32_t> old;
    old.swap(slots);
    slots.assign(size, kEmpty);
    for (std::uint32_t idx = 0; idx < entries.size(); ++idx) {
      const Entry& e = entries[idx];
      std::size_t i = home_of(e.key, e.workspace) & mask();
      while (slots[i] != kEmpty) i = (i + 1) & mask();
      slots[i] = idx + 1;
    }
  }

  void remove_slot(std::size_t hole) {
    // Backward-shift deletion keeps every probe sequence unbroken without tombstones.
    std::size_t i = hole;
    std::size_t j = i;
    while (true) {
      j = (j + 1) & mask();
      if (slots[j] == kEmpty) break;
      const Entry& e = entries[slots[j] - 1];
      const std::size_t home = home_of(e.key, e.workspace) & mask();
      // Move j into the hole unless its home lies cyclically in (i, j].
      const bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        slots[i] = slots[j];
        i = j;
      }
    }
    slots[i] = kEmpty;
  }

  void erase_at(std::size_t slot) {
    const std::uint32_t index = slots[slot] - 1;
    dead_bytes += entries[index].id_len;
    remove_slot(slot);
    const auto last = static_cast<std::uint32_t>(entries.size() - 1);
    if (index != last) {
      const std::size_t moved = slot_of_entry(last);
      entries[index] = entries[last];
      slots[moved] = index + 1;
    }
    entries.pop_back();
    maybe_compact();
  }

  void maybe_compact() {
    if (dead_bytes < 4096 || dead_bytes * 2 < arena.size()) return;
    std::vector<char> fresh;
    fresh.reserve(arena.size() - dead_bytes);
    for (auto& e : entries) {
      const auto offset = static_cast<std::uint32_t>(fresh.size());
      fresh.insert(fresh.end(), arena.begin() + e.id_offset,
                   arena.begin() + e.id_offset + e.id_len);
      e.id_offset = offset;
    }
    arena.swap(fresh);
    dead_bytes = 0;
  }

  // Stores an id; sets the entry's offset, length and packed flag.
  void store_id(Entry& e, std::string_view id) {
    unsigned char packed[16];
    e.id_offset = static_cast<std::uint32_t>(arena.size());
    if (pack_uuid(id, packed)) {
      arena.insert(arena.end(), packed, packed + 16);
      e.id_len = 16;
      e.flags |= kPackedUuid;
    } else {
      arena.insert(arena.end(), id.begin(), id.end());
      e.id_len = static_cast<std::uint8_t>(id.size());
      e.flags &= static_cast<std::uint8_t>(~kPackedUuid);
    }
  }

  // Copies an id already in the arena's form (packed or text) from `bytes`.
  void store_id_bytes(Entry& e, const char* bytes, std::uint8_t len, bool packed) {
    e.id_offset = static_cast<std::uint32_t>(arena.size());
    arena.insert(arena.end(), bytes, bytes + len);
    e.id_len = len;
    if (packed) {
      e.flags |= kPackedUuid;
    } else {
      e.flags &= static_cast<std::uint8_t>(~kPackedUuid);
    }
  }

  // The entry of (key, workspace); a new empty one when absent (evicting one first when the
  // shard holds `max_entries`). `fresh` says which.
  Entry& upsert(const Key& key, std::uint16_t workspace, std::size_t max_entries, bool& fresh) {
    if (slots.empty()) grow_index();
    bool found = false;
    auto slot = probe(key, workspace, found);
    fresh = !found;
    if (found) return entries[slots[slot] - 1];
    if (entries.size() >= max_entries) {
      evict_one();
      slot = probe(key, workspace, found);
    }
    if ((entries.size() + 1) * 4 > slots.size() * 3) {
      grow_index();
      slot = probe(key, workspace, found);
    }
    Entry e{};
    e.key = key;
    e.workspace = workspace;
    e.id_offset = static_cast<std::uint32_t>(arena.size());
    entries.push_back(e);
    slots[slot] = static_cast<std::uint32_t>(entries.size());
    return entries.back();
  }

  // Drops the workspace's entries last confirmed before `cutoff` (seconds).
  void prune(std::uint16_t workspace, std::uint32_t cutoff) {
    for (std::size_t i = entries.size(); i-- > 0;) {
      if (i >= entries.size()) continue;
      const Entry& e = entries[i];
      if (e.workspace == workspace && e.seen < cutoff)
        erase_at(slot_of_entry(static_cast<std::uint32_t>(i)));
    }
  }

  // Sampled eviction: of a few entries, drop the one the vendor confirmed longest ago.
  void evict_one() {
    if (entries.empty()) return;
    constexpr std::size_t kSample = 8;
    std::size_t victim = evict_cursor % entries.size();
    for (std::size_t k = 1; k < kSample && k < entries.size(); ++k) {
      const std::size_t candidate = (evict_cursor + k * 7919) % entries.size();
      if (entries[candidate].seen < entries[victim].seen) victim = candidate;
    }
    evict_cursor = evict_cursor * 6364136223846793005ULL + 1442695040888963407ULL;
    erase_at(slot_of_entry(static_cast<std::uint32_t>(victim)));
  }
};

// Workspace names are interned into 16-bit ids; deployments have few, so a short vector does.
struct InMemoryUserDirectory::Workspaces {
  std::mutex mutex;
  std::vector<std::string> names;

  // The id of a workspace; creates one when `create` (nullopt when absent or the table is full).
  std::optional<std::uint16_t> id(std::string_view name, bool create) {
    std::lock_guard lock(mutex);
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return static_cast<std::uint16_t>(i);
    }
    if (!create || names.size() >= UINT16_MAX) return std::nullopt;
    names.emplace_back(name);
    return static_cast<std::uint16_t>(names.size() - 1);
  }
};

InMemoryUserDirectory::InMemoryUserDirectory(InMemoryDirectoryOptions options)
    : shard_count_(std::bit_ceil(std::max<std::size_t>(1, options.shards))),
      max_per_shard_(
          std::max<std::size_t>(1, (options.max_entries + shard_count_ - 1) / shard_count_)),
      workspaces_(std::make_unique<Workspaces>()) {
  shards_ = std::make_unique<Shard[]>(shard_count_);
}

InMemoryUserDirectory::~InMemoryUserDirectory() = default;

InMemoryUserDirectory::Shard& InMemoryUserDirectory::shard_for(std::uint64_t key_hi) const {
  // One half of the key picks the shard, the other indexes its table.
  return shards_[key_hi & (shard_count_ - 1)];
}

std::optional<DirectoryEntry> InMemoryUserDirectory::find(std::string_view workspace,
                                                          std::string_view email) {
  const auto ws = workspaces_->id(workspace, false);
  if (!ws) return std::nullopt;
  const Key key = key_of(email);
  Shard& shard = shard_for(key.hi);
  std::lock_guard lock(shard.mutex);
  if (shard.slots.empty()) return std::nullopt;
  bool found = false;
  const auto slot = shard.probe(key, *ws, found);
  if (!found) return std::nullopt;
  const Entry& e = shard.entries[shard.slots[slot] - 1];
  DirectoryEntry out;
  out.user_id = shard.id_of(e);
  if (e.flags & kHasAttributes) out.attributes = e.attributes;
  if (e.flags & kHasRoles) out.roles = e.roles;
  out.seen = std::chrono::system_clock::time_point(std::chrono::seconds(e.seen));
  return out;
}

void InMemoryUserDirectory::put(std::string_view workspace, std::string_view email,
                                const DirectoryEntry& entry) {
  // Ids that do not fit the compact layout are not cached; the pipeline then asks the vendor.
  if (entry.user_id.size() > UINT8_MAX) return;
  const auto ws = workspaces_->id(workspace, true);
  if (!ws) return;
  const Key key = key_of(email);
  Shard& shard = shard_for(key.hi);
  std::lock_guard lock(shard.mutex);
  bool fresh = false;
  Entry* e = &shard.upsert(key, *ws, max_per_shard_, fresh);
  if (fresh || shard.id_of(*e) != entry.user_id) {
    shard.dead_bytes += e->id_len;
    shard.store_id(*e, entry.user_id);
  }
  e->flags &= kPackedUuid;
  e->attributes = entry.attributes.value_or(0);
  e->roles = entry.roles.value_or(0);
  if (entry.attributes) e->flags |= kHasAttributes;
  if (entry.roles) e->flags |= kHasRoles;
  e->seen = to_seconds(entry.seen);
  shard.maybe_compact();
}

void InMemoryUserDirectory::erase(std::string_view workspace, std::string_view email) {
  const auto ws = workspaces_->id(workspace, false);
  if (!ws) return;
  const Key key = key_of(email);
  Shard& shard = shard_for(key.hi);
  std::lock_guard lock(shard.mutex);
  if (shard.slots.empty()) return;
  bool found = false;
  const auto slot = shard.probe(key, *ws, found);
  if (found) shard.erase_at(slot);
}

// Staged users in the tables' own form (entries and an id arena per shard), so that a shard
// with nothing in it yet takes the staged vectors as they are: a first load needs the memory of
// the finished tables, not twice of it.
class InMemoryUserDirectory::Listing final : public DirectoryListing {
 public:
  Listing(InMemoryUserDirectory& directory, std::optional<std::uint16_t> workspace)
      : directory_(directory), workspace_(workspace), staged_(directory.shard_count_) {}

  void add(const UserRecord& user) override {
    if (!workspace_ || user.id.size() > UINT8_MAX) return;  // as put(): not cacheable
    const Key key = key_of(user.email);
    Staged& staged = staged_[key.hi & (directory_.shard_count_ - 1)];
    if (staged.entries.size() >= directory_.max_per_shard_) return;  // would be evicted at once
    Entry e{};
    e.key = key;
    e.workspace = *workspace_;
    e.attributes = fingerprint(user.attributes);
    e.roles = fingerprint(user.roles);
    e.flags = kHasAttributes | kHasRoles;
    e.id_offset = static_cast<std::uint32_t>(staged.arena.size());
    unsigned char packed[16];
    if (pack_uuid(user.id, packed)) {
      staged.arena.insert(staged.arena.end(), packed, packed + 16);
      e.id_len = 16;
      e.flags |= kPackedUuid;
    } else {
      staged.arena.insert(staged.arena.end(), user.id.begin(), user.id.end());
      e.id_len = static_cast<std::uint8_t>(user.id.size());
    }
    staged.entries.push_back(e);
  }

  void clear() override {
    for (auto& staged : staged_) staged = Staged{};
  }

  boost::asio::awaitable<Result<void>> async_commit(
      std::chrono::system_clock::time_point started_at,
      std::chrono::system_clock::time_point listed_at) override {
    try {
      commit(started_at, listed_at);
      co_return Result<void>{};
    } catch (const std::exception& e) {
      co_return Error(ErrorCode::internal, std::string("directory write failed: ") + e.what());
    }
  }

  void commit(std::chrono::system_clock::time_point started_at,
              std::chrono::system_clock::time_point listed_at) {
    if (!workspace_) return;
    const auto seen = to_seconds(listed_at);
    // Users confirmed before the listing was requested and absent from it were deleted meanwhile.
    const auto cutoff = to_seconds(started_at);
    for (std::size_t s = 0; s < staged_.size(); ++s) {
      Staged& staged = staged_[s];
      for (auto& e : staged.entries) e.seen = seen;
      // Doubling left up to half unused: trimmed before the vectors become the tables.
      if (staged.entries.capacity() > staged.entries.size() + staged.entries.size() / 4)
        staged.entries.shrink_to_fit();
      if (staged.arena.capacity() > staged.arena.size() + staged.arena.size() / 4)
        staged.arena.shrink_to_fit();
      Shard& shard = directory_.shards_[s];
      std::lock_guard lock(shard.mutex);
      if (!(shard.entries.empty() && adopt(shard, staged))) merge(shard, staged);
      shard.prune(*workspace_, cutoff);
      shard.maybe_compact();
      staged = Staged{};
    }
  }

 private:
  struct Staged {
    std::vector<Entry> entries;
    std::vector<char> arena;
  };

  // An empty shard takes the staged vectors and indexes them; false (nothing changed) when the
  // listing named one user twice, which merge() resolves.
  static bool adopt(Shard& shard, Staged& staged) {
    shard.entries.swap(staged.entries);
    shard.arena.swap(staged.arena);
    shard.dead_bytes = 0;
    std::size_t size = 16;
    while (shard.entries.size() * 4 > size * 3) size *= 2;
    shard.slots.assign(size, kEmpty);
    for (std::uint32_t idx = 0; idx < shard.entries.size(); ++idx) {
      const Entry& e = shard.entries[idx];
      bool found = false;
      const std::size_t slot = shard.probe(e.key, e.workspace, found);
      if (found) {
        shard.entries.swap(staged.entries);
        shard.arena.swap(staged.arena);
        shard.slots.assign(shard.slots.size(), kEmpty);
        return false;
      }
      shard.slots[slot] = idx + 1;
    }
    return true;
  }

  void merge(Shard& shard, const Staged& staged) {
    shard.reserve_index(
        std::min(shard.entries.size() + staged.entries.size(), directory_.max_per_shard_));
    for (const Entry& in : staged.entries) {
      const char* id = staged.arena.data() + in.id_offset;
      const bool packed = (in.flags & kPackedUuid) != 0;
      bool fresh = false;
      Entry& e = shard.upsert(in.key, in.workspace, directory_.max_per_shard_, fresh);
      const bool same_id = !fresh && ((e.flags & kPackedUuid) != 0) == packed &&
                           e.id_len == in.id_len &&
                           std::memcmp(shard.arena.data() + e.id_offset, id, in.id_len) == 0;
      if (!same_id) {
        shard.dead_bytes += e.id_len;
        shard.store_id_bytes(e, id, in.id_len, packed);
      }
      e.attributes = in.attributes;
      e.roles = in.roles;
      e.flags = in.flags;
      e.seen = in.seen;
    }
  }

  InMemoryUserDirectory& directory_;
  std::optional<std::uint16_t> workspace_;
  std::vector<Staged> staged_;
};

std::unique_ptr<DirectoryListing> InMemoryUserDirectory::begin_listing(std::string_view workspace) {
  return std::make_unique<Listing>(*this, workspaces_->id(workspace, true));
}

void InMemoryUserDirectory::load_listing(std::string_view workspace,
                                         std::span<const UserRecord> users,
                                         std::chrono::system_clock::time_point started_at,
                                         std::chrono::system_clock::time_point listed_at) {
  Listing listing(*this, workspaces_->id(workspace, true));
  for (const auto& user : users) listing.add(user);
  listing.commit(started_at, listed_at);
}

std::size_t InMemoryUserDirectory::size() const {
  std::size_t total = 0;
  for (std::size_t s = 0; s < shard_count_; ++s) {
    std::lock_guard lock(shards_[s].mutex);
    total += shards_[s].entries.size();
  }
  return total;
}

std::size_t InMemoryUserDirectory::memory_bytes() const {
  std::size_t total = 0;
  for (std::size_t s = 0; s < shard_count_; ++s) {
    std::lock_guard lock(shards_[s].mutex);
    const Shard& shard = shards_[s];
    total += shard.entries.capacity() * sizeof(Entry) +
             shard.slots.capacity() * sizeof(std::uint32_t) + shard.arena.capacity();
  }
  return total;
}

// The default async members: the synchronous call, its exception (if any) as an error value.
boost::asio::awaitable<Result<std::optional<DirectoryEntry>>> UserDirectory::async_find(
    std::string_view workspace, std::string_view email) {
  try {
    co_return find(workspace, email);
  } catch (const std::exception& e) {
    co_return Error(ErrorCode::internal, std::string("directory read failed: ") + e.what());
  }
}

boost::asio::awaitable<Result<void>> UserDirectory::async_put(std::string_view workspace,
                                                              std::string_view email,
                                                              const DirectoryEntry& entry) {
  try {
    put(workspace, email, entry);
    co_return Result<void>{};
  } catch (const std::exception& e) {
    co_return Error(ErrorCode::internal, std::string("directory write failed: ") + e.what());
  }
}

boost::asio::awaitable<Result<void>> UserDirectory::async_erase(std::string_view workspace,
                                                                std::string_view email) {
  try {
    erase(workspace, email);
    co_return Result<void>{};
  } catch (const std::exception& e) {
    co_return Error(ErrorCode::internal, std::string("directory write failed: ") + e.what());
  }
}

namespace {

// The default staging: the records themselves, loaded with async_load_listing at the commit.
class RecordListing final : public DirectoryListing {
 public:
  RecordListing(UserDirectory& directory, std::string_view workspace)
      : directory_(directory), workspace_(workspace) {}
  void add(const UserRecord& user) override { users_.push_back(user); }
  void clear() override { users_.clear(); }
  boost::asio::awaitable<Result<void>> async_commit(
      std::chrono::system_clock::time_point started_at,
      std::chrono::system_clock::time_point listed_at) override {
    co_return co_await directory_.async_load_listing(workspace_, users_, started_at, listed_at);
  }

 private:
  UserDirectory& directory_;
  std::string workspace_;
  std::vector<UserRecord> users_;
};

}  // namespace

std::unique_ptr<DirectoryListing> UserDirectory::begin_listing(std::string_view workspace) {
  return std::make_unique<RecordListing>(*this, workspace);
}

boost::asio::awaitable<Result<void>> UserDirectory::async_load_listing(
    std::string_view workspace, std::span<const UserRecord> users,
    std::chrono::system_clock::time_point started_at,
    std::chrono::system_clock::time_point listed_at) {
  try {
    load_listing(workspace, users, started_at, listed_at);
    co_return Result<void>{};
  } catch (const std::exception& e) {
    co_return Error(ErrorCode::internal, std::string("directory write failed: ") + e.what());
  }
}

}  // namespace embark
