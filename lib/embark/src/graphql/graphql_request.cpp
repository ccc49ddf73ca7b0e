#include "internal/graphql/graphql_request.hpp"

#include <boost/json/serialize.hpp>

namespace embark::internal {

std::string to_body(const GraphqlRequest& request) {
  boost::json::object body;
  body["query"] = request.document;
  body["variables"] = request.variables;
  if (!request.operation_name.empty()) body["operationName"] = request.operation_name;
  return boost::json::serialize(body);
}

}  // namespace embark::internal
