#include "role_names.hpp"

#include "embark/roles.hpp"
#include "embark/validation.hpp"

namespace embark::cli {

std::string_view role_name(std::string_view role_id) noexcept { return role_preset_name(role_id); }

RowChecks library_checks() {
  RowChecks checks;
  checks.email = [](std::string_view email) { return validate_email(email); };
  checks.role = [](std::string_view role) { return resolve_role_id(role, "roles"); };
  checks.attributes = [](const AttributeMap& attributes) {
    return validate_attributes(attributes, "attributes");
  };
  return checks;
}

}  // namespace embark::cli
