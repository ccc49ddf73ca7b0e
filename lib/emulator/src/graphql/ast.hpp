// Syntax trees of GraphQL executable documents and of type references (GraphQL spec, Oct 2021).
// Plain data: built once by the parser, then only read (safe to share between threads).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graphql/engine.hpp"

namespace embark::emulator::graphql {

struct ObjectFieldValue;

/// A literal or variable in a document (arguments, defaults, directive arguments).
struct Value {
  /// The literal's kind; strings and block strings are both kString (already decoded).
  enum class Kind { kVariable, kInt, kFloat, kString, kBoolean, kNull, kEnum, kList, kObject };
  Kind kind = Kind::kNull;
  std::string text;  ///< variable name (no `$`), number text, decoded string, or enum name
  bool boolean = false;
  std::vector<Value> list;
  std::vector<ObjectFieldValue> fields;
  bool block_string = false;  ///< only for printing
  Location location;
};

/// One `name: value` entry of an object literal.
struct ObjectFieldValue {
  std::string name;
  Location location;
  Value value;
};

/// A type reference such as `[String!]!`.
struct TypeRef {
  /// Named type, list of `of_type`, or non-null `of_type`.
  enum class Kind { kNamed, kList, kNonNull };
  Kind kind = Kind::kNamed;
  std::string name;                        ///< kNamed only
  std::shared_ptr<const TypeRef> of_type;  ///< kList / kNonNull only
  Location location;

  /// The innermost named type's name.
  const std::string& named() const { return kind == Kind::kNamed ? name : of_type->named(); }
  bool non_null() const { return kind == Kind::kNonNull; }
};

/// Renders a type reference as in the SDL, e.g. `[String!]!`.
std::string to_string(const TypeRef& type);
/// Structural equality of two type references.
bool same_type(const TypeRef& a, const TypeRef& b);

/// `name: value` in an argument list.
struct Argument {
  std::string name;
  Location location;
  Value value;
};

/// `@name(args)`.
struct Directive {
  std::string name;
  Location location;
  std::vector<Argument> arguments;
};

/// A field, fragment spread or inline fragment inside a selection set.
struct Selection {
  /// Which of the three selection forms this is.
  enum class Kind { kField, kFragmentSpread, kInlineFragment };
  Kind kind = Kind::kField;
  Location location;
  std::string alias;           ///< field only; empty when not aliased
  std::string name;            ///< field name or fragment name
  std::string type_condition;  ///< inline fragment only; may be empty
  std::vector<Argument> arguments;
  std::vector<Directive> directives;
  std::vector<Selection> selections;  ///< field sub-selection or inline fragment body
  bool has_selection_set = false;

  /// The key of this field in the response (alias or name).
  const std::string& response_key() const { return alias.empty() ? name : alias; }
};

/// `fragment Name on Type @dirs { ... }`.
struct FragmentDefinition {
  std::string name;
  std::string type_condition;
  Location location;
  Location type_condition_location;
  std::vector<Directive> directives;
  std::vector<Selection> selections;
};

/// `$name: Type = default @dirs` in an operation's header.
struct VariableDefinition {
  std::string name;
  Location location;
  TypeRef type;
  std::optional<Value> default_value;
  std::vector<Directive> directives;
};

/// `query|mutation|subscription Name(vars) @dirs { ... }` or the shorthand `{ ... }`.
struct OperationDefinition {
  std::string operation;  ///< "query", "mutation" or "subscription"
  std::string name;       ///< empty for anonymous operations
  Location location;
  std::vector<VariableDefinition> variables;
  std::vector<Directive> directives;
  std::vector<Selection> selections;
};

/// A parsed executable document (definitions kept in source order per kind).
struct Document {
  std::vector<OperationDefinition> operations;
  std::vector<FragmentDefinition> fragments;
  /// Names of type-system definitions found in the document (not executable; validation rejects).
  std::vector<std::pair<std::string, Location>> type_system_definitions;

  /// The fragment called `name`, or nullptr (the first one when duplicated).
  const FragmentDefinition* find_fragment(std::string_view name) const;
};

}  // namespace embark::emulator::graphql
