#include "state/roles.hpp"

#include <array>
#include <utility>

namespace embark::emulator {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kRoles{{
    {"00000000-0000-0000-0000-000000000001", "ADMIN"},
    {"00000000-0000-0000-0000-000000000002", "EXPLORER"},
    {"00000000-0000-0000-0000-000000000003", "VIEWER"},
    {"00000000-0000-0000-0000-000000000004", "DATA_ADMIN"},
    {"00000000-0000-0000-0000-000000000005", "CONNECTION_ADMIN"},
    {"00000000-0000-0000-0000-000000000006", "CREATOR"},
    {"00000000-0000-0000-0000-000000000007", "OBSERVER"},
    {"00000000-0000-0000-0000-000000000008", "STORY_VIEWER"},
    {"00000000-0000-0000-0000-000000000009", "STORY_WRITER"},
    {"00000000-0000-0000-0000-000000000010", "SCHEDULE_VIEWER"},
    {"00000000-0000-0000-0000-000000000011", "SCHEDULE_WRITER"},
    {"00000000-0000-0000-0000-000000000012", "AGENT_VIEWER"},
    {"00000000-0000-0000-0000-000000000013", "AGENT_WRITER"},
    {"00000000-0000-0000-0000-000000000014", "SITE_ADMIN"},
    {"00000000-0000-0000-0000-000000000015", "BASIC_EXPLORER"},
}};

}  // namespace

bool is_known_role(std::string_view role_id) { return !role_name(role_id).empty(); }

std::string_view role_name(std::string_view role_id) {
  for (const auto& [id, name] : kRoles) {
    if (id == role_id) return name;
  }
  return {};
}

}  // namespace embark::emulator
