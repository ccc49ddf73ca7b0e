#include <charconv>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "embark/redis.hpp"

namespace embark {
namespace {

Error invalid(std::string_view field, std::string message) {
  Error e(ErrorCode::invalid_input, std::move(message));
  e.with_field(std::string(field));
  return e;
}

bool parse_int(std::string_view text, int& out) {
  const auto* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && p == end;
}

}  // namespace

Result<RedisUrl> parse_redis_url(std::string_view text, std::string_view field) {
  const std::string hint =
      " (expected redis://[user:password@]host[:port][/db] or "
      "unix://[user:password@]/path/to/socket[?db=N])";
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return invalid(field, "is not a URL" + hint);
  const auto& u = *parsed;
  RedisUrl out;
  const auto scheme = u.scheme();
  if (u.has_userinfo()) {
    out.user = u.user();
    if (u.has_password()) out.password = Secret(std::string(u.password()));
    // `redis://:password@host` is the classic password-only form.
  }
  int db = 0;
  bool db_given = false;
  for (auto param : u.params()) {
    if (param.key == "db") {
      if (!parse_int(param.value, db) || db < 0) return invalid(field, "db must be a number >= 0");
      db_given = true;
    } else {
      return invalid(field, "unknown parameter '" + std::string(param.key) + "'" + hint);
    }
  }
  if (scheme == "redis") {
    out.transport = RedisUrl::Transport::tcp;
    out.host = u.host();
    if (out.host.empty()) return invalid(field, "names no host" + hint);
    if (u.has_port()) {
      int port = 0;
      if (!parse_int(u.port(), port) || port <= 0 || port > 65535)
        return invalid(field, "port must be 1-65535");
      out.port = static_cast<std::uint16_t>(port);
    }
    std::string_view path = u.encoded_path();
    if (!path.empty() && path != "/") {
      if (db_given) return invalid(field, "gives the db twice (path and ?db=)");
      if (!parse_int(path.substr(1), db) || db < 0)
        return invalid(field, "path must be a db number, e.g. redis://host:6379/0");
    }
  } else if (scheme == "unix") {
    out.transport = RedisUrl::Transport::unix_socket;
    if (!u.host().empty()) return invalid(field, "unix:// takes no host: unix:///path/to/socket");
    out.path = u.path();
    if (out.path.empty() || out.path == "/") return invalid(field, "names no socket path" + hint);
  } else if (scheme == "rediss") {
    return invalid(field,
                   "TLS to Redis (rediss://) is not supported; use a Unix socket or a "
                   "TLS tunnel");
  } else {
    return invalid(field, "scheme must be redis:// or unix://" + hint);
  }
  out.db = db;
  return out;
}

std::string to_string(const RedisUrl& url) {
  std::string s = url.transport == RedisUrl::Transport::unix_socket ? "unix://" : "redis://";
  if (!url.user.empty() || !url.password.empty()) {
    s += url.user;
    if (!url.password.empty()) s += ":***";
    s += '@';
  }
  if (url.transport == RedisUrl::Transport::unix_socket) {
    s += url.path;
    if (url.db != 0) s += "?db=" + std::to_string(url.db);
  } else {
    s += url.host + ":" + std::to_string(url.port);
    if (url.db != 0) s += "/" + std::to_string(url.db);
  }
  return s;
}

}  // namespace embark
