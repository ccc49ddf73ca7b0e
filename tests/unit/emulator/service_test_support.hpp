// Helpers for tests that drive emulator::Service with Beast request objects (no sockets).
#pragma once

#include <memory>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/service.hpp"

namespace embark::emulator::test {

namespace json = boost::json;

/// A Service with fast ES256 keys and a fixed clock unless the options say otherwise.
inline std::unique_ptr<Service> make_service(Options options = {}) {
  options.jwt_alg = JwtAlgorithm::es256;
  if (!options.clock) {
    options.clock = [] { return TimePoint(std::chrono::seconds(1'800'000'000)); };
  }
  return Service::create(std::move(options)).value();
}

/// A POST /graphql request with a JSON body.
inline Request graphql_request(std::string_view query, json::object variables = {},
                               std::string_view bearer = {}) {
  Request req{http::verb::post, "/graphql", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + std::string(bearer));
  req.body() = json::serialize(json::object{{"query", query}, {"variables", std::move(variables)}});
  req.prepare_payload();
  return req;
}

/// Runs one GraphQL request and parses the answer's JSON.
inline json::value call(Service& s, std::string_view query, json::object variables = {},
                        std::string_view bearer = {}, http::status expect = http::status::ok) {
  Outcome out = s.handle(graphql_request(query, std::move(variables), bearer));
  CHECK(out.response.result() == expect);
  return json::parse(out.response.body());
}

inline std::string bearer_of(Service& s) {
  return std::string(s.credentials().first_api_token().reveal());
}
inline std::string key_of(Service& s) {
  return std::string(s.credentials().first_access_key().key.reveal());
}

constexpr std::string_view kCreate =
    "mutation CreateUsers($input: CreateUsersInput!) { createUsers(input: $input) { status { code "
    "message } } }";
constexpr std::string_view kSetAttributes =
    "mutation SetUserAttributes($input: SetUserAttributesInput!) { setUserAttributes(input: "
    "$input) { status { code "
    "message } } }";
constexpr std::string_view kList =
    "query ListUsers($workspaceId: ID) { listUsers(workspaceId: $workspaceId) { id email "
    "userAttributes { key value "
    "source } roleAssignments { roleId scopes } } }";
constexpr std::string_view kImpersonate =
    "mutation ImpersonateUser($accessToken: String!, $userEmail: String!) { "
    "impersonateUser(accessToken: "
    "$accessToken, userEmail: $userEmail) }";
constexpr std::string_view kImpersonateWithAttributes =
    "mutation ImpersonateUser($accessToken: String!, $userEmail: String!, $attributes: "
    "[UserAttributeInput!]) { "
    "impersonateUser(accessToken: $accessToken, userEmail: $userEmail, attributes: $attributes) }";
constexpr std::string_view kImpersonateQuery =
    "query ImpersonateUser($accessToken: String!, $userEmail: String!) { "
    "impersonateUser(accessToken: $accessToken, "
    "userEmail: $userEmail) }";
constexpr std::string_view kExchange =
    "query ExchangeAccessToken($accessToken: String!) { exchangeAccessToken(accessToken: "
    "$accessToken) }";
constexpr std::string_view kDelete =
    "mutation Delete($input: DeleteUsersFromWorkspaceInput!) { deleteUsersFromWorkspace(input: "
    "$input) { status { "
    "code message } } }";
constexpr std::string_view kViewer = "00000000-0000-0000-0000-000000000003";

/// Creates users through the API and returns the answer's status object.
inline json::object create_users(Service& s, json::array emails, json::object extra = {}) {
  json::object input = std::move(extra);
  input["emails"] = std::move(emails);
  auto body = call(s, kCreate, {{"input", std::move(input)}}, bearer_of(s));
  return body.at("data").at("createUsers").at("status").as_object();
}

}  // namespace embark::emulator::test
