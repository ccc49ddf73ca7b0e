#include <boost/asio/use_awaitable.hpp>

#include "pipeline/impl.hpp"

namespace embark {

std::string_view PipelineContext::run_kind() const noexcept { return run_->kind; }
const OnboardRequest& PipelineContext::request() const noexcept { return run_->request; }
const std::string& PipelineContext::workspace() const noexcept { return run_->workspace; }
const std::string& PipelineContext::email_key() const noexcept { return run_->email_key; }
Fingerprint PipelineContext::attributes_fingerprint() const noexcept { return run_->attributes_fp; }
Fingerprint PipelineContext::roles_fingerprint() const noexcept { return run_->roles_fp; }
const OnboarderConfig& PipelineContext::config() const noexcept { return run_->impl.config; }
std::chrono::system_clock::time_point PipelineContext::now() const { return run_->impl.now(); }
UserDirectory& PipelineContext::directory() noexcept { return *run_->impl.config.directory; }
TokenCache& PipelineContext::tokens() noexcept { return *run_->impl.config.token_cache; }
int PipelineContext::stage_vendor_calls() const noexcept { return run_->stage_calls; }

bool PipelineContext::is_fresh(const DirectoryEntry& entry) const {
  return now() - entry.seen < run_->impl.config.directory_ttl;
}

std::optional<AttributeMap> PipelineContext::attributes_at_creation() const {
  return run_->impl.config.set_attributes_strategy->attributes_at_creation(*this);
}

TokenKey PipelineContext::token_key(const AttributeMap& session_attributes) const {
  TokenKey key;
  key.workspace = run_->workspace;
  key.email = run_->email_key;
  key.session_attributes = fingerprint(session_attributes);
  // Entitlements: the stored attributes and roles the app asked for, combined.
  key.entitlements = run_->attributes_fp ^ (run_->roles_fp * 0x9e3779b97f4a7c15ULL);
  return key;
}

boost::asio::awaitable<Result<DirectoryRefresh>> PipelineContext::refresh_directory(
    RefreshMode mode) {
  co_return co_await run_->impl.refresh_directory(*run_, mode);
}

boost::asio::awaitable<Result<void>> PipelineContext::create_user(
    std::optional<std::vector<RoleAssignment>> roles, std::optional<AttributeMap> attributes) {
  CreateUsersRequest request;
  request.emails = {run_->request.email};
  request.workspace_id = run_->workspace;
  request.roles = std::move(roles);
  request.attributes = std::move(attributes);
  request.group_ids = run_->request.groups;
  request.send_welcome_email = run_->request.send_welcome_email;
  auto& connection = *run_->impl.connection;
  co_return co_await run_->call<void>("createUsers",
                                      [&] { return connection.create_users(std::move(request)); });
}

boost::asio::awaitable<Result<void>> PipelineContext::set_user_attributes(std::string user_id,
                                                                          AttributeMap attributes) {
  SetUserAttributesRequest request{std::move(user_id), std::move(attributes)};
  auto& connection = *run_->impl.connection;
  co_return co_await run_->call<void>(
      "setUserAttributes", [&] { return connection.set_user_attributes(std::move(request)); });
}

boost::asio::awaitable<Result<SessionToken>> PipelineContext::impersonate(
    AttributeMap session_attributes) {
  ImpersonateRequest request;
  request.email = run_->request.email;
  request.session_attributes = std::move(session_attributes);
  auto& connection = *run_->impl.connection;
  co_return co_await run_->call<SessionToken>(
      "impersonateUser", [&] { return connection.impersonate_user(std::move(request)); });
}

void PipelineContext::schedule_premint(const TokenKey& key, AttributeMap session_attributes,
                                       std::chrono::system_clock::time_point expires_at) {
  ImpersonateRequest request;
  request.email = run_->request.email;
  request.session_attributes = std::move(session_attributes);
  run_->impl.schedule_premint(key, std::move(request), run_->user, expires_at);
}

std::optional<AttributeMap> SetAttributesStrategy::attributes_at_creation(
    const PipelineContext&) const {
  return std::nullopt;
}

AttributeMap SetAttributesStrategy::session_contribution(const PipelineContext&) const {
  return {};
}

}  // namespace embark
