#include "session_store.hpp"

#include "csrf.hpp"
#include "random_token.hpp"

namespace embark::sample {
namespace {

using Clock = std::chrono::system_clock;

std::int64_t to_unix(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
Clock::time_point from_unix(std::int64_t s) { return Clock::time_point{std::chrono::seconds{s}}; }

}  // namespace

SessionStore::SessionStore(Database& db, std::chrono::seconds lifetime, Clock clock)
    : db_(db), lifetime_(lifetime), clock_(std::move(clock)) {
  db_.exec(R"sql(
    CREATE TABLE IF NOT EXISTS sessions (
      id_hash    TEXT PRIMARY KEY,
      user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      csrf_token TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
  )sql");
}

std::string SessionStore::create(std::int64_t user_id) {
  std::string id = random_hex(32);
  auto now = clock_();
  db_.prepare(
         "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, "
         "?, ?, ?, ?)")
      .bind(1, sha256_hex(id))
      .bind(2, user_id)
      .bind(3, make_csrf_token())
      .bind(4, to_unix(now))
      .bind(5, to_unix(now + lifetime_))
      .step();
  return id;
}

std::optional<AppSession> SessionStore::find(std::string_view id) {
  if (id.size() != 64) return std::nullopt;
  std::string id_hash = sha256_hex(id);
  auto stmt = db_.prepare(
      "SELECT user_id, csrf_token, created_at, expires_at FROM sessions WHERE id_hash = ?");
  stmt.bind(1, id_hash);
  if (!stmt.step()) return std::nullopt;
  AppSession session{stmt.integer(0), stmt.text(1), from_unix(stmt.integer(2)),
                     from_unix(stmt.integer(3))};
  if (clock_() >= session.expires_at) {
    db_.prepare("DELETE FROM sessions WHERE id_hash = ?").bind(1, id_hash).step();
    return std::nullopt;
  }
  return session;
}

bool SessionStore::remove(std::string_view id) {
  db_.prepare("DELETE FROM sessions WHERE id_hash = ?").bind(1, sha256_hex(id)).step();
  return db_.changes() > 0;
}

int SessionStore::purge_expired() {
  db_.prepare("DELETE FROM sessions WHERE expires_at <= ?").bind(1, to_unix(clock_())).step();
  return db_.changes();
}

}  // namespace embark::sample
