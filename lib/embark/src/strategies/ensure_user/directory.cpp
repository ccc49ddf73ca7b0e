#include "embark/strategies/ensure_user/directory.hpp"

#include "strategies/ensure_user/common.hpp"

namespace embark {

boost::asio::awaitable<Result<EnsureUserVerdict>> DirectoryEnsureUser::ensure(PipelineContext& context) {
  auto& directory = context.directory();
  auto entry = directory.find(context.workspace(), context.email_key());
  if (!entry || !context.is_fresh(*entry)) {
    auto refreshed = co_await context.refresh_directory(RefreshMode::if_due);
    if (!refreshed) co_return refreshed.error();
    // Within the minimum interval no refresh runs; a stale entry is still better than a
    // createUsers that would reset the user's roles.
    entry = directory.find(context.workspace(), context.email_key());
  }
  if (!entry) co_return co_await internal::create_missing_user(context);

  EnsureUserVerdict verdict;
  verdict.user = internal::user_from_entry(context, *entry);
  auto enforced = co_await internal::enforce_roles(context, verdict.user);
  if (!enforced) co_return enforced.error();
  verdict.outcome = internal::outcome_for_calls(context.stage_vendor_calls(), StageOutcome::skipped_cached);
  co_return verdict;
}

}  // namespace embark
