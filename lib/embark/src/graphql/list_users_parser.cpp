#include "internal/graphql/list_users_parser.hpp"

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/basic_parser_impl.hpp>

#include "internal/graphql/response_mapping.hpp"

namespace embark::internal {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// Where the handler is inside the answer. Anything else is skipped with a depth counter.
enum class Ctx { root, top, data, users, user, attrs, attr, roles, role, scopes, errors, error };

// The object keys the handler acts on, recognised once per key instead of compared per use
// (listUsers answers are tens of megabytes of small objects).
enum class Key {
  other,
  data,
  errors,
  list_users,
  user_attributes,
  role_assignments,
  scopes,
  id,
  email,
  key,
  value,
  source,
  role_id,
  message
};

// UTF-8 validity (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF). The
// parser leaves validation to the handler, which checks only the strings it keeps: Boost.JSON's
// own check of every string (names, timestamps, fields embark never reads) was an eighth of
// the parse time. ASCII, the usual case, is checked eight bytes at a time.
bool valid_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, p + i, sizeof word);
    if (word & 0x8080808080808080ULL) break;
  }
  auto continuation = [&](std::size_t at, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return at < n && p[at] >= lo && p[at] <= hi;
  };
  while (i < n) {
    const unsigned c = p[i];
    if (c < 0x80) {
      ++i;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (!continuation(i + 1)) return false;
      i += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
      if (!continuation(i + 1, lo, hi) || !continuation(i + 2)) return false;
      i += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      if (!continuation(i + 1, lo, hi) || !continuation(i + 2) || !continuation(i + 3))
        return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

Key classify(std::string_view k) noexcept {
  switch (k.size()) {
    case 2:
      return k == "id" ? Key::id : Key::other;
    case 3:
      return k == "key" ? Key::key : Key::other;
    case 4:
      return k == "data" ? Key::data : Key::other;
    case 5:
      return k == "email" ? Key::email : k == "value" ? Key::value : Key::other;
    case 6:
      return k == "errors"   ? Key::errors
             : k == "scopes" ? Key::scopes
             : k == "source" ? Key::source
             : k == "roleId" ? Key::role_id
                             : Key::other;
    case 7:
      return k == "message" ? Key::message : Key::other;
    case 9:
      return k == "listUsers" ? Key::list_users : Key::other;
    case 14:
      return k == "userAttributes" ? Key::user_attributes : Key::other;
    case 15:
      return k == "roleAssignments" ? Key::role_assignments : Key::other;
    default:
      return Key::other;
  }
}

class Handler {
 public:
  // The names boost::json::basic_parser requires of a handler.
  // NOLINTBEGIN(readability-identifier-naming)
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = 4096;
  static constexpr std::size_t max_string_size = std::size_t{1024} * 1024;
  // NOLINTEND(readability-identifier-naming)

  UserSink* sink = nullptr;  // when set, users go there instead of into `users`
  std::vector<UserRecord> users;
  std::size_t user_count = 0;
  std::vector<std::string> error_messages;
  bool saw_users = false;
  std::string failure;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_object_begin(error_code& ec) {
    if (skip_ > 0) return ++skip_, true;
    switch (enter(/*object=*/true, ec)) {
      case Enter::fail:
        return false;
      case Enter::skip:
        skip_ = 1;
        return true;
      case Enter::ok:
        return true;
    }
    return true;
  }
  bool on_object_end(std::size_t, error_code& ec) {
    if (skip_ > 0) return --skip_, true;
    const Ctx done = stack_.back();
    stack_.pop_back();
    if (done == Ctx::user) {
      if (user_.id.empty() || user_.email.empty())
        return reject(ec, "listUsers returned a user without `id` or `email`");
      if (sink) {
        // The sink copies what it keeps: the record's buffers are reused for the next user.
        sink->add(user_);
        user_.id.clear();
        user_.email.clear();
        user_.attributes.clear();
        user_.roles.clear();
      } else {
        users.push_back(std::move(user_));
        user_ = UserRecord{};
      }
      ++user_count;
    } else if (done == Ctx::attr) {
      if (!attr_key_) return reject(ec, "listUsers returned an attribute without `key`");
      // JWT-sourced attributes come from SSO claims and are read-only: embark compares DATABASE
      // ones.
      if (attr_source_ != "JWT")
        user_.attributes.insert_or_assign(std::move(*attr_key_), std::move(attr_value_));
    } else if (done == Ctx::role) {
      user_.roles.push_back(std::move(role_));
      role_ = RoleAssignment{};
    } else if (done == Ctx::error) {
      if (!error_message_) error_message_ = "(error without a message)";
      error_messages.push_back(std::move(*error_message_));
      error_message_.reset();
    }
    return true;
  }
  bool on_array_begin(error_code& ec) {
    if (skip_ > 0) return ++skip_, true;
    switch (enter(/*object=*/false, ec)) {
      case Enter::fail:
        return false;
      case Enter::skip:
        skip_ = 1;
        return true;
      case Enter::ok:
        return true;
    }
    return true;
  }
  bool on_array_end(std::size_t, error_code&) {
    if (skip_ > 0) return --skip_, true;
    stack_.pop_back();
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    key_buf_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code&) {
    if (key_buf_.empty()) {
      key_ = classify(std::string_view(s.data(), s.size()));
    } else {
      key_buf_.append(s.data(), s.size());
      key_ = classify(key_buf_);
      key_buf_.clear();
    }
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, error_code&) {
    if (skip_ == 0) str_buf_.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, error_code& ec) {
    if (skip_ > 0) return true;
    // Most strings arrive in one piece: use them in place, without the copy into str_buf_.
    if (str_buf_.empty()) return scalar(true, false, std::string_view(s.data(), s.size()), ec);
    str_buf_.append(s.data(), s.size());
    bool ok = scalar(/*is_string=*/true, /*is_null=*/false, str_buf_, ec);
    str_buf_.clear();
    return ok;
  }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, error_code& ec) {
    return skip_ > 0 || scalar(false, false, {}, ec);
  }
  bool on_uint64(std::uint64_t, json::string_view, error_code& ec) {
    return skip_ > 0 || scalar(false, false, {}, ec);
  }
  bool on_double(double, json::string_view, error_code& ec) {
    return skip_ > 0 || scalar(false, false, {}, ec);
  }
  bool on_bool(bool, error_code& ec) { return skip_ > 0 || scalar(false, false, {}, ec); }
  bool on_null(error_code& ec) { return skip_ > 0 || scalar(false, true, {}, ec); }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }

 private:
  enum class Enter { ok, skip, fail };

  bool reject(error_code& ec, std::string message) {
    failure = std::move(message);
    ec = make_error_code(ErrorCode::protocol);
    return false;
  }

  Enter push(Ctx ctx) {
    stack_.push_back(ctx);
    return Enter::ok;
  }

  Enter enter(bool object, error_code& ec) {
    if (stack_.empty()) {
      if (!object) return reject(ec, "the response body is not a JSON object"), Enter::fail;
      return push(Ctx::top);
    }
    const Ctx at = stack_.back();
    auto expect = [&](bool want_object, Ctx next, const char* what) {
      if (object != want_object) return reject(ec, what), Enter::fail;
      return push(next);
    };
    switch (at) {
      case Ctx::top:
        if (key_ == Key::data) return expect(true, Ctx::data, "`data` is not an object");
        if (key_ == Key::errors) return expect(false, Ctx::errors, "`errors` is not an array");
        return Enter::skip;
      case Ctx::data:
        if (key_ == Key::list_users) {
          saw_users = true;
          return expect(false, Ctx::users, "`listUsers` is not an array");
        }
        return Enter::skip;
      case Ctx::users:
        return expect(true, Ctx::user, "a `listUsers` entry is not an object");
      case Ctx::user:
        if (key_ == Key::user_attributes)
          return expect(false, Ctx::attrs, "`userAttributes` is not an array");
        if (key_ == Key::role_assignments)
          return expect(false, Ctx::roles, "`roleAssignments` is not an array");
        return Enter::skip;
      case Ctx::attrs:
        attr_key_.reset();
        attr_value_.clear();
        attr_source_.clear();
        return expect(true, Ctx::attr, "a `userAttributes` entry is not an object");
      case Ctx::roles:
        return expect(true, Ctx::role, "a `roleAssignments` entry is not an object");
      case Ctx::role:
        if (key_ == Key::scopes) return expect(false, Ctx::scopes, "`scopes` is not an array");
        return Enter::skip;
      case Ctx::errors:
        return expect(true, Ctx::error, "an `errors` entry is not an object");
      case Ctx::root:
      case Ctx::attr:
      case Ctx::scopes:
      case Ctx::error:
        return Enter::skip;
    }
    return Enter::skip;
  }

  bool scalar(bool is_string, bool is_null, std::string_view text, error_code& ec) {
    if (stack_.empty()) return reject(ec, "the response body is not a JSON object");
    const Ctx at = stack_.back();
    auto want_string = [&](std::string& target, const char* what) {
      if (!is_string) return reject(ec, what);
      if (!valid_utf8(text)) return reject(ec, "listUsers returned a string that is not UTF-8");
      target.assign(text);
      return true;
    };
    switch (at) {
      case Ctx::top:
        if ((key_ == Key::data || key_ == Key::errors) && !is_null) {
          return reject(ec,
                        key_ == Key::data ? "`data` is not an object" : "`errors` is not an array");
        }
        return true;
      case Ctx::data:
        if (key_ == Key::list_users && !is_null) return reject(ec, "`listUsers` is not an array");
        return true;
      case Ctx::user:
        if (key_ == Key::id) return want_string(user_.id, "a user's `id` is not a string");
        if (key_ == Key::email) return want_string(user_.email, "a user's `email` is not a string");
        if ((key_ == Key::user_attributes || key_ == Key::role_assignments) && !is_null) {
          return reject(ec, "a user's list field is not an array");
        }
        return true;
      case Ctx::attr:
        if (key_ == Key::key) {
          if (!is_string) return reject(ec, "an attribute `key` is not a string");
          if (!valid_utf8(text)) return reject(ec, "listUsers returned a string that is not UTF-8");
          attr_key_.emplace(text);
          return true;
        }
        if (key_ == Key::value)
          return want_string(attr_value_, "an attribute `value` is not a string");
        if (key_ == Key::source)
          return want_string(attr_source_, "an attribute `source` is not a string");
        return true;
      case Ctx::role:
        if (key_ == Key::role_id) return want_string(role_.role_id, "a `roleId` is not a string");
        return true;
      case Ctx::scopes:
        if (!is_string) return reject(ec, "a scope is not a string");
        if (!valid_utf8(text)) return reject(ec, "listUsers returned a string that is not UTF-8");
        role_.scopes.emplace_back(text);
        return true;
      case Ctx::error:
        if (key_ == Key::message && is_string)
          error_message_.emplace(valid_utf8(text) ? text : "(an error message that is not UTF-8)");
        return true;
      case Ctx::users:
      case Ctx::attrs:
      case Ctx::roles:
        return reject(ec, "a list entry is not an object");
      case Ctx::errors:
        return reject(ec, "an `errors` entry is not an object");
      case Ctx::root:
        return true;
    }
    return true;
  }

  std::vector<Ctx> stack_;
  std::size_t skip_ = 0;
  Key key_ = Key::other;
  std::string key_buf_;
  std::string str_buf_;
  UserRecord user_;
  std::optional<std::string> attr_key_;
  std::string attr_value_;
  std::string attr_source_;
  RoleAssignment role_;
  std::optional<std::string> error_message_;
};

}  // namespace

struct ListUsersParser::Impl {
  // Strings are checked by the handler, and only those it keeps (see valid_utf8).
  json::basic_parser<Handler> parser{[] {
    json::parse_options options;
    options.allow_invalid_utf8 = true;
    return options;
  }()};
  std::size_t bytes = 0;
  std::optional<Error> failure;
  std::shared_ptr<UserSink> sink;

  Error protocol_error(const error_code& ec) {
    const std::string& why = parser.handler().failure;
    return Error(
        ErrorCode::protocol,
        why.empty() ? "the listUsers answer is not valid JSON (" + ec.message() + ")" : why);
  }
};

ListUsersParser::ListUsersParser() : impl_(std::make_unique<Impl>()) {}
ListUsersParser::ListUsersParser(std::shared_ptr<UserSink> sink) : ListUsersParser() {
  impl_->sink = std::move(sink);
  if (impl_->sink) {
    impl_->sink->restart();
    impl_->parser.handler().sink = impl_->sink.get();
  }
}
ListUsersParser::ListUsersParser(const ListUsersRequest& request) : ListUsersParser(request.sink) {}
ListUsersParser::~ListUsersParser() = default;

std::size_t ListUsersParser::bytes_fed() const noexcept { return impl_->bytes; }

std::size_t ListUsersParser::users_parsed() const noexcept {
  return impl_->parser.handler().user_count;
}

Result<void> ListUsersParser::feed(std::string_view chunk) {
  if (impl_->failure) return *impl_->failure;
  impl_->bytes += chunk.size();
  error_code ec;
  impl_->parser.write_some(true, chunk.data(), chunk.size(), ec);
  if (ec) {
    impl_->failure = impl_->protocol_error(ec);
    return *impl_->failure;
  }
  return {};
}

Result<std::vector<UserRecord>> ListUsersParser::finish(std::string_view operation,
                                                        std::span<const std::string_view> redact) {
  auto tag = [&](Error e) { return e.with_operation(std::string(operation)); };
  if (!impl_->failure) {
    error_code ec;
    impl_->parser.write_some(false, nullptr, 0, ec);
    if (ec) impl_->failure = impl_->protocol_error(ec);
  }
  auto& handler = impl_->parser.handler();
  // GraphQL errors explain a broken answer better than the parse failure they may have caused.
  if (!handler.error_messages.empty()) {
    return map_graphql_errors(std::move(handler.error_messages), operation, redact);
  }
  if (impl_->failure) return tag(*impl_->failure);
  if (!handler.saw_users)
    return tag(Error(ErrorCode::protocol, "the response has no `data.listUsers`"));
  return std::move(handler.users);
}

}  // namespace embark::internal
