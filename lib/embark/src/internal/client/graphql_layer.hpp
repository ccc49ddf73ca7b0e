// GraphqlLayer: the innermost CallLayer, one attempt of an operation as one GraphQL POST over the
// HTTP transport.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "internal/client/call_layer.hpp"
#include "internal/transport/http_transport.hpp"

namespace embark::internal {

/// Encodes the call, sends it with the context's bearer, and maps the answer (streamed answers
/// are parsed as they arrive). Each attempt ends by the context's deadline at the latest.
class GraphqlLayer final : public CallLayer {
 public:
  GraphqlLayer(std::shared_ptr<HttpTransport> transport, std::string target, Secret access_key,
               std::chrono::milliseconds operation_timeout,
               std::function<std::chrono::system_clock::time_point()> wall_clock =
                   &std::chrono::system_clock::now);

  boost::asio::awaitable<Result<void>> call(CallContext& ctx, const OperationInfo& operation,
                                            CallBody& body) override;

 private:
  boost::asio::awaitable<Result<HttpResponse>> send(const CallContext& ctx, HttpRequest request,
                                                    std::string_view operation);

  std::shared_ptr<HttpTransport> transport_;
  std::string target_;
  Secret access_key_;
  std::chrono::milliseconds operation_timeout_;
  std::function<std::chrono::system_clock::time_point()> wall_clock_;
};

}  // namespace embark::internal
