// The Redis client and backends against a real redis-server on a Unix socket (issue 16).
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <doctest/doctest.h>

#include "embark/fingerprint.hpp"
#include "embark/observers/metrics.hpp"
#include "embark/redis.hpp"

#include "../unit/pipeline/result_printer.hpp"
#include "redis/backends.hpp"
#include "redis/client.hpp"
#include "redis/crypto.hpp"
#include "redis_server.hpp"

using namespace embark;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using redis::Command;
using redis::Reply;

namespace {

RedisUrl url_of(const testing::RedisServer& server) {
  return parse_redis_url(server.url()).value();
}

const Secret kKey = parse_token_key(std::string(64, 'a')).value();

RedisOptions options_for(const testing::RedisServer& server) {
  RedisOptions o;
  o.url = url_of(server);
  o.token_key = kKey;
  o.timeout = 500ms;  // generous: the test machine is shared; timeouts are tested explicitly
  o.reconnect_backoff = 1ms;
  o.max_reconnect_backoff = 5ms;
  return o;
}

template <class T>
T run(asio::awaitable<T> op) {
  asio::thread_pool pool(1);
  auto f = asio::co_spawn(pool, std::move(op), asio::use_future);
  T out = f.get();
  pool.join();
  return out;
}

// Repeats `op` until it succeeds or `attempts` run out; for the round trips right after a
// restart, whose first call may still meet the back-off.
template <class Op>
auto eventually(Op op, int attempts = 200) {
  auto r = op();
  for (int i = 1; i < attempts && !r; ++i) {
    std::this_thread::yield();
    r = op();
  }
  return r;
}

}  // namespace

TEST_CASE("parse_redis_url: tcp, unix, auth, db; errors name the field") {
  auto tcp = parse_redis_url("redis://app:s3cret@cache.internal:6380/2");
  REQUIRE(tcp.has_value());
  CHECK(tcp->transport == RedisUrl::Transport::tcp);
  CHECK(tcp->host == "cache.internal");
  CHECK(tcp->port == 6380);
  CHECK(tcp->user == "app");
  CHECK(tcp->password.reveal() == "s3cret");
  CHECK(tcp->db == 2);
  CHECK(to_string(*tcp) == "redis://app:***@cache.internal:6380/2");

  auto plain = parse_redis_url("redis://localhost");
  REQUIRE(plain.has_value());
  CHECK(plain->port == 6379);
  CHECK(plain->db == 0);

  auto unix_url = parse_redis_url("unix:///run/redis/redis.sock?db=3");
  REQUIRE(unix_url.has_value());
  CHECK(unix_url->transport == RedisUrl::Transport::unix_socket);
  CHECK(unix_url->path == "/run/redis/redis.sock");
  CHECK(unix_url->db == 3);

  for (const char* bad : {"http://x", "redis://", "redis://h:0", "redis://h/x", "unix://",
                          "unix:///s?db=-1", "unix:///s?timeout=3", "rediss://h"}) {
    auto r = parse_redis_url(bad, "--redis");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ErrorCode::invalid_input);
    CHECK(r.error().field() == "--redis");
  }
  auto leaky = parse_redis_url("redis://:hunter2@h:99999");
  REQUIRE_FALSE(leaky.has_value());
  CHECK(leaky.error().to_string().find("hunter2") == std::string::npos);
}

TEST_CASE("token values: AES-256-GCM bound to their key; tampering or another key fails") {
  const auto sealed = redis::seal(kKey, "k1", "header.payload.signature");
  CHECK(sealed.find("payload") == std::string::npos);
  auto opened = redis::open(kKey, "k1", sealed);
  REQUIRE(opened.has_value());
  CHECK(opened->reveal() == "header.payload.signature");
  CHECK_FALSE(redis::open(kKey, "k2", sealed).has_value());
  const auto other = parse_token_key(std::string(63, 'b') + "c").value();
  CHECK_FALSE(redis::open(other, "k1", sealed).has_value());
  auto tampered = sealed;
  tampered[20] ^= 1;
  CHECK_FALSE(redis::open(kKey, "k1", tampered).has_value());
  CHECK(redis::seal(kKey, "k1", "x") != redis::seal(kKey, "k1", "x"));  // fresh nonce each time
  CHECK_FALSE(parse_token_key("abc").has_value());
  CHECK(parse_token_key(std::string(64, 'g')).error().field() == "token_key");
}

TEST_CASE("client: pipelined batches, AUTH and SELECT, error replies are replies") {
  testing::RedisServer server({"--requirepass", "pw"});
  auto url = url_of(server);
  url.password = Secret("pw");
  url.db = 3;
  redis::Client client(url, {.timeout = 500ms});
  auto r = client.exec({{"SET", "a", "1"}, {"INCR", "a"}, {"GET", "a"}, {"HGET", "a", "f"}});
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  REQUIRE(r->size() == 4);
  CHECK((*r)[0].str == "OK");
  CHECK((*r)[1].integer == 2);
  CHECK((*r)[2].str == "2");
  CHECK((*r)[3].is_error());  // WRONGTYPE
  // SELECT took effect: db 0 does not have the key.
  auto db0 = client.exec({{"SELECT", "0"}, {"EXISTS", "a"}, {"SELECT", "3"}});
  REQUIRE(db0.has_value());
  CHECK((*db0)[1].integer == 0);

  // Many concurrent batches over the one connection all get their own replies.
  std::vector<std::future<Result<std::vector<Reply>>>> futures;
  for (int i = 0; i < 200; ++i) {
    futures.push_back(client.async_exec(
        {{"SET", "k" + std::to_string(i), std::to_string(i)}, {"GET", "k" + std::to_string(i)}},
        0ms, asio::use_future));
  }
  for (int i = 0; i < 200; ++i) {
    auto got = futures[i].get();
    REQUIRE(got.has_value());
    CHECK((*got)[1].str == std::to_string(i));
  }
  CHECK(client.connects() == 1);

  url.password = Secret("wrong");
  redis::Client refused(url, {.timeout = 500ms});
  auto denied = refused.exec({{"PING"}});
  REQUIRE_FALSE(denied.has_value());
  CHECK(denied.error().code() == ErrorCode::unauthenticated);
  CHECK(denied.error().to_string().find("wrong") == std::string::npos);
}

TEST_CASE("client: down, slow and garbage servers fail fast; a restarted server is used again") {
  testing::RedisServer server;
  redis::Client client(url_of(server),
                       {.timeout = 50ms, .reconnect_backoff = 1ms, .max_reconnect_backoff = 5ms});
  REQUIRE(client.exec({{"PING"}}));

  server.pause();
  const auto start = std::chrono::steady_clock::now();
  auto slow = client.exec({{"PING"}});
  REQUIRE_FALSE(slow.has_value());
  CHECK(slow.error().code() == ErrorCode::timeout);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  server.resume();
  CHECK(eventually([&] { return client.exec({{"PING"}}); }).has_value());

  server.kill();
  auto down = client.exec({{"PING"}});
  REQUIRE_FALSE(down.has_value());
  CHECK((down.error().code() == ErrorCode::connect || down.error().code() == ErrorCode::timeout));
  server.restart();
  auto back = eventually([&] { return client.exec({{"SET", "x", "1"}, {"GET", "x"}}); });
  REQUIRE(back.has_value());
  CHECK((*back)[1].str == "1");

  // A server that speaks something else than RESP.
  asio::io_context ioc;
  const auto path = server.socket_path() + ".garbage";
  ::unlink(path.c_str());
  asio::local::stream_protocol::acceptor acceptor(ioc,
                                                  asio::local::stream_protocol::endpoint(path));
  std::thread garbage([&] {
    asio::local::stream_protocol::socket s(ioc);
    acceptor.accept(s);
    asio::write(s, asio::buffer(std::string("HTTP/1.1 400 Bad Request\r\n\r\n")));
    char buf[64];
    boost::system::error_code ec;
    s.read_some(asio::buffer(buf), ec);  // until the client hangs up
  });
  redis::Client confused(parse_redis_url("unix://" + path).value(), {.timeout = 2000ms});
  auto bad = confused.exec({{"PING"}});
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code() == ErrorCode::protocol);
  garbage.join();
  ::unlink(path.c_str());
}

TEST_CASE("client: an io_context destroyed with a call in flight gets nothing posted into it") {
  testing::RedisServer server;
  redis::Client client(url_of(server), {.timeout = 5000ms});
  REQUIRE(client.exec({{"PING"}}).has_value());
  server.pause();  // the reply comes only after the caller's context is gone
  bool resumed = false;
  {
    asio::io_context ioc;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
          std::vector<Command> ping{{"PING"}};
          (void)co_await client.co_batch(std::move(ping));
          resumed = true;
        },
        asio::detached);
    ioc.poll();  // the call is sent; its coroutine waits
  }              // destroyed with the call in flight (an app shutting down)
  server.resume();
  // The reply reaches a client whose caller is gone: dropped, and the client goes on.
  auto pong = eventually([&] { return client.exec({{"PING"}}); });
  REQUIRE(pong.has_value());
  CHECK((*pong)[0].str == "PONG");
  CHECK_FALSE(resumed);
}

TEST_CASE("lock: SET NX PX with fencing; only the holder releases; a dead holder's lock expires") {
  testing::RedisServer server;
  auto state = make_redis_shared_state(options_for(server)).value();
  auto& locks = *state.lock_service;
  auto a = run(locks.async_try_acquire("ws", "onboard:u1", 200ms));
  REQUIRE(a.has_value());
  REQUIRE(a->has_value());
  auto b = run(locks.async_try_acquire("ws", "onboard:u1", 200ms));
  REQUIRE(b.has_value());
  CHECK_FALSE(b->has_value());
  CHECK(run(locks.async_is_held("ws", "onboard:u1")).value());

  // A forged lease (another owner) does not release it.
  LockLease forged = **a;
  forged.owner = "someone-else";
  CHECK_FALSE(run(locks.async_release(forged)).value());
  CHECK(run(locks.async_is_held("ws", "onboard:u1")).value());
  CHECK(run(locks.async_release(**a)).value());
  CHECK_FALSE(run(locks.async_is_held("ws", "onboard:u1")).value());

  // The holder "dies" (never releases): after the TTL another instance gets it, with a larger
  // fencing token, and the late release of the first holder does not free the new holder's lock.
  auto first = run(locks.async_try_acquire("ws", "onboard:u2", 50ms)).value();
  REQUIRE(first);
  std::optional<LockLease> second;
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!second && std::chrono::steady_clock::now() < give_up) {
    second = run(locks.async_try_acquire("ws", "onboard:u2", 5000ms)).value();
  }
  REQUIRE(second);
  CHECK(second->fence > first->fence);
  CHECK_FALSE(run(locks.async_release(*first)).value());
  CHECK(run(locks.async_is_held("ws", "onboard:u2")).value());
}

TEST_CASE("rate limiter: one bucket shared by instances") {
  testing::RedisServer server;
  auto options = options_for(server);
  options.vendor_rate = 0.5;
  options.vendor_burst = 3;
  auto one = make_redis_shared_state(options).value();
  auto two = make_redis_shared_state(options).value();
  REQUIRE(one.rate_limiter);
  CHECK(run(one.rate_limiter->async_acquire("ws")) == 0ms);
  CHECK(run(two.rate_limiter->async_acquire("ws")) == 0ms);
  CHECK(run(one.rate_limiter->async_acquire("ws")) == 0ms);
  const auto wait = run(two.rate_limiter->async_acquire("ws"));
  CHECK(wait > 0ms);
  CHECK(wait <= 2000ms);
  CHECK(run(one.rate_limiter->async_acquire("other")) == 0ms);  // per workspace
}

TEST_CASE("directory: shared between instances, ids and fingerprints only, listing prunes") {
  testing::RedisServer server;
  auto a = make_redis_shared_state(options_for(server)).value();
  auto b = make_redis_shared_state(options_for(server)).value();
  DirectoryEntry e;
  e.user_id = "u-123";
  e.attributes = fingerprint(AttributeMap{{"tenant", "acme-secret-value"}});
  e.roles = 77;
  e.seen = std::chrono::system_clock::now();
  a.directory->put("ws", "Alice@Example.com", e);
  auto seen = b.directory->find("ws", "alice@example.com");
  REQUIRE(seen);
  CHECK(seen->user_id == "u-123");
  CHECK(seen->attributes == e.attributes);
  CHECK(seen->roles == e.roles);
  CHECK(std::chrono::abs(seen->seen - e.seen) < 1ms);

  // What Redis holds: no email, no attribute value.
  redis::Client raw(url_of(server), {.timeout = 500ms});
  auto dump = raw.exec({{"HGETALL", "embark:v1:{ws}:dir"}}).value();
  REQUIRE(dump[0].elements.size() == 2);
  for (const auto& part : dump[0].elements) {
    CHECK(part.str.find("alice") == std::string::npos);
    CHECK(part.str.find("acme") == std::string::npos);
  }

  // A listing: listed users put, an old entry absent from it pruned, a newer one kept.
  DirectoryEntry old = e;
  old.seen = e.seen - 1h;
  a.directory->put("ws", "gone@example.com", old);
  const auto started = std::chrono::system_clock::now();
  DirectoryEntry fresh = e;
  fresh.seen = started + 1ms;
  a.directory->put("ws", "new@example.com", fresh);
  std::vector<UserRecord> listing(1);
  listing[0].email = "alice@example.com";
  listing[0].id = "u-123";
  b.directory->load_listing("ws", listing, started - 1s, started);
  CHECK_FALSE(a.directory->find("ws", "gone@example.com"));
  CHECK(a.directory->find("ws", "new@example.com"));
  CHECK(a.directory->find("ws", "alice@example.com"));

  // forget() reaches the other instance's shared view and its local copy.
  b.forget("ws", "alice@example.com");
  CHECK_FALSE(a.directory->find("ws", "alice@example.com"));
  CHECK(a.stats().invalidations >= 1);
}

TEST_CASE("directory: a listing is written pipelined without blocking the caller's thread") {
  testing::RedisServer server;
  auto a = make_redis_shared_state(options_for(server)).value();
  auto b = make_redis_shared_state(options_for(server)).value();
  DirectoryEntry old;
  old.user_id = "u-old";
  old.seen = std::chrono::system_clock::now() - 1h;
  a.directory->put("big", "stale@example.com", old);
  std::vector<UserRecord> listing(12'000);
  for (std::size_t i = 0; i < listing.size(); ++i) {
    listing[i].email = "user" + std::to_string(i) + "@example.com";
    listing[i].id = "id-" + std::to_string(i);
  }
  // One thread, as a pipeline executor: finds of another workspace go on while the listing's
  // round trips are in flight (a blocking listing would hold the thread until it is done).
  asio::io_context ioc;
  bool listed = false;
  int finds_meanwhile = 0;
  const auto now = std::chrono::system_clock::now();
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        auto r = co_await a.directory->async_load_listing("big", listing, now - 1s, now);
        CHECK(r.has_value());
        listed = true;
      },
      asio::detached);
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        while (!listed) {
          (void)co_await a.directory->async_find("other", "nobody@example.com");
          if (!listed) ++finds_meanwhile;
        }
      },
      asio::detached);
  ioc.run();
  CHECK(finds_meanwhile > 0);
  MESSAGE("finds answered while 12,000 users were written: ", finds_meanwhile);
  CHECK(b.directory->find("big", "user11999@example.com")->user_id == "id-11999");
  CHECK(b.directory->find("big", "user0@example.com")->user_id == "id-0");
  CHECK_FALSE(b.directory->find("big", "stale@example.com"));  // pruned
  redis::Client raw(url_of(server), {.timeout = 500ms});
  CHECK(raw.exec({{"HLEN", "embark:v1:{big}:dir"}}).value()[0].integer == 12'000);
}

TEST_CASE("token cache: encrypted at rest, expires with the token, shared between instances") {
  testing::RedisServer server;
  auto a = make_redis_shared_state(options_for(server)).value();
  auto b = make_redis_shared_state(options_for(server)).value();
  TokenKey key{"ws", "bob@example.com", 1, 2};
  SessionToken token{Secret("eyJhbGciOi.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl"),
                     std::chrono::system_clock::now() + 3600s};
  a.token_cache->put(key, token);
  auto got = b.token_cache->find(key, std::chrono::system_clock::now(), 300s);
  REQUIRE(got.has_value());
  CHECK(got->jwt == token.jwt);
  CHECK(std::chrono::abs(got->expires_at - token.expires_at) < 1ms);
  // Not handed out inside the reuse margin; another key (other attributes) does not match.
  CHECK_FALSE(b.token_cache->find(key, std::chrono::system_clock::now() + 3500s, 300s).has_value());
  CHECK_FALSE(b.token_cache->find(TokenKey{"ws", "bob@example.com", 1, 3},
                                  std::chrono::system_clock::now(), 300s));

  redis::Client raw(url_of(server), {.timeout = 500ms});
  auto keys = raw.exec({{"KEYS", "embark:v1:*tok*"}}).value();
  REQUIRE(keys[0].elements.size() == 1);
  const auto k = keys[0].elements[0].str;
  auto stored = raw.exec({{"HGETALL", k}, {"PTTL", k}}).value();
  for (const auto& part : stored[0].elements) {
    CHECK(part.str.find("eyJ") == std::string::npos);
    CHECK(part.str.find("bob") == std::string::npos);
  }
  CHECK(stored[1].integer > 3590'000);
  CHECK(stored[1].integer <= 3600'000);

  b.forget("ws", "bob@example.com");
  CHECK_FALSE(a.token_cache->find(key, std::chrono::system_clock::now(), 300s).has_value());
}

TEST_CASE("degradation: Redis down or stopped -> local answers, counted; shared state returns") {
  testing::RedisServer server;
  auto options = options_for(server);
  // Long enough that only the stopped server times out on a loaded machine.
  options.timeout = 150ms;
  auto metrics = std::make_shared<MetricsObserver>();
  options.observers.push_back(metrics);
  auto a = make_redis_shared_state(options).value();
  DirectoryEntry e;
  e.user_id = "u-1";
  e.attributes = 5;
  e.seen = std::chrono::system_clock::now() - 5s;  // confirmed well before the outage
  a.directory->put("ws", "carol@example.com", e);
  REQUIRE(a.stats().connected);

  server.kill();
  auto local = a.directory->find("ws", "carol@example.com");
  REQUIRE(local);  // from this instance's copy
  CHECK(local->user_id == "u-1");
  CHECK_FALSE(local->attributes);  // confirmed before the outage: sent again, not trusted
  CHECK(a.stats().errors >= 1);
  CHECK(a.stats().fallbacks >= 1);
  // Exported where embark's other metrics are (result: connect, or timeout on a slow machine).
  CHECK(metrics->render_prometheus().find(
            "embark_shared_state_errors_total{backend=\"redis\",operation=\"directory find\","
            "result=") != std::string::npos);

  // Written during the outage: trusted locally, and the shared entry is repaired when Redis is
  // back (here Redis comes back empty, so the entry is simply absent until re-put).
  DirectoryEntry during = e;
  during.attributes = 6;
  during.seen = std::chrono::system_clock::now();
  a.directory->put("ws", "carol@example.com", during);
  auto still = a.directory->find("ws", "carol@example.com");
  REQUIRE(still);
  CHECK(still->attributes == 6u);

  server.restart();
  std::optional<DirectoryEntry> after;
  for (int i = 0; i < 500 && !a.stats().connected; ++i) {
    after = a.directory->find("ws", "carol@example.com");
  }
  CHECK(a.stats().connected);
  // Another instance finds nothing in the fresh Redis (nothing stale); this one still answers
  // its own write of the outage from its local copy until it is shared again.
  auto b = make_redis_shared_state(options_for(server)).value();
  CHECK_FALSE(b.directory->find("ws", "carol@example.com"));
  CHECK(a.directory->find("ws", "carol@example.com")->attributes == 6u);
  a.directory->put("ws", "carol@example.com", during);
  CHECK(b.directory->find("ws", "carol@example.com")->attributes == 6u);

  // A stopped (slow) Redis: a write that timed out is repaired on the next connection, so the
  // shared entry is never older than what the vendor confirmed.
  server.pause();
  DirectoryEntry later = during;
  later.attributes = 7;
  a.directory->put("ws", "carol@example.com", later);
  server.resume();
  std::optional<DirectoryEntry> seen;
  for (int i = 0; i < 500; ++i) {
    seen = a.directory->find("ws", "carol@example.com");
    if (a.stats().connected) break;
  }
  CHECK(a.stats().connected);
  CHECK(a.stats().repairs >= 1);
  // The timed-out write either ran before the repair (then deleted) or after it (then refused by
  // its old generation): never in the shared directory, whatever Redis did with it; this
  // instance answers it from its local copy.
  CHECK_FALSE(b.directory->find("ws", "carol@example.com"));
  REQUIRE(seen);
  // Its fingerprints are kept, or forgotten when confirmed before the outage began (whole
  // seconds): never the older 6.
  CHECK(seen->user_id == e.user_id);
  CHECK((!seen->attributes || *seen->attributes == 7u));
}

TEST_CASE("late writes: a dropped connection's write that Redis runs after the repair is refused") {
  testing::RedisServer server;
  auto options = options_for(server);
  // Long enough that only the stopped server times out on a loaded machine.
  options.timeout = 150ms;
  auto a = make_redis_shared_state(options).value();
  auto& directory = dynamic_cast<redis::RedisUserDirectory&>(*a.directory);
  DirectoryEntry e;
  e.user_id = "u-ivy";
  e.attributes = 1;
  e.seen = std::chrono::system_clock::now();
  a.directory->put("ws", "ivy@example.com", e);
  // What the timed-out write below sends (same generation): replayed later as Redis would run it.
  DirectoryEntry newer = e;
  newer.attributes = 2;
  auto late = directory.put_command("ws", "ivy@example.com", newer);
  for (auto& arg : late) {
    if (arg == redis::kWriteGeneration) arg = "1";  // a's first connection, the one it goes on
  }
  server.pause();
  a.directory->put("ws", "ivy@example.com", newer);  // times out: the connection is dropped
  server.resume();
  for (int i = 0; i < 500 && !a.stats().connected; ++i) (void)a.directory->find("ws", "x@y.z");
  REQUIRE(a.stats().connected);
  auto b = make_redis_shared_state(options_for(server)).value();
  CHECK_FALSE(b.directory->find("ws", "ivy@example.com"));  // repaired: deleted
  // a's own copy: the id, and the attributes written or (confirmed before the outage's second
  // began) none, never the older 1.
  auto own = a.directory->find("ws", "ivy@example.com");
  REQUIRE(own);
  CHECK(own->user_id == "u-ivy");
  CHECK((!own->attributes || *own->attributes == 2u));

  // Redis runs the dropped connection's write now: refused, the entry stays deleted.
  redis::Client raw(url_of(server), {.timeout = 500ms});
  auto replayed = raw.exec({late}).value();
  CHECK(replayed[0].integer == -1);
  CHECK_FALSE(b.directory->find("ws", "ivy@example.com"));
  // Today's writes of the same instance are accepted.
  a.directory->put("ws", "ivy@example.com", newer);
  CHECK(b.directory->find("ws", "ivy@example.com")->attributes == 2u);
  CHECK(a.stats().late_writes_refused == 0);  // the replay was not this instance's own call
  auto gens = raw.exec({{"KEYS", "embark:v1:{ws}:gen:*"}}).value();
  CHECK(gens[0].elements.size() == 1);  // one generation key: this instance, this workspace
}

TEST_CASE("fencing: a holder whose lock expired cannot overwrite the directory; later grants can") {
  testing::RedisServer server;
  auto a = make_redis_shared_state(options_for(server)).value();
  auto b = make_redis_shared_state(options_for(server)).value();
  auto c = make_redis_shared_state(options_for(server)).value();
  const std::string email = "hank@example.com";
  const std::string name = "onboard:" + to_hex(user_fingerprint("ws", email));
  auto entry = [](Fingerprint attributes) {
    DirectoryEntry e;
    e.user_id = "u-hank";
    e.attributes = attributes;
    e.seen = std::chrono::system_clock::now();
    return e;
  };
  auto attributes_seen = [&]() -> std::optional<Fingerprint> {
    auto found = c.directory->find("ws", email);
    if (!found) return std::nullopt;
    return found->attributes.value_or(0);
  };

  auto lease_a = run(a.lock_service->async_try_acquire("ws", name, 100ms)).value();
  REQUIRE(lease_a);
  a.directory->put("ws", email, entry(1));
  CHECK(attributes_seen() == 1u);
  CHECK(a.stats().fenced_writes == 1);

  // A stalls past its TTL; B is granted the lock and writes what the vendor confirmed to it.
  std::optional<LockLease> lease_b;
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!lease_b && std::chrono::steady_clock::now() < give_up)
    lease_b = run(b.lock_service->async_try_acquire("ws", name, 5000ms)).value();
  REQUIRE(lease_b);
  CHECK(lease_b->fence > lease_a->fence);
  b.directory->put("ws", email, entry(2));
  CHECK(attributes_seen() == 2u);

  // A wakes up and writes: refused, the entry is deleted (A's vendor write may have landed after
  // B's), so the next login asks the vendor instead of trusting either.
  a.directory->put("ws", email, entry(3));
  CHECK_FALSE(attributes_seen());
  CHECK(a.stats().stale_writes_refused == 1);
  // B was granted before A's refusal: its next write may predate A's vendor write, refused too.
  b.directory->put("ws", email, entry(2));
  CHECK_FALSE(attributes_seen());
  CHECK(b.stats().stale_writes_refused == 1);
  REQUIRE(run(b.lock_service->async_release(*lease_b)).value());

  // A later grant writes normally; so does a writer without a lease (no onboarding in progress).
  auto lease_c = run(c.lock_service->async_try_acquire("ws", name, 5000ms)).value();
  REQUIRE(lease_c);
  c.directory->put("ws", email, entry(4));
  CHECK(attributes_seen() == 4u);
  CHECK(c.stats().stale_writes_refused == 0);
  REQUIRE(run(c.lock_service->async_release(*lease_c)).value());
  b.directory->put("ws", email, entry(5));
  CHECK(attributes_seen() == 5u);
  CHECK(b.stats().fenced_writes == 2);  // the two under its lease, not this one
}
