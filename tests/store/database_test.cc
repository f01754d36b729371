#include "store/database.h"

#include <libpq-fe.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "test_db.h"

namespace koban::store {
namespace {

using testing::BackendTest;

class DatabaseTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_OK(db_->write([](Session& s) -> Result<void> {
      return s.exec_script(
          "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n BIGINT, "
          "x DOUBLE PRECISION, data " +
          std::string(s.backend() == Backend::postgres ? "BYTEA" : "BLOB") + ")");
    }));
  }

  std::int64_t count() {
    std::int64_t n = -1;
    auto r = db_->read([&](Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*) FROM items"));
      n = rows.at(0).int64(0);
      return ok();
    });
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message);
    return n;
  }
};

TEST_P(DatabaseTest, ValuesRoundTrip) {
  const std::string blob("\0\x01\xff\x80zz", 6);
  ASSERT_OK(db_->write([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, s.exec("INSERT INTO items (id, name, n, x, data) VALUES (?, ?, ?, ?, ?)",
                                1, "安全メール ?", std::int64_t{9'000'000'000'000}, 2.5, Blob{blob}));
    EXPECT_EQ(n, 1);
    KOBAN_TRY(s.exec("INSERT INTO items (id, name, n, x, data) VALUES (?, ?, ?, ?, ?)", 2,
                     std::optional<std::string>{}, nullptr, Null{}, Blob{""}));
    return ok();
  }));
  ASSERT_OK(db_->read([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT id, name, n, x, data FROM items ORDER BY id"));
    EXPECT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].int64(0), 1);
    EXPECT_EQ(rows[0].text(1), "安全メール ?");
    EXPECT_EQ(rows[0].int64(2), 9'000'000'000'000);
    EXPECT_DOUBLE_EQ(rows[0].real(3), 2.5);
    EXPECT_TRUE(std::holds_alternative<Blob>(rows[0].at(4)));
    EXPECT_EQ(rows[0].text(4), blob);
    EXPECT_TRUE(rows[1].is_null(1));
    EXPECT_TRUE(rows[1].is_null(2));
    EXPECT_EQ(rows[1].opt_int64(2), std::nullopt);
    EXPECT_EQ(rows[1].opt_text(1), std::nullopt);
    EXPECT_EQ(rows[1].text(4), "");
    // Aggregates of integers come back as integers on both backends.
    KOBAN_ASSIGN(auto sum, s.query("SELECT SUM(n), COUNT(*) FROM items"));
    EXPECT_TRUE(std::holds_alternative<std::int64_t>(sum[0].at(0)));
    EXPECT_EQ(sum[0].int64(0), 9'000'000'000'000);
    EXPECT_EQ(sum[0].int64(1), 2);
    return ok();
  }));
}

TEST_P(DatabaseTest, FailedWriteRollsBack) {
  auto r = db_->write([&](Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("INSERT INTO items (id, name) VALUES (?, ?)", 1, "a"));
    return Error::invalid("stop");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(count(), 0);
}

TEST_P(DatabaseTest, ExceptionInCallbackRollsBackAndBecomesInternal) {
  auto r = db_->write([&](Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("INSERT INTO items (id, name) VALUES (?, ?)", 1, "a"));
    throw std::runtime_error("boom");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::internal);
  EXPECT_EQ(count(), 0);
}

TEST_P(DatabaseTest, UniqueViolationIsConflict) {
  ASSERT_OK(db_->write([&](Session& s) -> Result<void> {
    return s.exec("INSERT INTO items (id, name) VALUES (?, ?)", 1, "a").ok() ? ok() : Error::internal("x");
  }));
  auto r = db_->write([&](Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("INSERT INTO items (id, name) VALUES (?, ?)", 2, "a"));
    return ok();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::conflict) << r.error().message;
  EXPECT_EQ(count(), 1);
}

TEST_P(DatabaseTest, WriteInsideReadIsRefused) {
  auto r = db_->read([&](Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("INSERT INTO items (id, name) VALUES (?, ?)", 1, "a"));
    return ok();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(count(), 0);
}

TEST_P(DatabaseTest, NestedWriteUsesSavepoint) {
  int hooks = 0;
  ASSERT_OK(db_->write([&](Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("INSERT INTO items (id, name) VALUES (?, ?)", 1, "outer"));
    auto inner = db_->write([&](Session& s2) -> Result<void> {
      KOBAN_TRY(s2.exec("INSERT INTO items (id, name) VALUES (?, ?)", 2, "inner"));
      s2.after_commit([&] { hooks += 100; });
      return Error::invalid("inner fails");
    });
    EXPECT_FALSE(inner.ok());
    KOBAN_TRY(db_->write([&](Session& s3) -> Result<void> {
      s3.after_commit([&] { ++hooks; });
      return s3.exec("INSERT INTO items (id, name) VALUES (?, ?)", 3, "inner ok").ok()
                 ? ok() : Error::internal("insert");
    }));
    EXPECT_EQ(hooks, 0);  // not before the outer commit
    return ok();
  }));
  EXPECT_EQ(hooks, 1);  // the rolled-back savepoint's hook is dropped
  ASSERT_OK(db_->read([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT id FROM items ORDER BY id"));
    EXPECT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows.at(0).int64(0), 1);
    EXPECT_EQ(rows.at(1).int64(0), 3);
    return ok();
  }));
}

TEST_P(DatabaseTest, AfterCommitNotRunOnRollback) {
  bool ran = false;
  auto r = db_->write([&](Session& s) -> Result<void> {
    s.after_commit([&] { ran = true; });
    return Error::invalid("no");
  });
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(ran);
  ASSERT_OK(db_->write([&](Session& s) -> Result<void> {
    s.after_commit([&] { ran = true; });
    return ok();
  }));
  EXPECT_TRUE(ran);
}

TEST_P(DatabaseTest, ReadSeesOneSnapshot) {
  ASSERT_OK(db_->write([&](Session& s) -> Result<void> {
    return s.exec("INSERT INTO items (id, name) VALUES (1, 'a')").ok() ? ok() : Error::internal("x");
  }));
  ASSERT_OK(db_->read([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto before, s.query("SELECT COUNT(*) FROM items"));
    // Another thread commits meanwhile; this read must not see it.
    std::thread t([&] {
      auto w = db_->write([&](Session& w) -> Result<void> {
        KOBAN_TRY(w.exec("INSERT INTO items (id, name) VALUES (2, 'b')"));
        return ok();
      });
      EXPECT_TRUE(w.ok()) << (w ? "" : w.error().message);
    });
    t.join();
    KOBAN_ASSIGN(auto after, s.query("SELECT COUNT(*) FROM items"));
    EXPECT_EQ(before[0].int64(0), 1);
    EXPECT_EQ(after[0].int64(0), 1);
    return ok();
  }));
  EXPECT_EQ(count(), 2);
}

TEST_P(DatabaseTest, ConcurrentReadersAndWriters) {
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto w = db_->write([&](Session& s) -> Result<void> {
          KOBAN_TRY(s.exec("INSERT INTO items (id, name) VALUES (?, ?)", t * 1000 + i,
                           "n" + std::to_string(t * 1000 + i)));
          return ok();
        });
        if (!w) ++errors;
        auto r = db_->read([&](Session& s) -> Result<void> {
          KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*) FROM items WHERE id >= ?", t * 1000));
          if (rows[0].int64(0) < i + 1) return Error::internal("lost write");
          return ok();
        });
        if (!r) ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(count(), 100);
}

TEST_P(DatabaseTest, ParameterCountMismatchIsAnError) {
  auto r = db_->read([&](Session& s) -> Result<void> {
    KOBAN_TRY(s.query("SELECT id FROM items WHERE id = ? AND name = ?", 1));
    return ok();
  });
  EXPECT_FALSE(r.ok());
}

TEST_P(DatabaseTest, SyntaxErrorIsInternal) {
  auto r = db_->read([&](Session& s) -> Result<void> {
    KOBAN_TRY(s.query("SELEC nonsense"));
    return ok();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::internal);
}

KOBAN_BACKEND_TESTS(DatabaseTest);

// --- backend-specific behaviour -------------------------------------------------------------

TEST(SqliteDatabase, FullDatabaseIsUnavailableAndKeepsCommittedData) {
  std::string dir = testing::make_temp_dir();
  DatabaseConfig c;
  c.sqlite_path = dir + "/koban.db";
  auto db = Database::open(c);
  ASSERT_TRUE(db.ok());
  ASSERT_OK((*db)->write([](Session& s) -> Result<void> {
    return s.exec_script("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('kept');");
  }));
  // Cap the file at its current size: the next big insert cannot allocate pages.
  ASSERT_OK((*db)->write([](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto pages, s.query("PRAGMA page_count"));
    return s.exec_script("PRAGMA max_page_count = " + std::to_string(pages[0].int64(0)));
  }));
  auto r = (*db)->write([](Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("INSERT INTO t VALUES (?)", std::string(200000, 'x')));
    return ok();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::unavailable);
  EXPECT_NE(r.error().message.find("データベース"), std::string::npos);
  ASSERT_OK((*db)->read([](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT v FROM t"));
    EXPECT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows.at(0).text(0), "kept");
    return ok();
  }));
  db->reset();
  std::filesystem::remove_all(dir);
}

TEST(SqliteDatabase, ReadOnlyDatabaseIsUnavailable) {
  std::string dir = testing::make_temp_dir();
  DatabaseConfig c;
  c.sqlite_path = dir + "/koban.db";
  auto db = Database::open(c);
  ASSERT_TRUE(db.ok());
  ASSERT_OK((*db)->write([](Session& s) -> Result<void> {
    // query_only makes SQLite answer writes with SQLITE_READONLY, as a read-only file would.
    return s.exec_script("CREATE TABLE t (v TEXT); PRAGMA query_only = 1;");
  }));
  auto r = (*db)->write([](Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("INSERT INTO t VALUES (?)", "x"));
    return ok();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::unavailable) << r.error().message;
  db->reset();
  std::filesystem::remove_all(dir);
}

TEST(SqliteDatabase, OpenFailureIsUnavailable) {
  DatabaseConfig c;
  c.sqlite_path = "/nonexistent-dir/koban.db";
  auto db = Database::open(c);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::unavailable);
}

TEST(SqliteDatabase, BusyWriteLockTimesOutAsUnavailable) {
  std::string dir = testing::make_temp_dir();
  DatabaseConfig c;
  c.sqlite_path = dir + "/koban.db";
  c.busy_timeout_ms = 50;
  auto a = Database::open(c);
  auto b = Database::open(c);  // a second process, in effect
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_OK((*a)->write([&](Session& s) -> Result<void> {
    auto r = (*b)->write([](Session&) -> Result<void> { return ok(); });
    EXPECT_FALSE(r.ok());
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::unavailable);
    }
    return ok();
  }));
  a->reset();
  b->reset();
  std::filesystem::remove_all(dir);
}

class PostgresOnly : public BackendTest {};

TEST_P(PostgresOnly, PoolWaitTimesOutWhenAllConnectionsBusy) {
  auto one = open_another(1, 200);
  ASSERT_TRUE(one);
  // open_another's Database holds no connection now; take the only one and hold it.
  ASSERT_OK(one->read([&](Session&) -> Result<void> {
    std::thread t([&] {
      auto r = one->read([](Session&) -> Result<void> { return ok(); });
      EXPECT_FALSE(r.ok());
      if (!r) {
        EXPECT_EQ(r.error().code, ErrorCode::unavailable);
      }
    });
    t.join();
    return ok();
  }));
}

TEST_P(PostgresOnly, ReconnectsAfterConnectionIsKilled) {
  std::int64_t pid = 0;
  ASSERT_OK(db_->read([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT pg_backend_pid()"));
    pid = rows[0].int64(0);
    return ok();
  }));
  auto killer = open_another(1);
  ASSERT_TRUE(killer);
  ASSERT_OK(killer->write([&](Session& s) -> Result<void> {
    KOBAN_TRY(s.query("SELECT pg_terminate_backend(CAST(? AS INTEGER))", pid));
    return ok();
  }));
  // The pooled connection is dead now; the next use must transparently reconnect.
  std::int64_t pid2 = 0;
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK(db_->read([&](Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT pg_backend_pid()"));
      pid2 = rows[0].int64(0);
      return ok();
    }));
  }
  EXPECT_NE(pid2, pid);
}

TEST_P(PostgresOnly, ReadOnlyTransactionIsUnavailable) {
  ASSERT_OK(db_->write([](Session& s) -> Result<void> { return s.exec_script("CREATE TABLE c (v INTEGER)"); }));
  // What a hot standby or default_transaction_read_only answers: 25006.
  auto r = db_->write([](Session& s) -> Result<void> {
    KOBAN_TRY(s.exec_script("SET TRANSACTION READ ONLY"));
    KOBAN_TRY(s.exec("INSERT INTO c VALUES (?)", 1));
    return ok();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::unavailable) << r.error().message;
}

TEST_P(PostgresOnly, SerializationFailureIsRetried) {
  ASSERT_OK(db_->write([](Session& s) -> Result<void> {
    return s.exec_script("CREATE TABLE c (v INTEGER)");
  }));
  int calls = 0;
  ASSERT_OK(db_->write([&](Session& s) -> Result<void> {
    ++calls;
    if (calls == 1) {
      // What PostgreSQL reports for a serialization failure; write() must run fn again.
      KOBAN_TRY(s.exec_script("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40001'; END $$"));
    }
    KOBAN_TRY(s.exec("INSERT INTO c VALUES (?)", calls));
    return ok();
  }));
  EXPECT_EQ(calls, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, PostgresOnly, ::testing::Values(Backend::postgres),
                         testing::backend_name);

TEST(DatabaseUrl, ParsesBothBackends) {
  auto a = parse_database_url("sqlite:/var/lib/koban/koban.db");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->backend, Backend::sqlite);
  EXPECT_EQ(a->sqlite_path, "/var/lib/koban/koban.db");
  auto b = parse_database_url("sqlite:///abs/k.db");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->sqlite_path, "/abs/k.db");
  auto c = parse_database_url("postgresql://koban@db.example:5432/koban");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->backend, Backend::postgres);
  EXPECT_EQ(c->postgres_conninfo, "postgresql://koban@db.example:5432/koban");
  auto d = parse_database_url("postgresql:host=db dbname=koban");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->postgres_conninfo, "host=db dbname=koban");
  EXPECT_FALSE(parse_database_url("mysql://x").ok());
  EXPECT_FALSE(parse_database_url("sqlite:").ok());
  EXPECT_FALSE(parse_database_url("").ok());
}

}  // namespace
}  // namespace koban::store
