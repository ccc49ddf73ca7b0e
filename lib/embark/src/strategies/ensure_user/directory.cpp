#include "embark/strategies/ensure_user/directory.hpp"

#include "internal/core/invalid.hpp"
#include "strategies/ensure_user/common.hpp"

namespace embark {

DirectoryEnsureUser::DirectoryEnsureUser() = default;
DirectoryEnsureUser::DirectoryEnsureUser(Options options) : options_(options) {}

Result<void> DirectoryEnsureUser::validate() const {
  if (options_.directory_ttl <= std::chrono::seconds(0))
    return internal::invalid("directory_ttl", "must be positive");
  if (options_.min_refresh_interval < std::chrono::seconds(0))
    return internal::invalid("min_refresh_interval", "must not be negative");
  return {};
}

boost::asio::awaitable<Result<EnsureUserVerdict>> DirectoryEnsureUser::ensure(
    PipelineContext& context) {
  auto entry = co_await context.find_entry();
  bool listed = false;  // a listing taken during this run shows the user absent
  if (!entry || context.now() - entry->seen >= options_.directory_ttl) {
    auto refreshed =
        co_await context.refresh_directory(RefreshMode::if_due, options_.min_refresh_interval);
    // A stale entry is still better than a failed login or a createUsers that would reset the
    // user's roles: it serves when the refresh fails or the minimum interval suppressed it.
    if (!refreshed && !entry) co_return refreshed.error();
    if (refreshed) {
      listed = refreshed->listed && !refreshed->shows_user;
      entry = co_await context.find_entry();
      // A directory backend that cannot be read must not turn a listed user into a createUsers.
      if (!entry) entry = internal::entry_from_listing(context, *refreshed);
    }
  }
  if (!entry) co_return co_await internal::create_missing_user(context, listed);

  co_return co_await internal::existing_user(context, *entry, options_.role_policy);
}

}  // namespace embark
