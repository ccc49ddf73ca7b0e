#include "http_types.hpp"

#include <boost/beast/http/field.hpp>

#include "form.hpp"

namespace embark::sample {

Response make_response(const Request& request, http::status status, std::string_view content_type,
                       std::string body) {
  Response response{status, request.version()};
  response.set(http::field::server, "embark-sample-server");
  response.set(http::field::content_type, content_type);
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response html_response(const Request& request, http::status status, std::string body) {
  return make_response(request, status, "text/html; charset=utf-8", std::move(body));
}

Response json_response(const Request& request, http::status status, std::string body) {
  return make_response(request, status, "application/json", std::move(body));
}

Response redirect_response(const Request& request, std::string_view location) {
  Response response =
      make_response(request, http::status::see_other, "text/plain; charset=utf-8", "");
  response.set(http::field::location, location);
  return response;
}

Response error_response(const Request& request, http::status status) {
  std::string text = std::to_string(static_cast<unsigned>(status)) + " " +
                     std::string(http::obsolete_reason(status)) + "\n";
  return make_response(request, status, "text/plain; charset=utf-8", std::move(text));
}

std::optional<std::string> local_redirect_target(std::string_view next) {
  constexpr std::size_t kMaxLength = 512;
  if (next.empty() || next.size() > kMaxLength || next.front() != '/') return std::nullopt;
  // "//evil.test" and "/\\evil.test" are protocol-relative to browsers: another origin.
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return std::nullopt;
  for (unsigned char c : next) {
    // Browsers strip tabs and newlines from URLs, so "/\t/evil.test" would become "//evil.test".
    if (c < 0x21 || c >= 0x7f || c == '\\') return std::nullopt;
  }
  return std::string(next);
}

std::string query_value(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  query = query.substr(0, query.find('#'));
  auto fields = parse_form(query);
  if (!fields) return {};
  return std::string(form_value(*fields, name));
}

std::string_view target_path(std::string_view target) noexcept {
  auto q = target.find_first_of("?#");
  return q == std::string_view::npos ? target : target.substr(0, q);
}

}  // namespace embark::sample
