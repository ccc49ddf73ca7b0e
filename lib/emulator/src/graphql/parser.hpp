// Parsers of the GraphQL language: executable documents (queries) and type-system documents (SDL).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graphql/ast.hpp"
#include "graphql/engine.hpp"

namespace embark::emulator::graphql {

/// An argument or input field definition in SDL: `name: Type = default @dirs`.
struct InputValueDefinition {
  std::string name;
  std::string description;
  Location location;
  TypeRef type;
  std::optional<Value> default_value;
  std::vector<Directive> directives;
};

/// A field definition of an object or interface type.
struct FieldDefinitionNode {
  std::string name;
  std::string description;
  Location location;
  std::vector<InputValueDefinition> arguments;
  TypeRef type;
  std::vector<Directive> directives;
};

/// One enum value definition.
struct EnumValueDefinitionNode {
  std::string name;
  std::string description;
  Location location;
  std::vector<Directive> directives;
};

/// A named type definition (or extension) in SDL.
struct TypeDefinitionNode {
  /// The six kinds of named types.
  enum class Kind { kScalar, kObject, kInterface, kUnion, kEnum, kInputObject };
  Kind kind = Kind::kScalar;
  bool extension = false;
  std::string name;
  std::string description;
  Location location;
  std::vector<std::string> interfaces;
  std::vector<std::string> union_members;
  std::vector<FieldDefinitionNode> fields;
  std::vector<InputValueDefinition> input_fields;
  std::vector<EnumValueDefinitionNode> enum_values;
  std::vector<Directive> directives;
};

/// `directive @name(args) repeatable on LOCATIONS`.
struct DirectiveDefinitionNode {
  std::string name;
  std::string description;
  Location location;
  std::vector<InputValueDefinition> arguments;
  bool repeatable = false;
  std::vector<std::string> locations;
};

/// A parsed SDL document.
struct TypeSystemDocument {
  std::vector<TypeDefinitionNode> types;
  std::vector<DirectiveDefinitionNode> directives;
  std::vector<std::pair<std::string, std::string>> root_operations;  ///< from `schema { ... }`
  bool has_schema_definition = false;
};

/// Most tokens an executable document may have; longer ones are refused as a syntax error before
/// any validation (the vendor's operations need a few hundred at most; 200 KB of repeated fields
/// would otherwise cost the validator quadratic work).
inline constexpr std::size_t kMaxDocumentTokens = 5000;

/// Parses an executable document. On a syntax error returns nullptr and sets `error`
/// (message "Syntax Error: ..." with the location). Thread-safe (no shared state).
std::shared_ptr<Document> parse_document(std::string_view source, GraphqlError& error);

/// Parses a type-system (SDL) document. On a syntax error returns false and sets `error`.
bool parse_type_system(std::string_view source, TypeSystemDocument& out, GraphqlError& error);

}  // namespace embark::emulator::graphql
