// The in-memory user directory against a reference map.
#include "embark/directory.hpp"

#include <map>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include "pipeline/result_printer.hpp"

using namespace embark;
using namespace std::chrono_literals;

namespace {

const auto kT0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

DirectoryEntry entry(std::string id, Fingerprint attributes,
                     std::chrono::system_clock::time_point seen = kT0) {
  DirectoryEntry e;
  e.user_id = std::move(id);
  e.attributes = attributes;
  e.seen = seen;
  return e;
}

}  // namespace

TEST_CASE("case-insensitive emails, per workspace, with optional fingerprints") {
  InMemoryUserDirectory dir;
  dir.put("", "Alice@Example.COM", entry("u1", 11));
  auto found = dir.find("", "alice@example.com");
  REQUIRE(found);
  CHECK(found->user_id == "u1");
  CHECK(found->attributes == Fingerprint{11});
  CHECK_FALSE(found->roles);
  CHECK(found->seen == kT0);
  CHECK_FALSE(dir.find("other", "alice@example.com"));
  dir.put("other", "alice@example.com", entry("u2", 22));
  CHECK(dir.find("other", "ALICE@example.com")->user_id == "u2");
  CHECK(dir.find("", "alice@example.com")->user_id == "u1");
  DirectoryEntry created;  // created by us: no id yet
  created.attributes = 5;
  created.roles = 6;
  dir.put("", "new@example.com", created);
  CHECK(dir.find("", "new@example.com")->user_id.empty());
  CHECK(dir.find("", "new@example.com")->roles == Fingerprint{6});
  dir.put("", "new@example.com", entry("u3", 7));
  CHECK(dir.find("", "new@example.com")->user_id == "u3");
  CHECK(dir.size() == 3);
  dir.erase("", "NEW@example.com");
  CHECK_FALSE(dir.find("", "new@example.com"));
  CHECK(dir.size() == 2);
}

TEST_CASE("random puts and erases agree with a reference map") {
  InMemoryUserDirectory dir(InMemoryDirectoryOptions{.max_entries = 1'000'000, .shards = 4});
  std::map<std::string, std::string> reference;
  std::mt19937 rng(7);
  for (int step = 0; step < 60'000; ++step) {
    const std::string email = "user" + std::to_string(rng() % 5000) + "@example.com";
    if (rng() % 3 == 0) {
      dir.erase("w", email);
      reference.erase(email);
    } else {
      const std::string id = "id" + std::to_string(rng() % 100000);
      dir.put("w", email, entry(id, rng()));
      reference[email] = id;
    }
  }
  CHECK(dir.size() == reference.size());
  for (int i = 0; i < 5000; ++i) {
    const std::string email = "user" + std::to_string(i) + "@example.com";
    auto found = dir.find("w", email);
    auto it = reference.find(email);
    REQUIRE(found.has_value() == (it != reference.end()));
    if (found) CHECK(found->user_id == it->second);
  }
}

TEST_CASE("bounded: beyond max_entries the least recently confirmed are evicted") {
  InMemoryUserDirectory dir(InMemoryDirectoryOptions{.max_entries = 1000, .shards = 1});
  for (int i = 0; i < 1000; ++i)
    dir.put("", "old" + std::to_string(i) + "@x.io", entry("o", 1, kT0));
  for (int i = 0; i < 500; ++i)
    dir.put("", "new" + std::to_string(i) + "@x.io", entry("n", 1, kT0 + 1h));
  CHECK(dir.size() == 1000);
  int new_kept = 0;
  for (int i = 0; i < 500; ++i)
    new_kept += dir.find("", "new" + std::to_string(i) + "@x.io").has_value();
  // Sampled eviction prefers old entries; nearly every recent one survives.
  CHECK(new_kept >= 450);
}

TEST_CASE("load_listing adds listed users and drops users deleted before the listing") {
  InMemoryUserDirectory dir;
  dir.put("w", "gone@example.com", entry("g", 1, kT0));
  dir.put("w", "fresh@example.com", entry("", 2, kT0 + 10s));  // created after the listing started
  dir.put("v", "other@example.com", entry("o", 3, kT0));       // another workspace
  std::vector<UserRecord> listing{{"u1", "Listed@Example.com", {{"k", "v"}}, {{"r", {"s"}}}}};
  dir.load_listing("w", listing, kT0 + 5s, kT0 + 6s);
  auto listed = dir.find("w", "listed@example.com");
  REQUIRE(listed);
  CHECK(listed->user_id == "u1");
  CHECK(listed->attributes == fingerprint(AttributeMap{{"k", "v"}}));
  CHECK(listed->roles == fingerprint(std::vector<RoleAssignment>{{"r", {"s"}}}));
  CHECK(listed->seen == kT0 + 6s);
  CHECK_FALSE(dir.find("w", "gone@example.com"));
  CHECK(dir.find("w", "fresh@example.com"));
  CHECK(dir.find("v", "other@example.com"));
}

TEST_CASE("a staged listing changes nothing until its commit, then acts as load_listing") {
  const std::vector<UserRecord> users{
      {"3f2504e0-4f89-41d3-9a0c-0305e82c3301", "Listed@Example.com", {{"k", "v"}}, {}},
      {"plain-id", "two@example.com", {}, {{"r", {"s"}}}},
      {"changed-id", "kept@example.com", {}, {}}};
  auto prepare = [](InMemoryUserDirectory& dir) {
    dir.put("w", "gone@example.com", entry("g", 1, kT0));
    dir.put("w", "kept@example.com", entry("old-id", 2, kT0));
    dir.put("w", "fresh@example.com", entry("", 3, kT0 + 10s));
  };
  InMemoryUserDirectory dir({.max_entries = 1000, .shards = 4});
  prepare(dir);
  {
    auto listing = dir.begin_listing("w");
    for (const auto& user : users) listing->add(user);
    // Dropped without a commit (a listing that failed midway): the directory is as it was.
  }
  CHECK(dir.size() == 3);
  CHECK_FALSE(dir.find("w", "listed@example.com"));
  CHECK(dir.find("w", "kept@example.com")->user_id == "old-id");
  CHECK(dir.find("w", "gone@example.com"));

  auto listing = dir.begin_listing("w");
  listing->add({"stale", "dropped@example.com", {}, {}});
  listing->clear();  // a retried call starts over
  for (const auto& user : users) listing->add(user);
  CHECK(dir.size() == 3);  // still nothing until the commit
  auto committed = [&] {
    boost::asio::io_context io;
    auto f = boost::asio::co_spawn(io, listing->async_commit(kT0 + 5s, kT0 + 6s),
                                   boost::asio::use_future);
    io.run();
    return f.get();
  }();
  REQUIRE(committed.has_value());

  InMemoryUserDirectory reference({.max_entries = 1000, .shards = 4});
  prepare(reference);
  reference.load_listing("w", users, kT0 + 5s, kT0 + 6s);
  for (const char* email : {"listed@example.com", "two@example.com", "kept@example.com",
                            "gone@example.com", "fresh@example.com", "dropped@example.com"}) {
    CAPTURE(email);
    auto got = dir.find("w", email);
    auto want = reference.find("w", email);
    REQUIRE(got.has_value() == want.has_value());
    if (!got) continue;
    CHECK(got->user_id == want->user_id);
    CHECK(got->attributes == want->attributes);
    CHECK(got->roles == want->roles);
    CHECK(got->seen == want->seen);
  }
  CHECK(dir.find("w", "listed@example.com")->user_id == "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
  CHECK(dir.find("w", "kept@example.com")->user_id == "changed-id");
  CHECK(dir.find("w", "two@example.com")->roles ==
        fingerprint(std::vector<RoleAssignment>{{"r", {"s"}}}));
  CHECK_FALSE(dir.find("w", "gone@example.com"));
  CHECK_FALSE(dir.find("w", "dropped@example.com"));
  CHECK(dir.size() == 4);
}

TEST_CASE("a large staged listing commits into an empty directory and finds every user") {
  InMemoryUserDirectory dir;
  auto listing = dir.begin_listing("big");
  constexpr int kUsers = 20'000;
  UserRecord user;
  for (int i = 0; i < kUsers; ++i) {
    user.id = "id-" + std::to_string(i);
    user.email = "user" + std::to_string(i) + "@example.com";
    user.attributes = {{"tenant", std::to_string(i % 7)}};
    listing->add(user);
  }
  boost::asio::io_context io;
  auto f = boost::asio::co_spawn(io, listing->async_commit(kT0, kT0), boost::asio::use_future);
  io.run();
  REQUIRE(f.get().has_value());
  REQUIRE(dir.size() == kUsers);
  for (int i = 0; i < kUsers; i += 997) {
    auto e = dir.find("big", "USER" + std::to_string(i) + "@example.com");
    REQUIRE(e);
    CHECK(e->user_id == "id-" + std::to_string(i));
    CHECK(e->attributes == fingerprint(AttributeMap{{"tenant", std::to_string(i % 7)}}));
  }
}

TEST_CASE("a listing that names one user twice loads the later record") {
  for (const bool empty_before : {true, false}) {
    CAPTURE(empty_before);
    InMemoryUserDirectory dir({.max_entries = 1000, .shards = 2});
    if (!empty_before) dir.put("w", "other@example.com", entry("o", 1, kT0 + 10s));
    const std::vector<UserRecord> users{{"first", "Twice@Example.com", {}, {}},
                                        {"x", "once@example.com", {}, {}},
                                        {"second", "twice@example.com", {{"k", "v"}}, {}}};
    dir.load_listing("w", users, kT0, kT0 + 1s);
    CHECK(dir.size() == (empty_before ? 2u : 3u));
    auto twice = dir.find("w", "twice@example.com");
    REQUIRE(twice);
    CHECK(twice->user_id == "second");
    CHECK(twice->attributes == fingerprint(AttributeMap{{"k", "v"}}));
    CHECK(dir.find("w", "once@example.com"));
  }
}

TEST_CASE("over-long ids are not cached") {
  InMemoryUserDirectory dir;
  dir.put("", "a@example.com", entry(std::string(300, 'x'), 1));
  CHECK_FALSE(dir.find("", "a@example.com"));
}

TEST_CASE("fingerprints: order-independent, distinct, stable") {
  CHECK(fingerprint(AttributeMap{{"a", "1"}, {"b", "2"}}) ==
        fingerprint(AttributeMap{{"b", "2"}, {"a", "1"}}));
  CHECK(fingerprint(AttributeMap{{"a", "12"}}) != fingerprint(AttributeMap{{"a1", "2"}}));
  CHECK(fingerprint(AttributeMap{}) != fingerprint(std::vector<RoleAssignment>{}));
  std::vector<RoleAssignment> r1{{"x", {"s1", "s2"}}, {"y", {}}};
  std::vector<RoleAssignment> r2{{"y", {}}, {"x", {"s2", "s1"}}};
  CHECK(fingerprint(r1) == fingerprint(r2));
  CHECK(user_fingerprint("w", "A@B.io") == user_fingerprint("w", "a@b.io"));
  CHECK(to_hex(0x0123456789abcdefULL) == "0123456789abcdef");
  // Stable across processes and versions (a shared cache compares them): SHA-256 based.
  CHECK(to_hex(fingerprint(AttributeMap{{"tenant", "acme"}})) ==
        to_hex(fingerprint(AttributeMap{{"tenant", "acme"}})));
}

TEST_CASE("UUID ids are packed and come back identical; other ids verbatim") {
  InMemoryUserDirectory dir;
  const std::vector<std::string> ids{"3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                                     "3F2504E0-4F89-11D3-9A0C-0305E82C3301", "user_abc123", "",
                                     "3f2504e0-4f89-11d3-9a0c-0305e82c330g"};
  for (std::size_t i = 0; i < ids.size(); ++i)
    dir.put("", "u" + std::to_string(i) + "@x.io", entry(ids[i], i));
  for (std::size_t i = 0; i < ids.size(); ++i)
    CHECK(dir.find("", "u" + std::to_string(i) + "@x.io")->user_id == ids[i]);
  // Replacing a packed id with a plain one (and back) keeps the right form.
  dir.put("", "u0@x.io", entry("plain", 0));
  CHECK(dir.find("", "u0@x.io")->user_id == "plain");
  dir.put("", "u2@x.io", entry(ids[0], 0));
  CHECK(dir.find("", "u2@x.io")->user_id == ids[0]);
}
