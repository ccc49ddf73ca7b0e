// A small HTTPS GET, used by `demo` to prove that the embed URL it printed is accepted.
#pragma once

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "embark/result.hpp"
#include "embark/secret.hpp"

namespace embark::cli {

/// Status and body of an answer.
struct HttpResponse {
  int status = 0;
  std::string body;
};

/// GETs an http:// or https:// URL. HTTPS verifies the peer against `ca_file` (empty: the system
/// CAs) and the host name or IP address. Every step is bounded by `timeout`. Errors: connect,
/// tls, timeout, protocol; the message names the host, never the URL's query (it may hold a token).
/// A non-empty `bearer` is sent as `Authorization: Bearer` (e.g. the emulator's access key for its
/// /_emulator/* endpoints); it appears in no message.
boost::asio::awaitable<Result<HttpResponse>> http_get(std::string url, std::string ca_file,
                                                      std::chrono::seconds timeout,
                                                      Secret bearer = {});

}  // namespace embark::cli
