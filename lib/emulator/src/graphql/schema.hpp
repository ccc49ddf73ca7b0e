// The GraphQL schema the engine validates and executes against (object, input, enum and scalar
// types; interfaces and unions are refused when the schema is built).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "graphql/ast.hpp"
#include "graphql/engine.hpp"

namespace embark::emulator::graphql {

struct TypeSystemDocument;

/// An argument or input field of the schema.
struct InputValueDef {
  std::string name;
  TypeRef type;
  std::optional<Value> default_value;
};

/// A field of an object type.
struct FieldDef {
  std::string name;
  std::vector<InputValueDef> arguments;
  TypeRef type;

  /// The argument called `name`, or nullptr.
  const InputValueDef* find_argument(std::string_view name) const;
};

/// A directive the schema knows (the four specified ones plus any defined in the SDL).
struct DirectiveDef {
  std::string name;
  std::vector<InputValueDef> arguments;
  std::vector<std::string> locations;  ///< e.g. "FIELD", "INLINE_FRAGMENT"
  bool repeatable = false;

  /// The argument called `name`, or nullptr.
  const InputValueDef* find_argument(std::string_view name) const;
};

/// A named type. Immutable once the schema is built.
struct NamedType {
  /// The kinds of named types the engine supports.
  enum class Kind { kScalar, kObject, kEnum, kInputObject };
  Kind kind = Kind::kScalar;
  std::string name;
  std::vector<FieldDef> fields;             ///< object types
  std::vector<InputValueDef> input_fields;  ///< input object types
  std::vector<std::string> enum_values;     ///< enum types

  /// The field called `name`, or nullptr.
  const FieldDef* find_field(std::string_view name) const;
  /// The input field called `name`, or nullptr.
  const InputValueDef* find_input_field(std::string_view name) const;
  /// Whether `name` is one of the enum's values.
  bool has_enum_value(std::string_view name) const;
  /// Object types (may be selected from).
  bool is_composite() const { return kind == Kind::kObject; }
  /// Scalars and enums (no sub-selection).
  bool is_leaf() const { return kind == Kind::kScalar || kind == Kind::kEnum; }
  /// Types allowed for variables and arguments.
  bool is_input() const { return kind != Kind::kObject; }
};

/// A whole schema: its named types, root types and directives. Immutable and thread-safe.
class Schema {
 public:
  /// Builds and checks a schema from parsed SDL; returns nullptr and sets `error` when invalid.
  static std::shared_ptr<const Schema> build(const TypeSystemDocument& sdl, std::string& error);

  /// The named type called `name`, or nullptr.
  const NamedType* find_type(std::string_view name) const;
  /// The root type of "query", "mutation" or "subscription", or nullptr.
  const NamedType* root_type(std::string_view operation) const;
  /// The directive called `name` (without `@`), or nullptr.
  const DirectiveDef* find_directive(std::string_view name) const;
  /// All type names (for suggestions).
  const std::vector<std::string>& type_names() const { return type_names_; }

 private:
  std::unordered_map<std::string, std::unique_ptr<NamedType>> types_;
  std::vector<std::string> type_names_;
  std::unordered_map<std::string, DirectiveDef> directives_;
  const NamedType* query_ = nullptr;
  const NamedType* mutation_ = nullptr;
  const NamedType* subscription_ = nullptr;
};

}  // namespace embark::emulator::graphql
