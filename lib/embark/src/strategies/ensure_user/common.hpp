// Steps shared by the ensure-user strategies (internal).
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark::internal {

/// The user's entry as a listing shows it (for when the directory backend cannot be read).
std::optional<DirectoryEntry> entry_from_listing(const PipelineContext& context,
                                                 const DirectoryRefresh& listing);

/// A UserRef from what the directory knows.
UserRef user_from_entry(const PipelineContext& context, const DirectoryEntry& entry);

/// Whether a failed call's answer may have been lost after the vendor applied it (reset,
/// truncated body, timeout, 5xx), as opposed to a verdict the vendor gave.
bool answer_may_be_lost(ErrorCode code);

/// createUsers for a user believed missing (roles and creation attributes included), then the
/// directory records what the vendor confirmed: the stored attributes only when `known_absent`
/// (a listing showed the user absent). "Already exists" (a concurrent creation, or the vendor's
/// error variant) is resolved by a forced, coalesced listUsers; so is a lost answer, after which
/// createUsers is sent once more only when that listing shows the user absent.
boost::asio::awaitable<Result<EnsureUserVerdict>> create_missing_user(PipelineContext& context,
                                                                      bool known_absent);

/// RolePolicy::enforce: re-apply roles with createUsers when the app's differ from the stored.
/// Updates `user` and the directory after the vendor confirmed.
boost::asio::awaitable<Result<bool>> enforce_roles(PipelineContext& context, UserRef& user,
                                                   RolePolicy policy);

/// The verdict for a user the directory lists: roles enforced per `policy`, outcome "cached"
/// unless enforcing them called the vendor.
boost::asio::awaitable<Result<EnsureUserVerdict>> existing_user(PipelineContext& context,
                                                                const DirectoryEntry& entry,
                                                                RolePolicy policy);

/// The outcome of a stage that made `calls` calls.
inline StageOutcome outcome_for_calls(int calls, StageOutcome otherwise) {
  return calls > 0 ? StageOutcome::called : otherwise;
}

}  // namespace embark::internal
