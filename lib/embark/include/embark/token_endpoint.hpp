// The server side of the iframe's token refresh: what the app's refresh endpoint answers.
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "embark/onboarder.hpp"
#include "embark/request.hpp"

namespace embark {

/// An HTTP answer for the app's refresh endpoint, ready to send. Plain value type.
struct TokenEndpointResponse {
  int status = 200;  ///< 200, or 400 / 404 / 502 / 503 / 504 / 500
  std::string content_type = "application/json";
  std::string cache_control = "no-store";  ///< the body carries a token: never cache it
  /// 200: {"token":"<jwt>","expiresAt":"<RFC 3339>"}; otherwise {"error":"<ErrorCode name>"}
  /// (no message: the browser needs no details, the app's log has them via observers).
  std::string body;
};

/// Answers a token request for the user of the APP's session (email and attributes taken from
/// the app's own session store, never from the browser's request): Onboarder::refresh, i.e. a
/// reusable or pre-minted cached token, else one impersonateUser. Blocking; thread-safe.
TokenEndpointResponse answer_token_request(const Onboarder& onboarder,
                                           const OnboardRequest& session_user);

/// answer_token_request as a coroutine (for Beast/Asio servers).
boost::asio::awaitable<TokenEndpointResponse> co_answer_token_request(const Onboarder& onboarder,
                                                                      OnboardRequest session_user);

/// The HTTP answer for a refresh result (shared by both forms above).
TokenEndpointResponse token_endpoint_response(const Result<Session>& refreshed);

}  // namespace embark
