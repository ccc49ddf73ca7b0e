#include "graphql/engine.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "graphql/document_cache.hpp"
#include "graphql/executor.hpp"
#include "graphql/input_coercion.hpp"
#include "graphql/parser.hpp"
#include "graphql/schema.hpp"
#include "graphql/validator.hpp"

namespace embark::emulator::graphql {
namespace {

// What PreparedOperation::impl points to: the document kept alive and its selected operation.
struct PreparedImpl {
  std::shared_ptr<const Document> document;
  const OperationDefinition* operation = nullptr;
};

Prepared failure(std::string message, std::vector<Location> locations = {}) {
  Prepared p;
  p.errors.push_back(GraphqlError{std::move(message), std::move(locations), {}});
  return p;
}

void collect_root_fields(const Document& doc, const std::vector<Selection>& selections,
                         std::vector<std::string>& out, std::vector<std::string_view>& visited) {
  for (const auto& sel : selections) {
    if (sel.kind == Selection::Kind::kField) {
      if (sel.name == "__typename") continue;
      if (std::find(out.begin(), out.end(), sel.name) == out.end()) out.push_back(sel.name);
    } else if (sel.kind == Selection::Kind::kInlineFragment) {
      collect_root_fields(doc, sel.selections, out, visited);
    } else if (std::find(visited.begin(), visited.end(), sel.name) == visited.end()) {
      visited.push_back(sel.name);
      if (const FragmentDefinition* frag = doc.find_fragment(sel.name)) {
        collect_root_fields(doc, frag->selections, out, visited);
      }
    }
  }
}

}  // namespace

struct Engine::Impl {
  std::shared_ptr<const Schema> schema;
  ResolverMap resolvers;
  mutable DocumentCache cache;

  Prepared prepare_uncached(std::string_view query, std::string_view operation_name,
                            const RootFieldFilter* admit) const {
    GraphqlError syntax;
    std::shared_ptr<const Document> doc = parse_document(query, syntax);
    if (!doc) {
      Prepared p;
      p.errors.push_back(std::move(syntax));
      return p;
    }
    Prepared p;
    if (admit) {
      for (const auto& operation : doc->operations) {
        std::vector<std::string> fields;
        std::vector<std::string_view> visited;
        collect_root_fields(*doc, operation.selections, fields, visited);
        for (const auto& field : fields) {
          if (!(*admit)(field)) {
            p.refused = true;
            p.refused_field = field;
            return p;
          }
        }
      }
    }
    p.errors = validate(*schema, *doc);
    if (!p.errors.empty()) return p;
    const OperationDefinition* op = nullptr;
    if (operation_name.empty()) {
      if (doc->operations.empty()) return failure("Must provide an operation.");
      if (doc->operations.size() > 1)
        return failure("Must provide operation name if query contains multiple operations.");
      op = &doc->operations.front();
    } else {
      for (const auto& o : doc->operations) {
        if (o.name == operation_name) op = &o;
      }
      if (!op) return failure(fmt::format("Unknown operation named \"{}\".", operation_name));
    }
    if (op->operation == "subscription") {
      return failure(
          schema->root_type("subscription")
              ? std::string("Subscriptions are not supported by the emulator.")
              : std::string("Schema is not configured to execute subscription operation."),
          {op->location});
    }
    if (!schema->root_type(op->operation)) {
      return failure(
          fmt::format("Schema is not configured to execute {} operation.", op->operation),
          {op->location});
    }
    auto prepared = std::make_shared<PreparedOperation>();
    prepared->operation_type = op->operation;
    std::vector<std::string_view> visited;
    collect_root_fields(*doc, op->selections, prepared->root_fields, visited);
    prepared->impl = std::make_shared<const PreparedImpl>(PreparedImpl{doc, op});
    p.operation = std::move(prepared);
    return p;
  }
};

Engine::Engine(std::shared_ptr<const Schema> schema) : impl_(std::make_unique<Impl>()) {
  impl_->schema = std::move(schema);
}

Engine::~Engine() = default;

void Engine::set_resolver(std::string_view root_type, std::string_view field, Resolver resolver) {
  impl_->resolvers[fmt::format("{}.{}", root_type, field)] = std::move(resolver);
}

Prepared Engine::prepare(std::string_view query, std::string_view operation_name) const {
  if (auto cached = impl_->cache.find(query, operation_name)) return std::move(*cached);
  Prepared p = impl_->prepare_uncached(query, operation_name, nullptr);
  impl_->cache.insert(query, operation_name, p);
  return p;
}

Prepared Engine::prepare(std::string_view query, std::string_view operation_name,
                         const RootFieldFilter& admit) const {
  if (auto cached = impl_->cache.find(query, operation_name)) return std::move(*cached);
  Prepared p = impl_->prepare_uncached(query, operation_name, &admit);
  if (!p.refused) impl_->cache.insert(query, operation_name, p);
  return p;
}

std::vector<std::string> Engine::root_fields(std::string_view query) const {
  GraphqlError syntax;
  std::shared_ptr<const Document> doc = parse_document(query, syntax);
  std::vector<std::string> fields;
  if (!doc) return fields;
  std::vector<std::string_view> visited;
  for (const auto& operation : doc->operations)
    collect_root_fields(*doc, operation.selections, fields, visited);
  return fields;
}

std::string Engine::execute_serialized(const PreparedOperation& op,
                                       const boost::json::object& variables, void* context) const {
  const auto* impl = static_cast<const PreparedImpl*>(op.impl.get());
  std::vector<GraphqlError> errors;
  auto coerced = coerce_variables(*impl_->schema, *impl->operation, variables, errors);
  if (!coerced) {
    boost::json::array list;
    for (const auto& e : errors) list.push_back(error_to_json(e));
    return boost::json::serialize(boost::json::object{{"errors", std::move(list)}});
  }
  return execute_operation(*impl_->schema, *impl->document, *impl->operation, *coerced,
                           impl_->resolvers, context);
}

boost::json::object Engine::execute(const PreparedOperation& op,
                                    const boost::json::object& variables, void* context) const {
  boost::json::value body = boost::json::parse(execute_serialized(op, variables, context));
  return std::move(body.as_object());
}

boost::json::object Engine::error_body(const std::vector<GraphqlError>& errors) {
  boost::json::object body;
  boost::json::array list;
  for (const auto& e : errors) list.push_back(error_to_json(e));
  body.emplace("errors", std::move(list));
  body.emplace("data", nullptr);
  return body;
}

}  // namespace embark::emulator::graphql
