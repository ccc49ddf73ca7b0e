#include "graphql/executor.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>
#include <unordered_set>

#include <fmt/format.h>

#include "graphql/input_coercion.hpp"
#include "graphql/printer.hpp"

namespace embark::emulator::graphql {
namespace {

namespace json = boost::json;

struct Plan;

// One response key of a selection set for one object type, with the field nodes merged into it.
struct PlannedField {
  std::string_view response_key;
  std::string_view field_name;
  std::string_view parent_name;
  const FieldDef* def = nullptr;      // nullptr for __typename
  const NamedType* named = nullptr;   // the field's named return type
  std::vector<const Selection*> nodes;
  std::unique_ptr<Plan> child;        // built on first use, then shared by every object completed
};

struct Plan {
  std::vector<PlannedField> fields;
};

// A failure that makes the whole operation fail (e.g. an invalid @skip argument).
class OperationError : public std::runtime_error {
 public:
  OperationError(const std::string& message, Location location) : std::runtime_error(message), location(location) {}
  Location location;
};

bool is_builtin_scalar(std::string_view n) {
  return n == "Int" || n == "Float" || n == "String" || n == "Boolean" || n == "ID";
}

std::string number_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  double d = v.get_double();
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e21) return fmt::format("{:.0f}", d);
  return fmt::format("{}", d);
}

// Output coercion of leaf values (graphql-js serialize); returns false and sets `error` when invalid.
bool serialize_leaf(const NamedType& type, const json::value& v, json::value& out, std::string& error) {
  if (type.kind == NamedType::Kind::kEnum) {
    if (v.is_string() && type.has_enum_value(v.get_string())) {
      out = v;
      return true;
    }
    error = fmt::format("Enum \"{}\" cannot represent value: {}", type.name, inspect(v));
    return false;
  }
  const std::string& n = type.name;
  if (!is_builtin_scalar(n)) {
    out = v;
    return true;
  }
  if (n == "String") {
    if (v.is_string()) {
      out = v;
    } else if (v.is_bool()) {
      out = v.get_bool() ? "true" : "false";
    } else if (v.is_number()) {
      out = number_text(v);
    } else {
      error = fmt::format("String cannot represent value: {}", inspect(v));
      return false;
    }
    return true;
  }
  if (n == "ID") {
    if (v.is_string()) {
      out = v;
      return true;
    }
    if (v.is_int64() || v.is_uint64() || (v.is_double() && std::floor(v.get_double()) == v.get_double())) {
      out = number_text(v);
      return true;
    }
    error = fmt::format("ID cannot represent value: {}", inspect(v));
    return false;
  }
  if (n == "Boolean") {
    if (v.is_bool()) {
      out = v;
    } else if (v.is_number()) {
      out = v.to_number<double>() != 0;
    } else {
      error = fmt::format("Boolean cannot represent a non boolean value: {}", inspect(v));
      return false;
    }
    return true;
  }
  if (n == "Int") {
    double d = 0;
    if (v.is_bool()) {
      d = v.get_bool() ? 1 : 0;
    } else if (v.is_number()) {
      d = v.to_number<double>();
    } else {
      error = fmt::format("Int cannot represent non-integer value: {}", inspect(v));
      return false;
    }
    if (std::floor(d) != d) {
      error = fmt::format("Int cannot represent non-integer value: {}", inspect(v));
      return false;
    }
    if (d > 2147483647.0 || d < -2147483648.0) {
      error = fmt::format("Int cannot represent non 32-bit signed integer value: {}", inspect(v));
      return false;
    }
    out = static_cast<std::int64_t>(d);
    return true;
  }
  // Float
  if (v.is_bool()) {
    out = v.get_bool() ? 1.0 : 0.0;
  } else if (v.is_number() && std::isfinite(v.to_number<double>())) {
    out = v.to_number<double>();
  } else {
    error = fmt::format("Float cannot represent non numeric value: {}", inspect(v));
    return false;
  }
  return true;
}

class Executor {
 public:
  Executor(const Schema& schema, const Document& doc, const json::object& variables, const ResolverMap& resolvers,
           void* context)
      : schema_(schema), doc_(doc), variables_(variables), resolvers_(resolvers), context_(context) {}

  json::object run(const OperationDefinition& op) {
    json::object response;
    json::value data = nullptr;
    const NamedType* root = schema_.root_type(op.operation);
    try {
      if (!root) throw OperationError(fmt::format("Schema is not configured to execute {} operation.", op.operation), op.location);
      Plan plan;
      std::unordered_set<std::string_view> visited;
      collect(*root, op.selections, plan.fields, visited);
      json::object result;
      result.reserve(plan.fields.size());
      bool ok = true;
      for (auto& field : plan.fields) {
        path_.push_back(PathEntry{field.response_key, 0, false});
        json::value out;
        if (!field.def) {
          out = json::string(root->name);
        } else if (!execute_root_field(*root, field, out)) {
          if (field.def->type.non_null()) {
            ok = false;
            record_pending();
            path_.pop_back();
            break;
          }
          record_pending();
          out = nullptr;
        }
        result.emplace(field.response_key, std::move(out));
        path_.pop_back();
      }
      if (ok) data = std::move(result);
    } catch (const OperationError& e) {
      errors_.push_back(GraphqlError{e.what(), {e.location}, {}});
    }
    if (!errors_.empty()) {
      json::array errors;
      for (const auto& e : errors_) errors.push_back(error_to_json(e));
      response.emplace("errors", std::move(errors));
    }
    response.emplace("data", std::move(data));
    return response;
  }

 private:
  struct PathEntry {
    std::string_view key;
    std::size_t index;
    bool is_index;
  };

  bool included(const std::vector<Directive>& directives) {
    for (const auto& dir : directives) {
      if (dir.name != "skip" && dir.name != "include") continue;
      const DirectiveDef* def = schema_.find_directive(dir.name);
      if (!def) continue;
      std::string error;
      auto args = coerce_arguments(schema_, def->arguments, dir.arguments, variables_, error);
      if (!args) throw OperationError(error, dir.location);
      const json::value* cond = args->if_contains("if");
      bool value = cond && cond->is_bool() && cond->get_bool();
      if (dir.name == "skip" && value) return false;
      if (dir.name == "include" && !value) return false;
    }
    return true;
  }

  // CollectFields (spec 6.3.2) for an object type.
  void collect(const NamedType& type, const std::vector<Selection>& selections, std::vector<PlannedField>& out,
               std::unordered_set<std::string_view>& visited) {
    for (const auto& sel : selections) {
      if (!included(sel.directives)) continue;
      switch (sel.kind) {
        case Selection::Kind::kField: {
          std::string_view key = sel.response_key();
          PlannedField* existing = nullptr;
          for (auto& f : out) {
            if (f.response_key == key) existing = &f;
          }
          if (!existing) {
            PlannedField f;
            f.response_key = key;
            f.field_name = sel.name;
            f.parent_name = type.name;
            if (sel.name != "__typename") {
              f.def = type.find_field(sel.name);
              if (!f.def) continue;  // validation prevents this
              f.named = schema_.find_type(f.def->type.named());
            }
            out.push_back(std::move(f));
            existing = &out.back();
          }
          existing->nodes.push_back(&sel);
          break;
        }
        case Selection::Kind::kFragmentSpread: {
          if (!visited.insert(sel.name).second) break;
          const FragmentDefinition* frag = doc_.find_fragment(sel.name);
          if (!frag || frag->type_condition != type.name) break;
          collect(type, frag->selections, out, visited);
          break;
        }
        case Selection::Kind::kInlineFragment:
          if (!sel.type_condition.empty() && sel.type_condition != type.name) break;
          collect(type, sel.selections, out, visited);
          break;
      }
    }
  }

  Plan& child_plan(PlannedField& field) {
    if (!field.child) {
      field.child = std::make_unique<Plan>();
      std::unordered_set<std::string_view> visited;
      for (const Selection* node : field.nodes) collect(*field.named, node->selections, field.child->fields, visited);
    }
    return *field.child;
  }

  json::array path_json() const {
    json::array path;
    for (const auto& p : path_) {
      if (p.is_index) {
        path.push_back(static_cast<std::uint64_t>(p.index));
      } else {
        path.push_back(json::string(p.key));
      }
    }
    return path;
  }

  bool fail(std::string message, const PlannedField& field) {
    pending_ = GraphqlError{std::move(message), {field.nodes.front()->location}, path_json()};
    return false;
  }

  void record_pending() {
    if (pending_) errors_.push_back(std::move(*pending_));
    pending_.reset();
  }

  bool execute_root_field(const NamedType& root, PlannedField& field, json::value& out) {
    std::string error;
    auto args = coerce_arguments(schema_, field.def->arguments, field.nodes.front()->arguments, variables_, error);
    if (!args) return fail(std::move(error), field);
    auto it = resolvers_.find(fmt::format("{}.{}", root.name, field.field_name));
    if (it == resolvers_.end() || !it->second) {
      return fail(fmt::format("No resolver is registered for {}.{}.", root.name, field.field_name), field);
    }
    FieldResult result;
    try {
      result = it->second(FieldCall{root.name, field.field_name, *args, context_});
    } catch (const std::exception& e) {
      return fail(e.what(), field);
    }
    if (!result.error.empty()) return fail(std::move(result.error), field);
    return complete(field.def->type, field, result.value, out);
  }

  // CompleteValue (spec 6.4.3). Returns false when the position must become null and it
  // could not; the error is in pending_ until a nullable position records it.
  bool complete(const TypeRef& type, PlannedField& field, const json::value& value, json::value& out) {
    if (type.kind == TypeRef::Kind::kNonNull) {
      if (!complete(*type.of_type, field, value, out)) return false;
      if (out.is_null()) {
        return fail(fmt::format("Cannot return null for non-nullable field {}.{}.", field.parent_name, field.field_name),
                    field);
      }
      return true;
    }
    if (value.is_null()) {
      out = nullptr;
      return true;
    }
    if (type.kind == TypeRef::Kind::kList) {
      if (!value.is_array()) {
        return fail(fmt::format("Expected Iterable, but did not find one for field \"{}.{}\".", field.parent_name,
                                field.field_name),
                    field);
      }
      const auto& items = value.get_array();
      json::array list;
      list.reserve(items.size());
      const TypeRef& item_type = *type.of_type;
      for (std::size_t i = 0; i < items.size(); ++i) {
        path_.push_back(PathEntry{{}, i, true});
        json::value item;
        if (!complete(item_type, field, items[i], item)) {
          if (item_type.non_null()) {
            path_.pop_back();
            return false;
          }
          record_pending();
          item = nullptr;
        }
        list.push_back(std::move(item));
        path_.pop_back();
      }
      out = std::move(list);
      return true;
    }
    const NamedType& named = *field.named;
    if (named.is_leaf()) {
      std::string error;
      if (!serialize_leaf(named, value, out, error)) return fail(std::move(error), field);
      return true;
    }
    if (!value.is_object()) {
      return fail(fmt::format("Expected value of type \"{}\" to be an object, found: {}", named.name, inspect(value)),
                  field);
    }
    return complete_object(named, child_plan(field), value.get_object(), out);
  }

  bool complete_object(const NamedType& type, Plan& plan, const json::object& source, json::value& out) {
    json::object object;
    object.reserve(plan.fields.size());
    for (auto& field : plan.fields) {
      if (!field.def) {
        object.emplace(field.response_key, type.name);
        continue;
      }
      path_.push_back(PathEntry{field.response_key, 0, false});
      const json::value* v = source.if_contains(field.field_name);
      static const json::value kNull;
      json::value result;
      if (!complete(field.def->type, field, v ? *v : kNull, result)) {
        if (field.def->type.non_null()) {
          path_.pop_back();
          return false;
        }
        record_pending();
        result = nullptr;
      }
      object.emplace(field.response_key, std::move(result));
      path_.pop_back();
    }
    out = std::move(object);
    return true;
  }

  const Schema& schema_;
  const Document& doc_;
  const json::object& variables_;
  const ResolverMap& resolvers_;
  void* context_;
  std::vector<PathEntry> path_;
  std::optional<GraphqlError> pending_;
  std::vector<GraphqlError> errors_;
};

}  // namespace

json::object error_to_json(const GraphqlError& error) {
  json::object obj;
  obj.emplace("message", error.message);
  if (!error.locations.empty()) {
    json::array locations;
    for (const auto& l : error.locations) locations.push_back(json::object{{"line", l.line}, {"column", l.column}});
    obj.emplace("locations", std::move(locations));
  }
  if (!error.path.empty()) obj.emplace("path", error.path);
  return obj;
}

json::object execute_operation(const Schema& schema, const Document& document, const OperationDefinition& operation,
                               const json::object& variables, const ResolverMap& resolvers, void* context) {
  return Executor(schema, document, variables, resolvers, context).run(operation);
}

}  // namespace embark::emulator::graphql
