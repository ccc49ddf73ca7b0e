#include "graphql/input_coercion.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <variant>

#include <fmt/format.h>

#include "graphql/printer.hpp"
#include "graphql/suggestions.hpp"

namespace embark::emulator::graphql {
namespace {

namespace json = boost::json;

// A JSON number that is a mathematical integer (as JavaScript's Number.isInteger sees it).
std::optional<double> integral(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double() && std::isfinite(v.get_double()) &&
      std::floor(v.get_double()) == v.get_double()) {
    return v.get_double();
  }
  return std::nullopt;
}

// Coerces one JSON input value (graphql-js coerceInputValue); reports (path, value, message).
class InputCoercer {
 public:
  using Path = std::vector<std::variant<std::string, std::size_t>>;
  struct Failure {
    Path path;
    json::value value;
    std::string message;
  };

  explicit InputCoercer(const Schema& schema) : schema_(schema) {}

  json::value coerce(const json::value& input, const TypeRef& type, Path& path) {
    if (type.kind == TypeRef::Kind::kNonNull) {
      if (!input.is_null()) return coerce(input, *type.of_type, path);
      fail(path, input,
           fmt::format("Expected non-nullable type \"{}\" not to be null.", to_string(type)));
      return nullptr;
    }
    if (input.is_null()) return nullptr;
    if (type.kind == TypeRef::Kind::kList) {
      json::array out;
      if (input.is_array()) {
        const auto& arr = input.get_array();
        out.reserve(arr.size());
        for (std::size_t i = 0; i < arr.size(); ++i) {
          path.emplace_back(i);
          out.push_back(coerce(arr[i], *type.of_type, path));
          path.pop_back();
        }
      } else {
        out.push_back(coerce(input, *type.of_type, path));
      }
      return out;
    }
    const NamedType* named = schema_.find_type(type.name);
    if (!named) {
      fail(path, input, fmt::format("Unknown type \"{}\".", type.name));
      return nullptr;
    }
    if (named->kind == NamedType::Kind::kInputObject) {
      if (!input.is_object()) {
        fail(path, input, fmt::format("Expected type \"{}\" to be an object.", named->name));
        return nullptr;
      }
      const auto& obj = input.get_object();
      json::object out;
      for (const auto& field : named->input_fields) {
        const json::value* v = obj.if_contains(field.name);
        if (!v) {
          if (field.default_value) {
            if (auto d = coerce_literal(schema_, *field.default_value, field.type, {}))
              out[field.name] = *d;
          } else if (field.type.non_null()) {
            fail(path, input,
                 fmt::format("Field \"{}\" of required type \"{}\" was not provided.", field.name,
                             to_string(field.type)));
          }
          continue;
        }
        path.emplace_back(field.name);
        out[field.name] = coerce(*v, field.type, path);
        path.pop_back();
      }
      for (const auto& kv : obj) {
        if (named->find_input_field(kv.key())) continue;
        std::vector<std::string> names;
        for (const auto& f : named->input_fields) names.push_back(f.name);
        fail(path, input,
             fmt::format("Field \"{}\" is not defined by type \"{}\".", std::string(kv.key()),
                         named->name) +
                 did_you_mean(suggestion_list(kv.key(), names)));
      }
      return out;
    }
    return coerce_leaf(input, *named, path);
  }

  std::vector<Failure>& failures() { return failures_; }

 private:
  void fail(const Path& path, const json::value& value, std::string message) {
    failures_.push_back(Failure{path, value, std::move(message)});
  }

  json::value coerce_leaf(const json::value& input, const NamedType& type, Path& path) {
    const std::string& n = type.name;
    std::string shown = inspect(input);
    if (type.kind == NamedType::Kind::kEnum) {
      if (!input.is_string()) {
        fail(path, input,
             fmt::format("Enum \"{}\" cannot represent non-string value: {}.", n, shown) +
                 did_you_mean(suggestion_list(shown, type.enum_values), "the enum value"));
        return nullptr;
      }
      std::string_view s = input.get_string();
      if (!type.has_enum_value(s)) {
        fail(path, input,
             fmt::format("Value \"{}\" does not exist in \"{}\" enum.", s, n) +
                 did_you_mean(suggestion_list(s, type.enum_values), "the enum value"));
        return nullptr;
      }
      return input;
    }
    if (n == "Int") {
      auto i = integral(input);
      if (!i) {
        fail(path, input, fmt::format("Int cannot represent non-integer value: {}", shown));
        return nullptr;
      }
      if (*i > 2147483647.0 || *i < -2147483648.0) {
        fail(path, input,
             fmt::format("Int cannot represent non 32-bit signed integer value: {}", shown));
        return nullptr;
      }
      return static_cast<std::int64_t>(*i);
    }
    if (n == "Float") {
      if (input.is_number()) return input.to_number<double>();
      fail(path, input, fmt::format("Float cannot represent non numeric value: {}", shown));
      return nullptr;
    }
    if (n == "String") {
      if (input.is_string()) return input;
      fail(path, input, fmt::format("String cannot represent a non string value: {}", shown));
      return nullptr;
    }
    if (n == "Boolean") {
      if (input.is_bool()) return input;
      fail(path, input, fmt::format("Boolean cannot represent a non boolean value: {}", shown));
      return nullptr;
    }
    if (n == "ID") {
      if (input.is_string()) return input;
      if (auto i = integral(input)) {
        if (input.is_int64()) return json::string(std::to_string(input.get_int64()));
        if (input.is_uint64()) return json::string(std::to_string(input.get_uint64()));
        return json::string(fmt::format("{:.0f}", *i));
      }
      fail(path, input, fmt::format("ID cannot represent value: {}", shown));
      return nullptr;
    }
    return input;  // custom scalars pass through
  }

  const Schema& schema_;
  std::vector<Failure> failures_;
};

std::string print_path(const InputCoercer::Path& path) {
  std::string out;
  for (const auto& p : path) {
    if (std::holds_alternative<std::size_t>(p)) {
      out += fmt::format("[{}]", std::get<std::size_t>(p));
    } else {
      out += "." + std::get<std::string>(p);
    }
  }
  return out;
}

bool is_missing_variable(const Value& v, const json::object& variables) {
  return v.kind == Value::Kind::kVariable && !variables.contains(v.text);
}

std::optional<json::value> coerce_leaf_literal(const Value& v, const NamedType& type) {
  using VK = Value::Kind;
  if (type.kind == NamedType::Kind::kEnum) {
    if (v.kind != VK::kEnum || !type.has_enum_value(v.text)) return std::nullopt;
    return json::value(json::string(v.text));
  }
  const std::string& n = type.name;
  if (n == "Int") {
    if (v.kind != VK::kInt) return std::nullopt;
    std::int64_t i = 0;
    auto [ptr, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), i);
    if (ec != std::errc() || i > 2147483647LL || i < -2147483648LL) return std::nullopt;
    return json::value(i);
  }
  if (n == "Float") {
    if (v.kind != VK::kInt && v.kind != VK::kFloat) return std::nullopt;
    return json::value(std::strtod(v.text.c_str(), nullptr));
  }
  if (n == "String") {
    if (v.kind != VK::kString) return std::nullopt;
    return json::value(json::string(v.text));
  }
  if (n == "Boolean") {
    if (v.kind != VK::kBoolean) return std::nullopt;
    return json::value(v.boolean);
  }
  if (n == "ID") {
    if (v.kind != VK::kString && v.kind != VK::kInt) return std::nullopt;
    return json::value(json::string(v.text));
  }
  return std::nullopt;
}

// Custom scalars take any literal (graphql-js valueFromASTUntyped).
json::value untyped(const Value& v, const json::object& variables) {
  switch (v.kind) {
    case Value::Kind::kVariable: {
      const json::value* var = variables.if_contains(v.text);
      return var ? *var : json::value(nullptr);
    }
    case Value::Kind::kInt: {
      std::int64_t i = 0;
      std::from_chars(v.text.data(), v.text.data() + v.text.size(), i);
      return i;
    }
    case Value::Kind::kFloat:
      return std::strtod(v.text.c_str(), nullptr);
    case Value::Kind::kString:
    case Value::Kind::kEnum:
      return json::string(v.text);
    case Value::Kind::kBoolean:
      return v.boolean;
    case Value::Kind::kNull:
      return nullptr;
    case Value::Kind::kList: {
      json::array a;
      for (const auto& item : v.list) a.push_back(untyped(item, variables));
      return a;
    }
    case Value::Kind::kObject: {
      json::object o;
      for (const auto& f : v.fields) o[f.name] = untyped(f.value, variables);
      return o;
    }
  }
  return nullptr;
}

}  // namespace

std::optional<json::value> coerce_literal(const Schema& schema, const Value& literal,
                                          const TypeRef& type, const json::object& variables) {
  if (literal.kind == Value::Kind::kVariable) {
    const json::value* v = variables.if_contains(literal.text);
    if (!v) return std::nullopt;
    if (v->is_null() && type.non_null()) return std::nullopt;
    return *v;
  }
  if (type.kind == TypeRef::Kind::kNonNull) {
    if (literal.kind == Value::Kind::kNull) return std::nullopt;
    return coerce_literal(schema, literal, *type.of_type, variables);
  }
  if (literal.kind == Value::Kind::kNull) return json::value(nullptr);
  if (type.kind == TypeRef::Kind::kList) {
    const TypeRef& item_type = *type.of_type;
    json::array out;
    if (literal.kind == Value::Kind::kList) {
      for (const auto& item : literal.list) {
        if (is_missing_variable(item, variables)) {
          if (item_type.non_null()) return std::nullopt;
          out.push_back(nullptr);
          continue;
        }
        auto v = coerce_literal(schema, item, item_type, variables);
        if (!v) return std::nullopt;
        out.push_back(std::move(*v));
      }
      return json::value(std::move(out));
    }
    auto v = coerce_literal(schema, literal, item_type, variables);
    if (!v) return std::nullopt;
    out.push_back(std::move(*v));
    return json::value(std::move(out));
  }
  const NamedType* named = schema.find_type(type.name);
  if (!named) return std::nullopt;
  if (named->kind == NamedType::Kind::kInputObject) {
    if (literal.kind != Value::Kind::kObject) return std::nullopt;
    json::object out;
    for (const auto& f : literal.fields) {
      if (!named->find_input_field(f.name)) return std::nullopt;
    }
    for (const auto& field : named->input_fields) {
      const ObjectFieldValue* node = nullptr;
      for (const auto& f : literal.fields) {
        if (f.name == field.name) node = &f;
      }
      if (!node || is_missing_variable(node->value, variables)) {
        if (field.default_value) {
          auto d = coerce_literal(schema, *field.default_value, field.type, {});
          if (!d) return std::nullopt;
          out[field.name] = std::move(*d);
        } else if (field.type.non_null()) {
          return std::nullopt;
        }
        continue;
      }
      auto v = coerce_literal(schema, node->value, field.type, variables);
      if (!v) return std::nullopt;
      out[field.name] = std::move(*v);
    }
    return json::value(std::move(out));
  }
  if (named->kind == NamedType::Kind::kScalar && named->name != "Int" && named->name != "Float" &&
      named->name != "String" && named->name != "Boolean" && named->name != "ID") {
    return untyped(literal, variables);
  }
  return coerce_leaf_literal(literal, *named);
}

std::optional<json::object> coerce_variables(const Schema& schema,
                                             const OperationDefinition& operation,
                                             const json::object& inputs,
                                             std::vector<GraphqlError>& errors) {
  json::object coerced;
  bool ok = true;
  for (const auto& def : operation.variables) {
    const json::value* input = inputs.if_contains(def.name);
    std::string type_str = to_string(def.type);
    auto report = [&](std::string message) {
      errors.push_back(GraphqlError{std::move(message), {def.location}, {}});
      ok = false;
    };
    if (!input) {
      if (def.default_value) {
        if (auto d = coerce_literal(schema, *def.default_value, def.type, {}))
          coerced[def.name] = std::move(*d);
      } else if (def.type.non_null()) {
        report(fmt::format("Variable \"${}\" of required type \"{}\" was not provided.", def.name,
                           type_str));
      }
      continue;
    }
    if (input->is_null() && def.type.non_null()) {
      report(fmt::format("Variable \"${}\" of non-null type \"{}\" must not be null.", def.name,
                         type_str));
      continue;
    }
    InputCoercer coercer(schema);
    InputCoercer::Path path;
    json::value value = coercer.coerce(*input, def.type, path);
    if (coercer.failures().empty()) {
      coerced[def.name] = std::move(value);
      continue;
    }
    for (const auto& f : coercer.failures()) {
      std::string prefix =
          fmt::format("Variable \"${}\" got invalid value {}", def.name, inspect(f.value));
      if (!f.path.empty()) prefix += fmt::format(" at \"{}{}\"", def.name, print_path(f.path));
      report(prefix + "; " + f.message);
    }
  }
  if (!ok) return std::nullopt;
  return coerced;
}

std::optional<json::object> coerce_arguments(const Schema& schema,
                                             const std::vector<InputValueDef>& definitions,
                                             const std::vector<Argument>& arguments,
                                             const json::object& variables, std::string& error) {
  json::object coerced;
  for (const auto& def : definitions) {
    const Argument* arg = nullptr;
    for (const auto& a : arguments) {
      if (a.name == def.name) arg = &a;
    }
    std::string type_str = to_string(def.type);
    auto use_default = [&]() -> bool {
      if (!def.default_value) return false;
      if (auto d = coerce_literal(schema, *def.default_value, def.type, {}))
        coerced[def.name] = std::move(*d);
      return true;
    };
    if (!arg) {
      if (!use_default() && def.type.non_null()) {
        error = fmt::format("Argument \"{}\" of required type \"{}\" was not provided.", def.name,
                            type_str);
        return std::nullopt;
      }
      continue;
    }
    bool is_null = arg->value.kind == Value::Kind::kNull;
    if (arg->value.kind == Value::Kind::kVariable) {
      const json::value* v = variables.if_contains(arg->value.text);
      if (!v) {
        if (!use_default() && def.type.non_null()) {
          error = fmt::format(
              "Argument \"{}\" of required type \"{}\" was provided the variable \"${}\" which was "
              "not provided a "
              "runtime value.",
              def.name, type_str, arg->value.text);
          return std::nullopt;
        }
        continue;
      }
      is_null = v->is_null();
    }
    if (is_null && def.type.non_null()) {
      error = fmt::format("Argument \"{}\" of non-null type \"{}\" must not be null.", def.name,
                          type_str);
      return std::nullopt;
    }
    auto v = coerce_literal(schema, arg->value, def.type, variables);
    if (!v) {
      error = fmt::format("Argument \"{}\" has invalid value {}.", def.name, print(arg->value));
      return std::nullopt;
    }
    coerced[def.name] = std::move(*v);
  }
  return coerced;
}

}  // namespace embark::emulator::graphql
