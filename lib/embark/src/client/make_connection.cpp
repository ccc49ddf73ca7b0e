#include "embark/client.hpp"

#include "internal/client/connection_factory.hpp"
#include "internal/transport/endpoint.hpp"
#include "internal/transport/pooled_http_transport.hpp"

namespace embark {
namespace {

Error bad_option(std::string field, std::string message) {
  return Error(ErrorCode::invalid_input, std::move(message)).with_field(std::move(field));
}

}  // namespace

Result<void> validate(const ClientOptions& options) {
  if (auto endpoint = internal::parse_endpoint(options.endpoint, options.transport); !endpoint) {
    return endpoint.error();
  }
  if (options.access_key.empty() && options.api_token.empty()) {
    return bad_option("access_key",
                      "an access key (or at least an api_token for management calls) is required");
  }
  if (options.call_deadline <= std::chrono::milliseconds(0)) {
    return bad_option("call_deadline", "call_deadline must be positive");
  }
  if (options.transport.operation_timeout <= std::chrono::milliseconds(0)) {
    return bad_option("transport.operation_timeout", "operation_timeout must be positive");
  }
  if (options.retry.max_attempts < 1)
    return bad_option("retry.max_attempts", "max_attempts must be at least 1");
  if (options.retry.initial_backoff < std::chrono::milliseconds(0)) {
    return bad_option("retry.initial_backoff", "initial_backoff must not be negative");
  }
  if (options.retry.max_backoff < options.retry.initial_backoff) {
    return bad_option("retry.max_backoff", "max_backoff must not be below initial_backoff");
  }
  if (!(options.retry.budget_ratio >= 0.0 && options.retry.budget_ratio <= 1.0)) {
    return bad_option("retry.budget_ratio", "budget_ratio must be within [0, 1]");
  }
  if (options.retry.budget_min_retries < 0) {
    return bad_option("retry.budget_min_retries", "budget_min_retries must not be negative");
  }
  return {};
}

Result<std::shared_ptr<WisdomConnection>> make_wisdom_connection(
    const ClientOptions& options, const boost::asio::any_io_executor& executor) {
  if (auto valid = validate(options); !valid) return valid.error();
  auto endpoint = internal::parse_endpoint(options.endpoint, options.transport);
  if (!endpoint) return endpoint.error();
  auto transport = internal::make_http_transport(executor, options.endpoint, options.transport);
  if (!transport) return transport.error();
  internal::ConnectionParts parts;
  parts.transport = std::move(*transport);
  parts.target = endpoint->target;
  return internal::make_connection_stack(options, std::move(parts)).connection;
}

Result<WisdomClient> WisdomClient::create(const ClientOptions& options) {
  // The connection's sockets must live on the client's own thread, which the client creates.
  WisdomClient client(std::shared_ptr<WisdomConnection>{});
  auto connection = make_wisdom_connection(options, client.get_executor());
  if (!connection) return connection.error();
  client.set_connection(std::move(*connection));
  return client;
}

Result<WisdomClient> WisdomClient::create(const ClientOptions& options,
                                          boost::asio::any_io_executor executor) {
  auto connection = make_wisdom_connection(options, executor);
  if (!connection) return connection.error();
  return WisdomClient(std::move(*connection), std::move(executor));
}

}  // namespace embark
