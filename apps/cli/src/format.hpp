// Readable and JSON renderings of embark's data for the command's output.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "embark/model.hpp"

namespace embark::cli {

/// "viewer:dom_1|dom_2; 00000000-...-0099" (preset names where the id is a documented role).
std::string format_roles(const std::vector<RoleAssignment>& roles);
/// "region=eu; tenant_id=t1".
std::string format_attributes(const AttributeMap& attributes);
/// {"id","email","roles":[{"role_id","role","scopes"}],"attributes":{}}.
boost::json::object user_json(const UserRecord& user);
/// Roles as a JSON array of {"role_id","role","scopes"}.
boost::json::array roles_json(const std::vector<RoleAssignment>& roles);
/// Attributes as a JSON object.
boost::json::object attributes_json(const AttributeMap& attributes);
/// A JSON array of strings.
boost::json::array to_json_array(const std::vector<std::string>& items);
/// RFC 3339 UTC with whole seconds: "2026-11-27T10:00:00Z".
std::string format_time(std::chrono::system_clock::time_point when);

}  // namespace embark::cli
