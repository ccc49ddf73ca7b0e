#include "sync_rows.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "csv.hpp"
#include "text.hpp"

namespace embark::cli {
namespace {

struct Columns {
  std::size_t count = 0;
  std::optional<std::size_t> email, roles, attributes;
};

Result<Columns> read_header(const CsvRecord& header) {
  Columns columns;
  columns.count = header.fields.size();
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const std::string name = to_lower(trim(header.fields[i]));
    std::optional<std::size_t>* slot = nullptr;
    if (name == "email") slot = &columns.email;
    if (name == "roles") slot = &columns.roles;
    if (name == "attributes") slot = &columns.attributes;
    if (slot == nullptr) {
      return invalid("header", fmt::format("line {}: unknown column '{}' (expected email, roles, "
                                           "attributes)",
                                           header.line, name));
    }
    if (slot->has_value()) {
      return invalid("header",
                     fmt::format("line {}: column '{}' appears twice", header.line, name));
    }
    *slot = i;
  }
  if (!columns.email) {
    return invalid("header", fmt::format("line {}: the header has no 'email' column", header.line));
  }
  return columns;
}

}  // namespace

Result<AttributeMap> parse_attribute_list(std::string_view cell) {
  AttributeMap attributes;
  for (std::string_view item : split(cell, ';')) {
    item = trim(item);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      return invalid("attributes", fmt::format("'{}' is not key=value", item));
    }
    const std::string key(trim(item.substr(0, eq)));
    if (key.empty()) return invalid("attributes", fmt::format("'{}' has an empty key", item));
    if (!attributes.emplace(key, std::string(trim(item.substr(eq + 1)))).second) {
      return invalid("attributes." + key, fmt::format("key '{}' is given twice", key));
    }
  }
  return attributes;
}

Result<std::vector<RoleAssignment>> parse_role_list(
    std::string_view cell, const std::vector<std::string>& default_scopes) {
  std::vector<RoleAssignment> roles;
  for (std::string_view item : split(cell, ';')) {
    item = trim(item);
    if (item.empty()) continue;
    RoleAssignment role;
    const auto colon = item.find(':');
    role.role_id = std::string(trim(item.substr(0, colon)));
    if (role.role_id.empty()) return invalid("roles", fmt::format("'{}' names no role", item));
    if (colon != std::string_view::npos) {
      for (std::string_view scope : split(item.substr(colon + 1), '|')) {
        scope = trim(scope);
        if (!scope.empty()) role.scopes.emplace_back(scope);
      }
      if (role.scopes.empty()) {
        return invalid("roles", fmt::format("'{}' has an empty scope list", item));
      }
    } else {
      role.scopes = default_scopes;
    }
    roles.push_back(std::move(role));
  }
  return roles;
}

Result<SyncInput> read_sync_rows(std::string_view csv_text, const RowChecks& checks) {
  CsvDocument doc = parse_csv(csv_text);
  SyncInput input;
  if (doc.records.empty()) {
    if (!doc.problems.empty()) {
      return invalid("header", fmt::format("line {}: {}", doc.problems.front().line,
                                           doc.problems.front().message));
    }
    return invalid("header", "the file is empty (expected a header line: email,roles,attributes)");
  }
  const CsvRecord& header = doc.records.front();
  if (!doc.problems.empty() && doc.problems.front().line < header.line) {
    return invalid("header", fmt::format("line {}: {}", doc.problems.front().line,
                                         doc.problems.front().message));
  }
  auto columns = read_header(header);
  if (!columns) return columns.error();

  for (const CsvProblem& p : doc.problems) input.problems.push_back({p.line, "row", p.message});

  std::map<std::string, std::size_t, std::less<>> seen;  // lower-cased email -> line
  for (std::size_t r = 1; r < doc.records.size(); ++r) {
    const CsvRecord& record = doc.records[r];
    auto refuse = [&](std::string field, std::string message) {
      input.problems.push_back({record.line, std::move(field), std::move(message)});
    };
    if (record.fields.size() != columns->count) {
      refuse("row",
             fmt::format("expected {} fields, found {}", columns->count, record.fields.size()));
      continue;
    }
    SyncRow row;
    row.line = record.line;
    row.email = std::string(trim(record.fields[*columns->email]));
    if (row.email.empty()) {
      refuse("email", "the email is empty");
      continue;
    }
    if (checks.email) {
      if (auto ok = checks.email(row.email); !ok) {
        refuse("email", ok.error().message());
        continue;
      }
    }
    if (columns->roles && !trim(record.fields[*columns->roles]).empty()) {
      auto roles = parse_role_list(record.fields[*columns->roles], checks.default_scopes);
      if (!roles) {
        refuse(roles.error().field(), roles.error().message());
        continue;
      }
      bool bad = false;
      for (RoleAssignment& role : *roles) {
        if (!checks.role) continue;
        auto id = checks.role(role.role_id);
        if (!id) {
          refuse("roles", id.error().message());
          bad = true;
          break;
        }
        role.role_id = std::move(*id);
      }
      if (bad) continue;
      row.roles = std::move(*roles);
      row.roles_given = true;
    }
    if (columns->attributes && !trim(record.fields[*columns->attributes]).empty()) {
      auto attributes = parse_attribute_list(record.fields[*columns->attributes]);
      if (!attributes) {
        refuse(attributes.error().field(), attributes.error().message());
        continue;
      }
      if (checks.attributes) {
        if (auto ok = checks.attributes(*attributes); !ok) {
          refuse(ok.error().field().empty() ? "attributes" : ok.error().field(),
                 ok.error().message());
          continue;
        }
      }
      row.attributes = std::move(*attributes);
    }
    const std::string key = to_lower(row.email);
    if (auto it = seen.find(key); it != seen.end()) {
      refuse("email", fmt::format("{} already appears on line {}", row.email, it->second));
      continue;
    }
    seen.emplace(key, row.line);
    input.rows.push_back(std::move(row));
  }
  std::stable_sort(input.problems.begin(), input.problems.end(),
                   [](const RowProblem& a, const RowProblem& b) { return a.line < b.line; });
  return input;
}

}  // namespace embark::cli
