// GraphqlRequest: the one request shape of the vendor API (query document, variables, operation
// name).
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace embark::internal {

/// One GraphQL operation to POST to the endpoint.
struct GraphqlRequest {
  std::string_view document;        ///< a query document constant (see operations.hpp)
  boost::json::object variables;    ///< may hold the access key: never log the serialized body
  std::string_view operation_name;  ///< the operation's name inside the document, e.g. "ListUsers"
};

/// The JSON body `{"query":..., "variables":..., "operationName":...}`.
std::string to_body(const GraphqlRequest& request);

}  // namespace embark::internal
