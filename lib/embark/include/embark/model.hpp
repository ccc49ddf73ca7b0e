// Plain data types shared by the client, the pipeline and the caches.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "embark/secret.hpp"

namespace embark {

/// Attribute key -> value. Ordered, so equal sets fingerprint equally.
using AttributeMap = std::map<std::string, std::string, std::less<>>;

/// One role assignment: a role id (a documented UUID) and the scopes (domain ids) it applies to.
struct RoleAssignment {
  std::string role_id;
  std::vector<std::string> scopes;
  friend bool operator==(const RoleAssignment&, const RoleAssignment&) = default;
};

/// A user as listUsers reports it, reduced to what embark needs.
struct UserRecord {
  std::string id;
  std::string email;
  AttributeMap attributes;  ///< DATABASE-sourced attributes only (JWT-sourced ones are read-only)
  std::vector<RoleAssignment> roles;
};

/// Receives the users of a listUsers answer one at a time, as the answer streams in
/// (ListUsersRequest::sink). Called from the call's coroutine only, never concurrently.
class UserSink {
 public:
  virtual ~UserSink() = default;
  /// A new attempt starts (a retried call lists from the beginning): forget what came so far.
  virtual void restart() = 0;
  /// The next listed user; the reference is valid during the call only. Users handed over are
  /// confirmed only when the call succeeds: a call that fails midway (GraphQL `errors`, a cut
  /// connection, a malformed answer) ends with an error after some users went by.
  virtual void add(const UserRecord& user) = 0;
};

/// listUsers: every user of one workspace (the API has no paging or filter).
struct ListUsersRequest {
  std::string workspace_id;  ///< empty: the default workspace
  /// When set, every listed user goes to this sink as the answer arrives and the call answers
  /// an empty vector: the answer is never held whole, so no TransportOptions::max_response_bytes
  /// applies (the call deadline and the sink bound it). Null: the users are collected.
  std::shared_ptr<UserSink> sink;
};

/// createUsers: one call creates (or, per the docs, re-applies roles of) several users at once.
struct CreateUsersRequest {
  std::vector<std::string> emails;
  std::string workspace_id;
  std::optional<std::vector<RoleAssignment>> roles;  ///< nullopt: field omitted
  std::optional<AttributeMap> attributes;            ///< nullopt: field omitted
  std::vector<std::string> group_ids;
  bool send_welcome_email = false;
};

/// setUserAttributes: replaces all DATABASE attributes of one user.
struct SetUserAttributesRequest {
  std::string user_id;
  AttributeMap attributes;
};

/// deleteUsersFromWorkspace: irreversible removal of users by id.
struct DeleteUsersRequest {
  std::vector<std::string> user_ids;
  std::string workspace_id;
};

/// impersonateUser: trade the access key for a session JWT of one user.
struct ImpersonateRequest {
  std::string email;
  AttributeMap session_attributes;  ///< transient, never persisted; mutation form only
  bool use_query_form = false;      ///< the old `query` form (no session attributes)
};

/// A JWT and its expiry as decoded from its `exp` claim.
struct SessionToken {
  Secret jwt;
  std::chrono::system_clock::time_point expires_at;
};

}  // namespace embark
