// Role presets: the documented WisdomAI role names and their fixed ids (docs/vendor-api.md#roles).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "embark/result.hpp"

namespace embark {

/// One documented role: a preset name as embark spells it ("viewer") and its vendor id.
struct RolePreset {
  std::string_view name;  ///< lower-case preset name, e.g. "data_admin"
  std::string_view id;    ///< the vendor's role UUID, e.g. "00000000-0000-0000-0000-000000000004"
};

/// Every preset embark knows: admin, explorer, viewer, data_admin, connection_admin, creator,
/// observer, story_viewer, story_writer, schedule_viewer, schedule_writer, agent_viewer,
/// agent_writer, site_admin, basic_explorer. Thread-safe (immutable table).
std::span<const RolePreset> role_presets() noexcept;

/// Whether `text` has UUID syntax (8-4-4-4-12 hexadecimal digits).
bool is_uuid(std::string_view text) noexcept;

/// A preset name (case-insensitive, '-' or '_') or a raw UUID -> the role id to send.
/// Fails with invalid_input (field `field`) for anything else.
Result<std::string> resolve_role_id(std::string_view name_or_id, std::string_view field = "role");

/// The preset name of a role id, or empty when the id is not a preset.
std::string_view role_preset_name(std::string_view role_id) noexcept;

}  // namespace embark
