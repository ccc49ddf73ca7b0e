#include "graphql/validator.hpp"

#include <charconv>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "graphql/printer.hpp"
#include "graphql/suggestions.hpp"

namespace embark::emulator::graphql {
namespace {

// Guards the overlapping-fields check against documents whose fragments expand exponentially.
constexpr std::size_t kMaxMergedFields = 20000;
// Most same-key field pairs the overlapping-fields check compares per document. The check is
// quadratic in the fields sharing a response key; the vendor's operations need a few dozen
// comparisons, and a hostile document of distinct look-alike fields would need hundreds of
// thousands. Past the budget the document is refused (kTooComplex), never half-validated.
constexpr std::size_t kMaxFieldComparisons = 10000;
constexpr std::string_view kTooComplex =
    "Query is too complex to validate: more than 10000 field comparisons.";

const TypeRef& string_non_null() {
  static const TypeRef kType = [] {
    TypeRef inner;
    inner.name = "String";
    TypeRef t;
    t.kind = TypeRef::Kind::kNonNull;
    t.of_type = std::make_shared<TypeRef>(inner);
    return t;
  }();
  return kType;
}

bool is_subtype(const TypeRef& sub, const TypeRef& super) {
  if (same_type(sub, super)) return true;
  if (super.kind == TypeRef::Kind::kNonNull) {
    return sub.kind == TypeRef::Kind::kNonNull && is_subtype(*sub.of_type, *super.of_type);
  }
  if (sub.kind == TypeRef::Kind::kNonNull) return is_subtype(*sub.of_type, super);
  if (super.kind == TypeRef::Kind::kList) {
    return sub.kind == TypeRef::Kind::kList && is_subtype(*sub.of_type, *super.of_type);
  }
  return false;
}

// One field as the overlapping-fields rule sees it.
struct MergeField {
  const NamedType* parent;
  const Selection* node;
  const TypeRef* type;  // nullptr when the field is unknown
};

using FieldMap = std::vector<std::pair<std::string, std::vector<MergeField>>>;

class Validator {
 public:
  Validator(const Schema& schema, const Document& doc) : schema_(schema), doc_(doc) {}

  std::vector<GraphqlError> run() {
    for (const auto& [name, location] : doc_.type_system_definitions) {
      report(name == "schema" ? std::string("The schema definition is not executable.")
                              : fmt::format("The \"{}\" definition is not executable.", name),
             {location});
    }
    check_operation_names();
    check_fragment_names();
    std::vector<DefinitionInfo> fragment_infos(doc_.fragments.size());
    for (std::size_t i = 0; i < doc_.fragments.size(); ++i) {
      const auto& frag = doc_.fragments[i];
      fragment_index_.emplace(frag.name, i);
      const NamedType* type = schema_.find_type(frag.type_condition);
      if (!type) {
        report_unknown_type(frag.type_condition, frag.type_condition_location);
      } else if (!type->is_composite()) {
        report(fmt::format("Fragment \"{}\" cannot condition on non composite type \"{}\".",
                           frag.name, frag.type_condition),
               {frag.type_condition_location});
      }
      visit_directives(frag.directives, "FRAGMENT_DEFINITION", fragment_infos[i]);
      visit_selection_set(frag.selections, type && type->is_composite() ? type : nullptr,
                          fragment_infos[i]);
    }
    std::unordered_set<std::string> used_fragments;
    for (const auto& op : doc_.operations) {
      DefinitionInfo info;
      const NamedType* root = schema_.root_type(op.operation);
      check_variable_definitions(op, info);
      visit_directives(op.directives,
                       op.operation == "query"      ? "QUERY"
                       : op.operation == "mutation" ? "MUTATION"
                                                    : "SUBSCRIPTION",
                       info);
      visit_selection_set(op.selections, root, info);
      // Variables used by the operation and every fragment it reaches.
      std::vector<const VariableUsage*> usages;
      for (const auto& u : info.usages) usages.push_back(&u);
      std::vector<std::string> stack = info.spreads;
      std::unordered_set<std::string> seen;
      while (!stack.empty()) {
        std::string name = std::move(stack.back());
        stack.pop_back();
        auto it = fragment_index_.find(name);
        if (it == fragment_index_.end() || !seen.insert(name).second) continue;
        used_fragments.insert(name);
        for (const auto& u : fragment_infos[it->second].usages) usages.push_back(&u);
        for (const auto& s : fragment_infos[it->second].spreads) stack.push_back(s);
      }
      check_variable_usages(op, usages);
    }
    for (const auto& frag : doc_.fragments) {
      if (!used_fragments.count(frag.name)) {
        report(fmt::format("Fragment \"{}\" is never used.", frag.name), {frag.location});
      }
    }
    check_fragment_cycles(fragment_infos);
    if (too_complex_) return {GraphqlError{std::string(kTooComplex), {}, {}}};
    return std::move(errors_);
  }

 private:
  struct VariableUsage {
    std::string name;
    Location location;
    const TypeRef* type;  // expected type at the position, nullptr when unknown
    bool has_location_default;
  };

  struct DefinitionInfo {
    std::vector<VariableUsage> usages;
    std::vector<std::string> spreads;  // direct fragment spreads (in order)
    std::vector<const Selection*> spread_nodes;
  };

  void report(std::string message, std::vector<Location> locations) {
    errors_.push_back(GraphqlError{std::move(message), std::move(locations), {}});
  }

  void report_unknown_type(const std::string& name, Location location) {
    report(fmt::format("Unknown type \"{}\".", name) +
               did_you_mean(suggestion_list(name, schema_.type_names())),
           {location});
  }

  void check_operation_names() {
    std::unordered_map<std::string, Location> seen;
    for (const auto& op : doc_.operations) {
      if (op.name.empty()) {
        if (doc_.operations.size() > 1) {
          report("This anonymous operation must be the only defined operation.", {op.location});
        }
        continue;
      }
      auto [it, inserted] = seen.emplace(op.name, op.location);
      if (!inserted) {
        report(fmt::format("There can be only one operation named \"{}\".", op.name),
               {it->second, op.location});
      }
    }
  }

  void check_fragment_names() {
    std::unordered_map<std::string, Location> seen;
    for (const auto& frag : doc_.fragments) {
      auto [it, inserted] = seen.emplace(frag.name, frag.location);
      if (!inserted) {
        report(fmt::format("There can be only one fragment named \"{}\".", frag.name),
               {it->second, frag.location});
      }
    }
  }

  void check_variable_definitions(const OperationDefinition& op, DefinitionInfo& info) {
    std::unordered_map<std::string, Location> seen;
    for (const auto& var : op.variables) {
      auto [it, inserted] = seen.emplace(var.name, var.location);
      if (!inserted) {
        report(fmt::format("There can be only one variable named \"${}\".", var.name),
               {it->second, var.location});
      }
      const NamedType* type = schema_.find_type(var.type.named());
      if (!type) {
        report_unknown_type(var.type.named(), var.type.location);
      } else if (!type->is_input()) {
        report(fmt::format("Variable \"${}\" cannot be non-input type \"{}\".", var.name,
                           to_string(var.type)),
               {var.type.location});
      }
      if (var.default_value)
        check_value(*var.default_value, type && type->is_input() ? &var.type : nullptr, false,
                    info);
      visit_directives(var.directives, "VARIABLE_DEFINITION", info);
    }
  }

  void check_variable_usages(const OperationDefinition& op,
                             const std::vector<const VariableUsage*>& usages) {
    std::unordered_set<std::string> used;
    for (const auto* u : usages) {
      used.insert(u->name);
      const VariableDefinition* def = nullptr;
      for (const auto& v : op.variables) {
        if (v.name == u->name) {
          def = &v;
          break;
        }
      }
      if (!def) {
        report(op.name.empty() ? fmt::format("Variable \"${}\" is not defined.", u->name)
                               : fmt::format("Variable \"${}\" is not defined by operation \"{}\".",
                                             u->name, op.name),
               {u->location, op.location});
        continue;
      }
      if (!u->type) continue;
      const NamedType* var_type = schema_.find_type(def->type.named());
      if (!var_type || !var_type->is_input()) continue;
      bool allowed;
      if (u->type->kind == TypeRef::Kind::kNonNull && def->type.kind != TypeRef::Kind::kNonNull) {
        bool var_default = def->default_value && def->default_value->kind != Value::Kind::kNull;
        allowed =
            (var_default || u->has_location_default) && is_subtype(def->type, *u->type->of_type);
      } else {
        allowed = is_subtype(def->type, *u->type);
      }
      if (!allowed) {
        report(
            fmt::format("Variable \"${}\" of type \"{}\" used in position expecting type \"{}\".",
                        u->name, to_string(def->type), to_string(*u->type)),
            {def->location, u->location});
      }
    }
    for (const auto& v : op.variables) {
      if (used.count(v.name)) continue;
      report(op.name.empty() ? fmt::format("Variable \"${}\" is never used.", v.name)
                             : fmt::format("Variable \"${}\" is never used in operation \"{}\".",
                                           v.name, op.name),
             {v.location});
    }
  }

  void check_fragment_cycles(const std::vector<DefinitionInfo>& infos) {
    std::unordered_set<std::string> visited;
    std::vector<const Selection*> path;
    std::unordered_map<std::string, std::size_t> index_in_path;
    auto detect = [&](auto& self, std::size_t frag_index) -> void {
      const auto& frag = doc_.fragments[frag_index];
      if (!visited.insert(frag.name).second) return;
      const auto& spreads = infos[frag_index].spread_nodes;
      if (spreads.empty()) return;
      index_in_path[frag.name] = path.size();
      for (const Selection* spread : spreads) {
        auto cycle = index_in_path.find(spread->name);
        path.push_back(spread);
        if (cycle == index_in_path.end()) {
          auto it = fragment_index_.find(spread->name);
          if (it != fragment_index_.end()) self(self, it->second);
        } else {
          std::string via;
          std::vector<Location> locations;
          for (std::size_t i = cycle->second; i < path.size(); ++i) {
            locations.push_back(path[i]->location);
            if (i + 1 < path.size()) via += (via.empty() ? "\"" : ", \"") + path[i]->name + "\"";
          }
          report(fmt::format("Cannot spread fragment \"{}\" within itself{}.", spread->name,
                             via.empty() ? std::string() : " via " + via),
                 std::move(locations));
        }
        path.pop_back();
      }
      index_in_path.erase(frag.name);
    };
    for (std::size_t i = 0; i < doc_.fragments.size(); ++i) {
      auto it = fragment_index_.find(doc_.fragments[i].name);
      if (it != fragment_index_.end() && it->second == i) detect(detect, i);
    }
  }

  // ---- selections ----

  void visit_selection_set(const std::vector<Selection>& selections, const NamedType* parent,
                           DefinitionInfo& info) {
    for (const auto& sel : selections) {
      switch (sel.kind) {
        case Selection::Kind::kField:
          visit_field(sel, parent, info);
          break;
        case Selection::Kind::kFragmentSpread:
          visit_spread(sel, parent, info);
          break;
        case Selection::Kind::kInlineFragment:
          visit_inline_fragment(sel, parent, info);
          break;
      }
    }
    check_overlaps(selections, parent);
  }

  void visit_field(const Selection& field, const NamedType* parent, DefinitionInfo& info) {
    const FieldDef* def = nullptr;
    const TypeRef* type = nullptr;
    if (parent) {
      if (field.name == "__typename") {
        type = &string_non_null();
      } else {
        def = parent->find_field(field.name);
        if (def) {
          type = &def->type;
        } else {
          std::vector<std::string> names;
          for (const auto& f : parent->fields) names.push_back(f.name);
          report(
              fmt::format("Cannot query field \"{}\" on type \"{}\".", field.name, parent->name) +
                  did_you_mean(suggestion_list(field.name, names)),
              {field.location});
        }
      }
    }
    const NamedType* named = type ? schema_.find_type(type->named()) : nullptr;
    if (named && named->is_leaf() && field.has_selection_set) {
      report(
          fmt::format("Field \"{}\" must not have a selection since type \"{}\" has no subfields.",
                      field.name, to_string(*type)),
          {field.location});
    } else if (named && named->is_composite() && !field.has_selection_set) {
      report(fmt::format("Field \"{}\" of type \"{}\" must have a selection of subfields. Did you "
                         "mean \"{} {{ ... }}\"?",
                         field.name, to_string(*type), field.name),
             {field.location});
    }
    const std::vector<InputValueDef>* arg_defs = nullptr;
    static const std::vector<InputValueDef> kNoArguments;
    if (def) arg_defs = &def->arguments;
    if (parent && field.name == "__typename") arg_defs = &kNoArguments;
    visit_arguments(field.arguments, arg_defs,
                    parent ? fmt::format("field \"{}.{}\"", parent->name, field.name) : "", info);
    if (def) {
      for (const auto& a : def->arguments) {
        if (a.type.non_null() && !a.default_value && !has_argument(field.arguments, a.name)) {
          report(fmt::format("Field \"{}\" argument \"{}\" of type \"{}\" is required, but it was "
                             "not provided.",
                             field.name, a.name, to_string(a.type)),
                 {field.location});
        }
      }
    }
    visit_directives(field.directives, "FIELD", info);
    if (field.has_selection_set) {
      visit_selection_set(field.selections, named && named->is_composite() ? named : nullptr, info);
    }
  }

  static bool has_argument(const std::vector<Argument>& args, std::string_view name) {
    for (const auto& a : args) {
      if (a.name == name) return true;
    }
    return false;
  }

  void visit_spread(const Selection& spread, const NamedType* parent, DefinitionInfo& info) {
    info.spreads.push_back(spread.name);
    info.spread_nodes.push_back(&spread);
    const FragmentDefinition* frag = doc_.find_fragment(spread.name);
    if (!frag) {
      report(fmt::format("Unknown fragment \"{}\".", spread.name), {spread.location});
    } else {
      const NamedType* type = schema_.find_type(frag->type_condition);
      if (type && type->is_composite() && parent && type != parent) {
        report(fmt::format("Fragment \"{}\" cannot be spread here as objects of type \"{}\" can "
                           "never be of type \"{}\".",
                           spread.name, parent->name, type->name),
               {spread.location});
      }
    }
    visit_directives(spread.directives, "FRAGMENT_SPREAD", info);
  }

  void visit_inline_fragment(const Selection& frag, const NamedType* parent, DefinitionInfo& info) {
    const NamedType* type = parent;
    if (!frag.type_condition.empty()) {
      type = schema_.find_type(frag.type_condition);
      if (!type) {
        report_unknown_type(frag.type_condition, frag.location);
      } else if (!type->is_composite()) {
        report(fmt::format("Fragment cannot condition on non composite type \"{}\".",
                           frag.type_condition),
               {frag.location});
        type = nullptr;
      } else if (parent && type != parent) {
        report(fmt::format("Fragment cannot be spread here as objects of type \"{}\" can never be "
                           "of type \"{}\".",
                           parent->name, type->name),
               {frag.location});
      }
    }
    visit_directives(frag.directives, "INLINE_FRAGMENT", info);
    visit_selection_set(frag.selections, type, info);
  }

  // `defs` is nullptr when the field or directive is unknown (values are then only scanned).
  void visit_arguments(const std::vector<Argument>& args, const std::vector<InputValueDef>* defs,
                       const std::string& owner, DefinitionInfo& info) {
    std::unordered_map<std::string, Location> seen;
    for (const auto& arg : args) {
      auto [it, inserted] = seen.emplace(arg.name, arg.location);
      if (!inserted) {
        report(fmt::format("There can be only one argument named \"{}\".", arg.name),
               {it->second, arg.location});
      }
      const InputValueDef* def = nullptr;
      if (defs) {
        for (const auto& d : *defs) {
          if (d.name == arg.name) def = &d;
        }
        if (!def) {
          std::vector<std::string> names;
          for (const auto& d : *defs) names.push_back(d.name);
          report(fmt::format("Unknown argument \"{}\" on {}.", arg.name, owner) +
                     did_you_mean(suggestion_list(arg.name, names)),
                 {arg.location});
        }
      }
      check_value(arg.value, def ? &def->type : nullptr, def && def->default_value.has_value(),
                  info);
    }
  }

  void visit_directives(const std::vector<Directive>& directives, std::string_view location,
                        DefinitionInfo& info) {
    std::unordered_map<std::string, Location> seen;
    for (const auto& dir : directives) {
      const DirectiveDef* def = schema_.find_directive(dir.name);
      if (!def) {
        report(fmt::format("Unknown directive \"@{}\".", dir.name), {dir.location});
      } else {
        bool allowed = false;
        for (const auto& l : def->locations) allowed = allowed || l == location;
        if (!allowed) {
          report(fmt::format("Directive \"@{}\" may not be used on {}.", dir.name, location),
                 {dir.location});
        }
        if (!def->repeatable) {
          auto [it, inserted] = seen.emplace(dir.name, dir.location);
          if (!inserted) {
            report(fmt::format("The directive \"@{}\" can only be used once at this location.",
                               dir.name),
                   {it->second, dir.location});
          }
        }
      }
      visit_arguments(dir.arguments, def ? &def->arguments : nullptr,
                      fmt::format("directive \"@{}\"", dir.name), info);
      if (def) {
        for (const auto& a : def->arguments) {
          if (a.type.non_null() && !a.default_value && !has_argument(dir.arguments, a.name)) {
            report(fmt::format("Directive \"@{}\" argument \"{}\" of type \"{}\" is required, but "
                               "it was not provided.",
                               dir.name, a.name, to_string(a.type)),
                   {dir.location});
          }
        }
      }
    }
  }

  // ---- values (ValuesOfCorrectType, UniqueInputFieldNames, variable usages) ----

  void check_value(const Value& value, const TypeRef* type, bool has_location_default,
                   DefinitionInfo& info) {
    if (value.kind == Value::Kind::kVariable) {
      info.usages.push_back(VariableUsage{value.text, value.location, type, has_location_default});
      return;
    }
    if (!type) {
      for (const auto& item : value.list) check_value(item, nullptr, false, info);
      check_unique_fields(value);
      for (const auto& f : value.fields) check_value(f.value, nullptr, false, info);
      return;
    }
    const NamedType* named = schema_.find_type(type->named());
    if (!named) return;
    if (value.kind == Value::Kind::kNull) {
      if (type->non_null()) {
        report(fmt::format("Expected value of type \"{}\", found null.", to_string(*type)),
               {value.location});
      }
      return;
    }
    const TypeRef* bare = type->non_null() ? type->of_type.get() : type;
    if (value.kind == Value::Kind::kList) {
      if (bare->kind == TypeRef::Kind::kList) {
        for (const auto& item : value.list) check_value(item, bare->of_type.get(), false, info);
        return;
      }
      // A list literal where no list is expected: graphql-js checks it and its items against the
      // item type.
      check_scalar_literal(value, *bare, *named);
      for (const auto& item : value.list) check_value(item, bare, false, info);
      return;
    }
    if (value.kind == Value::Kind::kObject && named->kind == NamedType::Kind::kInputObject) {
      // graphql-js reports missing fields on entering the object, before its fields.
      for (const auto& def : named->input_fields) {
        if (!def.type.non_null() || def.default_value) continue;
        bool provided = false;
        for (const auto& f : value.fields) provided = provided || f.name == def.name;
        if (!provided) {
          report(fmt::format("Field \"{}.{}\" of required type \"{}\" was not provided.",
                             named->name, def.name, to_string(def.type)),
                 {value.location});
        }
      }
      check_unique_fields(value);
      for (const auto& f : value.fields) {
        const InputValueDef* def = named->find_input_field(f.name);
        if (!def) {
          std::vector<std::string> names;
          for (const auto& d : named->input_fields) names.push_back(d.name);
          report(fmt::format("Field \"{}\" is not defined by type \"{}\".", f.name, named->name) +
                     did_you_mean(suggestion_list(f.name, names)),
                 {f.location});
          check_value(f.value, nullptr, false, info);
          continue;
        }
        check_value(f.value, &def->type, def->default_value.has_value(), info);
      }
      return;
    }
    check_scalar_literal(value, *type, *named);
    if (value.kind == Value::Kind::kObject) {
      check_unique_fields(value);
      for (const auto& f : value.fields) check_value(f.value, nullptr, false, info);
    }
  }

  void check_unique_fields(const Value& value) {
    std::unordered_map<std::string, Location> seen;
    for (const auto& f : value.fields) {
      auto [it, inserted] = seen.emplace(f.name, f.location);
      if (!inserted) {
        report(fmt::format("There can be only one input field named \"{}\".", f.name),
               {it->second, f.location});
      }
    }
  }

  // graphql-js isValidValueNode: leaf types parse the literal, others expect a matching literal.
  void check_scalar_literal(const Value& value, const TypeRef& location_type,
                            const NamedType& named) {
    std::string shown = print(value);
    auto fail = [&](std::string message) { report(std::move(message), {value.location}); };
    if (!named.is_leaf()) {
      fail(
          fmt::format("Expected value of type \"{}\", found {}.", to_string(location_type), shown));
      return;
    }
    using VK = Value::Kind;
    if (named.kind == NamedType::Kind::kEnum) {
      std::vector<std::string> suggestions;
      if (value.kind != VK::kEnum) {
        fail(fmt::format("Enum \"{}\" cannot represent non-enum value: {}.", named.name, shown) +
             did_you_mean(suggestion_list(shown, named.enum_values), "the enum value"));
      } else if (!named.has_enum_value(value.text)) {
        fail(fmt::format("Value \"{}\" does not exist in \"{}\" enum.", value.text, named.name) +
             did_you_mean(suggestion_list(value.text, named.enum_values), "the enum value"));
      }
      return;
    }
    const std::string& n = named.name;
    if (n == "Int") {
      if (value.kind != VK::kInt) {
        fail(fmt::format("Int cannot represent non-integer value: {}", shown));
      } else {
        std::int64_t parsed = 0;
        auto [ptr, ec] =
            std::from_chars(value.text.data(), value.text.data() + value.text.size(), parsed);
        if (ec != std::errc() || parsed > 2147483647LL || parsed < -2147483648LL) {
          fail(fmt::format("Int cannot represent non 32-bit signed integer value: {}", value.text));
        }
      }
    } else if (n == "Float") {
      if (value.kind != VK::kInt && value.kind != VK::kFloat) {
        fail(fmt::format("Float cannot represent non numeric value: {}", shown));
      }
    } else if (n == "String") {
      if (value.kind != VK::kString)
        fail(fmt::format("String cannot represent a non string value: {}", shown));
    } else if (n == "Boolean") {
      if (value.kind != VK::kBoolean)
        fail(fmt::format("Boolean cannot represent a non boolean value: {}", shown));
    } else if (n == "ID") {
      if (value.kind != VK::kString && value.kind != VK::kInt) {
        fail(fmt::format("ID cannot represent a non-string and non-integer value: {}", shown));
      }
    }
  }

  // ---- OverlappingFieldsCanBeMerged ----

  void collect_merge_fields(const std::vector<Selection>& selections, const NamedType* parent,
                            FieldMap& map, std::unordered_set<std::string>& visited,
                            std::size_t& count) const {
    for (const auto& sel : selections) {
      if (count > kMaxMergedFields) return;
      switch (sel.kind) {
        case Selection::Kind::kField: {
          const TypeRef* type = nullptr;
          if (parent) {
            if (sel.name == "__typename") {
              type = &string_non_null();
            } else if (const FieldDef* def = parent->find_field(sel.name)) {
              type = &def->type;
            }
          }
          const std::string& key = sel.response_key();
          auto it =
              std::find_if(map.begin(), map.end(), [&](const auto& e) { return e.first == key; });
          if (it == map.end()) {
            map.emplace_back(key, std::vector<MergeField>{});
            it = map.end() - 1;
          }
          it->second.push_back(MergeField{parent, &sel, type});
          ++count;
          break;
        }
        case Selection::Kind::kInlineFragment: {
          const NamedType* type =
              sel.type_condition.empty() ? parent : schema_.find_type(sel.type_condition);
          collect_merge_fields(sel.selections, type && type->is_composite() ? type : nullptr, map,
                               visited, count);
          break;
        }
        case Selection::Kind::kFragmentSpread: {
          // Each fragment is expanded once per collection: a second spread adds the very same
          // nodes, which cannot conflict with themselves, and re-expanding would let a chain of
          // fragments that each spread the next twice cost 2^n.
          const FragmentDefinition* frag = doc_.find_fragment(sel.name);
          if (!frag || !visited.insert(sel.name).second) break;
          const NamedType* type = schema_.find_type(frag->type_condition);
          collect_merge_fields(frag->selections, type && type->is_composite() ? type : nullptr, map,
                               visited, count);
          break;
        }
      }
    }
  }

  static bool types_conflict(const TypeRef& a, const TypeRef& b, const Schema& schema) {
    if (a.kind == TypeRef::Kind::kList || b.kind == TypeRef::Kind::kList) {
      if (a.kind != b.kind) return true;
      return types_conflict(*a.of_type, *b.of_type, schema);
    }
    if (a.kind == TypeRef::Kind::kNonNull || b.kind == TypeRef::Kind::kNonNull) {
      if (a.kind != b.kind) return true;
      return types_conflict(*a.of_type, *b.of_type, schema);
    }
    const NamedType* ta = schema.find_type(a.name);
    const NamedType* tb = schema.find_type(b.name);
    if ((ta && ta->is_leaf()) || (tb && tb->is_leaf())) return ta != tb;
    return false;
  }

  static bool same_arguments(const Selection& a, const Selection& b) {
    if (a.arguments.size() != b.arguments.size()) return false;
    for (const auto& arg : a.arguments) {
      auto it = std::find_if(b.arguments.begin(), b.arguments.end(),
                             [&](const Argument& o) { return o.name == arg.name; });
      if (it == b.arguments.end() || print_sorted(it->value) != print_sorted(arg.value))
        return false;
    }
    return true;
  }

  // Returns the reason two same-keyed fields conflict, or "" (graphql-js findConflict).
  std::string find_conflict(const MergeField& a, const MergeField& b, bool parents_exclusive,
                            std::vector<Location>& locations) const {
    if (a.node == b.node) return {};
    if (++comparisons_ > kMaxFieldComparisons) {
      too_complex_ = true;
      return {};
    }
    bool exclusive = parents_exclusive || (a.parent && b.parent && a.parent != b.parent);
    std::string reason;
    if (!exclusive) {
      if (a.node->name != b.node->name) {
        reason = fmt::format("\"{}\" and \"{}\" are different fields", a.node->name, b.node->name);
      } else if (!same_arguments(*a.node, *b.node)) {
        reason = "they have differing arguments";
      }
    }
    if (reason.empty() && a.type && b.type && types_conflict(*a.type, *b.type, schema_)) {
      reason = fmt::format("they return conflicting types \"{}\" and \"{}\"", to_string(*a.type),
                           to_string(*b.type));
    }
    if (!reason.empty()) {
      locations.push_back(a.node->location);
      locations.push_back(b.node->location);
      return reason;
    }
    if (!a.node->has_selection_set || !b.node->has_selection_set) return {};
    auto composite = [&](const MergeField& f) -> const NamedType* {
      const NamedType* t = f.type ? schema_.find_type(f.type->named()) : nullptr;
      return t && t->is_composite() ? t : nullptr;
    };
    FieldMap map_a;
    FieldMap map_b;
    std::unordered_set<std::string> visited;
    std::size_t count = 0;
    collect_merge_fields(a.node->selections, composite(a), map_a, visited, count);
    collect_merge_fields(b.node->selections, composite(b), map_b, visited, count);
    std::string sub_reasons;
    std::vector<Location> sub_locations;
    for (const auto& [key, fields_a] : map_a) {
      // Not captured by the lambda: clang before 16 cannot capture structured bindings.
      const std::string& wanted = key;
      auto it = std::find_if(map_b.begin(), map_b.end(),
                             [&](const auto& e) { return e.first == wanted; });
      if (it == map_b.end()) continue;
      std::string found;
      for (const auto& fa : fields_a) {
        for (const auto& fb : it->second) {
          found = find_conflict(fa, fb, exclusive, sub_locations);
          if (!found.empty() || too_complex_) break;
        }
        if (!found.empty() || too_complex_) break;
      }
      if (too_complex_) return {};
      if (!found.empty()) {
        if (!sub_reasons.empty()) sub_reasons += " and ";
        sub_reasons += fmt::format("subfields \"{}\" conflict because {}", key, found);
      }
    }
    if (sub_reasons.empty()) return {};
    locations.push_back(a.node->location);
    locations.push_back(b.node->location);
    locations.insert(locations.end(), sub_locations.begin(), sub_locations.end());
    return sub_reasons;
  }

  // Whether two selections are the same text up to locations (no directives, which could differ
  // in effect by variables).
  static bool same_tree(const Selection& a, const Selection& b) {
    if (a.kind != b.kind || a.name != b.name || a.alias != b.alias ||
        a.type_condition != b.type_condition || a.has_selection_set != b.has_selection_set ||
        !a.directives.empty() || !b.directives.empty() ||
        a.selections.size() != b.selections.size() || !same_arguments(a, b)) {
      return false;
    }
    for (std::size_t i = 0; i < a.selections.size(); ++i) {
      if (!same_tree(a.selections[i], b.selections[i])) return false;
    }
    return true;
  }

  // The fields of one response key without repeats of an identical one (same parent, type and
  // text): a repeat conflicts with nothing its original does not, and comparing 1,000 repeats
  // pairwise (each comparison descending into their selections) would cost half a million
  // comparisons.
  std::vector<MergeField> distinct_fields(const std::vector<MergeField>& fields) const {
    // Repeats are looked for among the first few distinct fields only: past them the pairs are
    // bounded by kMaxFieldComparisons anyway, and the search itself must stay linear.
    constexpr std::size_t kMaxKinds = 16;
    std::vector<MergeField> out;
    for (const auto& f : fields) {
      const auto searched =
          out.begin() + static_cast<std::ptrdiff_t>(std::min(out.size(), kMaxKinds));
      const bool repeat = std::any_of(out.begin(), searched, [&](const MergeField& kept) {
        return kept.parent == f.parent && kept.type == f.type && same_tree(*kept.node, *f.node);
      });
      if (!repeat) out.push_back(f);
    }
    return out;
  }

  void check_overlaps(const std::vector<Selection>& selections, const NamedType* parent) {
    if (too_complex_) return;
    FieldMap map;
    std::unordered_set<std::string> visited;
    std::size_t count = 0;
    collect_merge_fields(selections, parent, map, visited, count);
    for (const auto& [key, all_fields] : map) {
      if (all_fields.size() < 2) continue;
      const std::vector<MergeField> fields = distinct_fields(all_fields);
      bool reported = false;
      for (std::size_t i = 0; i < fields.size() && !reported && !too_complex_; ++i) {
        for (std::size_t j = i + 1; j < fields.size() && !reported && !too_complex_; ++j) {
          std::vector<Location> locations;
          std::string reason = find_conflict(fields[i], fields[j], false, locations);
          if (reason.empty()) continue;
          report(fmt::format("Fields \"{}\" conflict because {}. Use different aliases on the "
                             "fields to fetch both "
                             "if this was intentional.",
                             key, reason),
                 std::move(locations));
          reported = true;
        }
      }
    }
  }

  const Schema& schema_;
  const Document& doc_;
  std::unordered_map<std::string, std::size_t> fragment_index_;
  std::vector<GraphqlError> errors_;
  mutable std::size_t comparisons_ = 0;  // find_conflict calls so far (kMaxFieldComparisons)
  mutable bool too_complex_ = false;
};

}  // namespace

std::vector<GraphqlError> validate(const Schema& schema, const Document& document) {
  return Validator(schema, document).run();
}

}  // namespace embark::emulator::graphql
