// The emulator's request handling without sockets: one Beast request in, one outcome out.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "embark/emulator/options.hpp"
#include "embark/emulator/stats.hpp"
#include "embark/result.hpp"

#include "api/operations.hpp"
#include "auth/credentials.hpp"
#include "auth/jwt.hpp"
#include "faults/fault_injector.hpp"
#include "graphql/engine.hpp"
#include "http/stats_registry.hpp"
#include "state/user_store.hpp"

namespace embark::emulator {

namespace http = boost::beast::http;
struct EmbedRoute;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

/// What the connection must do with one request: send `response` after `delay`, unless `fault`
/// says to reset the connection or to cut the body short.
struct Outcome {
  Response response;
  std::chrono::milliseconds delay{0};
  Fault fault = Fault::none;
};

/// All state and behaviour of one emulator except the network. Thread-safe: handle() may run
/// on many threads at once.
class Service {
 public:
  /// Validates nothing network-related; loads the schema, generates the JWT key, seeds users.
  static Result<std::unique_ptr<Service>> create(Options options);

  /// Answers one request (routing, GraphQL, embed pages, stats, faults).
  Outcome handle(const Request& request);

  const Options& options() const { return options_; }
  const Credentials& credentials() const { return credentials_; }
  const JwtKeys& keys() const { return *keys_; }
  UserStore& store() { return store_; }
  const Operations& operations() const { return operations_; }
  Stats stats() const { return stats_.snapshot(); }
  /// Zeroes the counters; with clear_state also deletes every user.
  void reset(bool clear_state);
  /// The injected faults (scripting them, and the per-connection decision of the listener).
  FaultInjector& faults() { return faults_; }

 private:
  Service(Options options, std::shared_ptr<const JwtKeys> keys,
          std::shared_ptr<const graphql::Schema> schema);

  /// Whether a request may use /_emulator/* (open by option, else the access key or API token).
  bool control_allowed(const Request& request) const;
  Outcome handle_graphql(const Request& request);
  Outcome handle_embed_page(const Request& request, const EmbedRoute& route,
                            std::string_view token);
  Outcome handle_embed_session(const Request& request);
  Response json_response(const Request& request, http::status status, std::string body) const;
  Response text_response(const Request& request, http::status status, std::string body,
                         std::string_view content_type) const;

  Options options_;
  Clock clock_;
  UserStore store_;
  Credentials credentials_;
  std::shared_ptr<const JwtKeys> keys_;
  graphql::Engine engine_;
  Operations operations_;
  FaultInjector faults_;
  StatsRegistry stats_;
  std::string jwks_body_;
};

/// The SDL the options select: the file at options.schema_file, or the embedded schema.
Result<std::string> load_schema_text(const Options& options);

}  // namespace embark::emulator
