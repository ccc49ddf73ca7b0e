#include "http/service.hpp"

#include <fstream>
#include <sstream>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <fmt/format.h>

#include "embed/embed_pages.hpp"
#include "graphql/builtin_schema.hpp"
#include "seed/seed_users.hpp"

namespace embark::emulator {
namespace {

constexpr std::string_view kServerName = "embark-emulator";
constexpr std::string_view kUnauthorizedBody =
    R"({"errors":[{"message":"Unauthorized","locations":[{"line":1,"column":1}]}],"data":null})";
constexpr std::string_view kForbiddenBody =
    R"({"errors":[{"message":"Forbidden","locations":[{"line":1,"column":1}]}],"data":null})";

std::string error_json(std::string_view message) {
  return boost::json::serialize(
      boost::json::object{{"errors", boost::json::array{boost::json::object{{"message", message}}}},
                          {"data", nullptr}});
}

bool is_json_content_type(std::string_view ct) {
  const auto semi = ct.find(';');
  std::string_view mime = ct.substr(0, semi);
  while (!mime.empty() && mime.back() == ' ') mime.remove_suffix(1);
  while (!mime.empty() && mime.front() == ' ') mime.remove_prefix(1);
  if (mime.size() != 16) return false;
  for (std::size_t i = 0; i < mime.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(mime[i])) != "application/json"[i]) return false;
  }
  return true;
}

std::string query_param(const boost::urls::url_view& url, std::string_view name) {
  auto params = url.params();
  auto it = params.find(name);
  if (it == params.end() || !(*it).has_value) return {};
  return std::string((*it).value);
}

// The session a verified token stands for; nullopt unless it is an impersonation token.
std::optional<EmbedSession> session_from_claims(const boost::json::object& claims,
                                                std::string_view token) {
  const auto* uid = claims.if_contains("impersonated_user_id");
  if (!uid || !uid->is_string()) return std::nullopt;
  EmbedSession s;
  s.user_id = uid->as_string();
  if (const auto* e = claims.if_contains("email"); e && e->is_string()) s.email = e->as_string();
  if (const auto* w = claims.if_contains("workspace_id"); w && w->is_string())
    s.workspace = w->as_string();
  if (const auto* a = claims.if_contains("attributes"); a && a->is_object()) {
    for (const auto& [k, v] : a->as_object()) {
      if (v.is_string()) s.attributes.emplace(std::string(k), std::string(v.as_string()));
    }
  }
  if (const auto* iat = claims.if_contains("iat"); iat && iat->is_int64()) s.iat = iat->as_int64();
  s.exp = claims.at("exp").as_int64();  // verify() guarantees it
  s.fingerprint = Secret(std::string(token)).fingerprint();
  return s;
}

Clock make_clock(const Options& options) {
  if (options.clock) return options.clock;
  return [] { return std::chrono::system_clock::now(); };
}

std::vector<std::string> all_workspaces(const Options& options) {
  std::vector<std::string> out{options.default_workspace};
  for (const auto& w : options.workspaces) out.push_back(w);
  for (const auto& k : options.access_keys) {
    if (!k.workspace.empty()) out.push_back(k.workspace);
  }
  return out;
}

}  // namespace

Result<std::string> load_schema_text(const Options& options) {
  if (options.schema_file.empty()) return std::string(graphql::builtin_schema_sdl());
  std::ifstream in(options.schema_file, std::ios::binary);
  if (!in) return fail(ErrorCode::invalid_input, "cannot read schema_file " + options.schema_file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<std::unique_ptr<Service>> Service::create(Options options) {
  auto sdl = load_schema_text(options);
  if (!sdl) return sdl.error();
  std::string schema_error;
  auto schema = graphql::parse_schema(*sdl, schema_error);
  if (!schema) return fail(ErrorCode::invalid_input, "schema does not parse: " + schema_error);
  auto keys = JwtKeys::generate(options.jwt_alg);
  if (!keys) return keys.error();
  std::unique_ptr<Service> service(
      new Service(std::move(options), std::move(*keys), std::move(schema)));
  if (service->options_.seed_users > 0) {
    seed_users(service->store_, service->options_.default_workspace, service->options_.seed_users,
               service->options_.seed, service->clock_());
  }
  return service;
}

Service::Service(Options options, std::shared_ptr<const JwtKeys> keys,
                 std::shared_ptr<const graphql::Schema> schema)
    : options_(std::move(options)),
      clock_(make_clock(options_)),
      store_(all_workspaces(options_), options_.seed),
      credentials_(options_.access_keys, options_.api_tokens, options_.default_workspace),
      keys_(std::move(keys)),
      engine_(std::move(schema)),
      operations_(store_, credentials_, keys_, options_, clock_),
      faults_(options_),
      jwks_body_(boost::json::serialize(keys_->jwks())) {
  operations_.register_on(engine_);
}

void Service::reset(bool clear_state) {
  stats_.reset();
  if (clear_state) store_.clear();
}

Response Service::text_response(const Request& request, http::status status, std::string body,
                                std::string_view content_type) const {
  Response res{status, request.version()};
  res.set(http::field::server, kServerName);
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response Service::json_response(const Request& request, http::status status,
                                std::string body) const {
  return text_response(request, status, std::move(body), "application/json");
}

Outcome Service::handle(const Request& request) {
  if (request.target() == "/graphql")
    return handle_graphql(request);  // the hot path skips URL parsing
  auto parsed = boost::urls::parse_origin_form(request.target());
  if (!parsed)
    return {
        json_response(request, http::status::bad_request, error_json("Malformed request target"))};
  const boost::urls::url_view url = *parsed;
  const std::string path = url.path();
  const auto method = request.method();

  if (path == "/graphql") return handle_graphql(request);
  if (path == "/.well-known/jwks.json" && method == http::verb::get) {
    return {json_response(request, http::status::ok, jwks_body_)};
  }
  if (path.starts_with("/_emulator/") && !control_allowed(request)) {
    auto res = json_response(request, http::status::unauthorized, error_json("Unauthorized"));
    res.set(http::field::www_authenticate, "Bearer");
    return {std::move(res)};
  }
  if (path == "/_emulator/stats" && method == http::verb::get) {
    return {json_response(request, http::status::ok,
                          boost::json::serialize(StatsRegistry::to_json(stats_.snapshot())))};
  }
  if (path == "/_emulator/reset" && method == http::verb::post) {
    const std::string state = query_param(url, "state");
    const bool clear = state == "1" || state == "true";
    reset(clear);
    return {json_response(
        request, http::status::ok,
        boost::json::serialize(boost::json::object{{"reset", true}, {"state_cleared", clear}}))};
  }
  if (path == "/healthz" && method == http::verb::get) {
    return {json_response(request, http::status::ok, R"({"status":"ok"})")};
  }
  if (path == "/embed/embed.js" && method == http::verb::get) {
    return {text_response(request, http::status::ok, std::string(embed_script()),
                          "text/javascript; charset=utf-8")};
  }
  if (path == "/embed/session") {
    if (method != http::verb::post) {
      auto res = json_response(request, http::status::method_not_allowed, error_json("Use POST"));
      res.set(http::field::allow, "POST");
      return {std::move(res)};
    }
    return handle_embed_session(request);
  }
  if (auto route = match_embed_path(path); route && method == http::verb::get) {
    return handle_embed_page(request, *route, query_param(url, "token"));
  }
  return {json_response(request, http::status::not_found, error_json("Not found"))};
}

bool Service::control_allowed(const Request& request) const {
  if (options_.open_control_endpoints) return true;
  const std::string_view authorization = request[http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      !boost::algorithm::iequals(authorization.substr(0, kBearer.size()), kBearer))
    return false;
  const std::string_view presented = authorization.substr(kBearer.size());
  return credentials_.find_access_key(presented) != nullptr || credentials_.is_api_token(presented);
}

Outcome Service::handle_graphql(const Request& request) {
  Outcome out;
  out.delay = options_.latency;
  if (request.method() != http::verb::post) {
    out.response = json_response(request, http::status::method_not_allowed,
                                 error_json("GraphQL requests are POSTed as JSON to /graphql"));
    out.response.set(http::field::allow, "POST");
    return out;
  }
  if (!is_json_content_type(request[http::field::content_type])) {
    out.response = json_response(request, http::status::unsupported_media_type,
                                 error_json("Content-Type must be application/json"));
    return out;
  }
  // Authentication comes before any parsing, validation or execution: a request with a bad
  // credential costs one signature check, and an anonymous one may only name public operations.
  RequestContext ctx;
  ctx.caller = operations_.authenticate(request[http::field::authorization]);
  const bool http_errors = options_.auth_errors == AuthErrorMode::http401;
  auto unauthorized = [&] {
    out.response =
        json_response(request, http_errors ? http::status::unauthorized : http::status::ok,
                      std::string(kUnauthorizedBody));
    if (http_errors) out.response.set(http::field::www_authenticate, "Bearer");
  };
  // Counted under the operation it named (parsed only, never validated or run), as a vendor's
  // logs would show it.
  auto record_refusal = [&](const std::string& label) {
    stats_.record(label.empty() ? "(unauthorized)" : label, out.response.body().size(), false);
  };
  if (ctx.caller.kind == Caller::Kind::invalid) {
    unauthorized();
    std::string label;
    boost::system::error_code body_ec;
    auto envelope = boost::json::parse(request.body(), body_ec);
    if (!body_ec && envelope.is_object()) {
      if (const auto* q = envelope.as_object().if_contains("query"); q && q->is_string()) {
        for (auto& field : engine_.root_fields(q->as_string())) {
          if (!field.starts_with("__")) {
            label = std::move(field);
            break;
          }
        }
      }
    }
    record_refusal(label);
    return out;
  }
  boost::system::error_code ec;
  // The parsed body lives no longer than this call: a small request parses without malloc.
  unsigned char arena_bytes[4096];
  boost::json::monotonic_resource arena(arena_bytes, sizeof arena_bytes);
  boost::json::value body =
      boost::json::parse(request.body(), ec, boost::json::storage_ptr(&arena));
  auto bad_request = [&](std::string_view message) {
    out.response = json_response(request, http::status::bad_request, error_json(message));
    stats_.record("(invalid)", out.response.body().size(), false);
    return out;
  };
  if (ec) return bad_request("Malformed JSON body");
  if (!body.is_object()) return bad_request("The body must be a JSON object");
  const auto& obj = body.as_object();
  const auto* query = obj.if_contains("query");
  if (!query || !query->is_string()) return bad_request("The body needs a string field 'query'");
  const auto* vars = obj.if_contains("variables");
  if (vars && !vars->is_null() && !vars->is_object())
    return bad_request("'variables' must be an object");
  const auto* op_name = obj.if_contains("operationName");
  if (op_name && !op_name->is_null() && !op_name->is_string())
    return bad_request("'operationName' must be a string");

  const std::string_view name =
      (op_name && op_name->is_string()) ? std::string_view(op_name->as_string()) : "";
  static const graphql::RootFieldFilter kPublicOnly = [](std::string_view field) {
    return requirement_of(field) == Requirement::none;
  };
  graphql::Prepared prepared = ctx.caller.kind == Caller::Kind::anonymous
                                   ? engine_.prepare(query->as_string(), name, kPublicOnly)
                                   : engine_.prepare(query->as_string(), name);
  if (prepared.refused) {
    unauthorized();
    record_refusal(prepared.refused_field);
    return out;
  }
  if (!prepared.operation) {
    out.response =
        json_response(request, http::status::ok,
                      boost::json::serialize(graphql::Engine::error_body(prepared.errors)));
    stats_.record("(invalid)", out.response.body().size(), false);
    return out;
  }
  const auto& op = *prepared.operation;
  std::string op_label = "__typename";
  Requirement need = Requirement::none;
  for (const auto& f : op.root_fields) {
    if (f.rfind("__", 0) != 0 && op_label == "__typename") op_label = f;
    const Requirement r = requirement_of(f);
    if (static_cast<int>(r) > static_cast<int>(need)) need = r;
  }

  out.fault = faults_.decide(op_label);
  switch (out.fault) {
    case Fault::throttle:
      out.response =
          json_response(request, http::status::too_many_requests, error_json("Too Many Requests"));
      out.response.set(http::field::retry_after, options_.retry_after_header.empty()
                                                     ? std::to_string(options_.retry_after.count())
                                                     : options_.retry_after_header);
      stats_.record(op_label, out.response.body().size(), true);
      return out;
    case Fault::fail:
    case Fault::bad_gateway:
    case Fault::unavailable: {
      const auto status = out.fault == Fault::fail          ? http::status::internal_server_error
                          : out.fault == Fault::bad_gateway ? http::status::bad_gateway
                                                            : http::status::service_unavailable;
      out.response =
          json_response(request, status, error_json(std::string(obsolete_reason(status))));
      stats_.record(op_label, out.response.body().size(), true);
      return out;
    }
    case Fault::malformed_json:
      out.response = json_response(request, http::status::ok, R"({"data":{")" + op_label + "\":");
      stats_.record(op_label, out.response.body().size(), true);
      return out;
    case Fault::graphql_error:
      out.response =
          json_response(request, http::status::ok,
                        R"x({"errors":[{"message":"Internal error (injected fault)","path":[")x" +
                            op_label + R"x("]}],"data":null})x");
      stats_.record(op_label, out.response.body().size(), true);
      return out;
    case Fault::reset:
    case Fault::hang:
      stats_.record(op_label, 0, true);
      return out;
    case Fault::slow:
      out.delay += options_.slow_latency;
      break;
    default:
      break;  // truncate, interim and oversized act on the real answer below
  }

  const bool has_identity = ctx.caller.kind != Caller::Kind::anonymous;
  if (need != Requirement::none && !has_identity) {
    unauthorized();
  } else if (need == Requirement::iam_write && !ctx.caller.iam_write) {
    out.response = json_response(request, http_errors ? http::status::forbidden : http::status::ok,
                                 std::string(kForbiddenBody));
  } else {
    static const boost::json::object kNoVariables;
    const auto& variables = (vars && vars->is_object()) ? vars->as_object() : kNoVariables;
    std::string result = engine_.execute_serialized(op, variables, &ctx);
    if (ctx.unauthorized) {
      out.response =
          json_response(request, http_errors ? http::status::unauthorized : http::status::ok,
                        std::string(kUnauthorizedBody));
    } else {
      out.response = json_response(request, http::status::ok, std::move(result));
    }
  }
  if (out.fault == Fault::lose_answer) {
    // Carried out above; the answer is lost as with a reset after sending.
    out.fault = Fault::reset;
    stats_.record(op_label, 0, true);
    return out;
  }
  if (out.fault == Fault::oversized) {
    // Trailing whitespace keeps the JSON valid: only the size is wrong.
    out.response.body().append(options_.oversize_bytes, ' ');
    out.response.prepare_payload();
  }
  std::uint64_t sent = out.response.body().size();
  if (out.fault == Fault::truncate) sent /= 2;
  stats_.record(op_label, sent, out.fault != Fault::none);
  return out;
}

Outcome Service::handle_embed_page(const Request& request, const EmbedRoute& route,
                                   std::string_view token) {
  auto page = [&](http::status status, std::string body) {
    Response res = text_response(request, status, std::move(body), "text/html; charset=utf-8");
    res.set("Content-Security-Policy", embed_csp());
    res.set("Referrer-Policy", "no-referrer");
    return Outcome{std::move(res)};
  };
  if (token.empty()) return page(http::status::ok, render_embed_page(route, std::nullopt));
  auto claims = keys_->verify(token, operations_.now_seconds());
  if (!claims) {
    return page(http::status::unauthorized,
                render_embed_error("This embed token is invalid or expired (" +
                                   claims.error().message() + ")."));
  }
  auto session = session_from_claims(*claims, token);
  if (!session)
    return page(http::status::unauthorized,
                render_embed_error("This token is not an embed session token."));
  return page(http::status::ok, render_embed_page(route, session));
}

Outcome Service::handle_embed_session(const Request& request) {
  boost::system::error_code ec;
  auto body = boost::json::parse(request.body(), ec);
  const boost::json::value* token =
      (!ec && body.is_object()) ? body.as_object().if_contains("token") : nullptr;
  if (!token || !token->is_string()) {
    return {json_response(request, http::status::bad_request,
                          R"({"error":"body must be {\"token\": \"<jwt>\"}"})")};
  }
  const std::string_view jwt = token->as_string();
  auto claims = keys_->verify(jwt, operations_.now_seconds());
  std::optional<EmbedSession> session;
  if (claims) session = session_from_claims(*claims, jwt);
  if (!session) {
    const std::string why = claims ? "not an embed session token" : claims.error().message();
    return {json_response(request, http::status::unauthorized,
                          boost::json::serialize(boost::json::object{{"error", why}}))};
  }
  return {json_response(request, http::status::ok, boost::json::serialize(session_json(*session)))};
}

}  // namespace embark::emulator
