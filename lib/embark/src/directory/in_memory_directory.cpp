#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <mutex>
#include <vector>

#include "embark/directory.hpp"

namespace embark {
namespace {

constexpr std::uint32_t kEmpty = 0;
constexpr std::uint8_t kHasAttributes = 1;
constexpr std::uint8_t kHasRoles = 2;

// 32 bytes per user; strings live in the shard's arena (email, then user id, back to back).
struct Entry {
  Fingerprint attributes;
  Fingerprint roles;
  std::uint32_t text_offset;
  std::uint32_t seen;  // seconds since the Unix epoch
  std::uint16_t workspace;
  std::uint8_t email_len;
  std::uint8_t id_len;
  std::uint8_t flags;
};
static_assert(sizeof(Entry) == 32);

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

std::uint64_t key_hash(std::uint16_t workspace, std::string_view email_lower) {
  return mix(std::hash<std::string_view>{}(email_lower) + 0x9e3779b97f4a7c15ULL * (workspace + 1u));
}

std::uint32_t to_seconds(std::chrono::system_clock::time_point t) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(s, 0, UINT32_MAX));
}

}  // namespace

// One lock stripe: a dense entry array, an index of uint32 slots (entry index + 1, linear
// probing, backward-shift deletion) and a string arena compacted when half of it is dead.
struct InMemoryUserDirectory::Shard {
  std::mutex mutex;
  std::vector<Entry> entries;
  std::vector<std::uint32_t> slots;
  std::vector<char> arena;
  std::size_t dead_bytes = 0;
  std::uint64_t evict_cursor = 0;

  std::string_view email_of(const Entry& e) const { return {arena.data() + e.text_offset, e.email_len}; }
  std::string_view id_of(const Entry& e) const {
    return {arena.data() + e.text_offset + e.email_len, e.id_len};
  }
  std::size_t mask() const { return slots.size() - 1; }

  // Slot index holding the key, or the empty slot where it would go.
  std::size_t probe(std::uint64_t hash, std::uint16_t workspace, std::string_view email, bool& found) const {
    std::size_t i = hash & mask();
    while (true) {
      const auto s = slots[i];
      if (s == kEmpty) {
        found = false;
        return i;
      }
      const Entry& e = entries[s - 1];
      if (e.workspace == workspace && email_of(e) == email) {
        found = true;
        return i;
      }
      i = (i + 1) & mask();
    }
  }

  std::size_t slot_of_entry(std::uint32_t index) const {
    const Entry& e = entries[index];
    std::size_t i = key_hash(e.workspace, email_of(e)) & mask();
    while (slots[i] != index + 1) i = (i + 1) & mask();
    return i;
  }

  void grow_index() {
    std::vector<std::uint32_t> old;
    old.swap(slots);
    slots.assign(std::max<std::size_t>(16, old.size() * 2), kEmpty);
    for (std::uint32_t idx = 0; idx < entries.size(); ++idx) {
      const Entry& e = entries[idx];
      std::size_t i = key_hash(e.workspace, email_of(e)) & mask();
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
      const std::size_t home = key_hash(e.workspace, email_of(e)) & mask();
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
    dead_bytes += entries[index].email_len + entries[index].id_len;
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
      fresh.insert(fresh.end(), arena.begin() + e.text_offset, arena.begin() + e.text_offset + e.email_len + e.id_len);
      e.text_offset = offset;
    }
    arena.swap(fresh);
    dead_bytes = 0;
  }

  std::uint32_t append_text(std::string_view email, std::string_view id) {
    const auto offset = static_cast<std::uint32_t>(arena.size());
    arena.insert(arena.end(), email.begin(), email.end());
    arena.insert(arena.end(), id.begin(), id.end());
    return offset;
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
    evict_cursor = mix(evict_cursor + 1);
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
      max_per_shard_(std::max<std::size_t>(1, (options.max_entries + shard_count_ - 1) / shard_count_)),
      workspaces_(std::make_unique<Workspaces>()) {
  shards_ = std::make_unique<Shard[]>(shard_count_);
}

InMemoryUserDirectory::~InMemoryUserDirectory() = default;

InMemoryUserDirectory::Shard& InMemoryUserDirectory::shard_for(std::uint64_t hash) const {
  // High bits pick the shard; the low bits index its table.
  return shards_[(hash >> 48) & (shard_count_ - 1)];
}

std::optional<DirectoryEntry> InMemoryUserDirectory::find(std::string_view workspace, std::string_view email) {
  const auto ws = workspaces_->id(workspace, false);
  if (!ws) return std::nullopt;
  const std::string key = lower_email(email);
  const auto hash = key_hash(*ws, key);
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mutex);
  if (shard.slots.empty()) return std::nullopt;
  bool found = false;
  const auto slot = shard.probe(hash, *ws, key, found);
  if (!found) return std::nullopt;
  const Entry& e = shard.entries[shard.slots[slot] - 1];
  DirectoryEntry out;
  out.user_id = std::string(shard.id_of(e));
  if (e.flags & kHasAttributes) out.attributes = e.attributes;
  if (e.flags & kHasRoles) out.roles = e.roles;
  out.seen = std::chrono::system_clock::time_point(std::chrono::seconds(e.seen));
  return out;
}

void InMemoryUserDirectory::put(std::string_view workspace, std::string_view email, const DirectoryEntry& entry) {
  const std::string key = lower_email(email);
  // Entries that do not fit the compact layout are not cached; the pipeline then asks the vendor.
  if (key.size() > UINT8_MAX || entry.user_id.size() > UINT8_MAX) return;
  const auto ws = workspaces_->id(workspace, true);
  if (!ws) return;
  const auto hash = key_hash(*ws, key);
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mutex);
  if (shard.slots.empty()) shard.grow_index();
  bool found = false;
  auto slot = shard.probe(hash, *ws, key, found);
  Entry* e = nullptr;
  if (found) {
    e = &shard.entries[shard.slots[slot] - 1];
    if (shard.id_of(*e) != entry.user_id) {
      shard.dead_bytes += e->email_len + e->id_len;
      e->text_offset = shard.append_text(key, entry.user_id);
      e->id_len = static_cast<std::uint8_t>(entry.user_id.size());
    }
  } else {
    if (shard.entries.size() >= max_per_shard_) {
      shard.evict_one();
      slot = shard.probe(hash, *ws, key, found);
    }
    if ((shard.entries.size() + 1) * 4 > shard.slots.size() * 3) {
      shard.grow_index();
      slot = shard.probe(hash, *ws, key, found);
    }
    Entry fresh{};
    fresh.text_offset = shard.append_text(key, entry.user_id);
    fresh.workspace = *ws;
    fresh.email_len = static_cast<std::uint8_t>(key.size());
    fresh.id_len = static_cast<std::uint8_t>(entry.user_id.size());
    shard.entries.push_back(fresh);
    shard.slots[slot] = static_cast<std::uint32_t>(shard.entries.size());
    e = &shard.entries.back();
  }
  e->flags = 0;
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
  const std::string key = lower_email(email);
  const auto hash = key_hash(*ws, key);
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mutex);
  if (shard.slots.empty()) return;
  bool found = false;
  const auto slot = shard.probe(hash, *ws, key, found);
  if (found) shard.erase_at(slot);
}

void InMemoryUserDirectory::load_listing(std::string_view workspace, std::span<const UserRecord> users,
                                         std::chrono::system_clock::time_point started_at,
                                         std::chrono::system_clock::time_point listed_at) {
  for (const auto& user : users) {
    DirectoryEntry entry;
    entry.user_id = user.id;
    entry.attributes = fingerprint(user.attributes);
    entry.roles = fingerprint(user.roles);
    entry.seen = listed_at;
    put(workspace, user.email, entry);
  }
  const auto ws = workspaces_->id(workspace, false);
  if (!ws) return;
  // Users confirmed before the listing was requested and absent from it were deleted meanwhile.
  const auto cutoff = to_seconds(started_at);
  for (std::size_t s = 0; s < shard_count_; ++s) {
    Shard& shard = shards_[s];
    std::lock_guard lock(shard.mutex);
    for (std::size_t i = shard.entries.size(); i-- > 0;) {
      if (i >= shard.entries.size()) continue;
      const Entry& e = shard.entries[i];
      if (e.workspace == *ws && e.seen < cutoff) shard.erase_at(shard.slot_of_entry(static_cast<std::uint32_t>(i)));
    }
  }
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
    total += shard.entries.capacity() * sizeof(Entry) + shard.slots.capacity() * sizeof(std::uint32_t) +
             shard.arena.capacity();
  }
  return total;
}

}  // namespace embark
