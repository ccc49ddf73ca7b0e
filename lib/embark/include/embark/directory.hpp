// UserDirectory: what embark knows about the vendor's users, so logins need not call listUsers.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "embark/clock.hpp"
#include "embark/fingerprint.hpp"
#include "embark/model.hpp"
#include "embark/result.hpp"

namespace embark {

/// What the directory holds per user: never the attributes themselves, only fingerprints.
struct DirectoryEntry {
  std::string
      user_id;  ///< vendor user id; empty when the user was created by us and not yet listed
  std::optional<Fingerprint> attributes;  ///< fingerprint of stored (DATABASE) attributes, if known
  std::optional<Fingerprint> roles;       ///< fingerprint of role assignments, if known
  std::chrono::system_clock::time_point seen;  ///< when the vendor last confirmed this entry
};

/// A listing on its way into a directory (UserDirectory::begin_listing): users are staged one at
/// a time as a listUsers answer streams in, and take effect together in async_commit(). A
/// listing destroyed without a commit leaves the directory exactly as it was. Used by one
/// coroutine at a time; the directory must outlive it.
class DirectoryListing {
 public:
  virtual ~DirectoryListing() = default;
  /// Stages one listed user (a later user with the same email replaces an earlier one).
  virtual void add(const UserRecord& user) = 0;
  /// Drops everything staged (a retried listUsers starts over).
  virtual void clear() = 0;
  /// Applies the staged users as load_listing() with the same times would. Call once.
  virtual boost::asio::awaitable<Result<void>> async_commit(
      std::chrono::system_clock::time_point started_at,
      std::chrono::system_clock::time_point listed_at) = 0;
};

/// Case-insensitive (workspace, email) -> DirectoryEntry. An interface so that a shared backend
/// (Redis, docs/architecture.md#scaling-past-one-machine) can replace the in-memory one.
/// Implementations must be thread-safe.
///
/// Two faces: the synchronous members (short; used by tools and by the default async members)
/// and the `async_*` coroutines, which are the only ones the pipeline calls. A networked backend
/// overrides the async members so that a round trip suspends the login instead of blocking the
/// pipeline's thread. String views passed to an async member must outlive its awaitable.
/// An async member's error is a failed backend call: the pipeline treats a failed read as a miss
/// and reports a failed write to the observers, then drops it.
///
/// Writers call it only after the vendor confirmed the write, so an entry never records
/// something that did not happen.
class UserDirectory {
 public:
  virtual ~UserDirectory() = default;

  /// The entry of a user, if present (possibly stale: the caller compares `seen` with its TTL).
  virtual std::optional<DirectoryEntry> find(std::string_view workspace,
                                             std::string_view email) = 0;
  /// Inserts or replaces one entry (after createUsers / setUserAttributes succeeded).
  virtual void put(std::string_view workspace, std::string_view email,
                   const DirectoryEntry& entry) = 0;
  /// Removes one entry (e.g. after deleteUsersFromWorkspace).
  virtual void erase(std::string_view workspace, std::string_view email) = 0;
  /// Loads a complete listUsers answer taken at `listed_at`: every listed user is put with
  /// `seen = listed_at`; entries of the workspace last confirmed before `started_at` (the time the
  /// listUsers call was sent) and absent from the list are removed.
  virtual void load_listing(std::string_view workspace, std::span<const UserRecord> users,
                            std::chrono::system_clock::time_point started_at,
                            std::chrono::system_clock::time_point listed_at) = 0;
  /// Number of entries (all workspaces).
  virtual std::size_t size() const = 0;
  /// Starts staging a listing of `workspace` (the pipeline streams every listUsers answer into
  /// one). Default: keeps the UserRecords and commits them with async_load_listing(); a
  /// backend with a compact form of its own overrides it.
  virtual std::unique_ptr<DirectoryListing> begin_listing(std::string_view workspace);

  /// True when the synchronous members never block (an in-memory backend): the pipeline then
  /// calls them directly and saves a coroutine frame per call. Default false.
  virtual bool nonblocking() const noexcept { return false; }
  /// find() as a coroutine. Default: calls find().
  virtual boost::asio::awaitable<Result<std::optional<DirectoryEntry>>> async_find(
      std::string_view workspace, std::string_view email);
  /// put() as a coroutine. Default: calls put().
  virtual boost::asio::awaitable<Result<void>> async_put(std::string_view workspace,
                                                         std::string_view email,
                                                         const DirectoryEntry& entry);
  /// erase() as a coroutine. Default: calls erase().
  virtual boost::asio::awaitable<Result<void>> async_erase(std::string_view workspace,
                                                           std::string_view email);
  /// load_listing() as a coroutine. Default: calls load_listing().
  virtual boost::asio::awaitable<Result<void>> async_load_listing(
      std::string_view workspace, std::span<const UserRecord> users,
      std::chrono::system_clock::time_point started_at,
      std::chrono::system_clock::time_point listed_at);
};

/// Bounds of the in-memory directory.
struct InMemoryDirectoryOptions {
  std::size_t max_entries = 2'000'000;  ///< beyond this, sampled least-recently-seen eviction
  std::size_t shards = 16;              ///< lock striping (rounded up to a power of two)
};

/// The default UserDirectory: sharded open-addressing tables of fixed-size 48-byte entries (a
/// 128-bit SHA-256 digest of the lower-cased email instead of the email, fingerprints, an offset)
/// over per-shard id arenas (UUID ids packed into 16 bytes): about 70 bytes per user. O(1)
/// find/put/erase. User ids longer than 255 bytes are not cached (put ignores them, so the
/// pipeline asks the vendor). Thread-safe (one mutex per shard).
class InMemoryUserDirectory final : public UserDirectory {
 public:
  explicit InMemoryUserDirectory(InMemoryDirectoryOptions options = {});
  ~InMemoryUserDirectory() override;
  InMemoryUserDirectory(const InMemoryUserDirectory&) = delete;
  InMemoryUserDirectory& operator=(const InMemoryUserDirectory&) = delete;

  std::optional<DirectoryEntry> find(std::string_view workspace, std::string_view email) override;
  void put(std::string_view workspace, std::string_view email,
           const DirectoryEntry& entry) override;
  void erase(std::string_view workspace, std::string_view email) override;
  void load_listing(std::string_view workspace, std::span<const UserRecord> users,
                    std::chrono::system_clock::time_point started_at,
                    std::chrono::system_clock::time_point listed_at) override;
  std::size_t size() const override;
  /// Stages users in the directory's own 64-byte form, per shard; the commit moves them into
  /// the tables shard by shard (one shard locked at a time). At most `max_entries` users are
  /// staged (the rest would be evicted at once).
  std::unique_ptr<DirectoryListing> begin_listing(std::string_view workspace) override;
  bool nonblocking() const noexcept override { return true; }

  /// Bytes held by tables and arenas (capacity, not just use); for benchmarks and metrics.
  std::size_t memory_bytes() const;

 private:
  struct Shard;
  struct Workspaces;
  class Listing;
  Shard& shard_for(std::uint64_t key_hi) const;
  std::unique_ptr<Shard[]> shards_;
  std::size_t shard_count_;
  std::size_t max_per_shard_;
  std::unique_ptr<Workspaces> workspaces_;
};

}  // namespace embark
