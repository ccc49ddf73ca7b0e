#include "graphql/executor.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <unordered_set>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "graphql/input_coercion.hpp"
#include "graphql/json_text.hpp"
#include "graphql/printer.hpp"

namespace embark::emulator::graphql {
namespace {

namespace json = boost::json;

struct Plan;

// Lists at least this long reserve the body's room after their first item.
constexpr std::size_t kReserveFromItems = 1024;

// The leaf serializer a field needs, decided once per plan rather than per value.
enum class Leaf : unsigned char { kNone, kString, kId, kInt, kFloat, kBoolean, kEnum, kCustom };

Leaf leaf_of(const NamedType* type) {
  if (!type || !type->is_leaf()) return Leaf::kNone;
  if (type->kind == NamedType::Kind::kEnum) return Leaf::kEnum;
  const std::string& n = type->name;
  if (n == "String") return Leaf::kString;
  if (n == "ID") return Leaf::kId;
  if (n == "Int") return Leaf::kInt;
  if (n == "Float") return Leaf::kFloat;
  if (n == "Boolean") return Leaf::kBoolean;
  return Leaf::kCustom;
}

// One response key of a selection set for one object type, with the field nodes merged into it.
struct PlannedField {
  std::string_view response_key;
  std::string key_json;  // `"key":`, written once per object
  std::string_view field_name;
  std::string_view parent_name;
  const FieldDef* def = nullptr;     // nullptr for __typename
  const NamedType* named = nullptr;  // the field's named return type
  Leaf leaf = Leaf::kNone;
  std::vector<const Selection*> nodes;
  std::unique_ptr<Plan> child;  // built on first use, then shared by every object completed
};

struct Plan {
  std::vector<PlannedField> fields;
};

// A failure that makes the whole operation fail (e.g. an invalid @skip argument).
class OperationError : public std::runtime_error {
 public:
  OperationError(const std::string& message, Location location)
      : std::runtime_error(message), location(location) {}
  Location location;
};

void append_number(std::string& out, const json::value& v) {
  if (v.is_int64()) {
    fmt::format_to(std::back_inserter(out), "{}", v.get_int64());
  } else if (v.is_uint64()) {
    fmt::format_to(std::back_inserter(out), "{}", v.get_uint64());
  } else {
    double d = v.get_double();
    if (std::floor(d) == d && std::fabs(d) < 1e21) {
      fmt::format_to(std::back_inserter(out), "{:.0f}", d);
    } else {
      fmt::format_to(std::back_inserter(out), "{}", d);
    }
  }
}

// The body's strings are written by the shared JSON text writer.
void append_string(std::string& out, std::string_view s) { append_json_string(out, s); }

// Output coercion of leaf values (graphql-js serialize), written as JSON text; returns false and
// sets `error` when the value cannot be represented.
bool write_leaf(Leaf leaf, const NamedType& type, const json::value& v, std::string& out,
                std::string& error) {
  switch (leaf) {
    case Leaf::kString:
      if (v.is_string()) {
        append_string(out, v.get_string());
      } else if (v.is_bool()) {
        out += v.get_bool() ? "\"true\"" : "\"false\"";
      } else if (v.is_number()) {
        std::string text;
        append_number(text, v);
        append_string(out, text);
      } else {
        error = fmt::format("String cannot represent value: {}", inspect(v));
        return false;
      }
      return true;
    case Leaf::kEnum:
      if (v.is_string() && type.has_enum_value(v.get_string())) {
        append_string(out, v.get_string());
        return true;
      }
      error = fmt::format("Enum \"{}\" cannot represent value: {}", type.name, inspect(v));
      return false;
    case Leaf::kId:
      if (v.is_string()) {
        append_string(out, v.get_string());
        return true;
      }
      if (v.is_int64() || v.is_uint64() ||
          (v.is_double() && std::floor(v.get_double()) == v.get_double())) {
        std::string text;
        append_number(text, v);
        append_string(out, text);
        return true;
      }
      error = fmt::format("ID cannot represent value: {}", inspect(v));
      return false;
    case Leaf::kBoolean:
      if (v.is_bool()) {
        out += v.get_bool() ? "true" : "false";
      } else if (v.is_number()) {
        out += v.to_number<double>() != 0 ? "true" : "false";
      } else {
        error = fmt::format("Boolean cannot represent a non boolean value: {}", inspect(v));
        return false;
      }
      return true;
    case Leaf::kInt: {
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
      fmt::format_to(std::back_inserter(out), "{}", static_cast<std::int64_t>(d));
      return true;
    }
    case Leaf::kFloat:
      if (v.is_bool()) {
        out += v.get_bool() ? "1" : "0";
      } else if (v.is_number() && std::isfinite(v.to_number<double>())) {
        append_number(out, v);
      } else {
        error = fmt::format("Float cannot represent non numeric value: {}", inspect(v));
        return false;
      }
      return true;
    case Leaf::kCustom:
    case Leaf::kNone:
      out += json::serialize(v);
      return true;
  }
  return true;
}

class Executor {
 public:
  Executor(const Schema& schema, const Document& doc, const json::object& variables,
           const ResolverMap& resolvers, void* context)
      : schema_(schema),
        doc_(doc),
        variables_(variables),
        resolvers_(resolvers),
        context_(context) {}

  // The body is written as text while completing: no intermediate tree for big lists. A position
  // that must become null is cut back to where it started.
  std::string run(const OperationDefinition& op) {
    // Room for a typical small answer (an impersonation token) in one allocation below 1 KiB.
    out_.reserve(1000);
    out_ = "{\"data\":";
    const std::size_t data_start = out_.size();
    const NamedType* root = schema_.root_type(op.operation);
    bool ok = true;
    try {
      if (!root)
        throw OperationError(
            fmt::format("Schema is not configured to execute {} operation.", op.operation),
            op.location);
      Plan plan;
      std::unordered_set<std::string_view> visited;
      collect(*root, op.selections, plan.fields, visited);
      out_ += '{';
      bool first = true;
      for (auto& field : plan.fields) {
        if (!first) out_ += ',';
        first = false;
        out_ += field.key_json;
        path_.push_back(PathEntry{field.response_key, 0, false});
        std::size_t mark = out_.size();
        if (!field.def) {
          append_string(out_, root->name);
        } else if (!execute_root_field(*root, field)) {
          record_pending();
          if (field.def->type.non_null()) {
            ok = false;
            path_.pop_back();
            break;
          }
          out_.resize(mark);
          out_ += "null";
        }
        path_.pop_back();
      }
      out_ += '}';
    } catch (const OperationError& e) {
      errors_.push_back(GraphqlError{e.what(), {e.location}, {}});
      ok = false;
    }
    if (!ok) {
      out_.resize(data_start);
      out_ += "null";
    }
    out_ += '}';
    if (errors_.empty()) return std::move(out_);
    json::array errors;
    for (const auto& e : errors_) errors.push_back(error_to_json(e));
    std::string body = "{\"errors\":";
    body += json::serialize(errors);
    body += ',';
    body.append(out_, 1, std::string::npos);
    return body;
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
  void collect(const NamedType& type, const std::vector<Selection>& selections,
               std::vector<PlannedField>& out, std::unordered_set<std::string_view>& visited) {
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
            append_string(f.key_json, key);
            f.key_json += ':';
            f.field_name = sel.name;
            f.parent_name = type.name;
            if (sel.name != "__typename") {
              f.def = type.find_field(sel.name);
              if (!f.def) continue;  // validation prevents this
              f.named = schema_.find_type(f.def->type.named());
              f.leaf = leaf_of(f.named);
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
      for (const Selection* node : field.nodes)
        collect(*field.named, node->selections, field.child->fields, visited);
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

  // Every field name under a selection set, through fragments (lookahead for resolvers).
  void gather_field_names(const std::vector<Selection>& selections,
                          std::vector<std::string_view>& out,
                          std::vector<std::string_view>& visited) const {
    for (const auto& sel : selections) {
      switch (sel.kind) {
        case Selection::Kind::kField:
          if (std::find(out.begin(), out.end(), sel.name) == out.end()) out.push_back(sel.name);
          break;
        case Selection::Kind::kInlineFragment:
          gather_field_names(sel.selections, out, visited);
          break;
        case Selection::Kind::kFragmentSpread:
          if (std::find(visited.begin(), visited.end(), sel.name) != visited.end()) break;
          visited.push_back(sel.name);
          if (const FragmentDefinition* frag = doc_.find_fragment(sel.name)) {
            gather_field_names(frag->selections, out, visited);
          }
          break;
      }
    }
  }

  bool execute_root_field(const NamedType& root, PlannedField& field) {
    std::string error;
    auto args = coerce_arguments(schema_, field.def->arguments, field.nodes.front()->arguments,
                                 variables_, error);
    if (!args) return fail(std::move(error), field);
    auto it = resolvers_.find(fmt::format("{}.{}", root.name, field.field_name));
    if (it == resolvers_.end() || !it->second) {
      return fail(fmt::format("No resolver is registered for {}.{}.", root.name, field.field_name),
                  field);
    }
    std::vector<std::string_view> selected;
    std::vector<std::string_view> visited;
    for (const Selection* node : field.nodes)
      gather_field_names(node->selections, selected, visited);
    // Constructed in place: assigning a json::value across memory resources would deep-copy it.
    std::optional<FieldResult> answer;
    try {
      answer.emplace(it->second(FieldCall{root.name, field.field_name, *args, context_, selected}));
    } catch (const std::exception& e) {
      return fail(e.what(), field);
    }
    FieldResult& result = *answer;
    if (!result.error.empty()) return fail(std::move(result.error), field);
    return complete(field.def->type, field, result.value);
  }

  // CompleteValue (spec 6.4.3), appending the value's JSON to out_. Returns false when the
  // position failed; the error waits in pending_ until a nullable position records it and
  // replaces its own partial output with null.
  bool complete(const TypeRef& type, PlannedField& field, const json::value& value) {
    if (type.kind == TypeRef::Kind::kNonNull) {
      if (value.is_null()) {
        return fail(fmt::format("Cannot return null for non-nullable field {}.{}.",
                                field.parent_name, field.field_name),
                    field);
      }
      return complete(*type.of_type, field, value);
    }
    if (value.is_null()) {
      out_ += "null";
      return true;
    }
    if (type.kind == TypeRef::Kind::kList) {
      if (!value.is_array()) {
        return fail(fmt::format("Expected Iterable, but did not find one for field \"{}.{}\".",
                                field.parent_name, field.field_name),
                    field);
      }
      const auto& items = value.get_array();
      const TypeRef& item_type = *type.of_type;
      out_ += '[';
      const std::size_t list_start = out_.size();
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i == 1 && items.size() >= kReserveFromItems)
          reserve_like_first_item(list_start, items.size());
        if (i) out_ += ',';
        if (!complete_child(item_type, field, items[i], PathEntry{{}, i, true})) return false;
      }
      out_ += ']';
      return true;
    }
    const NamedType& named = *field.named;
    if (named.is_leaf()) {
      std::string error;
      if (!write_leaf(field.leaf, named, value, out_, error)) return fail(std::move(error), field);
      return true;
    }
    if (!value.is_object()) {
      return fail(fmt::format("Expected value of type \"{}\" to be an object, found: {}",
                              named.name, inspect(value)),
                  field);
    }
    return complete_object(named, child_plan(field), value.get_object());
  }

  // Completes one list item or object field at `entry`. A nullable one that fails is written as
  // null (its error kept, spec §6.4.4); a non-null one fails its parent.
  bool complete_child(const TypeRef& type, PlannedField& field, const json::value& value,
                      PathEntry entry) {
    path_.push_back(entry);
    const std::size_t mark = out_.size();
    bool ok = complete(type, field, value);
    if (!ok && !type.non_null()) {
      record_pending();
      out_.resize(mark);
      out_ += "null";
      ok = true;
    }
    path_.pop_back();
    return ok;
  }

  // A big list grows the body by doubling otherwise (copying tens of MB several times): its
  // first item's size is a good guess for the others'.
  void reserve_like_first_item(std::size_t list_start, std::size_t items) {
    const std::size_t first = out_.size() - list_start + 1;
    const std::size_t want = out_.size() + first * (items - 1) + first * (items - 1) / 8;
    if (want > out_.capacity()) out_.reserve(want);
  }

  bool complete_object(const NamedType& type, Plan& plan, const json::object& source) {
    out_ += '{';
    bool first = true;
    for (auto& field : plan.fields) {
      if (!first) out_ += ',';
      first = false;
      out_ += field.key_json;
      if (!field.def) {
        append_string(out_, type.name);
        continue;
      }
      const json::value* v = source.if_contains(field.field_name);
      static const json::value kNull;
      if (!complete_child(field.def->type, field, v ? *v : kNull,
                          PathEntry{field.response_key, 0, false})) {
        return false;
      }
    }
    out_ += '}';
    return true;
  }

  const Schema& schema_;
  const Document& doc_;
  const json::object& variables_;
  const ResolverMap& resolvers_;
  void* context_;
  std::string out_;
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
    for (const auto& l : error.locations)
      locations.push_back(json::object{{"line", l.line}, {"column", l.column}});
    obj.emplace("locations", std::move(locations));
  }
  if (!error.path.empty()) obj.emplace("path", error.path);
  return obj;
}

std::string execute_operation(const Schema& schema, const Document& document,
                              const OperationDefinition& operation, const json::object& variables,
                              const ResolverMap& resolvers, void* context) {
  return Executor(schema, document, variables, resolvers, context).run(operation);
}

}  // namespace embark::emulator::graphql
