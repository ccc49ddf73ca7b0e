#include <boost/asio/use_awaitable.hpp>

#include "pipeline/impl.hpp"

namespace embark {

const OnboardRequest& PipelineContext::request() const noexcept { return run_->request; }
const std::string& PipelineContext::workspace() const noexcept { return run_->workspace; }
const std::string& PipelineContext::email_key() const noexcept { return run_->email_key; }
Fingerprint PipelineContext::attributes_fingerprint() const noexcept { return run_->attributes_fp; }
Fingerprint PipelineContext::roles_fingerprint() const noexcept { return run_->roles_fp; }
const OnboarderConfig& PipelineContext::config() const noexcept { return run_->impl.config; }
std::chrono::system_clock::time_point PipelineContext::now() const { return run_->impl.now(); }
int PipelineContext::stage_vendor_calls() const noexcept { return run_->stage_calls; }

std::optional<AttributeMap> PipelineContext::attributes_at_creation() const {
  return run_->plan.set_attributes->attributes_at_creation(*this);
}

std::optional<TokenKey> PipelineContext::token_key(const UserRef& user,
                                                   const AttributeMap& session_attributes) const {
  if (!user.attributes) return std::nullopt;
  TokenKey key;
  key.workspace = run_->workspace;
  key.email = run_->email_key;
  // Usually exactly the request's session attributes, whose digest the run already has.
  key.session_attributes = session_attributes == run_->request.session_attributes
                               ? run_->session_attributes_fp
                               : fingerprint(session_attributes);
  // Entitlements: the stored attributes the token carries and the roles the app asked for.
  key.entitlements = *user.attributes ^ (run_->roles_fp * 0x9e3779b97f4a7c15ULL);
  return key;
}

// The shared-state calls. A nonblocking (in-memory) backend is called directly: one coroutine
// frame less per call on the warm-login path. Otherwise its async member; a failure is reported
// and never fails the login (a failed read is a miss, a failed write is dropped).
boost::asio::awaitable<std::optional<DirectoryEntry>> PipelineContext::find_entry() {
  auto& directory = *run_->impl.config.directory;
  if (directory.nonblocking()) co_return directory.find(run_->workspace, run_->email_key);
  auto found = co_await directory.async_find(run_->workspace, run_->email_key);
  if (!found) {
    run_->impl.report_backend_error("directory-backend", run_->workspace, run_->user,
                                    found.error());
    co_return std::nullopt;
  }
  co_return std::move(*found);
}

boost::asio::awaitable<void> PipelineContext::put_entry(const DirectoryEntry& entry) {
  auto& directory = *run_->impl.config.directory;
  if (directory.nonblocking()) {
    directory.put(run_->workspace, run_->email_key, entry);
    co_return;
  }
  auto put = co_await directory.async_put(run_->workspace, run_->email_key, entry);
  if (!put)
    run_->impl.report_backend_error("directory-backend", run_->workspace, run_->user, put.error());
}

boost::asio::awaitable<void> PipelineContext::erase_entry() {
  co_await run_->impl.erase_entry(run_->workspace, run_->email_key, run_->user);
}

boost::asio::awaitable<std::optional<SessionToken>> PipelineContext::find_token(
    const TokenKey& key, std::chrono::seconds margin) {
  auto& tokens = *run_->impl.config.token_cache;
  if (tokens.nonblocking()) co_return tokens.find(key, run_->impl.now(), margin);
  auto found = co_await tokens.async_find(key, run_->impl.now(), margin);
  if (!found) {
    run_->impl.report_backend_error("token-cache-backend", run_->workspace, run_->user,
                                    found.error());
    co_return std::nullopt;
  }
  co_return std::move(*found);
}

boost::asio::awaitable<void> PipelineContext::put_token(const TokenKey& key,
                                                        const SessionToken& token) {
  co_await run_->impl.put_token(key, token, run_->user);
}

boost::asio::awaitable<Result<DirectoryRefresh>> PipelineContext::refresh_directory(
    RefreshMode mode, std::chrono::seconds min_interval) {
  co_return co_await run_->impl.refresh_directory(*run_, mode, min_interval);
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

void PipelineContext::schedule(std::string key, std::chrono::system_clock::time_point due,
                               BackgroundTask task) {
  run_->impl.schedule(*run_, std::move(key), due, std::move(task));
}

void PipelineContext::notify_background(std::string_view what, const Error* error) const {
  BackgroundEvent event;
  event.what = what;
  event.workspace = run_->workspace;
  event.user = run_->user;
  event.error = error;
  run_->impl.notify_background(event);
}

boost::asio::awaitable<void> Onboarder::Impl::put_token(const TokenKey& key,
                                                        const SessionToken& token,
                                                        std::string_view user) {
  auto& tokens = *config.token_cache;
  if (tokens.nonblocking()) {
    tokens.put(key, token);
    co_return;
  }
  if (auto put = co_await tokens.async_put(key, token); !put)
    report_backend_error("token-cache-backend", key.workspace, user, put.error());
}

boost::asio::awaitable<std::optional<DirectoryEntry>> Onboarder::Impl::find_entry(
    std::string_view workspace, std::string_view email, std::string_view user) {
  auto& directory = *config.directory;
  if (directory.nonblocking()) co_return directory.find(workspace, email);
  auto found = co_await directory.async_find(workspace, email);
  if (!found) {
    report_backend_error("directory-backend", workspace, user, found.error());
    co_return std::nullopt;
  }
  co_return std::move(*found);
}

boost::asio::awaitable<Result<void>> Onboarder::Impl::forget(std::string workspace,
                                                             std::string email) {
  // Tokens first: once forget() returns, no token of the user can be found, even if erasing
  // the entry then fails.
  auto tokens = co_await config.token_cache->async_erase_user(workspace, email);
  auto entry = co_await config.directory->async_erase(workspace, email);
  if (!tokens) co_return tokens.error();
  if (!entry) co_return entry.error();
  co_return Result<void>{};
}

boost::asio::awaitable<void> Onboarder::Impl::erase_entry(std::string_view workspace,
                                                          std::string_view email,
                                                          std::string_view user) {
  auto& directory = *config.directory;
  if (directory.nonblocking()) {
    directory.erase(workspace, email);
    co_return;
  }
  if (auto erased = co_await directory.async_erase(workspace, email); !erased)
    report_backend_error("directory-backend", workspace, user, erased.error());
}

std::optional<AttributeMap> SetAttributesStrategy::attributes_at_creation(
    const PipelineContext&) const {
  return std::nullopt;
}

AttributeMap SetAttributesStrategy::session_contribution(const PipelineContext&) const {
  return {};
}

}  // namespace embark
