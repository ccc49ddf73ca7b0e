#include "embark/strategies/ensure_user/list_then_create.hpp"

#include "strategies/ensure_user/common.hpp"

namespace embark {

boost::asio::awaitable<Result<EnsureUserVerdict>> ListThenCreateEnsureUser::ensure(PipelineContext& context) {
  auto refreshed = co_await context.refresh_directory(RefreshMode::force);
  if (!refreshed) co_return refreshed.error();
  auto entry = context.directory().find(context.workspace(), context.email_key());
  if (!entry) co_return co_await internal::create_missing_user(context);
  EnsureUserVerdict verdict;
  verdict.user = internal::user_from_entry(context, *entry);
  auto enforced = co_await internal::enforce_roles(context, verdict.user);
  if (!enforced) co_return enforced.error();
  verdict.outcome = internal::outcome_for_calls(context.stage_vendor_calls(), StageOutcome::skipped_cached);
  co_return verdict;
}

}  // namespace embark
