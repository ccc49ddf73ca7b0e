// ListUsersParser: the listUsers answer parsed as it streams in, straight into compact UserRecords.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "embark/model.hpp"
#include "embark/result.hpp"

namespace embark::internal {

/// Incremental (SAX) parser of `{"data":{"listUsers":[...]},"errors":[...]}` built on
/// boost::json::basic_parser: no JSON DOM of the answer ever exists, only the records. Fields the
/// client did not ask for are skipped; JWT-sourced attributes are dropped. With a UserSink
/// nothing grows with the answer: each record is handed over and its buffers reused. Not
/// thread-safe: one parser per response.
class ListUsersParser {
 public:
  /// Collects the users; finish() returns them.
  ListUsersParser();
  /// Hands each user to `sink` as it is parsed (after calling sink->restart()); finish() then
  /// returns an empty vector. A null sink collects.
  explicit ListUsersParser(std::shared_ptr<UserSink> sink);
  /// The parser for a request: its sink, if any.
  explicit ListUsersParser(const ListUsersRequest& request);
  ~ListUsersParser();
  ListUsersParser(const ListUsersParser&) = delete;
  ListUsersParser& operator=(const ListUsersParser&) = delete;

  /// Feeds the next chunk (chunks may split tokens anywhere). After the first malformed byte
  /// this and every later call returns the same Error{protocol}.
  Result<void> feed(std::string_view chunk);
  /// Ends the stream: the users, or Error{protocol} for a truncated or malformed answer, or the
  /// mapped `errors[]` (see map_graphql_errors) when the vendor sent any.
  Result<std::vector<UserRecord>> finish(std::string_view operation,
                                         std::span<const std::string_view> redact = {});
  /// Bytes fed so far.
  std::size_t bytes_fed() const noexcept;
  /// Users parsed so far (collected or handed to the sink).
  std::size_t users_parsed() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace embark::internal
