// exchange(): one HTTP/1.1 request and its response over any Beast stream (TCP, TLS, test stream).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "internal/transport/http_transport.hpp"

namespace embark::internal {

/// Interim (1xx) responses tolerated before the final answer.
inline constexpr int kMaxInterimResponses = 8;

/// Limits of one exchange.
struct ExchangeLimits {
  std::chrono::milliseconds timeout{10'000};  ///< re-armed before the write and before every read
  std::size_t max_response_bytes = 0;         ///< largest accepted body
  /// No step's timer runs past it (the call's deadline); one that expires there is
  /// Error{deadline_exceeded}.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

/// What one exchange produced, plus what the caller needs to decide about the connection.
struct ExchangeOutcome {
  Result<HttpResponse> response = HttpResponse{};
  /// The connection may carry another request (HTTP/1.1 keep-alive, complete answer, no EOF body).
  bool reusable = false;
  /// The peer had closed the connection before sending any response byte (a stale pooled
  /// connection): nothing was processed, so an idempotent request may go out again.
  bool stale = false;
};

/// Whether an error means the peer closed or reset the connection.
inline bool is_peer_gone(const boost::system::error_code& ec) {
  namespace net = boost::asio;
  return ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::connection_aborted || ec == net::error::broken_pipe ||
         ec == net::error::not_connected || ec == boost::beast::http::error::end_of_stream ||
         ec == net::ssl::error::stream_truncated;
}

/// Maps a Beast/Asio error of one exchange step to an embark::Error. Never includes request or
/// response data, only the step, the limit and the system's description of the error.
/// `deadline_passed`: the step's timeout had expired when it failed.
inline Error exchange_error(const boost::system::error_code& ec, std::string_view step,
                            const ExchangeLimits& limits, bool deadline_passed = false) {
  namespace net = boost::asio;
  namespace http = boost::beast::http;
  // Through an ssl_stream, Beast's timeout surfaces as operation_aborted, hence the deadline check.
  if (ec == boost::beast::error::timeout || ec == net::error::timed_out ||
      (ec == net::error::operation_aborted && deadline_passed)) {
    // The step's timer was armed for the call's deadline, and that is what passed.
    if (std::chrono::steady_clock::now() >= limits.deadline) return request_deadline_error();
    return Error(ErrorCode::timeout,
                 fmt::format("{} timed out after {} ms", step, limits.timeout.count()));
  }
  if (ec == net::error::operation_aborted)
    return Error(ErrorCode::cancelled, fmt::format("{} was cancelled", step));
  if (ec == http::error::body_limit)
    return Error(ErrorCode::protocol, fmt::format("the response body exceeds the limit of {} bytes "
                                                  "(TransportOptions::max_response_bytes)",
                                                  limits.max_response_bytes));
  if (ec == http::error::header_limit)
    return Error(ErrorCode::protocol, "the response header is too large");
  if (ec == http::error::partial_message) {
    // A lost connection, not a broken vendor: another attempt may get the whole answer.
    Error error(ErrorCode::protocol,
                fmt::format("{}: the connection closed in the middle of the response", step));
    error.with_retryable(true);
    return error;
  }
  if (is_peer_gone(ec)) {
    Error error(ErrorCode::connect,
                fmt::format("{}: the server closed the connection before answering ({})", step,
                            ec.message()));
    error.with_retryable(true);
    return error;
  }
  if (ec.category() == http::make_error_code(http::error::bad_version).category())
    return Error(ErrorCode::protocol,
                 fmt::format("{}: malformed HTTP response ({})", step, ec.message()));
  if (ec.category() == net::error::get_ssl_category() ||
      ec.category() == net::ssl::error::get_stream_category())
    return Error(ErrorCode::tls, fmt::format("{}: TLS error ({})", step, ec.message()));
  return Error(ErrorCode::connect, fmt::format("{} failed ({})", step, ec.message()));
}

/// Re-arms the stream's timeout when its lowest layer has one (beast::tcp_stream); test streams
/// have none. The timer runs until `timeout` from now, or `deadline` when that comes first.
/// Returns when it expires.
template <class Stream>
std::chrono::steady_clock::time_point arm_timeout(
    Stream& stream, std::chrono::milliseconds timeout,
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max()) {
  const auto now = std::chrono::steady_clock::now();
  const auto at = deadline - now > timeout ? now + timeout : deadline;
  if constexpr (requires { boost::beast::get_lowest_layer(stream).expires_at(at); })
    boost::beast::get_lowest_layer(stream).expires_at(at);
  return at;
}

/// Whether `deadline` has passed.
inline bool passed(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::steady_clock::now() >= deadline;
}

/// The request line and header fields of `request`, as HTTP/1.1 puts them on the wire.
inline std::string serialize_head(
    const boost::beast::http::request<boost::beast::http::string_body>& request) {
  std::string head;
  head.reserve(256 + request.target().size());
  head.append(request.method_string().data(), request.method_string().size());
  head += ' ';
  head.append(request.target().data(), request.target().size());
  head += request.version() == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n";
  for (const auto& field : request) {
    head.append(field.name_string().data(), field.name_string().size());
    head += ": ";
    head.append(field.value().data(), field.value().size());
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

/// A response body handed to a sink piece by piece as the parser meets it, straight from the
/// connection's read buffer (no copy into a chunk). A sink error stops the read.
struct SinkBody {
  struct value_type {  // NOLINT(readability-identifier-naming): Beast's Body concept
    const std::function<Result<void>(std::string_view)>* sink = nullptr;
    std::optional<Error> failure;  ///< what the sink refused
  };
  class reader {  // NOLINT(readability-identifier-naming): Beast's Body concept
   public:
    template <bool isRequest, class Fields>  // NOLINT(readability-identifier-naming)
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}
    void init(const boost::optional<std::uint64_t>&, boost::system::error_code& ec) { ec = {}; }
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
      ec = {};
      std::size_t used = 0;
      for (const auto piece : boost::beast::buffers_range_ref(buffers)) {
        auto sunk =
            (*body_.sink)(std::string_view(static_cast<const char*>(piece.data()), piece.size()));
        if (!sunk) {
          body_.failure = std::move(sunk).error();
          ec = make_error_code(ErrorCode::protocol);
          return used;
        }
        used += piece.size();
      }
      return used;
    }
    void finish(boost::system::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

/// Writes `request`, reads the response header, then the body: handed to `sink` as it is read
/// when `sink` is set, otherwise collected into HttpResponse::body. `buffer` holds bytes read past
/// the response and belongs to the connection. Never throws; cancellation is Error{cancelled}.
template <class Stream>
boost::asio::awaitable<ExchangeOutcome> exchange(
    Stream& stream, boost::beast::flat_buffer& buffer,
    boost::beast::http::request<boost::beast::http::string_body>& request,
    const std::function<Result<void>(std::string_view)>& sink, ExchangeLimits limits) {
  namespace http = boost::beast::http;
  constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);
  ExchangeOutcome outcome;

  auto deadline = arm_timeout(stream, limits.timeout, limits.deadline);
  // A request with a Content-Length goes out as one buffer serialized here: Beast's serializer
  // (buffers_cat views, flat_stream's coalescing copy) cost more CPU than the TLS record itself.
  boost::system::error_code write_ec;
  if (request.chunked()) {
    auto [ec, written] = co_await http::async_write(stream, request, kTuple);
    write_ec = ec;
  } else {
    std::string wire = serialize_head(request);
    wire += request.body();
    auto [ec, written] =
        co_await boost::asio::async_write(stream, boost::asio::buffer(wire), kTuple);
    write_ec = ec;
  }
  if (write_ec) {
    outcome.stale = is_peer_gone(write_ec);
    outcome.response = exchange_error(write_ec, "sending the request", limits, passed(deadline));
    co_return outcome;
  }

  // Interim (1xx) answers such as 100 Continue or 103 Early Hints precede the real one; each is
  // read and dropped. 101 Switching Protocols was never asked for and is refused below.
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(limits.max_response_bytes);
  for (int interims = 0;; ++interims) {
    deadline = arm_timeout(stream, limits.timeout, limits.deadline);
    auto [header_ec, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kTuple);
    if (header_ec) {
      outcome.stale = interims == 0 && (header_ec == http::error::end_of_stream ||
                                        (is_peer_gone(header_ec) && header_bytes == 0 &&
                                         buffer.size() == 0 && !parser.got_some()));
      outcome.response =
          exchange_error(header_ec, "reading the response header", limits, passed(deadline));
      co_return outcome;
    }
    const unsigned code = parser.get().result_int();
    if (code < 100 || code >= 200 || code == 101) break;
    if (interims == kMaxInterimResponses) {
      outcome.response = Error(ErrorCode::protocol,
                               fmt::format("more than {} interim (1xx) responses before the answer",
                                           kMaxInterimResponses));
      co_return outcome;
    }
    // A 1xx has no body; a fresh parser reads what follows it.
    std::destroy_at(&parser);
    std::construct_at(&parser);
    parser.body_limit(limits.max_response_bytes);
  }
  if (parser.get().result_int() == 101) {
    outcome.response = Error(ErrorCode::protocol, "unexpected HTTP status 101");
    co_return outcome;
  }

  HttpResponse response;
  const auto& header = parser.get();
  response.status = static_cast<int>(header.result_int());
  if (auto it = header.find(http::field::retry_after); it != header.end())
    response.retry_after = std::string(it->value());
  if (auto it = header.find(http::field::content_type); it != header.end())
    response.content_type = std::string(it->value());

  if (sink) {
    // Each read hands what it got to the sink at once; the timeout is re-armed per read, so an
    // answer that keeps arriving is never cut off.
    http::response_parser<SinkBody> streaming(std::move(parser));
    streaming.get().body().sink = &sink;
    while (!streaming.is_done()) {
      deadline = arm_timeout(stream, limits.timeout, limits.deadline);
      auto [read_ec, read_bytes] =
          co_await http::async_read_some(stream, buffer, streaming, kTuple);
      if (read_ec) {
        auto& failure = streaming.get().body().failure;
        outcome.response = failure ? std::move(*failure)
                                   : exchange_error(read_ec, "reading the response body", limits,
                                                    passed(deadline));
        co_return outcome;
      }
    }
    outcome.reusable = streaming.keep_alive() && buffer.size() == 0;
    outcome.response = std::move(response);
    co_return outcome;
  }

  std::array<char, std::size_t{16} * 1024> chunk;
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    deadline = arm_timeout(stream, limits.timeout, limits.deadline);
    auto [read_ec, read_bytes] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (read_ec == http::error::need_buffer) read_ec = {};
    if (read_ec) {
      outcome.response =
          exchange_error(read_ec, "reading the response body", limits, passed(deadline));
      co_return outcome;
    }
    const std::size_t got = chunk.size() - parser.get().body().size;
    response.body.append(chunk.data(), got);
  }
  outcome.reusable = parser.keep_alive() && buffer.size() == 0;
  outcome.response = std::move(response);
  co_return outcome;
}

}  // namespace embark::internal
