// Execution of a validated operation (GraphQL spec section 6): root resolvers, then completion of
// their values through the selection set.
#pragma once

#include <string>
#include <unordered_map>

#include <boost/json/object.hpp>

#include "graphql/ast.hpp"
#include "graphql/engine.hpp"
#include "graphql/schema.hpp"

namespace embark::emulator::graphql {

/// Root-field resolvers keyed by "Type.field" (e.g. "Mutation.createUsers").
using ResolverMap = std::unordered_map<std::string, Resolver>;

/// Executes `operation` (already validated) with coerced `variables` and returns the serialized
/// body {"errors":[...]?, "data":{...}|null}. Thread-safe as long as the resolvers are.
std::string execute_operation(const Schema& schema, const Document& document,
                              const OperationDefinition& operation,
                              const boost::json::object& variables, const ResolverMap& resolvers,
                              void* context);

/// Renders one error as the response's JSON shape (message, locations, path).
boost::json::object error_to_json(const GraphqlError& error);

}  // namespace embark::emulator::graphql
