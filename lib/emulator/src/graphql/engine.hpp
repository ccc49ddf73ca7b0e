// The emulator's GraphQL engine: parse, validate and execute documents against the schema.
// Internal to lib/emulator (not installed). Contract between the engine and the server:
// the server registers one resolver per root field; the engine does everything GraphQL.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace embark::emulator::graphql {

/// A position in the request document (1-based).
struct Location {
  int line = 0;
  int column = 0;
};

/// One entry of the response's `errors[]` array.
struct GraphqlError {
  std::string message;
  std::vector<Location> locations;
  boost::json::array path;  ///< empty when not tied to a response field
};

/// The parsed schema (SDL of docs/vendor-api.md#schema, loaded from a .graphql file). Immutable,
/// thread-safe.
class Schema;

/// Parses SDL. On failure returns nullptr and fills `error`.
std::shared_ptr<const Schema> parse_schema(std::string_view sdl, std::string& error);

/// What a resolver of one root field receives.
struct FieldCall {
  std::string_view root_type;            ///< "Query" or "Mutation"
  std::string_view field_name;           ///< e.g. "listUsers"
  const boost::json::object& arguments;  ///< coerced values: variables substituted, defaults
                                         ///< applied, single values wrapped into lists; omitted
                                         ///< args absent, explicit null present as null
  void* context;                         ///< the server's per-request context (opaque here)
  /// Names of the fields selected directly under this field, gathered through inline and named
  /// fragments whatever their @skip/@include say (a superset of what completion will read).
  /// A resolver may leave out of its value any field not named here. Empty for leaf fields.
  std::span<const std::string_view> selected{};

  /// Whether `name` is among `selected`.
  bool selects(std::string_view name) const {
    for (const auto& s : selected) {
      if (s == name) return true;
    }
    return false;
  }
};

/// A resolver's answer: a value for the whole field, which the engine then completes through the
/// selection set (aliases, fragments, __typename, @skip/@include, request order, non-null rules).
/// Objects carry their fields (at least those FieldCall::selected names); the engine picks what
/// was selected. A non-empty `error` makes
/// the field null and adds an entry to errors[] (with the field's location and path).
struct FieldResult {
  FieldResult() = default;
  FieldResult(boost::json::value v, std::string e = {}, std::shared_ptr<const void> keep = {})
      : storage(std::move(keep)), value(std::move(v)), error(std::move(e)) {}

  /// Keeps the memory resource of `value` alive (e.g. an arena that `value` lives in without
  /// owning it, which spares destroying a big tree element by element). Declared first, so it
  /// outlives `value`.
  std::shared_ptr<const void> storage;
  boost::json::value value;
  std::string error;
};

using Resolver = std::function<FieldResult(const FieldCall&)>;

/// A document that parsed and validated, with its selected operation.
struct PreparedOperation {
  std::string operation_type;            ///< "query" or "mutation"
  std::vector<std::string> root_fields;  ///< field names (not aliases) of the root selection set
  std::shared_ptr<const void> impl;      ///< engine-private
};

/// Result of prepare(): an operation, or the GraphQL errors (syntax or validation) to answer with.
struct Prepared {
  std::shared_ptr<const PreparedOperation> operation;  ///< null when errors is non-empty
  std::vector<GraphqlError> errors;
  /// Set (with no operation and no errors) when `admit` refused a root field before validation.
  bool refused = false;
  std::string refused_field;  ///< the root field `admit` refused
};

/// Whether a caller may run a root field (e.g. an anonymous caller only the public ones).
using RootFieldFilter = std::function<bool(std::string_view root_field)>;

/// Executes documents. Configure resolvers once, then call prepare/execute from any thread.
class Engine {
 public:
  explicit Engine(std::shared_ptr<const Schema> schema);
  ~Engine();

  /// Registers the resolver of one root field (e.g. "Mutation", "createUsers").
  void set_resolver(std::string_view root_type, std::string_view field, Resolver resolver);

  /// Parses (with a small cache keyed by the document text) and validates a document and
  /// picks the operation (`operation_name` may be empty when the document has one operation).
  Prepared prepare(std::string_view query, std::string_view operation_name) const;
  /// As prepare(), but a document not prepared before is first checked against `admit`: when
  /// any operation of it has a root field `admit` refuses, the answer is `refused`, before any
  /// validation work (a refused document is not cached).
  Prepared prepare(std::string_view query, std::string_view operation_name,
                   const RootFieldFilter& admit) const;
  /// The root fields a document names (of every operation, in order; fragments followed),
  /// from the cache or by parsing only: no validation, no execution. Empty when it does not
  /// parse. For labelling requests that are refused before validation.
  std::vector<std::string> root_fields(std::string_view query) const;

  /// Coerces variables and executes. Returns the whole response body:
  /// {"data": ...} and, when any, "errors": [...]. Variable coercion errors give data absent.
  boost::json::object execute(const PreparedOperation& op, const boost::json::object& variables,
                              void* context) const;

  /// Same as execute(), but returns the body already serialized (JSON text). Preferred for
  /// answering HTTP requests: large results (listUsers of 100,000 users) are written straight from
  /// the resolver's value, with no intermediate completed tree.
  std::string execute_serialized(const PreparedOperation& op, const boost::json::object& variables,
                                 void* context) const;

  /// Renders errors as the response body {"errors":[...],"data":null}.
  static boost::json::object error_body(const std::vector<GraphqlError>& errors);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace embark::emulator::graphql
