// Operational endpoints (/healthz, /metrics) and static files of SampleApp.
#include "app.hpp"

namespace embark::sample {

namespace asio = boost::asio;

asio::awaitable<Response> SampleApp::get_healthz(const Request& request) {
  co_return make_response(request, http::status::ok, "text/plain; charset=utf-8", "ok\n");
}

asio::awaitable<Response> SampleApp::get_metrics(const Request& request) {
  co_return make_response(request, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                          metrics_.render());
}

asio::awaitable<Response> SampleApp::get_static(const Request& request) {
  std::string_view name = target_path(request.target()).substr(std::string_view("/static/").size());
  const StaticAsset* asset = assets_.find(name);
  if (!asset) co_return error_response(request, http::status::not_found);
  Response response = make_response(request, http::status::ok, asset->content_type, asset->body);
  response.set(http::field::cache_control, "no-cache");
  co_return response;
}

}  // namespace embark::sample
