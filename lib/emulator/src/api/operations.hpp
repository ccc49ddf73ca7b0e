// The documented WisdomAI operations: one resolver per root field, over the user store and keys.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>

#include "embark/emulator/options.hpp"

#include "api/request_context.hpp"
#include "auth/credentials.hpp"
#include "auth/jwt.hpp"
#include "graphql/engine.hpp"
#include "state/user_store.hpp"

namespace embark::emulator {

/// Source of "now" (injectable for tests).
using Clock = std::function<TimePoint()>;

/// What a root field needs from the caller before it may run.
enum class Requirement { none, any_caller, iam_write };

/// The requirement of a root field ("listUsers" -> iam_write, "impersonateUser" -> none).
Requirement requirement_of(std::string_view root_field);

/// Resolvers of every root field of the schema. Thread-safe (state lives in the store).
class Operations {
 public:
  Operations(UserStore& store, const Credentials& credentials, std::shared_ptr<const JwtKeys> keys,
             const Options& options, Clock clock);

  /// Registers every resolver on the engine.
  void register_on(graphql::Engine& engine);

  /// Identifies the caller from an Authorization header value (may be empty).
  Caller authenticate(std::string_view authorization) const;

  /// Bits of user_json's `fields`: which User fields to fill.
  static constexpr unsigned kUserId = 1u << 0;
  static constexpr unsigned kUserEmail = 1u << 1;
  static constexpr unsigned kUserName = 1u << 2;
  static constexpr unsigned kUserProfilePicture = 1u << 3;
  static constexpr unsigned kUserCreationTimestamp = 1u << 4;
  static constexpr unsigned kUserLastActiveSessionTimestamp = 1u << 5;
  static constexpr unsigned kUserRoleAssignments = 1u << 6;
  static constexpr unsigned kUserAttributes = 1u << 7;
  static constexpr unsigned kUserIsScimManaged = 1u << 8;
  static constexpr unsigned kUserStatus = 1u << 9;
  static constexpr unsigned kAllUserFields = (1u << 10) - 1;

  /// The User fields a call's selection set reads (the engine's lookahead, fragments included).
  static unsigned selected_user_fields(const graphql::FieldCall& call);

  /// The User object with the schema fields named in `fields` (the engine picks the selected
  /// ones; a field left out completes as null, so `fields` must cover the selection).
  static boost::json::object user_json(const StoredUser& user,
                                       const boost::json::storage_ptr& sp = {},
                                       unsigned fields = kAllUserFields);

  /// Effective attributes of a user: JWT < DATABASE < session (impersonated_user_id dropped).
  static AttributeMap effective_attributes(const StoredUser& user, const AttributeMap& session);

  /// Mints the session JWT of `user` (what impersonateUser returns).
  std::string mint_session_token(const StoredUser& user, const AttributeMap& session) const;

  std::int64_t now_seconds() const;

 private:
  graphql::FieldResult list_users(const boost::json::object& args, unsigned user_fields);
  graphql::FieldResult current_user(RequestContext& ctx);
  graphql::FieldResult exchange_access_token(const boost::json::object& args, RequestContext& ctx);
  graphql::FieldResult impersonate_user(const boost::json::object& args, RequestContext& ctx);
  graphql::FieldResult create_users(const boost::json::object& args);
  graphql::FieldResult set_user_attributes(const boost::json::object& args);
  graphql::FieldResult delete_users(const boost::json::object& args);
  graphql::FieldResult share(const boost::json::object& args, bool add);

  UserStore& store_;
  const Credentials& credentials_;
  std::shared_ptr<const JwtKeys> keys_;
  const Options& options_;
  Clock clock_;
};

}  // namespace embark::emulator
