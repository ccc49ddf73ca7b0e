#include "sync_plan.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "text.hpp"

namespace embark::cli {
namespace {

using RoleKey = std::vector<std::pair<std::string, std::vector<std::string>>>;
using BatchKey = std::tuple<bool, RoleKey, bool, AttributeMap>;

RoleKey role_key(const std::vector<RoleAssignment>& roles) {
  RoleKey key;
  for (const RoleAssignment& r : canonical_roles(roles)) key.emplace_back(r.role_id, r.scopes);
  return key;
}

// Adds a row to the open batch of its key, opening a new batch when the last one is full.
class Batcher {
 public:
  Batcher(std::vector<CreateBatch>& out, std::size_t max_size)
      : out_(out), max_size_(std::max<std::size_t>(1, max_size)) {}

  void add(const SyncRow& row, bool with_attributes) {
    BatchKey key{row.roles_given, role_key(row.roles),
                 with_attributes && row.attributes.has_value(),
                 with_attributes && row.attributes ? *row.attributes : AttributeMap{}};
    auto it = open_.find(key);
    if (it == open_.end() || out_[it->second].emails.size() >= max_size_) {
      CreateBatch batch;
      batch.roles_given = row.roles_given;
      batch.roles = canonical_roles(row.roles);
      if (with_attributes) batch.attributes = row.attributes;
      out_.push_back(std::move(batch));
      it = open_.insert_or_assign(std::move(key), out_.size() - 1).first;
    }
    out_[it->second].emails.push_back(row.email);
    out_[it->second].lines.push_back(row.line);
  }

 private:
  std::vector<CreateBatch>& out_;
  std::size_t max_size_;
  std::map<BatchKey, std::size_t> open_;
};

}  // namespace

std::vector<RoleAssignment> canonical_roles(std::vector<RoleAssignment> roles) {
  for (RoleAssignment& r : roles) {
    std::sort(r.scopes.begin(), r.scopes.end());
    r.scopes.erase(std::unique(r.scopes.begin(), r.scopes.end()), r.scopes.end());
  }
  std::sort(roles.begin(), roles.end(), [](const RoleAssignment& a, const RoleAssignment& b) {
    return std::tie(a.role_id, a.scopes) < std::tie(b.role_id, b.scopes);
  });
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  return roles;
}

std::size_t SyncPlan::create_count() const {
  std::size_t n = 0;
  for (const CreateBatch& b : creates) n += b.emails.size();
  return n;
}

std::size_t SyncPlan::update_count() const {
  std::set<std::size_t> lines;
  for (const CreateBatch& b : role_updates) lines.insert(b.lines.begin(), b.lines.end());
  for (const AttributeUpdate& u : attribute_updates) lines.insert(u.line);
  return lines.size();
}

SyncPlan plan_sync(std::span<const UserRecord> directory, std::span<const SyncRow> rows,
                   const PlanOptions& options) {
  std::unordered_map<std::string, const UserRecord*> by_email;
  by_email.reserve(directory.size());
  for (const UserRecord& user : directory) by_email.emplace(to_lower(user.email), &user);

  SyncPlan plan;
  Batcher creates(plan.creates, options.max_batch_size);
  Batcher role_updates(plan.role_updates, options.max_batch_size);
  for (const SyncRow& row : rows) {
    const auto found = by_email.find(to_lower(row.email));
    if (found == by_email.end()) {
      creates.add(row, /*with_attributes=*/true);
      continue;
    }
    const UserRecord& user = *found->second;
    bool changed = false;
    if (options.enforce_roles && row.roles_given &&
        canonical_roles(row.roles) != canonical_roles(user.roles)) {
      role_updates.add(row, /*with_attributes=*/false);
      changed = true;
    }
    if (row.attributes && *row.attributes != user.attributes) {
      plan.attribute_updates.push_back({row.line, row.email, user.id, *row.attributes});
      changed = true;
    }
    if (!changed) plan.unchanged.push_back({row.line, row.email});
  }
  return plan;
}

}  // namespace embark::cli
