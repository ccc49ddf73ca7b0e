#include "strategies/ensure_user/common.hpp"

namespace embark::internal {
namespace {

std::optional<std::vector<RoleAssignment>> roles_to_send(const PipelineContext& context) {
  if (context.request().roles.empty()) return std::nullopt;
  return context.request().roles;
}

}  // namespace

std::optional<DirectoryEntry> entry_from_listing(const PipelineContext& context,
                                                 const DirectoryRefresh& listing) {
  if (!listing.users) return std::nullopt;
  for (const auto& record : *listing.users) {
    if (lower_email(record.email) != context.email_key()) continue;
    DirectoryEntry entry;
    entry.user_id = record.id;
    entry.attributes = fingerprint(record.attributes);
    entry.roles = fingerprint(record.roles);
    entry.seen = context.now();
    return entry;
  }
  return std::nullopt;
}

UserRef user_from_entry(const PipelineContext& context, const DirectoryEntry& entry) {
  UserRef user;
  user.workspace = context.workspace();
  user.email = context.request().email;
  user.user_id = entry.user_id;
  user.attributes = entry.attributes;
  user.roles = entry.roles;
  return user;
}

boost::asio::awaitable<Result<EnsureUserVerdict>> create_missing_user(PipelineContext& context) {
  auto attributes = context.attributes_at_creation();
  auto roles = roles_to_send(context);
  auto created = co_await context.create_user(roles, attributes);
  if (created) {
    DirectoryEntry entry;
    if (attributes) entry.attributes = fingerprint(*attributes);
    if (roles) entry.roles = context.roles_fingerprint();
    entry.seen = context.now();
    co_await context.put_entry(entry);
    EnsureUserVerdict verdict;
    verdict.user = user_from_entry(context, entry);
    verdict.user.created = true;
    verdict.user.attributes_written = attributes.has_value();
    verdict.outcome = StageOutcome::called;
    co_return verdict;
  }
  if (created.error().code() != ErrorCode::already_exists) co_return created.error();
  // The user exists after all: learn its id and stored state; set-attributes reconciles them.
  auto refreshed = co_await context.refresh_directory(RefreshMode::force);
  if (!refreshed) co_return refreshed.error();
  auto entry = co_await context.find_entry();
  if (!entry) {
    co_return fail(ErrorCode::server_error,
                   "createUsers reported an existing user that listUsers does not list")
        .with_operation("listUsers");
  }
  EnsureUserVerdict verdict;
  verdict.user = user_from_entry(context, *entry);
  verdict.outcome = StageOutcome::called;
  co_return verdict;
}

boost::asio::awaitable<Result<bool>> enforce_roles(PipelineContext& context, UserRef& user) {
  if (context.config().role_policy != RolePolicy::enforce || context.request().roles.empty())
    co_return false;
  if (user.roles && *user.roles == context.roles_fingerprint()) co_return false;
  auto applied = co_await context.create_user(context.request().roles, std::nullopt);
  if (!applied) {
    // The vendor's "already exists" variant does not re-apply roles; the user stays as it is.
    if (applied.error().code() == ErrorCode::already_exists) co_return true;
    co_return applied.error();
  }
  user.roles = context.roles_fingerprint();
  // (Two statements: GCC 12 mis-destroys temporaries of a co_await inside a larger expression.)
  std::optional<DirectoryEntry> known = co_await context.find_entry();
  DirectoryEntry entry = known ? std::move(*known) : DirectoryEntry{};
  entry.user_id = user.user_id;
  entry.roles = user.roles;
  entry.seen = context.now();
  co_await context.put_entry(entry);
  co_return true;
}

boost::asio::awaitable<Result<EnsureUserVerdict>> existing_user(PipelineContext& context,
                                                                const DirectoryEntry& entry) {
  EnsureUserVerdict verdict;
  verdict.user = user_from_entry(context, entry);
  auto enforced = co_await enforce_roles(context, verdict.user);
  if (!enforced) co_return enforced.error();
  verdict.outcome = outcome_for_calls(context.stage_vendor_calls(), StageOutcome::skipped_cached);
  co_return verdict;
}

}  // namespace embark::internal
