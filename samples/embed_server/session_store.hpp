// SessionStore: server-side login sessions (SQLite), keyed by a hash of the cookie value.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "database.hpp"

namespace embark::sample {

/// One login session as the server knows it.
struct AppSession {
  std::int64_t user_id = 0;
  std::string csrf_token;  ///< per-session CSRF token for state-changing requests
  std::chrono::system_clock::time_point created_at;
  std::chrono::system_clock::time_point expires_at;
};

/// Creates, finds and ends sessions. The cookie carries a random 256-bit id; the table stores only
/// its SHA-256, so a leaked database does not hand out live sessions. Not thread-safe.
class SessionStore {
 public:
  /// Source of the current time (injected so tests control expiry).
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  /// Uses `db` (which must outlive the store; the users table must exist) and creates the table.
  SessionStore(Database& db, std::chrono::seconds lifetime,
               Clock clock = &std::chrono::system_clock::now);

  /// A new session for `user_id`: returns the id to put in the cookie.
  std::string create(std::int64_t user_id);
  /// The live session with this cookie id; expired sessions are deleted and not returned.
  std::optional<AppSession> find(std::string_view id);
  /// Ends a session (logout). Returns whether it existed.
  bool remove(std::string_view id);
  /// Deletes every expired session; returns how many.
  int purge_expired();

 private:
  Database& db_;
  std::chrono::seconds lifetime_;
  Clock clock_;
};

}  // namespace embark::sample
