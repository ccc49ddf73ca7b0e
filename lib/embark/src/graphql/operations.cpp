#include "internal/graphql/operations.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "internal/graphql/jwt.hpp"

namespace embark::internal {
namespace {

namespace json = boost::json;

json::array attributes_json(const AttributeMap& attributes) {
  json::array out;
  out.reserve(attributes.size());
  for (const auto& [key, value] : attributes)
    out.push_back(json::object{{"key", key}, {"value", value}});
  return out;
}

Error bad_input(std::string_view operation, std::string field, std::string message) {
  Error error(ErrorCode::invalid_input, std::move(message));
  error.with_operation(std::string(operation)).with_field(std::move(field));
  return error;
}

std::optional<Error> check_list(std::string_view operation, const std::vector<std::string>& values,
                                const char* field) {
  if (values.empty()) return bad_input(operation, field, std::string(field) + " must not be empty");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) {
      return bad_input(operation, std::string(field) + "[" + std::to_string(i) + "]",
                       "an entry is empty");
    }
  }
  return std::nullopt;
}

void default_workspace_if_none(std::string& workspace_id, const std::string& default_workspace) {
  if (workspace_id.empty()) workspace_id = default_workspace;
}

json::array strings_json(const std::vector<std::string>& values) {
  json::array out;
  out.reserve(values.size());
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

}  // namespace

GraphqlRequest ListUsersOperation::build(const ListUsersRequest& request) {
  GraphqlRequest out{kDocument, {}, kOperationName};
  if (!request.workspace_id.empty()) out.variables["workspaceId"] = request.workspace_id;
  return out;
}

GraphqlRequest CreateUsersOperation::build(const CreateUsersRequest& request) {
  json::object input;
  input["emails"] = strings_json(request.emails);
  if (!request.workspace_id.empty()) input["workspaceID"] = request.workspace_id;
  if (request.roles) {
    json::array roles;
    for (const auto& role : *request.roles) {
      roles.push_back(
          json::object{{"roleId", role.role_id}, {"scopes", strings_json(role.scopes)}});
    }
    input["roleAssignments"] = std::move(roles);
  }
  input["sendWelcomeEmail"] = request.send_welcome_email;
  if (request.attributes) input["userAttributes"] = attributes_json(*request.attributes);
  if (!request.group_ids.empty()) input["userGroupIds"] = strings_json(request.group_ids);
  GraphqlRequest out{kDocument, {}, kOperationName};
  out.variables["input"] = std::move(input);
  return out;
}

GraphqlRequest SetUserAttributesOperation::build(const SetUserAttributesRequest& request) {
  GraphqlRequest out{kDocument, {}, kOperationName};
  out.variables["input"] = json::object{{"userId", request.user_id},
                                        {"userAttributes", attributes_json(request.attributes)}};
  return out;
}

GraphqlRequest DeleteUsersOperation::build(const DeleteUsersRequest& request) {
  json::object input;
  input["ids"] = strings_json(request.user_ids);
  if (!request.workspace_id.empty()) input["workspaceID"] = request.workspace_id;
  GraphqlRequest out{kDocument, {}, kOperationName};
  out.variables["input"] = std::move(input);
  return out;
}

GraphqlRequest ImpersonateOperation::build(const ImpersonateRequest& request,
                                           const Secret& access_key) {
  GraphqlRequest out{
      request.use_query_form ? kQueryDocument : kMutationDocument, {}, kOperationName};
  out.variables["accessToken"] = access_key.reveal();
  out.variables["userEmail"] = request.email;
  if (!request.use_query_form && !request.session_attributes.empty()) {
    out.variables["attributes"] = attributes_json(request.session_attributes);
  }
  return out;
}

GraphqlRequest ExchangeOperation::build(const Secret& access_key) {
  GraphqlRequest out{kDocument, {}, kOperationName};
  out.variables["accessToken"] = access_key.reveal();
  return out;
}

std::optional<Error> ListUsersOperation::prepare(Request& request,
                                                 const std::string& default_workspace) {
  default_workspace_if_none(request.workspace_id, default_workspace);
  return std::nullopt;
}

std::optional<Error> CreateUsersOperation::prepare(Request& request,
                                                   const std::string& default_workspace) {
  if (auto error = check_list(kName, request.emails, "emails")) return error;
  default_workspace_if_none(request.workspace_id, default_workspace);
  return std::nullopt;
}

std::optional<Error> SetUserAttributesOperation::prepare(Request& request, const std::string&) {
  if (request.user_id.empty()) return bad_input(kName, "user_id", "user_id must not be empty");
  return std::nullopt;
}

std::optional<Error> DeleteUsersOperation::prepare(Request& request,
                                                   const std::string& default_workspace) {
  if (auto error = check_list(kName, request.user_ids, "user_ids")) return error;
  default_workspace_if_none(request.workspace_id, default_workspace);
  return std::nullopt;
}

std::optional<Error> ImpersonateOperation::prepare(Request& request, const std::string&) {
  if (request.email.empty()) return bad_input(kName, "email", "email must not be empty");
  if (request.session_attributes.contains("impersonated_user_id")) {
    return bad_input(kName, "session_attributes.impersonated_user_id",
                     "impersonated_user_id is reserved and cannot be a session attribute");
  }
  if (request.use_query_form && !request.session_attributes.empty()) {
    return bad_input(kName, "session_attributes",
                     "the query form of impersonateUser cannot carry session attributes");
  }
  return std::nullopt;
}

std::vector<std::string_view> all_documents() {
  return {ListUsersOperation::kDocument,
          CreateUsersOperation::kDocument,
          SetUserAttributesOperation::kDocument,
          DeleteUsersOperation::kDocument,
          ImpersonateOperation::kMutationDocument,
          ImpersonateOperation::kQueryDocument,
          ExchangeOperation::kDocument};
}

Result<void> read_status(const json::value& data, std::string_view field) {
  const auto* obj = data.if_object();
  const json::value* answer = obj ? obj->if_contains(field) : nullptr;
  const json::object* status = answer ? answer->if_object() : nullptr;
  if (status) {
    if (const auto* nested = status->if_contains("status")) status = nested->if_object();
  }
  const json::value* code = status ? status->if_contains("code") : nullptr;
  if (!code || !code->is_string() || code->get_string() != "OK") {
    return Error(ErrorCode::protocol,
                 "the answer does not confirm the write (no OK status in `data." +
                     std::string(field) + "`)")
        .with_operation(std::string(field));
  }
  return {};
}

Result<SessionToken> read_token(const json::value& data, std::string_view field) {
  const auto* obj = data.if_object();
  const json::value* token = obj ? obj->if_contains(field) : nullptr;
  if (!token || !token->is_string() || token->get_string().empty()) {
    return Error(ErrorCode::protocol,
                 "the answer has no token in `data." + std::string(field) + "`")
        .with_operation(std::string(field));
  }
  return make_session_token(std::string(token->get_string()), field);
}

}  // namespace embark::internal
