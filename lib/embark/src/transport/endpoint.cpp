#include "internal/transport/endpoint.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <fmt/format.h>

namespace embark::internal {
namespace {

Error endpoint_error(std::string message) {
  Error error(ErrorCode::invalid_input, std::move(message));
  error.with_field("endpoint");
  return error;
}

bool is_localhost_name(std::string_view name) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
  };
  const std::string host = lower(name);
  constexpr std::string_view kSuffix = ".localhost";
  return host == "localhost" ||
         (host.size() > kSuffix.size() &&
          host.compare(host.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0);
}

}  // namespace

Result<Endpoint> parse_endpoint(std::string_view url, const TransportOptions& options) {
  if (url.empty()) return endpoint_error("the endpoint URL is empty");
  auto parsed = boost::urls::parse_uri(url);
  // The URL is not echoed back: a mistyped one may carry credentials in its user-info part.
  if (!parsed)
    return endpoint_error(
        fmt::format("the endpoint is not an absolute URL ({})", parsed.error().message()));
  const boost::urls::url_view& u = *parsed;

  Endpoint endpoint;
  switch (u.scheme_id()) {
    case boost::urls::scheme::https:
      endpoint.tls = true;
      break;
    case boost::urls::scheme::http:
      endpoint.tls = false;
      break;
    default:
      return endpoint_error("the endpoint scheme must be https (or http to a loopback host)");
  }
  if (u.has_userinfo()) return endpoint_error("the endpoint URL must not contain user information");
  if (u.has_fragment()) return endpoint_error("the endpoint URL must not contain a fragment");

  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      endpoint.host = u.host_ipv4_address().to_string();
      endpoint.ip_literal = true;
      endpoint.loopback = u.host_ipv4_address().is_loopback();
      break;
    case boost::urls::host_type::ipv6:
      endpoint.host = u.host_ipv6_address().to_string();
      endpoint.ip_literal = true;
      endpoint.loopback = u.host_ipv6_address().is_loopback();
      break;
    case boost::urls::host_type::name:
      endpoint.host = u.host_name();
      endpoint.loopback = is_localhost_name(endpoint.host);
      break;
    default:
      return endpoint_error("the endpoint URL has no usable host");
  }
  if (endpoint.host.empty()) return endpoint_error("the endpoint URL has no host");

  const std::string default_port = endpoint.tls ? "443" : "80";
  if (u.has_port() && !u.port().empty()) {
    if (u.port_number() == 0)
      return endpoint_error("the endpoint port must be between 1 and 65535");
    endpoint.port = std::to_string(u.port_number());
  } else {
    endpoint.port = default_port;
  }
  const std::string bracketed =
      u.host_type() == boost::urls::host_type::ipv6 ? "[" + endpoint.host + "]" : endpoint.host;
  endpoint.host_header =
      endpoint.port == default_port ? bracketed : bracketed + ":" + endpoint.port;

  endpoint.target = std::string(u.encoded_path());
  if (endpoint.target.empty()) endpoint.target = "/";
  if (u.has_query()) endpoint.target += "?" + std::string(u.encoded_query());

  if (!endpoint.tls && !endpoint.loopback && !options.allow_insecure_http)
    return endpoint_error(fmt::format(
        "plain http is allowed only to loopback hosts; '{}' needs https or allow_insecure_http",
        endpoint.host));
  return endpoint;
}

}  // namespace embark::internal
