#include "router.hpp"

#include <stdexcept>

namespace embark::sample {

void Router::add(http::verb method, std::string path, Handler handler) {
  for (const auto& r : routes_) {
    if (!r.prefix && r.method == method && r.path == path)
      throw std::invalid_argument("route: duplicate " + path);
  }
  routes_.push_back({method, std::move(path), false, std::move(handler)});
}

void Router::add_prefix(http::verb method, std::string prefix, Handler handler) {
  routes_.push_back({method, std::move(prefix), true, std::move(handler)});
}

Router::Match Router::match(http::verb method, std::string_view target) const {
  std::string_view path = target_path(target);
  auto find = [&](http::verb m) -> const Route* {
    const Route* best_prefix = nullptr;
    for (const auto& r : routes_) {
      if (r.method != m) continue;
      if (!r.prefix && r.path == path) return &r;
      if (r.prefix && path.starts_with(r.path) &&
          (!best_prefix || r.path.size() > best_prefix->path.size())) {
        best_prefix = &r;
      }
    }
    return best_prefix;
  };
  Match result;
  const Route* route = find(method);
  if (route) {
    result.handler = &route->handler;
    result.status = http::status::ok;
    return result;
  }
  // Same path, other methods: 405 with Allow.
  for (http::verb m : {http::verb::get, http::verb::post, http::verb::put, http::verb::delete_}) {
    if (find(m)) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += std::string(http::to_string(m));
    }
  }
  result.status = result.allow.empty() ? http::status::not_found : http::status::method_not_allowed;
  return result;
}

boost::asio::awaitable<Response> Router::route(const Request& request) const {
  Match m = match(request.method(), request.target());
  if (m.handler) co_return co_await (*m.handler)(request);
  Response response = error_response(request, m.status);
  if (!m.allow.empty()) response.set(http::field::allow, m.allow);
  co_return response;
}

}  // namespace embark::sample
