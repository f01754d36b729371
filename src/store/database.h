// One database interface, two backends: SQLite (embedded default) and PostgreSQL (scale-out).
//
// SQL is written once, with `?` placeholders; the PostgreSQL backend rewrites them to $1..$n.
// Write portable SQL: INTEGER for ids/counters/booleans/unix-second timestamps, TEXT, BLOB
// (BYTEA on PostgreSQL: pass Blob values), `ON CONFLICT ... DO NOTHING/UPDATE`, `RETURNING`.
// Prepared statements only: never build SQL from input.
//
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_ASSIGN(auto rows, s.query("INSERT INTO t(name) VALUES (?) RETURNING id", name));
//     id = rows[0].int64(0);
//     KOBAN_TRY(store::enqueue(s, {.kind = "mail.send", .payload = json, .run_at = now}, now));
//     return ok();                                     // the job commits with the row (jobs.h)
//   });
//
// Open with Database::open(config) (config from parse_database_url("sqlite:DATA/koban.db")),
// then run store::migrate(db) (migrations.h) before serving. Backend details and error
// mapping: sqlite_database.h, postgres_database.h.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace koban::store {

enum class Backend { sqlite, postgres };

struct Blob {
  std::string bytes;
};
struct Null {};

// A parameter or a column value.
using Value = std::variant<Null, std::int64_t, double, std::string, Blob>;

// Helpers so that call sites can pass ints, strings, optionals directly.
inline Value to_value(Null) { return Null{}; }
inline Value to_value(std::nullptr_t) { return Null{}; }
inline Value to_value(bool v) { return std::int64_t{v ? 1 : 0}; }
template <class I>
  requires std::is_integral_v<I>
inline Value to_value(I v) { return static_cast<std::int64_t>(v); }
inline Value to_value(double v) { return v; }
inline Value to_value(std::string v) { return v; }
inline Value to_value(std::string_view v) { return std::string(v); }
inline Value to_value(const char* v) { return std::string(v); }
inline Value to_value(Blob v) { return v; }
inline Value to_value(Value v) { return v; }
template <class T>
inline Value to_value(const std::optional<T>& v) { return v ? to_value(*v) : Value{Null{}}; }

class Row {
 public:
  Row() = default;
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  std::size_t size() const { return values_.size(); }
  bool is_null(std::size_t i) const;
  std::int64_t int64(std::size_t i) const;   // NULL → 0; text parsed
  double real(std::size_t i) const;
  std::string text(std::size_t i) const;     // NULL → ""; blobs give their bytes
  std::optional<std::string> opt_text(std::size_t i) const;
  std::optional<std::int64_t> opt_int64(std::size_t i) const;
  const Value& at(std::size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};
using Rows = std::vector<Row>;

// A connection in use: inside read() it sees one consistent snapshot; inside write() it is one
// transaction.
class Session {
 public:
  virtual ~Session() = default;
  virtual Backend backend() const = 0;
  virtual Result<Rows> query_values(std::string_view sql, std::span<const Value> params) = 0;
  // Returns the number of rows changed.
  virtual Result<std::int64_t> exec_values(std::string_view sql, std::span<const Value> params) = 0;

  template <class... A>
  Result<Rows> query(std::string_view sql, A&&... args) {
    const Value params[] = {Value{}, to_value(std::forward<A>(args))...};
    return query_values(sql, std::span<const Value>(params + 1, sizeof...(A)));
  }
  template <class... A>
  Result<std::int64_t> exec(std::string_view sql, A&&... args) {
    const Value params[] = {Value{}, to_value(std::forward<A>(args))...};
    return exec_values(sql, std::span<const Value>(params + 1, sizeof...(A)));
  }

  // Runs several `;`-separated statements without parameters (migrations, DDL). Never pass
  // anything built from input here.
  virtual Result<void> exec_script(std::string_view sql) {
    return Error::internal("exec_script is not supported by this session");
  }

  // Runs fn once the surrounding write transaction has committed (never if it rolls back);
  // used to wake in-process job workers. Outside a write transaction fn runs at once.
  virtual void after_commit(std::function<void()> fn) { fn(); }
};

struct DatabaseConfig {
  Backend backend = Backend::sqlite;
  std::string sqlite_path;          // e.g. DATA/koban.db
  std::string postgres_conninfo;    // libpq connection string
  int postgres_pool_size = 8;
  int busy_timeout_ms = 5000;       // SQLite: wait this long for the write lock
  int pool_wait_timeout_ms = 5000;  // PostgreSQL: wait this long for a free pooled connection
};

// Parses "sqlite:/path/koban.db" (also "sqlite:///path", "sqlite:relative.db"),
// "postgres://user@host:5432/db?sslmode=..." / "postgresql://..." (given to libpq as is) and
// "postgresql:host=... dbname=..." (a libpq key=value string after the colon).
Result<DatabaseConfig> parse_database_url(std::string_view url);

class Database {
 public:
  virtual ~Database() = default;
  virtual Backend backend() const = 0;

  // Runs fn against a read-only snapshot. SQLite: a reader connection per thread (WAL).
  // PostgreSQL: a pooled connection in a REPEATABLE READ READ ONLY transaction.
  virtual Result<void> read(const std::function<Result<void>(Session&)>& fn) = 0;

  // Runs fn in one write transaction: committed when fn returns ok, rolled back otherwise.
  // SQLite: the single writer connection, BEGIN IMMEDIATE. PostgreSQL: READ COMMITTED.
  // A full or read-only database gives ErrorCode::unavailable.
  // PostgreSQL re-runs fn (up to 3 attempts) after a serialization failure or deadlock, so fn
  // must not have effects outside the session other than through after_commit().
  // A write() nested inside a write() on the same thread joins the outer transaction through
  // a SAVEPOINT (rolled back to it when the inner fn fails).
  virtual Result<void> write(const std::function<Result<void>(Session&)>& fn) = 0;

  static Result<std::unique_ptr<Database>> open(const DatabaseConfig& config);
};

}  // namespace koban::store
