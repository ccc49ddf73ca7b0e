#include "embark/strategies/ensure_user/list_then_create.hpp"

#include "strategies/ensure_user/common.hpp"

namespace embark {

ListThenCreateEnsureUser::ListThenCreateEnsureUser() = default;
ListThenCreateEnsureUser::ListThenCreateEnsureUser(Options options) : options_(options) {}

boost::asio::awaitable<Result<EnsureUserVerdict>> ListThenCreateEnsureUser::ensure(
    PipelineContext& context) {
  auto refreshed = co_await context.refresh_directory(RefreshMode::force);
  if (!refreshed) co_return refreshed.error();
  auto entry = co_await context.find_entry();
  if (!entry) entry = internal::entry_from_listing(context, *refreshed);
  if (!entry) co_return co_await internal::create_missing_user(context, !refreshed->shows_user);
  co_return co_await internal::existing_user(context, *entry, options_.role_policy);
}

}  // namespace embark
