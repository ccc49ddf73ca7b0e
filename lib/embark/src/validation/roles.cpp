#include "embark/roles.hpp"

#include <array>
#include <cctype>

namespace embark {
namespace {

constexpr std::array<RolePreset, 15> kPresets{{
    {"admin", "00000000-0000-0000-0000-000000000001"},
    {"explorer", "00000000-0000-0000-0000-000000000002"},
    {"viewer", "00000000-0000-0000-0000-000000000003"},
    {"data_admin", "00000000-0000-0000-0000-000000000004"},
    {"connection_admin", "00000000-0000-0000-0000-000000000005"},
    {"creator", "00000000-0000-0000-0000-000000000006"},
    {"observer", "00000000-0000-0000-0000-000000000007"},
    {"story_viewer", "00000000-0000-0000-0000-000000000008"},
    {"story_writer", "00000000-0000-0000-0000-000000000009"},
    {"schedule_viewer", "00000000-0000-0000-0000-000000000010"},
    {"schedule_writer", "00000000-0000-0000-0000-000000000011"},
    {"agent_viewer", "00000000-0000-0000-0000-000000000012"},
    {"agent_writer", "00000000-0000-0000-0000-000000000013"},
    {"site_admin", "00000000-0000-0000-0000-000000000014"},
    {"basic_explorer", "00000000-0000-0000-0000-000000000015"},
}};

// Preset names are matched ignoring case and treating '-' like '_' ("Data-Admin" == "data_admin").
bool same_preset_name(std::string_view given, std::string_view preset) {
  if (given.size() != preset.size()) return false;
  for (std::size_t i = 0; i < given.size(); ++i) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(given[i])));
    if (c == '-') c = '_';
    if (c != preset[i]) return false;
  }
  return true;
}

}  // namespace

std::span<const RolePreset> role_presets() noexcept { return kPresets; }

bool is_uuid(std::string_view text) noexcept {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position) {
      if (text[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

Result<std::string> resolve_role_id(std::string_view name_or_id, std::string_view field) {
  for (const auto& preset : kPresets) {
    if (same_preset_name(name_or_id, preset.name)) return std::string(preset.id);
  }
  if (is_uuid(name_or_id)) {
    std::string id(name_or_id);
    for (auto& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return id;
  }
  std::string known;
  for (const auto& preset : kPresets) {
    if (!known.empty()) known += ", ";
    known += preset.name;
  }
  return fail(ErrorCode::invalid_input, "not a role preset (" + known + ") nor a role UUID")
      .with_field(std::string(field));
}

std::string_view role_preset_name(std::string_view role_id) noexcept {
  for (const auto& preset : kPresets) {
    if (preset.id == role_id) return preset.name;
  }
  return {};
}

}  // namespace embark
