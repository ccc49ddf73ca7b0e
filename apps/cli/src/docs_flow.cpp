#include "docs_flow.hpp"

#include <algorithm>

#include "text.hpp"

namespace embark::cli {

DocsFlow::DocsFlow(ConnectionFactory connect, Settings settings,
                   boost::asio::any_io_executor executor)
    : connect_(std::move(connect)),
      settings_(std::move(settings)),
      executor_(std::move(executor)) {}

boost::asio::awaitable<Result<SessionToken>> DocsFlow::login(std::string email,
                                                             AttributeMap attributes) const {
  Settings key_only = settings_;
  key_only.api_token = Secret();
  auto key_connection = connect_(key_only, executor_);
  if (!key_connection) co_return key_connection.error();
  auto bearer = co_await (*key_connection)->exchange_access_token();
  if (!bearer) co_return bearer.error();

  Settings with_bearer = settings_;
  with_bearer.api_token = bearer->jwt;
  auto api = connect_(with_bearer, executor_);
  if (!api) co_return api.error();
  ListUsersRequest list;
  list.workspace_id = settings_.workspace_id;
  auto users = co_await (*api)->list_users(std::move(list));
  if (!users) co_return users.error();
  const std::string wanted = to_lower(email);
  auto existing = std::find_if(users->begin(), users->end(), [&](const UserRecord& user) {
    return to_lower(user.email) == wanted;
  });
  if (existing == users->end()) {
    CreateUsersRequest create;
    create.emails = {email};
    create.workspace_id = settings_.workspace_id;
    create.attributes = attributes;
    auto created = co_await (*api)->create_users(std::move(create));
    if (!created) co_return created.error();
  } else {
    SetUserAttributesRequest set;
    set.user_id = existing->id;
    set.attributes = attributes;
    auto written = co_await (*api)->set_user_attributes(std::move(set));
    if (!written) co_return written.error();
  }
  ImpersonateRequest impersonate;
  impersonate.email = email;
  co_return co_await (*api)->impersonate_user(std::move(impersonate));
}

}  // namespace embark::cli
