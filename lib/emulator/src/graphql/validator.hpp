// Validation of executable documents against a schema (GraphQL spec section 5), with graphql-js's
// rule set and, where practical, its message wording.
#pragma once

#include <vector>

#include "graphql/ast.hpp"
#include "graphql/engine.hpp"
#include "graphql/schema.hpp"

namespace embark::emulator::graphql {

/// Validates every definition of `document`; returns the errors found (empty when valid).
/// Thread-safe: reads only its arguments.
std::vector<GraphqlError> validate(const Schema& schema, const Document& document);

}  // namespace embark::emulator::graphql
