// A small blocking Beast client for the emulator's integration tests (TLS with a given CA, or
// plain).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/serialize.hpp>

namespace embark::emulator::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

/// One keep-alive connection to 127.0.0.1:port. Errors are reported, never thrown.
class TestConnection {
 public:
  /// tls: verify the server with `ca_file` (empty: the system trust store) and host 127.0.0.1.
  TestConnection(std::uint16_t port, bool tls, const std::string& ca_file = {})
      : ssl_ctx_(asio::ssl::context::tls_client), tls_(tls) {
    ssl_ctx_.set_verify_mode(asio::ssl::verify_peer);
    if (ca_file.empty()) {
      ssl_ctx_.set_default_verify_paths(error);
    } else {
      ssl_ctx_.load_verify_file(ca_file, error);
    }
    if (error) return;
    auto& tcp =
        tls_ ? beast::get_lowest_layer(tls_stream_.emplace(ioc_, ssl_ctx_)) : plain_.emplace(ioc_);
    tcp.expires_after(std::chrono::seconds(30));
    tcp.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), error);
    if (error || !tls_) return;
    tls_stream_->set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
    tls_stream_->handshake(asio::ssl::stream_base::client, error);
  }

  /// Sends one request and reads the answer; nullopt (and `error` set) on any failure.
  std::optional<http::response<http::string_body>> send(http::request<http::string_body> req) {
    if (error) return std::nullopt;
    req.set(http::field::host, "127.0.0.1");
    req.prepare_payload();
    http::response<http::string_body> res;
    if (tls_) {
      http::write(*tls_stream_, req, error);
      if (!error) http::read(*tls_stream_, buffer_, res, error);
    } else {
      http::write(*plain_, req, error);
      if (!error) http::read(*plain_, buffer_, res, error);
    }
    if (error) return std::nullopt;
    return res;
  }

  /// POST /graphql with a JSON body.
  std::optional<http::response<http::string_body>> graphql(const boost::json::object& body,
                                                           const std::string& bearer = {}) {
    http::request<http::string_body> req{http::verb::post, "/graphql", 11};
    req.set(http::field::content_type, "application/json");
    if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
    req.body() = boost::json::serialize(body);
    return send(std::move(req));
  }

  boost::system::error_code error;

 private:
  asio::io_context ioc_;
  asio::ssl::context ssl_ctx_;
  bool tls_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
  std::optional<beast::tcp_stream> plain_;
  beast::flat_buffer buffer_;
};

}  // namespace embark::emulator::test
