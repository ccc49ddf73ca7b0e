#include "embark/session.hpp"

namespace embark {

std::string_view to_string(Stage stage) noexcept {
  switch (stage) {
    case Stage::ensure_user:
      return "ensure-user";
    case Stage::set_attributes:
      return "set-attributes";
    case Stage::impersonate:
      return "impersonate";
  }
  return "unknown";
}

std::string_view to_string(StageOutcome outcome) noexcept {
  switch (outcome) {
    case StageOutcome::called:
      return "called";
    case StageOutcome::skipped_cached:
      return "skipped_cached";
    case StageOutcome::skipped_unchanged:
      return "skipped_unchanged";
    case StageOutcome::skipped:
      return "skipped";
    case StageOutcome::joined_in_flight:
      return "joined_in_flight";
    case StageOutcome::failed:
      return "failed";
  }
  return "unknown";
}

}  // namespace embark
