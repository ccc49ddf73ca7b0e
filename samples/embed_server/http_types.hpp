// HTTP request/response types of the sample server and small builders for common responses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace embark::sample {

namespace http = boost::beast::http;

/// A request with its whole body in memory (bodies are small and size-limited by the server).
using Request = http::request<http::string_body>;
/// A response with its whole body in memory.
using Response = http::response<http::string_body>;

/// A response with `status`, the given content type and body, keep-alive matching `request`.
Response make_response(const Request& request, http::status status, std::string_view content_type,
                       std::string body);
/// A text/html response.
Response html_response(const Request& request, http::status status, std::string body);
/// An application/json response.
Response json_response(const Request& request, http::status status, std::string body);
/// A 303 See Other redirect to a local path.
Response redirect_response(const Request& request, std::string_view location);
/// A small plain-text error response ("404 Not Found" etc.).
Response error_response(const Request& request, http::status status);

/// `next` if it is safe to redirect to after login: a path on this site ("/..."), never another
/// origin ("//host", "/\\host", "https://..."), no control characters or backslashes, at most
/// 512 bytes. nullopt otherwise (callers fall back to their default page).
std::optional<std::string> local_redirect_target(std::string_view next);

/// The value of query parameter `name` in a request target, %-decoded ("" when absent or
/// malformed).
std::string query_value(std::string_view target, std::string_view name);

/// The path of a request target, without the query string.
std::string_view target_path(std::string_view target) noexcept;

}  // namespace embark::sample
