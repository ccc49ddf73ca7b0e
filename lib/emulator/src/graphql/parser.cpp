#include "graphql/parser.hpp"

#include <fmt/format.h>

#include "graphql/lexer.hpp"

namespace embark::emulator::graphql {
namespace {

using K = Token::Kind;

// Deeply nested input would otherwise exhaust the stack of this recursive-descent parser.
constexpr int kMaxDepth = 256;

std::string kind_name(K kind) {
  switch (kind) {
    case K::kName:
      return "Name";
    case K::kInt:
      return "Int";
    case K::kFloat:
      return "Float";
    case K::kString:
      return "String";
    case K::kBlockString:
      return "BlockString";
    case K::kEof:
      return "<EOF>";
    default: {
      Token t;
      t.kind = kind;
      return Lexer::describe(t);
    }
  }
}

bool is_type_system_keyword(std::string_view name) {
  return name == "schema" || name == "scalar" || name == "type" || name == "interface" ||
         name == "union" || name == "enum" || name == "input" || name == "directive";
}

class Parser {
 public:
  /// `max_tokens` 0: no limit (the trusted SDL); executable documents get kMaxDocumentTokens.
  explicit Parser(std::string_view source, std::size_t max_tokens = 0)
      : lexer_(source), max_tokens_(max_tokens) {
    advance();
  }

  void parse_executable(Document& doc) {
    if (token_.kind == K::kEof) unexpected();
    while (token_.kind != K::kEof) {
      if (token_.kind == K::kBraceL) {
        doc.operations.push_back(parse_operation());
        continue;
      }
      bool has_description = token_.kind == K::kString || token_.kind == K::kBlockString;
      Token keyword = has_description ? lookahead() : token_;
      if (keyword.kind == K::kName &&
          (is_type_system_keyword(keyword.value) || keyword.value == "extend")) {
        TypeSystemDocument ignored;
        Location at = token_.location;
        std::string name = parse_type_system_definition(ignored);
        doc.type_system_definitions.emplace_back(name, at);
        continue;
      }
      if (has_description) {
        fail("Unexpected description, descriptions are supported only on type definitions.",
             token_.location);
      }
      if (token_.kind == K::kName) {
        if (token_.value == "query" || token_.value == "mutation" ||
            token_.value == "subscription") {
          doc.operations.push_back(parse_operation());
          continue;
        }
        if (token_.value == "fragment") {
          doc.fragments.push_back(parse_fragment_definition());
          continue;
        }
      }
      unexpected();
    }
  }

  void parse_sdl(TypeSystemDocument& doc) {
    if (token_.kind == K::kEof) unexpected();
    while (token_.kind != K::kEof) {
      bool has_description = token_.kind == K::kString || token_.kind == K::kBlockString;
      Token keyword = has_description ? lookahead() : token_;
      if (keyword.kind == K::kName &&
          (is_type_system_keyword(keyword.value) || keyword.value == "extend")) {
        parse_type_system_definition(doc);
        continue;
      }
      unexpected(keyword);
    }
  }

 private:
  [[noreturn]] static void fail(const std::string& message, Location at) {
    throw SyntaxError(message, at);
  }
  [[noreturn]] void unexpected() { unexpected(token_); }
  [[noreturn]] static void unexpected(const Token& token) {
    fail(fmt::format("Unexpected {}.", Lexer::describe(token)), token.location);
  }

  Token lookahead() const {
    Lexer copy = lexer_;
    return copy.next();
  }

  void advance() {
    token_ = lexer_.next();
    // graphql-js's maxTokens: the bound that keeps validation work small for any request body.
    if (max_tokens_ != 0 && token_.kind != K::kEof && ++tokens_ > max_tokens_) {
      fail(fmt::format("Document contains more than {} tokens. Parsing aborted.", max_tokens_),
           token_.location);
    }
  }

  bool peek(K kind) const { return token_.kind == kind; }

  bool skip(K kind) {
    if (token_.kind != kind) return false;
    advance();
    return true;
  }

  Token expect(K kind) {
    if (token_.kind != kind) {
      fail(fmt::format("Expected {}, found {}.", kind_name(kind), Lexer::describe(token_)),
           token_.location);
    }
    Token t = std::move(token_);
    advance();
    return t;
  }

  void expect_keyword(std::string_view keyword) {
    if (token_.kind != K::kName || token_.value != keyword) {
      fail(fmt::format("Expected \"{}\", found {}.", keyword, Lexer::describe(token_)),
           token_.location);
    }
    advance();
  }

  bool skip_keyword(std::string_view keyword) {
    if (token_.kind != K::kName || token_.value != keyword) return false;
    advance();
    return true;
  }

  std::string parse_name() { return expect(K::kName).value; }

  struct DepthGuard {
    explicit DepthGuard(Parser& p) : parser(p) {
      if (++parser.depth_ > kMaxDepth)
        fail("Document is nested too deeply.", parser.token_.location);
    }
    ~DepthGuard() { --parser.depth_; }
    Parser& parser;
  };

  // ---- executable definitions ----

  OperationDefinition parse_operation() {
    OperationDefinition op;
    op.location = token_.location;
    if (peek(K::kBraceL)) {
      op.operation = "query";
      op.selections = parse_selection_set();
      return op;
    }
    op.operation = token_.value;
    advance();
    if (peek(K::kName)) op.name = parse_name();
    if (peek(K::kParenL)) {
      advance();
      do {
        op.variables.push_back(parse_variable_definition());
      } while (!skip(K::kParenR));
    }
    op.directives = parse_directives(false);
    op.selections = parse_selection_set();
    return op;
  }

  VariableDefinition parse_variable_definition() {
    VariableDefinition def;
    def.location = token_.location;
    expect(K::kDollar);
    def.name = parse_name();
    expect(K::kColon);
    def.type = parse_type();
    if (skip(K::kEquals)) def.default_value = parse_value(true);
    def.directives = parse_directives(true);
    return def;
  }

  TypeRef parse_type() {
    DepthGuard guard(*this);
    TypeRef type;
    type.location = token_.location;
    if (skip(K::kBracketL)) {
      type.kind = TypeRef::Kind::kList;
      type.of_type = std::make_shared<TypeRef>(parse_type());
      expect(K::kBracketR);
    } else {
      type.name = parse_name();
    }
    if (skip(K::kBang)) {
      TypeRef wrapped;
      wrapped.kind = TypeRef::Kind::kNonNull;
      wrapped.location = type.location;
      wrapped.of_type = std::make_shared<TypeRef>(std::move(type));
      return wrapped;
    }
    return type;
  }

  std::vector<Selection> parse_selection_set() {
    DepthGuard guard(*this);
    expect(K::kBraceL);
    std::vector<Selection> selections;
    do {
      selections.push_back(parse_selection());
    } while (!skip(K::kBraceR));
    return selections;
  }

  Selection parse_selection() {
    Selection sel;
    sel.location = token_.location;
    if (skip(K::kSpread)) {
      if (peek(K::kName) && token_.value != "on") {
        sel.kind = Selection::Kind::kFragmentSpread;
        sel.name = parse_name();
        sel.directives = parse_directives(false);
        return sel;
      }
      sel.kind = Selection::Kind::kInlineFragment;
      if (skip_keyword("on")) sel.type_condition = parse_name();
      sel.directives = parse_directives(false);
      sel.selections = parse_selection_set();
      sel.has_selection_set = true;
      return sel;
    }
    sel.kind = Selection::Kind::kField;
    std::string first = parse_name();
    if (skip(K::kColon)) {
      sel.alias = std::move(first);
      sel.name = parse_name();
    } else {
      sel.name = std::move(first);
    }
    sel.arguments = parse_arguments(false);
    sel.directives = parse_directives(false);
    if (peek(K::kBraceL)) {
      sel.selections = parse_selection_set();
      sel.has_selection_set = true;
    }
    return sel;
  }

  std::vector<Argument> parse_arguments(bool is_const) {
    std::vector<Argument> args;
    if (!skip(K::kParenL)) return args;
    do {
      Argument arg;
      arg.location = token_.location;
      arg.name = parse_name();
      expect(K::kColon);
      arg.value = parse_value(is_const);
      args.push_back(std::move(arg));
    } while (!skip(K::kParenR));
    return args;
  }

  std::vector<Directive> parse_directives(bool is_const) {
    std::vector<Directive> dirs;
    while (peek(K::kAt)) {
      Directive dir;
      dir.location = token_.location;
      advance();
      dir.name = parse_name();
      dir.arguments = parse_arguments(is_const);
      dirs.push_back(std::move(dir));
    }
    return dirs;
  }

  FragmentDefinition parse_fragment_definition() {
    FragmentDefinition frag;
    frag.location = token_.location;
    expect_keyword("fragment");
    if (peek(K::kName) && token_.value == "on") unexpected();
    frag.name = parse_name();
    expect_keyword("on");
    frag.type_condition_location = token_.location;
    frag.type_condition = parse_name();
    frag.directives = parse_directives(false);
    frag.selections = parse_selection_set();
    return frag;
  }

  Value parse_value(bool is_const) {
    DepthGuard guard(*this);
    Value v;
    v.location = token_.location;
    switch (token_.kind) {
      case K::kBracketL:
        advance();
        v.kind = Value::Kind::kList;
        while (!skip(K::kBracketR)) v.list.push_back(parse_value(is_const));
        return v;
      case K::kBraceL:
        advance();
        v.kind = Value::Kind::kObject;
        while (!skip(K::kBraceR)) {
          ObjectFieldValue field;
          field.location = token_.location;
          field.name = parse_name();
          expect(K::kColon);
          field.value = parse_value(is_const);
          v.fields.push_back(std::move(field));
        }
        return v;
      case K::kInt:
        v.kind = Value::Kind::kInt;
        v.text = token_.value;
        advance();
        return v;
      case K::kFloat:
        v.kind = Value::Kind::kFloat;
        v.text = token_.value;
        advance();
        return v;
      case K::kString:
      case K::kBlockString:
        v.kind = Value::Kind::kString;
        v.block_string = token_.kind == K::kBlockString;
        v.text = token_.value;
        advance();
        return v;
      case K::kName:
        if (token_.value == "true" || token_.value == "false") {
          v.kind = Value::Kind::kBoolean;
          v.boolean = token_.value == "true";
        } else if (token_.value == "null") {
          v.kind = Value::Kind::kNull;
        } else {
          v.kind = Value::Kind::kEnum;
          v.text = token_.value;
        }
        advance();
        return v;
      case K::kDollar:
        if (is_const) {
          advance();
          if (peek(K::kName)) {
            fail(fmt::format("Unexpected variable \"${}\" in constant value.", token_.value),
                 v.location);
          }
          unexpected();
        }
        advance();
        v.kind = Value::Kind::kVariable;
        v.text = parse_name();
        return v;
      default:
        unexpected();
    }
  }

  // ---- type-system definitions ----

  std::string parse_description() {
    if (peek(K::kString) || peek(K::kBlockString)) {
      std::string d = token_.value;
      advance();
      return d;
    }
    return {};
  }

  // Returns the defined name (or "schema").
  std::string parse_type_system_definition(TypeSystemDocument& doc) {
    std::string description = parse_description();
    Location location = token_.location;
    bool extension = false;
    if (token_.kind == K::kName && token_.value == "extend") {
      if (!description.empty()) unexpected();
      extension = true;
      advance();
    }
    if (token_.kind != K::kName) unexpected();
    std::string keyword = token_.value;
    if (keyword == "schema") {
      advance();
      parse_directives(true);
      doc.has_schema_definition = true;
      if (!extension || peek(K::kBraceL)) {
        expect(K::kBraceL);
        do {
          std::string op = parse_name();
          if (op != "query" && op != "mutation" && op != "subscription") {
            fail(fmt::format("Unexpected Name \"{}\".", op), location);
          }
          expect(K::kColon);
          doc.root_operations.emplace_back(op, parse_name());
        } while (!skip(K::kBraceR));
      }
      return "schema";
    }
    if (keyword == "directive") {
      if (extension) unexpected();
      advance();
      DirectiveDefinitionNode dir;
      dir.description = std::move(description);
      dir.location = location;
      expect(K::kAt);
      dir.name = parse_name();
      dir.arguments = parse_argument_definitions();
      dir.repeatable = skip_keyword("repeatable");
      expect_keyword("on");
      skip(K::kPipe);
      do {
        Token loc = expect(K::kName);
        dir.locations.push_back(loc.value);
      } while (skip(K::kPipe));
      std::string name = dir.name;
      doc.directives.push_back(std::move(dir));
      return name;
    }
    TypeDefinitionNode type;
    type.description = std::move(description);
    type.extension = extension;
    type.location = location;
    advance();
    if (keyword == "scalar") {
      type.kind = TypeDefinitionNode::Kind::kScalar;
      type.name = parse_name();
      type.directives = parse_directives(true);
    } else if (keyword == "type" || keyword == "interface") {
      type.kind = keyword == "type" ? TypeDefinitionNode::Kind::kObject
                                    : TypeDefinitionNode::Kind::kInterface;
      type.name = parse_name();
      if (skip_keyword("implements")) {
        skip(K::kAmp);
        do {
          type.interfaces.push_back(parse_name());
        } while (skip(K::kAmp));
      }
      type.directives = parse_directives(true);
      if (skip(K::kBraceL)) {
        do {
          type.fields.push_back(parse_field_definition());
        } while (!skip(K::kBraceR));
      }
    } else if (keyword == "union") {
      type.kind = TypeDefinitionNode::Kind::kUnion;
      type.name = parse_name();
      type.directives = parse_directives(true);
      if (skip(K::kEquals)) {
        skip(K::kPipe);
        do {
          type.union_members.push_back(parse_name());
        } while (skip(K::kPipe));
      }
    } else if (keyword == "enum") {
      type.kind = TypeDefinitionNode::Kind::kEnum;
      type.name = parse_name();
      type.directives = parse_directives(true);
      if (skip(K::kBraceL)) {
        do {
          EnumValueDefinitionNode value;
          value.description = parse_description();
          value.location = token_.location;
          if (peek(K::kName) &&
              (token_.value == "true" || token_.value == "false" || token_.value == "null")) {
            fail(fmt::format("Name \"{}\" is reserved and cannot be used for an enum value.",
                             token_.value),
                 token_.location);
          }
          value.name = parse_name();
          value.directives = parse_directives(true);
          type.enum_values.push_back(std::move(value));
        } while (!skip(K::kBraceR));
      }
    } else if (keyword == "input") {
      type.kind = TypeDefinitionNode::Kind::kInputObject;
      type.name = parse_name();
      type.directives = parse_directives(true);
      if (skip(K::kBraceL)) {
        do {
          type.input_fields.push_back(parse_input_value_definition());
        } while (!skip(K::kBraceR));
      }
    } else {
      fail(fmt::format("Unexpected Name \"{}\".", keyword), location);
    }
    std::string name = type.name;
    doc.types.push_back(std::move(type));
    return name;
  }

  FieldDefinitionNode parse_field_definition() {
    FieldDefinitionNode field;
    field.description = parse_description();
    field.location = token_.location;
    field.name = parse_name();
    field.arguments = parse_argument_definitions();
    expect(K::kColon);
    field.type = parse_type();
    field.directives = parse_directives(true);
    return field;
  }

  std::vector<InputValueDefinition> parse_argument_definitions() {
    std::vector<InputValueDefinition> args;
    if (!skip(K::kParenL)) return args;
    do {
      args.push_back(parse_input_value_definition());
    } while (!skip(K::kParenR));
    return args;
  }

  InputValueDefinition parse_input_value_definition() {
    InputValueDefinition def;
    def.description = parse_description();
    def.location = token_.location;
    def.name = parse_name();
    expect(K::kColon);
    def.type = parse_type();
    if (skip(K::kEquals)) def.default_value = parse_value(true);
    def.directives = parse_directives(true);
    return def;
  }

  Lexer lexer_;
  Token token_;
  std::size_t max_tokens_ = 0;
  std::size_t tokens_ = 0;
  int depth_ = 0;
};

GraphqlError syntax_error(const SyntaxError& e) {
  GraphqlError error;
  error.message = std::string("Syntax Error: ") + e.what();
  error.locations.push_back(e.location());
  return error;
}

}  // namespace

std::shared_ptr<Document> parse_document(std::string_view source, GraphqlError& error) {
  auto doc = std::make_shared<Document>();
  try {
    Parser parser(source, kMaxDocumentTokens);
    parser.parse_executable(*doc);
  } catch (const SyntaxError& e) {
    error = syntax_error(e);
    return nullptr;
  }
  return doc;
}

bool parse_type_system(std::string_view source, TypeSystemDocument& out, GraphqlError& error) {
  try {
    Parser parser(source);
    parser.parse_sdl(out);
  } catch (const SyntaxError& e) {
    error = syntax_error(e);
    return false;
  }
  return true;
}

}  // namespace embark::emulator::graphql
