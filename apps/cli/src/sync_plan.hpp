// The `sync` planner: from the vendor's user list and the wanted rows, what to write. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "embark/model.hpp"

#include "sync_rows.hpp"

namespace embark::cli {

/// One createUsers call: users that share roles and attributes. Plain value type.
struct CreateBatch {
  std::vector<RoleAssignment> roles;  ///< sent only when roles_given
  bool roles_given = false;
  std::optional<AttributeMap> attributes;  ///< nullopt: field omitted
  std::vector<std::string> emails;
  std::vector<std::size_t> lines;  ///< CSV line of each email, same order
};

/// One setUserAttributes call (full replacement) for a user who exists.
struct AttributeUpdate {
  std::size_t line = 0;
  std::string email;
  std::string user_id;
  AttributeMap attributes;
};

/// A row whose user already matches.
struct LeaveAlone {
  std::size_t line = 0;
  std::string email;
};

/// What a sync will do. Each row appears in exactly one of creates / (role_updates and/or
/// attribute_updates) / unchanged.
struct SyncPlan {
  std::vector<CreateBatch> creates;       ///< users missing from the workspace
  std::vector<CreateBatch> role_updates;  ///< existing users whose roles differ (--enforce-roles)
  std::vector<AttributeUpdate> attribute_updates;
  std::vector<LeaveAlone> unchanged;

  /// Users to be created.
  std::size_t create_count() const;
  /// Existing users to be written (each counted once even with both a role and attribute change).
  std::size_t update_count() const;
  /// Vendor write calls the plan makes.
  std::size_t call_count() const {
    return creates.size() + role_updates.size() + attribute_updates.size();
  }
};

/// Planner settings.
struct PlanOptions {
  /// Re-apply roles of existing users whose roles differ from the row's (createUsers overwrites
  /// roles set by hand, so this is off by default).
  bool enforce_roles = false;
  /// Most emails in one createUsers call.
  std::size_t max_batch_size = 100;
};

/// Decides per row: create (missing user, grouped by identical roles and attributes into batches
/// in first-appearance order), update attributes (stored DATABASE attributes differ), re-apply
/// roles (only with enforce_roles), or leave alone. Users are matched by case-insensitive email.
/// Because it plans against the live directory, running it again after a partial run plans only
/// what is left. Pure function; thread-safe.
SyncPlan plan_sync(std::span<const UserRecord> directory, std::span<const SyncRow> rows,
                   const PlanOptions& options = {});

/// Role assignments in a canonical order (by role id, scopes sorted), for comparison.
std::vector<RoleAssignment> canonical_roles(std::vector<RoleAssignment> roles);

}  // namespace embark::cli
