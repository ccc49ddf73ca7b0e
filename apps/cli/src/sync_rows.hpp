// The rows of a `sync` CSV file (header `email,roles,attributes`), checked one by one.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "embark/model.hpp"
#include "embark/result.hpp"

namespace embark::cli {

/// One wanted user. Plain value type.
struct SyncRow {
  std::size_t line = 0;  ///< line of the CSV file where the row starts
  std::string email;
  /// Role ids (already resolved from preset names) with their scopes; empty with roles_given
  /// false when the row leaves roles alone.
  std::vector<RoleAssignment> roles;
  bool roles_given = false;
  /// The complete desired stored attributes, or nullopt when the row leaves them alone.
  std::optional<AttributeMap> attributes;
};

/// A row that was refused, with the line and the column (or "row") at fault.
struct RowProblem {
  std::size_t line = 0;
  std::string field;  ///< "email", "roles", "attributes", "row"
  std::string message;
};

/// How cells are checked; the command wires these to embark's validation. Empty functions accept
/// everything as it is.
struct RowChecks {
  std::function<Result<void>(std::string_view email)> email;
  /// A preset name or UUID -> the role id to send.
  std::function<Result<std::string>(std::string_view role)> role;
  std::function<Result<void>(const AttributeMap& attributes)> attributes;
  /// Scopes given to a role written without its own (`viewer` rather than `viewer:dom1`).
  std::vector<std::string> default_scopes;
};

/// Everything read from the file: good rows and refused rows, in file order.
struct SyncInput {
  std::vector<SyncRow> rows;
  std::vector<RowProblem> problems;
};

/// Reads the whole file. The header names the columns (any order, case-insensitive): `email`
/// (required), `roles` (`;`-separated; each a preset name or role UUID, optionally
/// `:scope|scope`), `attributes` (`;`-separated `key=value`). A header that cannot be used fails
/// the whole input (invalid_input, field "header"); a bad row is reported and the others go on.
/// A repeated email (case-insensitive) is refused on its later line. Thread-safe.
Result<SyncInput> read_sync_rows(std::string_view csv_text, const RowChecks& checks);

/// Parses one `attributes` cell (`k=v;k=v`, spaces around items ignored, `=` allowed in values).
/// Errors name the field "attributes".
Result<AttributeMap> parse_attribute_list(std::string_view cell);

/// Parses one `roles` cell into assignments with unresolved role names.
Result<std::vector<RoleAssignment>> parse_role_list(std::string_view cell,
                                                    const std::vector<std::string>& default_scopes);

}  // namespace embark::cli
