#include "graphql/printer.hpp"

#include <algorithm>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

namespace embark::emulator::graphql {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += fmt::format("\\u{:04X}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string print_value(const Value& value, bool sorted) {
  switch (value.kind) {
    case Value::Kind::kVariable:
      return "$" + value.text;
    case Value::Kind::kInt:
    case Value::Kind::kFloat:
    case Value::Kind::kEnum:
      return value.text;
    case Value::Kind::kString:
      if (value.block_string) return "\"\"\"" + value.text + "\"\"\"";
      return quote(value.text);
    case Value::Kind::kBoolean:
      return value.boolean ? "true" : "false";
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kList: {
      std::string out = "[";
      for (std::size_t i = 0; i < value.list.size(); ++i) {
        if (i) out += ", ";
        out += print_value(value.list[i], sorted);
      }
      return out + "]";
    }
    case Value::Kind::kObject: {
      std::vector<const ObjectFieldValue*> fields;
      for (const auto& f : value.fields) fields.push_back(&f);
      if (sorted) {
        std::stable_sort(fields.begin(), fields.end(),
                         [](const auto* a, const auto* b) { return a->name < b->name; });
      }
      std::string out = "{";
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ", ";
        out += fields[i]->name + ": " + print_value(fields[i]->value, sorted);
      }
      return out + "}";
    }
  }
  return {};
}

// graphql-js stops descending after two levels of nesting.
constexpr int kMaxInspectDepth = 2;

std::string inspect_value(const boost::json::value& value, int depth) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::string:
      return boost::json::serialize(value);
    case boost::json::kind::array: {
      const auto& arr = value.get_array();
      if (arr.empty()) return "[]";
      if (depth > kMaxInspectDepth) return "[Array]";
      std::string out = "[";
      std::size_t shown = std::min<std::size_t>(arr.size(), 10);
      for (std::size_t i = 0; i < shown; ++i) {
        if (i) out += ", ";
        out += inspect_value(arr[i], depth + 1);
      }
      if (arr.size() > shown) out += fmt::format(", ... {} more items", arr.size() - shown);
      return out + "]";
    }
    case boost::json::kind::object: {
      const auto& obj = value.get_object();
      if (obj.empty()) return "{}";
      if (depth > kMaxInspectDepth) return "[Object]";
      std::string out = "{ ";
      bool first = true;
      for (const auto& kv : obj) {
        if (!first) out += ", ";
        first = false;
        out += std::string(kv.key()) + ": " + inspect_value(kv.value(), depth + 1);
      }
      return out + " }";
    }
    case boost::json::kind::double_:
      return fmt::format("{}", value.get_double());
    default:
      return boost::json::serialize(value);
  }
}

}  // namespace

std::string print(const Value& value) { return print_value(value, false); }

std::string print_sorted(const Value& value) { return print_value(value, true); }

std::string inspect(const boost::json::value& value) { return inspect_value(value, 0); }

std::string to_string(const TypeRef& type) {
  switch (type.kind) {
    case TypeRef::Kind::kNamed:
      return type.name;
    case TypeRef::Kind::kList: {
      // Appending (not `"[" + std::string`) also keeps g++ 12 -O3 from a false -Wrestrict warning.
      std::string out = "[";
      out += to_string(*type.of_type);
      out += ']';
      return out;
    }
    case TypeRef::Kind::kNonNull:
      return to_string(*type.of_type) + "!";
  }
  return {};
}

bool same_type(const TypeRef& a, const TypeRef& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == TypeRef::Kind::kNamed) return a.name == b.name;
  return same_type(*a.of_type, *b.of_type);
}

const FragmentDefinition* Document::find_fragment(std::string_view name) const {
  for (const auto& f : fragments) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace embark::emulator::graphql
