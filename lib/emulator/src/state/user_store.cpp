#include "state/user_store.hpp"

#include <algorithm>
#include <ctime>
#include <mutex>

#include <fmt/format.h>

namespace embark::emulator {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

StoredUser::StoredUser(const StoredUser& o)
    : id(o.id),
      email(o.email),
      workspace(o.workspace),
      roles(o.roles),
      database_attributes(o.database_attributes),
      jwt_attributes(o.jwt_attributes),
      groups(o.groups),
      created(o.created),
      created_text(o.created_text),
      seq(o.seq),
      last_active_ms(o.last_active_ms.load(std::memory_order_relaxed)) {}

std::string rfc3339(TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string lower_email(std::string_view email) {
  std::string out(email);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

UserStore::UserStore(const std::vector<std::string>& workspaces, std::uint64_t seed) : seed_(seed) {
  for (const auto& w : workspaces) workspaces_[w];
}

bool UserStore::has_workspace(std::string_view workspace) const {
  std::shared_lock lock(mutex_);
  return workspaces_.count(std::string(workspace)) != 0;
}

std::vector<UserPtr> UserStore::list(std::string_view workspace) const {
  std::shared_lock lock(mutex_);
  std::vector<UserPtr> out;
  auto it = workspaces_.find(std::string(workspace));
  if (it == workspaces_.end()) return out;
  out.reserve(it->second.by_seq.size());
  for (const auto& [seq, user] : it->second.by_seq) out.push_back(user);
  return out;
}

UserPtr UserStore::find_by_email(std::string_view workspace, std::string_view email) const {
  const std::string key = lower_email(email);
  std::shared_lock lock(mutex_);
  auto ws = workspaces_.find(std::string(workspace));
  if (ws == workspaces_.end()) return nullptr;
  auto e = ws->second.by_email.find(key);
  if (e == ws->second.by_email.end()) return nullptr;
  return ws->second.by_seq.at(e->second);
}

UserPtr UserStore::find_by_id(std::string_view id) const {
  std::shared_lock lock(mutex_);
  auto it = by_id_.find(std::string(id));
  if (it == by_id_.end()) return nullptr;
  return workspaces_.at(it->second.workspace).by_seq.at(it->second.seq);
}

std::size_t UserStore::size() const {
  std::shared_lock lock(mutex_);
  return by_id_.size();
}

std::string UserStore::next_id_locked() {
  for (std::uint64_t salt = 0;; ++salt) {
    std::string id = fmt::format("user_{:016x}",
                                 splitmix64(seed_ * 0x100000001b3ULL + next_seq_ + (salt << 40)));
    if (by_id_.count(id) == 0) return id;
  }
}

StoreStatus UserStore::create_users(const CreateUsersSpec& spec, ExistingUserMode mode,
                                    TimePoint now) {
  std::unique_lock lock(mutex_);
  auto ws_it = workspaces_.find(spec.workspace);
  if (ws_it == workspaces_.end())
    return {"ERROR", fmt::format("Workspace {} not found", spec.workspace)};
  Workspace& ws = ws_it->second;
  if (mode == ExistingUserMode::error) {
    for (const auto& email : spec.emails) {
      if (ws.by_email.count(lower_email(email)) != 0) {
        return {"ERROR", fmt::format("User with email {} already exists", email)};
      }
    }
  }
  // Everything below cannot fail, so the batch is applied whole.
  for (const auto& email : spec.emails) {
    const std::string key = lower_email(email);
    auto existing = ws.by_email.find(key);
    if (existing != ws.by_email.end()) {
      UserPtr& slot = ws.by_seq.at(existing->second);
      auto updated = std::make_shared<StoredUser>(*slot);
      if (spec.roles) updated->roles = *spec.roles;
      if (spec.attributes) updated->database_attributes = *spec.attributes;
      if (spec.groups) {
        for (const auto& g : *spec.groups) {
          if (std::find(updated->groups.begin(), updated->groups.end(), g) ==
              updated->groups.end()) {
            updated->groups.push_back(g);
          }
        }
      }
      slot = std::move(updated);
      continue;
    }
    auto user = std::make_shared<StoredUser>();
    user->id = next_id_locked();
    user->email = email;
    user->workspace = spec.workspace;
    if (spec.roles) user->roles = *spec.roles;
    if (spec.attributes) user->database_attributes = *spec.attributes;
    if (spec.groups) user->groups = *spec.groups;
    user->jwt_attributes = spec.jwt_attributes;
    user->created = now;
    user->created_text = rfc3339(now);
    user->seq = next_seq_++;
    by_id_[user->id] = IdEntry{spec.workspace, user->seq};
    ws.by_email[key] = user->seq;
    ws.by_seq.emplace(user->seq, std::move(user));
  }
  return {"OK", "Operation completed successfully"};
}

StoreStatus UserStore::set_attributes(std::string_view id, AttributeMap attributes) {
  std::unique_lock lock(mutex_);
  auto it = by_id_.find(std::string(id));
  if (it == by_id_.end()) return {"NOT_FOUND", "User not found"};
  UserPtr& slot = workspaces_.at(it->second.workspace).by_seq.at(it->second.seq);
  auto updated = std::make_shared<StoredUser>(*slot);
  updated->database_attributes = std::move(attributes);
  slot = std::move(updated);
  return {"OK", "Operation completed successfully"};
}

StoreStatus UserStore::delete_users(std::string_view workspace,
                                    const std::vector<std::string>& ids) {
  std::unique_lock lock(mutex_);
  auto ws_it = workspaces_.find(std::string(workspace));
  if (ws_it == workspaces_.end())
    return {"ERROR", fmt::format("Workspace {} not found", workspace)};
  for (const auto& id : ids) {
    auto it = by_id_.find(id);
    if (it == by_id_.end() || it->second.workspace != workspace)
      return {"NOT_FOUND", "User not found"};
  }
  for (const auto& id : ids) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) continue;  // the same id twice in one request
    Workspace& ws = ws_it->second;
    auto user = ws.by_seq.find(it->second.seq);
    ws.by_email.erase(lower_email(user->second->email));
    ws.by_seq.erase(user);
    by_id_.erase(it);
  }
  return {"OK", "Operation completed successfully"};
}

void UserStore::touch(const StoredUser& user, TimePoint now) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  user.last_active_ms.store(ms, std::memory_order_relaxed);
}

void UserStore::clear() {
  std::unique_lock lock(mutex_);
  for (auto& [name, ws] : workspaces_) ws = Workspace{};
  by_id_.clear();
}

}  // namespace embark::emulator
