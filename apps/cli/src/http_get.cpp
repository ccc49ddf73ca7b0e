#include "http_get.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace embark::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::ip::tcp;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

Error failure(ErrorCode code, std::string_view step, const std::string& host,
              const boost::system::error_code& ec) {
  return Error(code, fmt::format("GET {}: {} failed: {}", host, step, ec.message()));
}

ErrorCode code_of(const boost::system::error_code& ec, ErrorCode otherwise) {
  return ec == beast::error::timeout ? ErrorCode::timeout : otherwise;
}

template <class Stream>
asio::awaitable<Result<HttpResponse>> exchange(Stream& stream, const std::string& host,
                                               const std::string& target,
                                               std::chrono::seconds timeout, const Secret& bearer) {
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, host);
  request.set(http::field::user_agent, "embark-cli");
  if (!bearer.empty())
    request.set(http::field::authorization, "Bearer " + std::string(bearer.reveal()));
  beast::get_lowest_layer(stream).expires_after(timeout);
  auto [wec, written] = co_await http::async_write(stream, request, kAwait);
  if (wec) co_return failure(code_of(wec, ErrorCode::connect), "write", host, wec);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(8 * 1024 * 1024);
  beast::get_lowest_layer(stream).expires_after(timeout);
  auto [rec, read] = co_await http::async_read(stream, buffer, parser, kAwait);
  if (rec) co_return failure(code_of(rec, ErrorCode::protocol), "read", host, rec);
  co_return HttpResponse{static_cast<int>(parser.get().result_int()),
                         std::move(parser.get().body())};
}

}  // namespace

asio::awaitable<Result<HttpResponse>> http_get(std::string url, std::string ca_file,
                                               std::chrono::seconds timeout, Secret bearer) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https")) {
    co_return Error(ErrorCode::invalid_input, "not an http(s) URL").with_field("url");
  }
  const bool tls = parsed->scheme() == "https";
  const std::string host(parsed->host_address());
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : (tls ? "443" : "80");
  std::string target(parsed->encoded_path());
  if (target.empty()) target = "/";
  if (parsed->has_query()) target += "?" + std::string(parsed->encoded_query());

  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(host, port, kAwait);
  if (rec) co_return failure(ErrorCode::connect, "resolve", host, rec);
  beast::tcp_stream tcp(executor);
  tcp.expires_after(timeout);
  auto [cec, endpoint] = co_await tcp.async_connect(endpoints, kAwait);
  if (cec) co_return failure(code_of(cec, ErrorCode::connect), "connect", host, cec);
  if (!tls) co_return co_await exchange(tcp, host, target, timeout, bearer);

  ssl::context context(ssl::context::tls_client);
  context.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                      ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    context.set_default_verify_paths(ec);
  } else {
    context.load_verify_file(ca_file, ec);
  }
  if (ec)
    co_return Error(ErrorCode::tls, fmt::format("cannot load CA certificates: {}", ec.message()))
        .with_field("ca_file");
  context.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), context);
  boost::system::error_code address_ec;
  asio::ip::make_address(host, address_ec);
  X509_VERIFY_PARAM* param = SSL_get0_param(stream.native_handle());
  if (address_ec) {  // a host name: send SNI and check it
    SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  } else {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  }
  beast::get_lowest_layer(stream).expires_after(timeout);
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, kAwait);
  if (hec) co_return failure(code_of(hec, ErrorCode::tls), "TLS handshake", host, hec);
  co_return co_await exchange(stream, host, target, timeout, bearer);
}

}  // namespace embark::cli
