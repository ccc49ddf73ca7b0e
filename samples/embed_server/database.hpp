// Database: a thin RAII wrapper over one SQLite connection and its prepared statements.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace embark::sample {

/// One SQLite connection. Not thread-safe: use it from one thread (the server's executor).
/// Every failure throws std::runtime_error with SQLite's message.
class Database {
 public:
  /// A prepared statement; bind parameters are 1-based, columns 0-based.
  class Statement {
   public:
    Statement(sqlite3* db, std::string_view sql);
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    /// Binds text to parameter `index`.
    Statement& bind(int index, std::string_view value);
    /// Binds an integer to parameter `index`.
    Statement& bind(int index, std::int64_t value);
    /// Runs one step: true when a row is available, false when done.
    bool step();
    /// Text of column `index` of the current row ("" for NULL).
    std::string text(int index) const;
    /// Integer of column `index` of the current row.
    std::int64_t integer(int index) const;

   private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
  };

  /// Opens (creating if needed) the database at `path`; ":memory:" is a private in-memory database.
  explicit Database(const std::string& path);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  /// Runs one or more statements without results.
  void exec(std::string_view sql);
  /// Prepares a statement.
  Statement prepare(std::string_view sql) { return Statement(db_, sql); }
  /// Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace embark::sample
