// Input coercion (GraphQL spec 5.x / 6.1.2 / 6.4.1): variables from JSON, literals and arguments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "graphql/ast.hpp"
#include "graphql/engine.hpp"
#include "graphql/schema.hpp"

namespace embark::emulator::graphql {

/// Coerces the request's variables for `operation` (CoerceVariableValues). Returns nullopt and
/// appends `Variable "$x" got invalid value ...` style errors when any is invalid.
std::optional<boost::json::object> coerce_variables(const Schema& schema,
                                                    const OperationDefinition& operation,
                                                    const boost::json::object& inputs,
                                                    std::vector<GraphqlError>& errors);

/// Coerces a literal to `type` with already coerced `variables` (valueFromAST); nullopt when
/// invalid.
std::optional<boost::json::value> coerce_literal(const Schema& schema, const Value& literal,
                                                 const TypeRef& type,
                                                 const boost::json::object& variables);

/// Coerces the arguments of a field or directive (CoerceArgumentValues). Omitted arguments without
/// defaults stay absent; explicit nulls are kept. Returns nullopt and sets `error` when invalid.
std::optional<boost::json::object> coerce_arguments(const Schema& schema,
                                                    const std::vector<InputValueDef>& definitions,
                                                    const std::vector<Argument>& arguments,
                                                    const boost::json::object& variables,
                                                    std::string& error);

}  // namespace embark::emulator::graphql
