#include "embark/strategies/ensure_user/create_always.hpp"

#include "strategies/ensure_user/common.hpp"

namespace embark {

boost::asio::awaitable<Result<EnsureUserVerdict>> CreateAlwaysEnsureUser::ensure(
    PipelineContext& context) {
  auto entry = co_await context.find_entry();
  std::optional<std::vector<RoleAssignment>> roles;
  if (!context.request().roles.empty()) roles = context.request().roles;
  // Attributes ride along only for users not known to exist; known users keep theirs for
  // set-attributes.
  auto attributes = entry ? std::nullopt : context.attributes_at_creation();
  auto created = co_await context.create_user(roles, attributes);
  const bool exists_answer = !created && created.error().code() == ErrorCode::already_exists;
  if (!created && !exists_answer) co_return created.error();

  EnsureUserVerdict verdict;
  verdict.outcome = StageOutcome::called;
  DirectoryEntry updated = entry.value_or(DirectoryEntry{});
  if (created) {
    // OK: the vendor created the user or re-applied the roles (and the attributes, when sent).
    if (roles) updated.roles = context.roles_fingerprint();
    if (attributes) updated.attributes = fingerprint(*attributes);
    updated.seen = context.now();
    co_await context.put_entry(updated);
    verdict.user = internal::user_from_entry(context, updated);
    verdict.user.created = !entry.has_value();
    verdict.user.attributes_written = attributes.has_value();
  } else {
    // "Already exists": nothing changed at the vendor; what the directory knows still holds.
    verdict.user = internal::user_from_entry(context, updated);
  }
  co_return verdict;
}

}  // namespace embark
