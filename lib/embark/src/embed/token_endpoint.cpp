#include "embark/token_endpoint.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "embark/embed.hpp"

namespace embark {
namespace {

int status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_input:
      return 400;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::rate_limited:
      return 503;
    case ErrorCode::timeout:
    case ErrorCode::deadline_exceeded:
      return 504;
    case ErrorCode::unauthenticated:  // the server's access key, not the browser's session
    case ErrorCode::forbidden:
    case ErrorCode::server_error:
    case ErrorCode::tls:
    case ErrorCode::connect:
    case ErrorCode::protocol:
      return 502;
    default:
      return 500;
  }
}

}  // namespace

TokenEndpointResponse token_endpoint_response(const Result<Session>& refreshed) {
  TokenEndpointResponse response;
  if (refreshed) {
    response.body = refresh_response_body(SessionToken{refreshed->jwt, refreshed->expires_at});
    return response;
  }
  const Error error = refreshed.error();
  response.status = status_for(error.code());
  boost::json::object body;
  body["error"] = to_string(error.code());
  response.body = boost::json::serialize(body);
  return response;
}

TokenEndpointResponse answer_token_request(const Onboarder& onboarder,
                                           const OnboardRequest& session_user) {
  return token_endpoint_response(onboarder.refresh(session_user));
}

boost::asio::awaitable<TokenEndpointResponse> co_answer_token_request(const Onboarder& onboarder,
                                                                      OnboardRequest session_user) {
  co_return token_endpoint_response(co_await onboarder.co_refresh(std::move(session_user)));
}

}  // namespace embark
