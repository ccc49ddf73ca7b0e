#include "embark/strategies/ensure_user/assume_exists.hpp"

#include "strategies/ensure_user/common.hpp"

namespace embark {

boost::asio::awaitable<Result<EnsureUserVerdict>> AssumeExistsEnsureUser::ensure(
    PipelineContext& context) {
  EnsureUserVerdict verdict;
  if (auto entry = co_await context.find_entry()) {
    verdict.user = internal::user_from_entry(context, *entry);
    verdict.outcome = StageOutcome::skipped_cached;
  } else {
    verdict.user.workspace = context.workspace();
    verdict.user.email = context.request().email;
    verdict.outcome = StageOutcome::skipped;
  }
  co_return verdict;
}

}  // namespace embark
