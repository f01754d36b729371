#include "store/postgres_database.h"

#include <libpq-fe.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <unordered_map>

#include "store/sql_placeholders.h"
#include "store/transaction_session.h"

namespace koban::store {
namespace {

constexpr std::size_t kMaxPreparedStatements = 256;
constexpr int kMaxWriteAttempts = 3;

// PostgreSQL type OIDs (pg_type.h), stable across versions.
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26,
              kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

struct ResultPtr {
  PGresult* r = nullptr;
  explicit ResultPtr(PGresult* p) : r(p) {}
  ~ResultPtr() { PQclear(r); }
  ResultPtr(const ResultPtr&) = delete;
  ResultPtr& operator=(const ResultPtr&) = delete;
};

Error busy_error(const std::string& detail) {
  return Error::unavailable(
      "データベースが混み合っています。しばらくしてから再度お試しください。(" + detail + ")");
}

Error map_pg_error(const std::string& state, const std::string& detail, bool writing) {
  auto cls = state.substr(0, 2);
  if (cls == "23")
    return Error::conflict("データが既に存在するか、制約に違反しています。(" + detail + ")");
  if (state == "40001" || state == "40P01" || state == "55P03") return busy_error(detail);
  if (state == "57014") return {ErrorCode::timeout, "データベースの処理が時間切れになりました。(" + detail + ")"};
  if (state == "25006" && !writing) return Error::internal("write attempted inside read(): " + detail);
  if (cls == "53" || cls == "08" || cls == "58" || state.substr(0, 4) == "57P0" ||
      state == "25006" || state.empty())
    return Error::unavailable(
        "データベースに書き込めないか接続できません（容量不足・読み取り専用・停止中）。"
        "受け付け済みのデータは失われていません。しばらくしてから再度お試しください。(" +
        detail + ")");
  if (cls == "22") return Error::invalid("入力値が不正です。(" + detail + ")");
  return Error::internal("postgres " + state + ": " + detail);
}

struct Prepared {
  std::string name;
  int params = 0;
};

struct PgConn {
  PGconn* c = nullptr;
  std::unordered_map<std::string, Prepared> prepared;
  std::uint64_t next_id = 0;
  ~PgConn() {
    if (c) PQfinish(c);
  }
  bool broken() const { return !c || PQstatus(c) != CONNECTION_OK; }

  // Runs a parameterless command with the simple protocol; records SQLSTATE on failure.
  Result<std::string> simple(const char* sql, bool writing, std::string* state_out = nullptr) {
    ResultPtr res(PQexec(c, sql));
    auto st = res.r ? PQresultStatus(res.r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY)
      return std::string(PQcmdStatus(res.r));
    std::string state;
    if (res.r) {
      const char* s = PQresultErrorField(res.r, PG_DIAG_SQLSTATE);
      if (s) state = s;
    }
    if (state_out) *state_out = state;
    std::string detail = res.r ? PQresultErrorMessage(res.r) : PQerrorMessage(c);
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    return map_pg_error(state, detail, writing);
  }
};

Result<std::unique_ptr<PgConn>> connect(const DatabaseConfig& cfg) {
  // connect_timeout first so that a value in the conninfo (processed later) wins.
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* vals[] = {"10", cfg.postgres_conninfo.c_str(), nullptr};
  auto conn = std::make_unique<PgConn>();
  conn->c = PQconnectdbParams(keys, vals, 1);
  if (!conn->c || PQstatus(conn->c) != CONNECTION_OK) {
    std::string detail = conn->c ? PQerrorMessage(conn->c) : "out of memory";
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    return Error::unavailable("データベースに接続できません。(" + detail + ")");
  }
  PQsetClientEncoding(conn->c, "UTF8");
  // NOTICEs ("relation already exists, skipping") would go to stderr; they are not errors.
  PQsetNoticeProcessor(conn->c, [](void*, const char*) {}, nullptr);
  return conn;
}

class Pool {
 public:
  Pool(DatabaseConfig cfg) : cfg_(std::move(cfg)) {
    max_ = cfg_.postgres_pool_size > 0 ? cfg_.postgres_pool_size : 1;
  }

  Result<std::unique_ptr<PgConn>> acquire() {
    std::unique_lock lock(mu_);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(cfg_.pool_wait_timeout_ms);
    for (;;) {
      while (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        if (!c->broken()) return c;
        --total_;  // dropped; replaced below
      }
      if (total_ < max_) {
        ++total_;
        lock.unlock();
        auto c = connect(cfg_);
        if (!c) {
          lock.lock();
          --total_;
          cv_.notify_one();
          return c.error();
        }
        return c;
      }
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          total_ >= max_)
        return Error::unavailable(
            "データベースの接続がすべて使用中です。しばらくしてから再度お試しください。");
    }
  }

  // A connection that is broken or not idle (a failed ROLLBACK) is closed, not reused.
  void release(std::unique_ptr<PgConn> c) {
    std::lock_guard lock(mu_);
    if (c->broken() || PQtransactionStatus(c->c) != PQTRANS_IDLE) {
      c.reset();
      --total_;
    } else {
      idle_.push_back(std::move(c));
    }
    cv_.notify_one();
  }

 private:
  DatabaseConfig cfg_;
  int max_ = 1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;
  int total_ = 0;
};

std::string hex_decode_bytea(const char* s, int len) {
  std::string out;
  if (len >= 2 && s[0] == '\\' && s[1] == 'x') {
    out.reserve((len - 2) / 2);
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return 0;
    };
    for (int i = 2; i + 1 < len; i += 2) out += static_cast<char>(nib(s[i]) << 4 | nib(s[i + 1]));
    return out;
  }
  // Old "escape" output format (bytea_output = escape).
  std::size_t n = 0;
  unsigned char* p = PQunescapeBytea(reinterpret_cast<const unsigned char*>(s), &n);
  if (p) {
    out.assign(reinterpret_cast<char*>(p), n);
    PQfreemem(p);
  }
  return out;
}

Value convert(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return Null{};
  const char* s = PQgetvalue(r, row, col);
  const int len = PQgetlength(r, row, col);
  switch (PQftype(r, col)) {
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid: {
      std::int64_t v = 0;
      std::from_chars(s, s + len, v);
      return v;
    }
    case kBool: return std::int64_t{s[0] == 't' ? 1 : 0};
    case kFloat4:
    case kFloat8: {
      double d = 0;
      std::from_chars(s, s + len, d);
      return d;
    }
    case kNumeric: {
      std::int64_t v = 0;
      auto res = std::from_chars(s, s + len, v);
      if (res.ec == std::errc() && res.ptr == s + len) return v;
      double d = 0;
      std::from_chars(s, s + len, d);
      return d;
    }
    case kBytea: return Blob{hex_decode_bytea(s, len)};
    default: return std::string(s, len);
  }
}

class PgSession final : public detail::TxSession {
 public:
  PgSession(PgConn& c, bool writing) : c_(c) { in_write_ = writing; }
  Backend backend() const override { return Backend::postgres; }
  const std::string& last_sqlstate() const { return last_state_; }

  Result<Rows> query_values(std::string_view sql, std::span<const Value> params) override {
    Rows rows;
    KOBAN_TRY(run(sql, params, &rows, nullptr));
    return rows;
  }

  Result<std::int64_t> exec_values(std::string_view sql, std::span<const Value> params) override {
    std::int64_t changed = 0;
    KOBAN_TRY(run(sql, params, nullptr, &changed));
    return changed;
  }

  Result<void> exec_script(std::string_view sql) override {
    std::string s(sql);
    auto r = c_.simple(s.c_str(), in_write_, &last_state_);
    if (!r) return r.error();
    return ok();
  }

 private:
  Result<void> fail(PGresult* res) {
    last_state_.clear();
    if (res) {
      const char* s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      if (s) last_state_ = s;
    }
    std::string detail = res ? PQresultErrorMessage(res) : PQerrorMessage(c_.c);
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    if (c_.broken()) last_state_ = "08006";
    return map_pg_error(last_state_, detail, in_write_);
  }

  Result<const Prepared*> prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = c_.prepared.find(key); it != c_.prepared.end()) return &it->second;
    if (c_.prepared.size() >= kMaxPreparedStatements) {
      KOBAN_TRY(exec_script("DEALLOCATE ALL"));
      c_.prepared.clear();
    }
    KOBAN_ASSIGN(RewrittenSql rw, rewrite_placeholders(sql));
    Prepared p{"koban_" + std::to_string(++c_.next_id), rw.count};
    ResultPtr res(PQprepare(c_.c, p.name.c_str(), rw.sql.c_str(), 0, nullptr));
    if (!res.r || PQresultStatus(res.r) != PGRES_COMMAND_OK) return fail(res.r).error();
    auto [it, _] = c_.prepared.emplace(std::move(key), std::move(p));
    return &it->second;
  }

  Result<void> run(std::string_view sql, std::span<const Value> params, Rows* out,
                   std::int64_t* changed) {
    KOBAN_ASSIGN(const Prepared* p, prepare(sql));
    if (static_cast<std::size_t>(p->params) != params.size())
      return Error::internal("postgres: parameter count mismatch in: " + std::string(sql));
    std::vector<std::string> storage(params.size());
    std::vector<const char*> vals(params.size());
    std::vector<int> lens(params.size()), fmts(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (std::holds_alternative<Null>(v)) {
        vals[i] = nullptr;
        continue;
      }
      if (auto* n = std::get_if<std::int64_t>(&v)) storage[i] = std::to_string(*n);
      else if (auto* d = std::get_if<double>(&v)) {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, *d);
        storage[i].assign(buf, r.ptr);
      } else if (auto* t = std::get_if<std::string>(&v)) {
        if (t->find('\0') != std::string::npos)
          return Error::invalid("入力値が不正です（NUL 文字は使えません）。");
        storage[i] = *t;
      } else if (auto* b = std::get_if<Blob>(&v)) {
        storage[i] = b->bytes;
        fmts[i] = 1;  // binary: bytea_recv takes the raw bytes
      }
      vals[i] = storage[i].data();
      lens[i] = static_cast<int>(storage[i].size());
    }
    ResultPtr res(PQexecPrepared(c_.c, p->name.c_str(), static_cast<int>(params.size()),
                                 vals.data(), lens.data(), fmts.data(), 0));
    auto st = res.r ? PQresultStatus(res.r) : PGRES_FATAL_ERROR;
    if (st == PGRES_TUPLES_OK) {
      if (out) {
        const int rows = PQntuples(res.r), cols = PQnfields(res.r);
        out->reserve(rows);
        for (int r = 0; r < rows; ++r) {
          std::vector<Value> vs;
          vs.reserve(cols);
          for (int c = 0; c < cols; ++c) vs.push_back(convert(res.r, r, c));
          out->emplace_back(std::move(vs));
        }
      }
      if (changed) {
        const char* t = PQcmdTuples(res.r);
        *changed = (t && *t) ? std::atoll(t) : PQntuples(res.r);
      }
      return ok();
    }
    if (st == PGRES_COMMAND_OK) {
      if (changed) {
        const char* t = PQcmdTuples(res.r);
        *changed = (t && *t) ? std::atoll(t) : 0;
      }
      return ok();
    }
    return fail(res.r);
  }

  PgConn& c_;
  std::string last_state_;
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

bool retryable(const std::string& state) { return state == "40001" || state == "40P01"; }

class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(const DatabaseConfig& cfg) : pool_(cfg) {}
  Backend backend() const override { return Backend::postgres; }

  Result<void> read(const std::function<Result<void>(Session&)>& fn) override {
    KOBAN_ASSIGN(auto conn, begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", false));
    PgSession s(*conn, false);
    Result<void> r = call(fn, s);
    if (r) {
      auto c = conn->simple("COMMIT", false);
      if (!c) r = c.error();
    } else {
      (void)conn->simple("ROLLBACK", false);
    }
    pool_.release(std::move(conn));
    return r;
  }

  Result<void> write(const std::function<Result<void>(Session&)>& fn) override {
    if (auto* outer = detail::active_write(this)) return detail::run_nested(*outer, fn);
    for (int attempt = 1;; ++attempt) {
      KOBAN_ASSIGN(auto conn, begin("BEGIN ISOLATION LEVEL READ COMMITTED", true));
      PgSession s(*conn, true);
      Result<void> r;
      std::string state;
      {
        detail::ActiveWriteScope scope(this, &s);
        r = call(fn, s);
      }
      state = s.last_sqlstate();
      if (r) {
        auto c = conn->simple("COMMIT", true, &state);
        if (!c) {
          r = c.error();
        } else if (*c != "COMMIT") {
          // The transaction had failed and fn ignored the error: PostgreSQL rolled back.
          r = Error::internal("transaction was aborted by an earlier error and rolled back");
        }
      } else {
        (void)conn->simple("ROLLBACK", true);
      }
      pool_.release(std::move(conn));
      if (r) {
        s.run_hooks();
        return ok();
      }
      s.drop_hooks();
      if (!retryable(state) || attempt >= kMaxWriteAttempts) return r;
    }
  }

 private:
  // A pooled connection with a transaction begun; a connection that turns out to be broken
  // (server restarted) is replaced once.
  Result<std::unique_ptr<PgConn>> begin(const char* sql, bool writing) {
    for (int tries = 0;; ++tries) {
      KOBAN_ASSIGN(auto conn, pool_.acquire());
      auto r = conn->simple(sql, writing);
      if (r) return conn;
      const bool broken = conn->broken();
      pool_.release(std::move(conn));
      if (!broken || tries >= 1) return r.error();
    }
  }

  Pool pool_;
};

}  // namespace

Result<std::unique_ptr<Database>> open_postgres(const DatabaseConfig& config) {
  if (config.postgres_conninfo.empty()) return Error::invalid("postgres_conninfo is empty");
  auto db = std::make_unique<PostgresDatabase>(config);
  // Connect once now so that a wrong conninfo fails at start, not at the first request.
  KOBAN_TRY(db->read([](Session&) -> Result<void> { return ok(); }));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace koban::store
