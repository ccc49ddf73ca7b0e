// CallLayer: the per-attempt seam below WisdomConnection, one method for every operation.
// GraphqlLayer is the innermost layer; decorators (logging, retry, auth) wrap it, each stating
// its behaviour once in call(). The typed half of a call (encoding the request, decoding the
// answer) stays with the operation (internal/graphql/operations.hpp) and reaches the layers as a
// CallBody.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "embark/result.hpp"
#include "embark/retry.hpp"
#include "embark/secret.hpp"

#include "internal/graphql/graphql_request.hpp"

namespace embark::internal {

/// Per-call state handed down the layers.
struct CallContext {
  std::chrono::steady_clock::time_point deadline;  ///< the whole call, retries included
  std::optional<Secret> bearer;  ///< set by the auth decorator for management calls
  int attempt = 1;               ///< set by the retry decorator
};

/// The facts the layers act on, the same for every call of one operation.
struct OperationInfo {
  std::string_view name;                              ///< the vendor's name, e.g. "createUsers"
  Idempotency idempotency = Idempotency::idempotent;  ///< whether the retry layer may repeat it
  bool needs_bearer = false;         ///< management calls carry a bearer token (auth layer)
  std::size_t max_answer_bytes = 0;  ///< largest answer; 0 = the transport's limit
};

/// The OperationInfo of an operation descriptor (kName, kIdempotency, kNeedsBearer,
/// kMaxAnswerBytes).
template <class Operation>
constexpr OperationInfo operation_info() {
  return {Operation::kName, Operation::kIdempotency, Operation::kNeedsBearer,
          Operation::kMaxAnswerBytes};
}

/// The typed half of one call as the layers see it. One per call, used by one attempt at a time.
class CallBody {
 public:
  virtual ~CallBody() = default;
  /// The request's GraphQL document and variables (which may hold the access key).
  virtual GraphqlRequest encode(const Secret& access_key) const = 0;
  /// Whether the answer is parsed as it streams in (feed/finish) instead of mapped whole
  /// (decode).
  virtual bool streams() const noexcept = 0;
  /// Streaming: the answer goes to the caller's sink as it arrives and is never held whole, so
  /// no byte cap applies (the deadline and the sink bound it).
  virtual bool unbounded() const noexcept { return false; }
  /// Streaming: forgets what an earlier attempt fed.
  virtual void restart() = 0;
  /// Streaming: the next chunk of the body. A parse error is kept for finish().
  virtual void feed(std::string_view chunk) = 0;
  /// Streaming: bytes fed since restart().
  virtual std::size_t bytes_fed() const noexcept = 0;
  /// Streaming: the end of a 2xx answer; keeps the typed answer.
  virtual Result<void> finish(std::string_view operation,
                              std::span<const std::string_view> redact) = 0;
  /// Whole answers: the mapped `data` of a successful GraphQL answer; keeps the typed answer.
  virtual Result<void> decode(const boost::json::value& data) = 0;
};

/// One method for every operation. `body` outlives the call; callers co_await at once.
/// Implementations are thread-safe.
class CallLayer {
 public:
  virtual ~CallLayer() = default;
  /// Runs `operation` with `body`; on success the answer is in `body`.
  virtual boost::asio::awaitable<Result<void>> call(CallContext& ctx,
                                                    const OperationInfo& operation,
                                                    CallBody& body) = 0;
};

/// The parser slot of TypedCall: Operation::Parser only for streamed answers.
template <class Operation, bool = Operation::kStreams>
struct ParserSlot {
  struct Type {};
};
template <class Operation>
struct ParserSlot<Operation, true> {
  using Type = std::optional<typename Operation::Parser>;
};

/// CallBody of an operation descriptor: Operation::Request, Operation::Answer,
/// Operation::encode(request, access_key), and either Operation::decode(data) or, when
/// Operation::kStreams, Operation::Parser (feed, bytes_fed, finish). A descriptor missing one
/// of them does not compile.
template <class Operation>
class TypedCall final : public CallBody {
 public:
  using Request = typename Operation::Request;
  using Answer = typename Operation::Answer;

  explicit TypedCall(const Request& request) : request_(request) {}

  GraphqlRequest encode(const Secret& access_key) const override {
    return Operation::encode(request_, access_key);
  }
  bool streams() const noexcept override { return Operation::kStreams; }
  bool unbounded() const noexcept override {
    if constexpr (requires(const Request& r) { r.sink != nullptr; })
      return request_.sink != nullptr;
    else
      return false;
  }
  void restart() override {
    if constexpr (Operation::kStreams) parser_.emplace(request_);
  }
  void feed(std::string_view chunk) override {
    if constexpr (Operation::kStreams) {
      if (!parser_) parser_.emplace(request_);
      (void)parser_->feed(chunk);
    }
  }
  std::size_t bytes_fed() const noexcept override {
    if constexpr (Operation::kStreams) return parser_ ? parser_->bytes_fed() : 0;
    return 0;
  }
  Result<void> finish(std::string_view operation,
                      std::span<const std::string_view> redact) override {
    if constexpr (Operation::kStreams) {
      if (!parser_) parser_.emplace(request_);
      return keep(parser_->finish(operation, redact));
    } else {
      return {};
    }
  }
  Result<void> decode(const boost::json::value& data) override {
    if constexpr (Operation::kStreams) {
      return {};
    } else {
      return keep(Operation::decode(data));
    }
  }

  /// The answer kept by the successful attempt.
  Result<Answer> take() {
    if constexpr (std::is_void_v<Answer>) {
      return {};
    } else {
      return std::move(*answer_);
    }
  }

 private:
  template <class R>
  Result<void> keep(R result) {
    if (!result) return std::move(result).error();
    if constexpr (!std::is_void_v<Answer>) answer_.emplace(std::move(*result));
    return {};
  }

  struct NoAnswer {};
  const Request& request_;
  [[no_unique_address]] typename ParserSlot<Operation>::Type parser_;
  [[no_unique_address]] std::conditional_t<std::is_void_v<Answer>, NoAnswer, std::optional<Answer>>
      answer_;
};

}  // namespace embark::internal
