#include "database.hpp"

#include <stdexcept>

#include <sqlite3.h>

namespace embark::sample {
namespace {

[[noreturn]] void raise(sqlite3* db, std::string_view what) {
  throw std::runtime_error(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

Database::Database(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string message = "open database '" + path + "'";
    std::string detail = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error(message + ": " + detail);
  }
  sqlite3_busy_timeout(db_, 2000);
  exec("PRAGMA foreign_keys = ON");
}

Database::~Database() { sqlite3_close(db_); }

void Database::exec(std::string_view sql) {
  std::string copy(sql);
  if (sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) raise(db_, "sql");
}

int Database::changes() const { return sqlite3_changes(db_); }

Database::Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    raise(db_, "prepare");
  }
}

Database::Statement::~Statement() { sqlite3_finalize(stmt_); }

Database::Statement& Database::Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    raise(db_, "bind");
  }
  return *this;
}

Database::Statement& Database::Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) raise(db_, "bind");
  return *this;
}

bool Database::Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  raise(db_, "step");
}

std::string Database::Statement::text(int index) const {
  const unsigned char* p = sqlite3_column_text(stmt_, index);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)))
           : std::string();
}

std::int64_t Database::Statement::integer(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

}  // namespace embark::sample
