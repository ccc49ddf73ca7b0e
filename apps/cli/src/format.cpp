#include "format.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "role_names.hpp"

namespace embark::cli {

std::string format_roles(const std::vector<RoleAssignment>& roles) {
  std::string out;
  for (const RoleAssignment& r : roles) {
    if (!out.empty()) out += "; ";
    const std::string_view name = role_name(r.role_id);
    out += name.empty() ? r.role_id : std::string(name);
    if (!r.scopes.empty()) out += fmt::format(":{}", fmt::join(r.scopes, "|"));
  }
  return out;
}

std::string format_attributes(const AttributeMap& attributes) {
  std::string out;
  for (const auto& [key, value] : attributes) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{}={}", key, value);
  }
  return out;
}

boost::json::array roles_json(const std::vector<RoleAssignment>& roles) {
  boost::json::array out;
  for (const RoleAssignment& r : roles) {
    boost::json::object o;
    o["role_id"] = r.role_id;
    if (auto name = role_name(r.role_id); !name.empty()) o["role"] = name;
    o["scopes"] = to_json_array(r.scopes);
    out.push_back(std::move(o));
  }
  return out;
}

boost::json::object attributes_json(const AttributeMap& attributes) {
  boost::json::object out;
  for (const auto& [key, value] : attributes) out[key] = value;
  return out;
}

boost::json::object user_json(const UserRecord& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"roles", roles_json(user.roles)},
          {"attributes", attributes_json(user.attributes)}};
}

boost::json::array to_json_array(const std::vector<std::string>& items) {
  boost::json::array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

std::string format_time(std::chrono::system_clock::time_point when) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(when)));
}

}  // namespace embark::cli
