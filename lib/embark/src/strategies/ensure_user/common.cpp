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
  if (!listing.user) return std::nullopt;
  const UserRecord& record = *listing.user;
  DirectoryEntry entry;
  entry.user_id = record.id;
  entry.attributes = fingerprint(record.attributes);
  entry.roles = fingerprint(record.roles);
  entry.seen = context.now();
  return entry;
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

bool answer_may_be_lost(ErrorCode code) {
  switch (code) {
    case ErrorCode::timeout:
    case ErrorCode::connect:
    case ErrorCode::protocol:
    case ErrorCode::server_error:
    case ErrorCode::deadline_exceeded:
    case ErrorCode::cancelled:
    case ErrorCode::internal:
      return true;
    default:
      return false;
  }
}

namespace {

// The verdict for a user a listing shows (after "already exists" or a lost createUsers answer).
boost::asio::awaitable<Result<EnsureUserVerdict>> listed_user(PipelineContext& context,
                                                              const DirectoryRefresh& listing) {
  std::optional<DirectoryEntry> entry = co_await context.find_entry();
  if (!entry) entry = entry_from_listing(context, listing);
  if (!entry) co_return Error(ErrorCode::not_found, "listUsers does not list the user");
  EnsureUserVerdict verdict;
  verdict.user = user_from_entry(context, *entry);
  verdict.outcome = StageOutcome::called;
  co_return verdict;
}

// createUsers answered OK. Stored attributes are known only when the user did not exist before
// (a new user holds exactly what was sent, or none); for a user that may have existed the vendor
// leaves them undocumented, so the next listing or write settles them. Roles sent are re-applied
// either way (documented).
boost::asio::awaitable<EnsureUserVerdict> record_created(
    PipelineContext& context, bool known_absent, const std::optional<AttributeMap>& attributes,
    const std::optional<std::vector<RoleAssignment>>& roles) {
  DirectoryEntry entry;
  if (known_absent) entry.attributes = fingerprint(attributes.value_or(AttributeMap{}));
  if (roles) entry.roles = context.roles_fingerprint();
  entry.seen = context.now();
  co_await context.put_entry(entry);
  EnsureUserVerdict verdict;
  verdict.user = user_from_entry(context, entry);
  verdict.user.created = known_absent;
  verdict.user.attributes_written = known_absent && attributes.has_value();
  verdict.outcome = StageOutcome::called;
  co_return verdict;
}

}  // namespace

boost::asio::awaitable<Result<EnsureUserVerdict>> create_missing_user(PipelineContext& context,
                                                                      bool known_absent) {
  auto attributes = context.attributes_at_creation();
  auto roles = roles_to_send(context);
  auto created = co_await context.create_user(roles, attributes);
  if (created) co_return co_await record_created(context, known_absent, attributes, roles);
  const Error error = created.error();
  if (error.code() == ErrorCode::already_exists) {
    // The user exists after all: learn its id and stored state; set-attributes reconciles them.
    auto refreshed = co_await context.refresh_directory(RefreshMode::force);
    if (!refreshed) co_return refreshed.error();
    auto listed = co_await listed_user(context, *refreshed);
    if (!listed) {
      co_return fail(ErrorCode::server_error,
                     "createUsers reported an existing user that listUsers does not list")
          .with_operation("listUsers");
    }
    co_return listed;
  }
  if (!answer_may_be_lost(error.code())) co_return error;
  // The answer was lost: createUsers may have been applied. Never re-send it blindly (that would
  // reset roles an administrator set on a user that existed); one coalesced listing decides.
  auto refreshed = co_await context.refresh_directory(RefreshMode::force);
  if (!refreshed) co_return error;
  if (auto listed = co_await listed_user(context, *refreshed)) co_return listed;
  // Listed, but neither the directory nor the kept records say more: never re-send.
  if (refreshed->shows_user) co_return error;
  // Not listed: it was not applied, and the listing (taken after the lost call) shows the user
  // absent, so sending again cannot touch a pre-existing user. Once; "already exists" means the
  // lost call was applied late.
  auto again = co_await context.create_user(roles, attributes);
  if (again) co_return co_await record_created(context, true, attributes, roles);
  if (again.error().code() != ErrorCode::already_exists) co_return again.error();
  co_return co_await record_created(context, false, std::nullopt, std::nullopt);
}

boost::asio::awaitable<Result<bool>> enforce_roles(PipelineContext& context, UserRef& user,
                                                   RolePolicy policy) {
  if (policy != RolePolicy::enforce || context.request().roles.empty()) co_return false;
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
                                                                const DirectoryEntry& entry,
                                                                RolePolicy policy) {
  EnsureUserVerdict verdict;
  verdict.user = user_from_entry(context, entry);
  auto enforced = co_await enforce_roles(context, verdict.user, policy);
  if (!enforced) co_return enforced.error();
  verdict.outcome = outcome_for_calls(context.stage_vendor_calls(), StageOutcome::skipped_cached);
  co_return verdict;
}

}  // namespace embark::internal
