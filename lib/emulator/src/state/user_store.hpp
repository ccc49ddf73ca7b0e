// The emulator's users: per workspace, keyed by lower-cased email, in creation order.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "embark/emulator/options.hpp"
#include "embark/model.hpp"

namespace embark::emulator {

using TimePoint = std::chrono::system_clock::time_point;

/// One stored user. Shared immutably (copy-on-write); only the last-activity time changes in place.
struct StoredUser {
  std::string id;
  std::string email;  ///< as first given
  std::string workspace;
  std::vector<RoleAssignment> roles;
  AttributeMap database_attributes;  ///< set by createUsers / setUserAttributes
  AttributeMap jwt_attributes;       ///< "from the identity provider": read-only through the API
  std::vector<std::string> groups;
  TimePoint created{};
  std::string
      created_text;  ///< `created` in RFC 3339 (formatted once: listUsers shows it for every user)
  std::uint64_t seq = 0;                                 ///< creation order
  mutable std::atomic<std::int64_t> last_active_ms{-1};  ///< ms since epoch; -1 = never

  StoredUser() = default;
  StoredUser(const StoredUser& o);
  StoredUser& operator=(const StoredUser&) = delete;
};
using UserPtr = std::shared_ptr<const StoredUser>;

/// What createUsers asks for one batch (already validated). nullopt fields are left unchanged
/// on existing users.
struct CreateUsersSpec {
  std::string workspace;
  std::vector<std::string> emails;
  std::optional<std::vector<RoleAssignment>> roles;
  std::optional<AttributeMap> attributes;
  std::optional<std::vector<std::string>> groups;
  AttributeMap jwt_attributes;  ///< only used by seeding
};

/// Outcome of a store operation in the vocabulary of ResponseStatus.
struct StoreStatus {
  std::string code;  ///< "OK", "ERROR" or "NOT_FOUND"
  std::string message;
  bool ok() const { return code == "OK"; }
};

/// UTC time as RFC 3339 with seconds ("2026-11-27T08:25:47Z").
std::string rfc3339(TimePoint t);

/// Lower-cases ASCII letters (emails are compared case-insensitively).
std::string lower_email(std::string_view email);

/// Users of all workspaces. Thread-safe: readers share a lock; each write is atomic.
class UserStore {
 public:
  /// `workspaces` are the known workspace ids; `seed` makes the generated user ids deterministic.
  UserStore(const std::vector<std::string>& workspaces, std::uint64_t seed);

  bool has_workspace(std::string_view workspace) const;
  /// Every user of the workspace in creation order (empty when the workspace is unknown).
  std::vector<UserPtr> list(std::string_view workspace) const;
  UserPtr find_by_email(std::string_view workspace, std::string_view email) const;
  UserPtr find_by_id(std::string_view id) const;
  std::size_t size() const;

  /// Creates the missing users and updates existing ones (or fails, per mode), all or nothing.
  StoreStatus create_users(const CreateUsersSpec& spec, ExistingUserMode mode, TimePoint now);
  /// Replaces the DATABASE attributes of one user; NOT_FOUND for an unknown id.
  StoreStatus set_attributes(std::string_view id, AttributeMap attributes);
  /// Deletes users by id, all or nothing: NOT_FOUND (and nothing deleted) if any id is unknown
  /// or not in `workspace`.
  StoreStatus delete_users(std::string_view workspace, const std::vector<std::string>& ids);
  /// Records a session start of the user.
  static void touch(const StoredUser& user, TimePoint now);
  /// Deletes every user (workspaces stay).
  void clear();

 private:
  struct Workspace {
    std::map<std::uint64_t, UserPtr> by_seq;
    std::unordered_map<std::string, std::uint64_t> by_email;  // lower-cased
  };
  struct IdEntry {
    std::string workspace;
    std::uint64_t seq;
  };
  std::string next_id_locked();

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Workspace> workspaces_;
  std::unordered_map<std::string, IdEntry> by_id_;
  std::uint64_t seed_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace embark::emulator
