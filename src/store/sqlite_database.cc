#include "store/sqlite_database.h"

#include <sqlite3.h>

#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "store/transaction_session.h"

namespace koban::store {
namespace {

// SQL text is written by programmers, so the cache stays small; the cap guards against a
// caller that builds SQL dynamically (e.g. IN lists of varying length).
constexpr std::size_t kMaxCachedStatements = 256;

Error map_error(sqlite3* db, int rc, bool writing) {
  const int primary = rc & 0xff;
  std::string detail = std::string(sqlite3_errstr(rc));
  if (db) detail = sqlite3_errmsg(db);
  switch (primary) {
    case SQLITE_CONSTRAINT:
      return Error::conflict("データが既に存在するか、制約に違反しています。(" + detail + ")");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::unavailable(
          "データベースが混み合っています。しばらくしてから再度お試しください。(" + detail + ")");
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
      if (primary == SQLITE_READONLY && !writing)
        return Error::internal("write attempted inside read(): " + detail);
      return Error::unavailable(
          "データベースに書き込めません（容量不足または読み取り専用）。"
          "受け付け済みのデータは失われていません。しばらくしてから再度お試しください。(" +
          detail + ")");
    default:
      return Error::internal("sqlite: " + detail);
  }
}

struct Conn {
  sqlite3* db = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> stmts;
  bool writer = false;

  ~Conn() {
    for (auto& [sql, st] : stmts) sqlite3_finalize(st);
    if (db) sqlite3_close_v2(db);
  }

  Result<void> exec(const char* sql) {
    char* msg = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
    sqlite3_free(msg);
    if (rc != SQLITE_OK) return map_error(db, sqlite3_extended_errcode(db), writer);
    return ok();
  }

  Result<sqlite3_stmt*> prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = stmts.find(key); it != stmts.end()) return it->second;
    if (stmts.size() >= kMaxCachedStatements) {
      for (auto& [s, st] : stmts) sqlite3_finalize(st);
      stmts.clear();
    }
    sqlite3_stmt* st = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db, key.data(), static_cast<int>(key.size()),
                                SQLITE_PREPARE_PERSISTENT, &st, &tail);
    if (rc != SQLITE_OK) return map_error(db, rc, writer);
    if (!st) return Error::internal("sqlite: empty statement");
    for (const char* p = tail; p && p < key.data() + key.size(); ++p) {
      if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';') {
        sqlite3_finalize(st);
        return Error::internal("sqlite: one statement per query (use exec_script for scripts)");
      }
    }
    stmts.emplace(std::move(key), st);
    return st;
  }
};

Result<std::unique_ptr<Conn>> open_conn(const DatabaseConfig& cfg, bool writer) {
  auto c = std::make_unique<Conn>();
  c->writer = writer;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (writer) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(cfg.sqlite_path.c_str(), &c->db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = map_error(c->db, rc, true);
    e.code = ErrorCode::unavailable;
    e.message = "データベースを開けません: " + cfg.sqlite_path + " (" +
                (c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc)) + ")";
    return e;
  }
  sqlite3_extended_result_codes(c->db, 1);
  sqlite3_busy_timeout(c->db, cfg.busy_timeout_ms);
  if (writer) {
    // journal_mode is persistent in the file; setting it needs the writer.
    sqlite3_stmt* st = nullptr;
    rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode=WAL", -1, &st, nullptr);
    std::string mode;
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      mode = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (mode != "wal") return map_error(c->db, sqlite3_extended_errcode(c->db), true);
  }
  KOBAN_TRY(c->exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  if (!writer) KOBAN_TRY(c->exec("PRAGMA query_only=1;"));
  return c;
}

class SqliteSession final : public detail::TxSession {
 public:
  SqliteSession(Conn& c, bool writing) : c_(c) { in_write_ = writing; }
  Backend backend() const override { return Backend::sqlite; }

  Result<Rows> query_values(std::string_view sql, std::span<const Value> params) override {
    Rows rows;
    KOBAN_TRY(run(sql, params, &rows));
    return rows;
  }

  Result<std::int64_t> exec_values(std::string_view sql, std::span<const Value> params) override {
    KOBAN_TRY(run(sql, params, nullptr));
    return static_cast<std::int64_t>(sqlite3_changes64(c_.db));
  }

  Result<void> exec_script(std::string_view sql) override {
    std::string s(sql);
    return c_.exec(s.c_str());
  }

 private:
  Result<void> run(std::string_view sql, std::span<const Value> params, Rows* out) {
    KOBAN_ASSIGN(sqlite3_stmt * st, c_.prepare(sql));
    struct Reset {
      sqlite3_stmt* st;
      ~Reset() {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
      }
    } reset{st};
    if (static_cast<std::size_t>(sqlite3_bind_parameter_count(st)) != params.size())
      return Error::internal("sqlite: parameter count mismatch in: " + std::string(sql));
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      const Value& v = params[i];
      if (std::holds_alternative<Null>(v)) rc = sqlite3_bind_null(st, idx);
      else if (auto* n = std::get_if<std::int64_t>(&v)) rc = sqlite3_bind_int64(st, idx, *n);
      else if (auto* d = std::get_if<double>(&v)) rc = sqlite3_bind_double(st, idx, *d);
      else if (auto* t = std::get_if<std::string>(&v))
        rc = sqlite3_bind_text64(st, idx, t->data(), t->size(), SQLITE_STATIC, SQLITE_UTF8);
      else if (auto* b = std::get_if<Blob>(&v))
        rc = b->bytes.empty() ? sqlite3_bind_zeroblob(st, idx, 0)
                              : sqlite3_bind_blob64(st, idx, b->bytes.data(), b->bytes.size(),
                                                    SQLITE_STATIC);
      if (rc != SQLITE_OK) return map_error(c_.db, rc, in_write_);
    }
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) return ok();
      if (rc != SQLITE_ROW) return map_error(c_.db, rc, in_write_);
      if (!out) continue;
      const int n = sqlite3_column_count(st);
      std::vector<Value> vals;
      vals.reserve(n);
      for (int i = 0; i < n; ++i) {
        switch (sqlite3_column_type(st, i)) {
          case SQLITE_INTEGER: vals.emplace_back(std::int64_t{sqlite3_column_int64(st, i)}); break;
          case SQLITE_FLOAT: vals.emplace_back(sqlite3_column_double(st, i)); break;
          case SQLITE_TEXT: {
            auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
            vals.emplace_back(std::string(p ? p : "", sqlite3_column_bytes(st, i)));
            break;
          }
          case SQLITE_BLOB: {
            auto* p = static_cast<const char*>(sqlite3_column_blob(st, i));
            vals.emplace_back(Blob{std::string(p ? p : "", sqlite3_column_bytes(st, i))});
            break;
          }
          default: vals.emplace_back(Null{});
        }
      }
      out->emplace_back(std::move(vals));
    }
  }

  Conn& c_;
};

Result<void> call(const std::function<Result<void>(Session&)>& fn, Session& s) {
  try {
    return fn(s);
  } catch (const std::exception& e) {
    return Error::internal(std::string("exception in database callback: ") + e.what());
  } catch (...) {
    return Error::internal("unknown exception in database callback");
  }
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(DatabaseConfig cfg, std::unique_ptr<Conn> writer)
      : cfg_(std::move(cfg)), writer_(std::move(writer)) {}

  Backend backend() const override { return Backend::sqlite; }

  Result<void> read(const std::function<Result<void>(Session&)>& fn) override {
    KOBAN_ASSIGN(Conn * c, reader());
    SqliteSession s(*c, false);
    if (!sqlite3_get_autocommit(c->db)) return call(fn, s);  // nested read: same snapshot
    KOBAN_TRY(c->exec("BEGIN"));
    Result<void> r = call(fn, s);
    auto end = c->exec(r ? "COMMIT" : "ROLLBACK");
    if (!r) return r;
    return end;
  }

  Result<void> write(const std::function<Result<void>(Session&)>& fn) override {
    if (auto* outer = detail::active_write(this)) return detail::run_nested(*outer, fn);
    SqliteSession s(*writer_, true);
    {
      std::lock_guard lock(write_mu_);
      detail::ActiveWriteScope scope(this, &s);
      KOBAN_TRY(writer_->exec("BEGIN IMMEDIATE"));
      Result<void> r = call(fn, s);
      if (r) {
        auto c = writer_->exec("COMMIT");
        if (c) {
          r = ok();
        } else {
          r = c;
        }
      }
      if (!r) {
        // Some errors (SQLITE_FULL, IOERR) already rolled the transaction back.
        if (!sqlite3_get_autocommit(writer_->db)) (void)writer_->exec("ROLLBACK");
        s.drop_hooks();
        return r;
      }
    }
    s.run_hooks();  // outside the lock: hooks may start new writes
    return ok();
  }

 private:
  Result<Conn*> reader() {
    std::lock_guard lock(readers_mu_);
    auto& slot = readers_[std::this_thread::get_id()];
    if (!slot) {
      auto c = open_conn(cfg_, false);
      if (!c) {
        readers_.erase(std::this_thread::get_id());
        return c.error();
      }
      slot = std::move(*c);
    }
    return slot.get();
  }

  DatabaseConfig cfg_;
  std::mutex write_mu_;
  std::unique_ptr<Conn> writer_;
  std::mutex readers_mu_;
  // Keyed by thread id: a finished thread's id may be reused by a new thread, which then
  // inherits an idle connection — harmless, one thread uses it at a time.
  std::unordered_map<std::thread::id, std::unique_ptr<Conn>> readers_;
};

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite(const DatabaseConfig& config) {
  if (config.sqlite_path.empty()) return Error::invalid("sqlite_path is empty");
  KOBAN_ASSIGN(auto writer, open_conn(config, true));
  return std::unique_ptr<Database>(new SqliteDatabase(config, std::move(writer)));
}

}  // namespace koban::store
