#include "embark/strategies/set_attributes/merge.hpp"

#include <mutex>
#include <unordered_map>

#include "strategies/set_attributes/common.hpp"

namespace embark {

// Per user: the app's desired set last merged, and the fingerprint of what that merge wrote.
struct MergeSetAttributes::Memory {
  struct Seen {
    Fingerprint desired;
    Fingerprint result;
  };
  static constexpr std::size_t kMaxUsers = 200'000;
  std::mutex mutex;
  std::unordered_map<std::string, Seen> users;

  std::optional<Seen> get(const std::string& key) {
    std::lock_guard lock(mutex);
    auto it = users.find(key);
    if (it == users.end()) return std::nullopt;
    return it->second;
  }
  void set(const std::string& key, Seen seen) {
    std::lock_guard lock(mutex);
    if (users.size() >= kMaxUsers)
      users.clear();  // a cold memory only costs one listUsers per user
    users[key] = seen;
  }
};

MergeSetAttributes::MergeSetAttributes() : memory_(std::make_unique<Memory>()) {}
MergeSetAttributes::~MergeSetAttributes() = default;

std::optional<AttributeMap> MergeSetAttributes::attributes_at_creation(
    const PipelineContext& context) const {
  return context.request().attributes;
}

boost::asio::awaitable<Result<SetAttributesVerdict>> MergeSetAttributes::apply(
    PipelineContext& context, UserRef& user) {
  const std::string key = context.workspace() + '\x1f' + context.email_key();
  const Fingerprint desired = context.attributes_fingerprint();
  if (user.attributes_written) {
    memory_->set(key, {desired, desired});
    co_return SetAttributesVerdict{StageOutcome::skipped_unchanged};
  }
  if (auto seen = memory_->get(key);
      seen && seen->desired == desired && user.attributes && *user.attributes == seen->result) {
    co_return SetAttributesVerdict{StageOutcome::skipped_unchanged};
  }
  // The stored map itself is needed to merge, and only listUsers returns it.
  auto refreshed = co_await context.refresh_directory(RefreshMode::force);
  if (!refreshed) co_return refreshed.error();
  if (!refreshed->user && refreshed->shows_user) {
    // Joined a listing after this user's record had gone by: the next one keeps it.
    refreshed = co_await context.refresh_directory(RefreshMode::force);
    if (!refreshed) co_return refreshed.error();
  }
  const UserRecord* record = refreshed->user ? &*refreshed->user : nullptr;
  if (record == nullptr) {
    co_return fail(ErrorCode::not_found, "listUsers does not list the user")
        .with_operation("listUsers");
  }
  user.user_id = record->id;
  user.attributes = fingerprint(record->attributes);
  AttributeMap merged = record->attributes;
  for (const auto& [k, v] : context.request().attributes) merged[k] = v;
  const Fingerprint result = fingerprint(merged);
  if (result == *user.attributes) {
    memory_->set(key, {desired, result});
    co_return SetAttributesVerdict{StageOutcome::skipped_unchanged};
  }
  if (auto written = co_await internal::write_attributes(context, user, merged); !written)
    co_return written.error();
  memory_->set(key, {desired, result});
  co_return SetAttributesVerdict{StageOutcome::called};
}

}  // namespace embark
