#include "embark/strategies/ensure_user/directory.hpp"

#include "strategies/ensure_user/common.hpp"

namespace embark {

boost::asio::awaitable<Result<EnsureUserVerdict>> DirectoryEnsureUser::ensure(
    PipelineContext& context) {
  auto entry = co_await context.find_entry();
  if (!entry || !context.is_fresh(*entry)) {
    auto refreshed = co_await context.refresh_directory(RefreshMode::if_due);
    // A stale entry is still better than a failed login or a createUsers that would reset the
    // user's roles: it serves when the refresh fails or the minimum interval suppressed it.
    if (!refreshed && !entry) co_return refreshed.error();
    if (refreshed) {
      entry = co_await context.find_entry();
      // A directory backend that cannot be read must not turn a listed user into a createUsers.
      if (!entry) entry = internal::entry_from_listing(context, *refreshed);
    }
  }
  if (!entry) co_return co_await internal::create_missing_user(context);

  co_return co_await internal::existing_user(context, *entry);
}

}  // namespace embark
