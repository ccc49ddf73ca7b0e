#include "strategies/set_attributes/common.hpp"

namespace embark::internal {
namespace {

boost::asio::awaitable<void> adopt(PipelineContext& context, UserRef& user) {
  if (auto entry = co_await context.find_entry()) {
    if (!entry->user_id.empty()) user.user_id = entry->user_id;
    if (entry->attributes) user.attributes = entry->attributes;
    if (entry->roles) user.roles = entry->roles;
  }
}

}  // namespace

boost::asio::awaitable<Result<void>> resolve_user(PipelineContext& context, UserRef& user) {
  if (!user.user_id.empty() && user.attributes) co_return Result<void>{};
  co_await adopt(context, user);
  if (!user.user_id.empty() && user.attributes) co_return Result<void>{};
  // Forced, not if_due: a listing the minimum interval suppressed would leave the user unknown
  // and be followed by a forced one anyway, so the interval (the directory strategy's option)
  // could only add a step, never save a call.
  auto refreshed = co_await context.refresh_directory(RefreshMode::force);
  if (!refreshed) co_return refreshed.error();
  co_await adopt(context, user);
  // A joined listing may have been sent before this run created the user: only a listing sent
  // after it can say the user is missing.
  if (user.user_id.empty() && refreshed->joined) {
    refreshed = co_await context.refresh_directory(RefreshMode::force);
    if (!refreshed) co_return refreshed.error();
    co_await adopt(context, user);
  }
  if (user.user_id.empty()) {
    co_return fail(ErrorCode::not_found, "listUsers does not list the user")
        .with_operation("listUsers");
  }
  co_return Result<void>{};
}

boost::asio::awaitable<Result<void>> write_attributes(PipelineContext& context, UserRef& user,
                                                      const AttributeMap& attributes) {
  auto written = co_await context.set_user_attributes(user.user_id, attributes);
  if (!written) co_return written.error();
  user.attributes = fingerprint(attributes);
  // (Two statements: GCC 12 mis-destroys temporaries of a co_await inside a larger expression.)
  std::optional<DirectoryEntry> known = co_await context.find_entry();
  DirectoryEntry entry = known ? std::move(*known) : DirectoryEntry{};
  entry.user_id = user.user_id;
  entry.attributes = user.attributes;
  if (!entry.roles) entry.roles = user.roles;
  entry.seen = context.now();
  co_await context.put_entry(entry);
  co_return Result<void>{};
}

}  // namespace embark::internal
