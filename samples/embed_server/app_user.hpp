// AppUser: a user of the sample SaaS app, with the row-level attributes of their tenant.
#pragma once

#include <cstdint>
#include <string>

#include "embark/model.hpp"

namespace embark::sample {

/// A signed-in (or signing-in) user of the app. Plain value type.
struct AppUser {
  std::int64_t id = 0;
  std::string email;  ///< the app's login email
  std::string display_name;
  std::string tenant_slug;  ///< e.g. "acme"
  std::string tenant_name;  ///< e.g. "Acme Corp"
  /// Row-level-security attributes: the tenant's, overridden by the user's own (e.g. tenant_id,
  /// region, plan, department). These become the user's stored attributes in WisdomAI.
  embark::AttributeMap attributes;
};

}  // namespace embark::sample
