#include "graphql/schema.hpp"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "graphql/parser.hpp"

namespace embark::emulator::graphql {
namespace {

TypeRef named(std::string name) {
  TypeRef t;
  t.name = std::move(name);
  return t;
}

TypeRef non_null(TypeRef inner) {
  TypeRef t;
  t.kind = TypeRef::Kind::kNonNull;
  t.of_type = std::make_shared<TypeRef>(std::move(inner));
  return t;
}

InputValueDef to_def(const InputValueDefinition& node) {
  return InputValueDef{node.name, node.type, node.default_value};
}

template <typename Vec>
auto find_by_name(const Vec& items, std::string_view name) -> decltype(&items.front()) {
  for (const auto& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

}  // namespace

const InputValueDef* FieldDef::find_argument(std::string_view n) const {
  return find_by_name(arguments, n);
}
const InputValueDef* DirectiveDef::find_argument(std::string_view n) const {
  return find_by_name(arguments, n);
}
const FieldDef* NamedType::find_field(std::string_view n) const { return find_by_name(fields, n); }
const InputValueDef* NamedType::find_input_field(std::string_view n) const {
  return find_by_name(input_fields, n);
}

bool NamedType::has_enum_value(std::string_view n) const {
  for (const auto& v : enum_values) {
    if (v == n) return true;
  }
  return false;
}

const NamedType* Schema::find_type(std::string_view name) const {
  auto it = types_.find(std::string(name));
  return it == types_.end() ? nullptr : it->second.get();
}

const NamedType* Schema::root_type(std::string_view operation) const {
  if (operation == "query") return query_;
  if (operation == "mutation") return mutation_;
  if (operation == "subscription") return subscription_;
  return nullptr;
}

const DirectiveDef* Schema::find_directive(std::string_view name) const {
  auto it = directives_.find(std::string(name));
  return it == directives_.end() ? nullptr : &it->second;
}

std::shared_ptr<const Schema> Schema::build(const TypeSystemDocument& sdl, std::string& error) {
  error.clear();
  auto schema = std::make_shared<Schema>();
  auto& types = schema->types_;
  auto fail = [&](std::string message) {
    error = std::move(message);
    return nullptr;
  };
  using NodeKind = TypeDefinitionNode::Kind;
  for (const auto& node : sdl.types) {
    if (node.extension) continue;
    if (node.kind == NodeKind::kInterface || node.kind == NodeKind::kUnion) {
      return fail(fmt::format(
          "Type \"{}\": interfaces and unions are not supported by the emulator.", node.name));
    }
    if (types.count(node.name))
      return fail(fmt::format("There can be only one type named \"{}\".", node.name));
    auto type = std::make_unique<NamedType>();
    type->name = node.name;
    switch (node.kind) {
      case NodeKind::kScalar:
        type->kind = NamedType::Kind::kScalar;
        break;
      case NodeKind::kObject:
        type->kind = NamedType::Kind::kObject;
        break;
      case NodeKind::kEnum:
        type->kind = NamedType::Kind::kEnum;
        break;
      default:
        type->kind = NamedType::Kind::kInputObject;
        break;
    }
    types.emplace(node.name, std::move(type));
  }
  // Like graphql-js, Int, Float and ID exist only when the SDL uses them (so `$v: Int` against a
  // schema without Int is an unknown type); String and Boolean are always there (directives).
  std::unordered_set<std::string> referenced{"String", "Boolean"};
  for (const auto& node : sdl.types) {
    for (const auto& f : node.fields) {
      referenced.insert(f.type.named());
      for (const auto& a : f.arguments) referenced.insert(a.type.named());
    }
    for (const auto& f : node.input_fields) referenced.insert(f.type.named());
  }
  for (const auto& d : sdl.directives) {
    for (const auto& a : d.arguments) referenced.insert(a.type.named());
  }
  for (const char* builtin : {"Int", "Float", "String", "Boolean", "ID"}) {
    if (!types.count(builtin) && referenced.count(builtin)) {
      auto type = std::make_unique<NamedType>();
      type->name = builtin;
      types.emplace(builtin, std::move(type));
    }
  }
  // Definitions first, then extensions, so `extend type` may come before its type.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& node : sdl.types) {
      if (node.extension != (pass == 1)) continue;
      auto it = types.find(node.name);
      if (it == types.end())
        return fail(fmt::format("Cannot extend type \"{}\" because it is not defined.", node.name));
      NamedType& type = *it->second;
      for (const auto& f : node.fields) {
        if (type.find_field(f.name))
          return fail(fmt::format("Field \"{}.{}\" can only be defined once.", type.name, f.name));
        FieldDef field{f.name, {}, f.type};
        for (const auto& a : f.arguments) {
          if (field.find_argument(a.name)) {
            return fail(fmt::format("Argument \"{}.{}({}:)\" can only be defined once.", type.name,
                                    f.name, a.name));
          }
          field.arguments.push_back(to_def(a));
        }
        type.fields.push_back(std::move(field));
      }
      for (const auto& f : node.input_fields) {
        if (type.find_input_field(f.name)) {
          return fail(fmt::format("Field \"{}.{}\" can only be defined once.", type.name, f.name));
        }
        type.input_fields.push_back(to_def(f));
      }
      for (const auto& v : node.enum_values) {
        if (type.has_enum_value(v.name)) {
          return fail(
              fmt::format("Enum value \"{}.{}\" can only be defined once.", type.name, v.name));
        }
        type.enum_values.push_back(v.name);
      }
    }
  }
  auto check_input = [&](const TypeRef& ref, const std::string& where) -> bool {
    const NamedType* t = schema->find_type(ref.named());
    if (!t) {
      error = fmt::format("Unknown type \"{}\" (in {}).", ref.named(), where);
      return false;
    }
    if (!t->is_input()) {
      error = fmt::format("The type of {} must be Input Type but got: {}.", where, to_string(ref));
      return false;
    }
    return true;
  };
  for (auto& [name, type] : types) {
    schema->type_names_.push_back(name);
    if (type->kind == NamedType::Kind::kObject && type->fields.empty()) {
      return fail(fmt::format("Type {} must define one or more fields.", name));
    }
    if (type->kind == NamedType::Kind::kInputObject && type->input_fields.empty()) {
      return fail(fmt::format("Input Object type {} must define one or more fields.", name));
    }
    if (type->kind == NamedType::Kind::kEnum && type->enum_values.empty()) {
      return fail(fmt::format("Enum type {} must define one or more values.", name));
    }
    for (const auto& f : type->fields) {
      if (!schema->find_type(f.type.named())) {
        return fail(fmt::format("Unknown type \"{}\" (in {}.{}).", f.type.named(), name, f.name));
      }
      for (const auto& a : f.arguments) {
        if (!check_input(a.type, fmt::format("{}.{}({}:)", name, f.name, a.name))) return nullptr;
      }
    }
    for (const auto& f : type->input_fields) {
      if (!check_input(f.type, fmt::format("{}.{}", name, f.name))) return nullptr;
    }
  }
  std::sort(schema->type_names_.begin(), schema->type_names_.end());

  auto directive = [](std::string name, std::vector<InputValueDef> args,
                      std::vector<std::string> locations) {
    return DirectiveDef{std::move(name), std::move(args), std::move(locations), false};
  };
  auto if_arg = [] {
    return std::vector<InputValueDef>{{"if", non_null(named("Boolean")), std::nullopt}};
  };
  schema->directives_.emplace(
      "skip", directive("skip", if_arg(), {"FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"}));
  schema->directives_.emplace(
      "include", directive("include", if_arg(), {"FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"}));
  Value reason;
  reason.kind = Value::Kind::kString;
  reason.text = "No longer supported";
  schema->directives_.emplace(
      "deprecated", directive("deprecated", {{"reason", named("String"), reason}},
                              {"FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION",
                               "ENUM_VALUE"}));
  schema->directives_.emplace(
      "specifiedBy",
      directive("specifiedBy", {{"url", non_null(named("String")), std::nullopt}}, {"SCALAR"}));
  for (const auto& d : sdl.directives) {
    if (schema->directives_.count(d.name) && d.name != "deprecated" && d.name != "specifiedBy" &&
        d.name != "skip" && d.name != "include") {
      return fail(fmt::format("There can be only one directive named \"@{}\".", d.name));
    }
    DirectiveDef def{d.name, {}, d.locations, d.repeatable};
    for (const auto& a : d.arguments) {
      if (!check_input(a.type, fmt::format("@{}({}:)", d.name, a.name))) return nullptr;
      def.arguments.push_back(to_def(a));
    }
    schema->directives_[d.name] = std::move(def);
  }

  auto root = [&](std::string_view op, std::string_view fallback) -> const NamedType* {
    if (!sdl.has_schema_definition) {
      const NamedType* t = schema->find_type(fallback);
      return t && t->kind == NamedType::Kind::kObject ? t : nullptr;
    }
    for (const auto& [o, name] : sdl.root_operations) {
      if (o != op) continue;
      const NamedType* t = schema->find_type(name);
      if (!t || t->kind != NamedType::Kind::kObject) {
        error = fmt::format("{} root type \"{}\" must be a defined object type.", op, name);
      }
      return t;
    }
    return nullptr;
  };
  schema->query_ = root("query", "Query");
  schema->mutation_ = root("mutation", "Mutation");
  schema->subscription_ = root("subscription", "Subscription");
  if (!error.empty()) return nullptr;
  if (!schema->query_) return fail("Query root type must be provided.");
  return schema;
}

std::shared_ptr<const Schema> parse_schema(std::string_view sdl, std::string& error) {
  TypeSystemDocument doc;
  GraphqlError syntax;
  if (!parse_type_system(sdl, doc, syntax)) {
    error = syntax.message;
    if (!syntax.locations.empty()) {
      error += fmt::format(" (line {}, column {})", syntax.locations[0].line,
                           syntax.locations[0].column);
    }
    return nullptr;
  }
  return Schema::build(doc, error);
}

}  // namespace embark::emulator::graphql
