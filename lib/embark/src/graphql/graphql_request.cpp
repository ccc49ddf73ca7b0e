#include "internal/graphql/graphql_request.hpp"

#include <boost/json/serialize.hpp>

namespace embark::internal {

std::string to_body(const GraphqlRequest& request) {
  // Written member by member rather than through a json::object: that copied the variables and
  // the document once more per call (same bytes, same member order).
  std::string body = "{\"query\":";
  body += boost::json::serialize(boost::json::string_view(request.document));
  body += ",\"variables\":";
  body += boost::json::serialize(request.variables);
  if (!request.operation_name.empty()) {
    body += ",\"operationName\":";
    body += boost::json::serialize(boost::json::string_view(request.operation_name));
  }
  body += '}';
  return body;
}

}  // namespace embark::internal
