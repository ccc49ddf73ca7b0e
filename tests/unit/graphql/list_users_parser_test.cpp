#include "internal/graphql/list_users_parser.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include "graphql/alloc_counter.hpp"

using embark::ErrorCode;
using embark::UserRecord;
using embark::internal::ListUsersParser;

namespace {

// Small but complete: skipped fields of every JSON type, escapes, a JWT attribute, nulls, unicode.
const std::string kAnswer =
    R"({"data":{"listUsers":[)"
    R"({"id":"u1","email":"alice@example.com","name":"Alice \"A\"","isScimManaged":false,"n":1.5e3,)"
    R"("extra":{"deep":[1,{"x":[null,true]}]},)"
    R"("userAttributes":[{"key":"region","value":"us-west","source":"DATABASE"},)"
    R"({"key":"sso_group","value":"eng","source":"JWT"},{"key":"caf\u00e9","value":"a\\b","source":"DATABASE"}],)"
    R"("roleAssignments":[{"roleId":"00000000-0000-0000-0000-000000000003","scopes":["d1","d2"]}]},)"
    R"({"id":"u2","email":"bob@example.com","userAttributes":[],"roleAssignments":null,"lastActiveSessionTimestamp":null})"
    R"(]},"extensions":{"cost":12}})";

void check_small_answer(const std::vector<UserRecord>& users) {
  REQUIRE(users.size() == 2);
  CHECK(users[0].id == "u1");
  CHECK(users[0].email == "alice@example.com");
  REQUIRE(users[0].attributes.size() == 2);  // the JWT-sourced one is dropped
  CHECK(users[0].attributes.at("region") == "us-west");
  CHECK(users[0].attributes.at("caf\xc3\xa9") == "a\\b");
  REQUIRE(users[0].roles.size() == 1);
  CHECK(users[0].roles[0].role_id == "00000000-0000-0000-0000-000000000003");
  CHECK(users[0].roles[0].scopes == std::vector<std::string>{"d1", "d2"});
  CHECK(users[1].id == "u2");
  CHECK(users[1].attributes.empty());
  CHECK(users[1].roles.empty());
}

embark::Result<std::vector<UserRecord>> parse_in_chunks(std::string_view text,
                                                        std::vector<std::size_t> cuts) {
  ListUsersParser parser;
  std::size_t at = 0;
  cuts.push_back(text.size());
  for (std::size_t cut : cuts) {
    (void)parser.feed(text.substr(at, cut - at));
    at = cut;
  }
  return parser.finish("listUsers");
}

// Records what a streaming parser hands over.
struct CollectingSink final : embark::UserSink {
  int restarts = 0;
  std::vector<UserRecord> users;
  void restart() override {
    ++restarts;
    users.clear();
  }
  void add(const UserRecord& user) override { users.push_back(user); }
};

// Feeds `text` split at `cuts` into a parser streaming into `sink`.
embark::Result<std::vector<UserRecord>> stream_in_chunks(std::string_view text,
                                                         std::vector<std::size_t> cuts,
                                                         std::shared_ptr<CollectingSink> sink) {
  ListUsersParser parser(sink);
  std::size_t at = 0;
  cuts.push_back(text.size());
  for (std::size_t cut : cuts) {
    (void)parser.feed(text.substr(at, cut - at));
    at = cut;
  }
  return parser.finish("listUsers");
}

}  // namespace

TEST_CASE("a sink gets every user as it is parsed, whatever the chunk boundaries") {
  for (std::size_t i = 0; i <= kAnswer.size(); ++i) {
    CAPTURE(i);
    auto sink = std::make_shared<CollectingSink>();
    auto r = stream_in_chunks(kAnswer, {i}, sink);
    REQUIRE(r.has_value());
    CHECK(r->empty());  // nothing collected: the sink has them
    CHECK(sink->restarts == 1);
    check_small_answer(sink->users);
  }
  // Byte by byte; the first user is handed over before the answer is complete.
  auto sink = std::make_shared<CollectingSink>();
  ListUsersParser parser(sink);
  const std::size_t second = kAnswer.find(R"({"id":"u2")");
  for (std::size_t i = 0; i < kAnswer.size(); ++i) {
    REQUIRE(parser.feed(kAnswer.substr(i, 1)).has_value());
    if (i + 1 == second) CHECK(sink->users.size() == 1);
  }
  REQUIRE(parser.finish("listUsers").has_value());
  CHECK(parser.users_parsed() == 2);
  check_small_answer(sink->users);
}

TEST_CASE("streaming: errors[] after the users, or a cut answer, fail the listing") {
  const std::string with_errors =
      R"({"data":{"listUsers":[{"id":"u1","email":"a@b"},{"id":"u2","email":"c@d"}]},)"
      R"("errors":[{"message":"Internal server error"}]})";
  for (std::size_t i = 0; i <= with_errors.size(); ++i) {
    CAPTURE(i);
    auto sink = std::make_shared<CollectingSink>();
    auto r = stream_in_chunks(with_errors, {i}, sink);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().graphql_messages().size() == 1);
    CHECK(sink->users.size() == 2);  // handed over, yet the call fails: the caller drops them
  }
  const std::string cut = with_errors.substr(0, with_errors.find(R"({"id":"u2")") + 5);
  auto sink = std::make_shared<CollectingSink>();
  auto r = stream_in_chunks(cut, {}, sink);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::protocol);
  CHECK(sink->users.size() == 1);
}

TEST_CASE("listUsers parses the same whatever the chunk boundaries") {
  REQUIRE(boost::json::parse(kAnswer).is_object());  // the fixture itself is valid JSON
  for (std::size_t i = 0; i <= kAnswer.size(); ++i) {
    CAPTURE(i);
    auto users = parse_in_chunks(kAnswer, {i});
    REQUIRE(users.has_value());
    check_small_answer(*users);
  }
  // Byte by byte.
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < kAnswer.size(); ++i) every.push_back(i);
  auto users = parse_in_chunks(kAnswer, every);
  REQUIRE(users.has_value());
  check_small_answer(*users);
}

TEST_CASE("errors[] in the stream become the mapped error, at every split") {
  const std::string answer =
      R"({"errors":[{"message":"Unauthorized","locations":[{"line":1,"column":1}]}],"data":null})";
  for (std::size_t i = 0; i <= answer.size(); ++i) {
    CAPTURE(i);
    auto r = parse_in_chunks(answer, {i});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ErrorCode::unauthenticated);
    CHECK(r.error().operation() == "listUsers");
    REQUIRE(r.error().graphql_messages().size() == 1);
  }
  auto after =
      parse_in_chunks(R"({"data":{"listUsers":[]},"errors":[{"message":"Forbidden"}]})", {});
  REQUIRE_FALSE(after.has_value());
  CHECK(after.error().code() == ErrorCode::forbidden);
}

TEST_CASE("broken answers are protocol errors") {
  const char* bodies[] = {
      "",                                             // empty
      "<html>502 Bad Gateway</html>",                 // not JSON
      R"({"data":{"listUsers":[{"id":"u1","email")",  // truncated
      R"({"data":{"listUsers":{}}})",                 // wrong type
      R"({"data":{"listUsers":[1]}})",
      R"({"data":{"listUsers":[{"id":"u1"}]}})",  // no email
      R"({"data":{"listUsers":[{"id":7,"email":"a@b"}]}})",
      R"({"data":null})",
      R"({"data":{}})",
      R"([])",
      R"({"data":{"listUsers":[]}} trailing)",
  };
  for (const char* body : bodies) {
    CAPTURE(body);
    auto r = parse_in_chunks(body, {});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ErrorCode::protocol);
  }
  auto empty = parse_in_chunks(R"({"data":{"listUsers":[]}})", {});
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
}

TEST_CASE("strings embark keeps must be UTF-8; fields it skips are not checked") {
  // The parser checks only the strings it keeps (ids, emails, attributes, roles, scopes).
  const std::string bad = "\xC3\x28";            // a lead byte without its continuation
  const std::string surrogate = "\xED\xA0\x80";  // U+D800 encoded: not UTF-8
  const std::string overlong = "\xC0\xAF";       // '/' in two bytes
  for (const std::string& garbage : {bad, surrogate, overlong}) {
    CAPTURE(garbage);
    for (const char* field : {"id", "email"}) {
      const std::string body = std::string(R"({"data":{"listUsers":[{"id":"u1","email":"a@b",")") +
                               field + R"(":"x)" + garbage + R"("}]}})";
      auto r = parse_in_chunks(body, {});
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code() == ErrorCode::protocol);
    }
    const std::string in_attribute =
        R"({"data":{"listUsers":[{"id":"u1","email":"a@b","userAttributes":[{"key":"k","value":")" +
        garbage + R"(","source":"DATABASE"}]}]}})";
    CHECK_FALSE(parse_in_chunks(in_attribute, {}).has_value());
    const std::string in_scope =
        R"({"data":{"listUsers":[{"id":"u1","email":"a@b","roleAssignments":[{"roleId":"r","scopes":[")" +
        garbage + R"("]}]}]}})";
    CHECK_FALSE(parse_in_chunks(in_scope, {}).has_value());
    const std::string in_skipped_field =
        R"({"data":{"listUsers":[{"id":"u1","email":"a@b","name":")" + garbage + R"("}]}})";
    auto skipped = parse_in_chunks(in_skipped_field, {});
    REQUIRE(skipped.has_value());
    CHECK(skipped->size() == 1);
  }
  // Multi-byte characters of every length are kept as they are.
  const std::string utf8 = "caf\xC3\xA9-\xE2\x82\xAC-\xF0\x9F\x98\x80";
  auto good = parse_in_chunks(
      R"({"data":{"listUsers":[{"id":"u1","email":"a@b","userAttributes":[{"key":"k","value":")" +
          utf8 + R"(","source":"DATABASE"}]}]}})",
      {});
  REQUIRE(good.has_value());
  REQUIRE(good->size() == 1);
  CHECK(good->front().attributes.at("k") == utf8);
}

TEST_CASE("a 100,000-user answer is parsed with bounded memory") {
  constexpr int kUsers = 100'000;
  constexpr std::size_t kChunk = 64 * 1024;
  ListUsersParser parser;
  std::size_t answer_bytes = 0;
  std::string pending;
  pending.reserve(2 * kChunk);
  char user[512];

  const std::size_t before = embark::test::live_heap_bytes();
  embark::test::reset_peak_heap_bytes();
  auto flush = [&](bool all) {
    if (pending.size() >= kChunk || (all && !pending.empty())) {
      REQUIRE(parser.feed(pending).has_value());
      answer_bytes += pending.size();
      pending.clear();
    }
  };
  pending += R"({"data":{"listUsers":[)";
  for (int i = 0; i < kUsers; ++i) {
    const int n = std::snprintf(
        user, sizeof user,
        R"(%s{"id":"usr_%08d","email":"user%d@tenant%d.example.com","name":"User %d","profilePicture":"",)"
        R"("creationTimestamp":"2026-01-01T00:00:00Z","lastActiveSessionTimestamp":null,"isScimManaged":false,)"
        R"("status":"ACTIVE","userAttributes":[{"key":"account_id","value":"acct_%d","source":"DATABASE"},)"
        R"({"key":"region","value":"eu-west","source":"DATABASE"},{"key":"idp","value":"okta","source":"JWT"}],)"
        R"("roleAssignments":[{"roleId":"00000000-0000-0000-0000-000000000003","scopes":["domain_%d"]}]})",
        i == 0 ? "" : ",", i, i, i % 97, i, i % 1000, i % 10);
    pending.append(user, static_cast<std::size_t>(n));
    flush(false);
  }
  pending += "]}}";
  flush(true);
  auto users = parser.finish("listUsers");
  const std::size_t peak = embark::test::peak_heap_bytes() - before;
  const std::size_t retained = embark::test::live_heap_bytes() - before;

  REQUIRE(users.has_value());
  REQUIRE(users->size() == kUsers);
  CHECK(users->back().id == "usr_00099999");
  CHECK(users->back().attributes.size() == 2);
  std::printf(
      "listUsers 100k: answer %zu bytes, peak heap during parse %zu bytes (%.2f of the answer), "
      "records retained %zu bytes\n",
      answer_bytes, peak, static_cast<double>(peak) / static_cast<double>(answer_bytes), retained);
  // The records are the result; beyond them the parser may use only its chunk buffer and the
  // vector's growth (at most half the final capacity), never anything proportional to the text.
  CHECK(peak < retained + retained / 2 + 4 * kChunk);
}
