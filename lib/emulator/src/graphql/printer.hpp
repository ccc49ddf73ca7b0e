// Renders literals, type references and JSON values the way graphql-js does in its messages.
#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "graphql/ast.hpp"

namespace embark::emulator::graphql {

/// A literal as GraphQL source text, e.g. `{key: "a", value: 1}` (graphql-js `print`).
std::string print(const Value& value);

/// Like print(), with object fields sorted by name (to compare arguments for equality).
std::string print_sorted(const Value& value);

/// A JSON value as graphql-js's `inspect` shows it, e.g. `{ emails: ["a@b.c"] }`.
std::string inspect(const boost::json::value& value);

}  // namespace embark::emulator::graphql
