// Router: maps a method and a path to a coroutine handler.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http_types.hpp"

namespace embark::sample {

/// A request handler; runs on the server's executor.
using Handler = std::function<boost::asio::awaitable<Response>(const Request&)>;

/// Exact-path routes plus prefix routes (for static files). Build it at start-up, then share it
/// read-only: lookups are thread-safe, add() is not.
class Router {
 public:
  /// What a lookup found: a handler, or the status to answer with (404, or 405 with `allow`).
  struct Match {
    const Handler* handler = nullptr;
    http::status status = http::status::not_found;
    std::string allow;  ///< for 405: the methods the path accepts, e.g. "GET, POST"
  };

  /// Routes `method` on exactly `path`. Throws std::invalid_argument on a duplicate route.
  void add(http::verb method, std::string path, Handler handler);
  /// Routes `method` on every path starting with `prefix` (exact routes win).
  void add_prefix(http::verb method, std::string prefix, Handler handler);

  /// Looks up a method and a request target (the query string is ignored).
  Match match(http::verb method, std::string_view target) const;

  /// Answers a request: the matched handler's response, or a 404/405 response.
  boost::asio::awaitable<Response> route(const Request& request) const;

 private:
  struct Route {
    http::verb method;
    std::string path;
    bool prefix;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace embark::sample
