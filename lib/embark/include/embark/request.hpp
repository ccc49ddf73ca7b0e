// OnboardRequest: what the app knows about a user when it puts them into an embedded session.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "embark/embed.hpp"
#include "embark/model.hpp"

namespace embark {

/// Everything the login handler passes to Onboarder::onboard. Plain value type.
///
/// Validated before any vendor call (embark/validation.hpp); errors name the field.
struct OnboardRequest {
  /// The user's email: the vendor's key (compared case-insensitively). Required, <= 254 chars.
  std::string email;
  /// Workspace id; empty = OnboarderConfig::default_workspace (empty there = vendor default).
  std::string workspace;
  /// Roles given at creation (and in RolePolicy::enforce mode re-applied when they differ).
  /// `role_id` may be a preset name ("viewer", "explorer", "admin", "data_admin", "observer",
  /// "basic_explorer", ... see roles.hpp) or a raw role UUID; scopes are domain ids.
  std::vector<RoleAssignment> roles;
  /// Stored (DATABASE) attributes, the row-level-security facts the app owns.
  AttributeMap attributes;
  /// Session-only attributes passed to impersonateUser, never persisted. The key
  /// `impersonated_user_id` is refused.
  AttributeMap session_attributes;
  /// Group ids to join on creation.
  std::vector<std::string> groups;
  /// Display name, stored as the `display_name` attribute (the vendor has no name field).
  std::string display_name;
  /// Whether the vendor sends its welcome email on creation (off, as the docs advise).
  bool send_welcome_email = false;
  /// The page the Session's embed URL opens.
  EmbedTarget embed;
  /// Time the whole onboarding may take from the call: every stage, vendor call, retry, backoff
  /// and wait on a joined identical run. Past it the result is Error{deadline_exceeded}.
  /// nullopt = OnboarderConfig::deadline. Must be positive.
  std::optional<std::chrono::milliseconds> deadline;
};

}  // namespace embark
