#include "test_db.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

namespace koban::store::testing {
namespace {

bool pg_exec(const std::string& conninfo, const std::string& sql, std::string* err) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  bool ok = PQstatus(c) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(c, ("SET client_min_messages TO warning; " + sql).c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok && err) *err = PQresultErrorMessage(r);
    PQclear(r);
  } else if (err) {
    *err = PQerrorMessage(c);
  }
  PQfinish(c);
  return ok;
}

}  // namespace

std::string make_temp_dir() {
  std::string templ = (std::filesystem::temp_directory_path() / "koban-store-XXXXXX").string();
  if (!mkdtemp(templ.data())) return {};
  return templ;
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "sqlite" : "postgres";
}

void BackendTest::SetUp() {
  dir_ = make_temp_dir();
  ASSERT_FALSE(dir_.empty());
  config_.backend = GetParam();
  if (GetParam() == Backend::sqlite) {
    config_.sqlite_path = dir_ + "/koban.db";
  } else {
    const char* pg = std::getenv("KOBAN_TEST_PG");
    if (!pg || !*pg) {
      const char* optional = std::getenv("KOBAN_TEST_PG_OPTIONAL");
      if (optional && std::string(optional) == "1")
        GTEST_SKIP() << "KOBAN_TEST_PG unset and KOBAN_TEST_PG_OPTIONAL=1";
      FAIL() << "KOBAN_TEST_PG is not set: run the store tests with a throwaway PostgreSQL, e.g.\n"
                "  eval \"$(scripts/pg-test-server.sh start /tmp/koban-pg --export)\"\n"
                "  build/tests/store/store_test; scripts/pg-test-server.sh stop /tmp/koban-pg\n"
                "(or set KOBAN_TEST_PG_OPTIONAL=1 to skip the PostgreSQL cases)";
    }
    admin_conninfo_ = pg;
    static std::atomic<int> seq{0};
    schema_ = "t_" + std::to_string(getpid()) + "_" + std::to_string(++seq);
    std::string err;
    ASSERT_TRUE(pg_exec(admin_conninfo_, "CREATE SCHEMA " + schema_, &err)) << err;
    config_.postgres_conninfo = admin_conninfo_ + " options='-c search_path=" + schema_ + "'";
    config_.postgres_pool_size = 4;
  }
  auto db = Database::open(config_);
  ASSERT_TRUE(db.ok()) << db.error().message;
  db_ = std::move(*db);
}

void BackendTest::TearDown() {
  db_.reset();
  if (!schema_.empty()) pg_exec(admin_conninfo_, "DROP SCHEMA " + schema_ + " CASCADE", nullptr);
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::unique_ptr<Database> BackendTest::open_another(int pool_size, int pool_wait_ms) {
  DatabaseConfig c = config_;
  c.postgres_pool_size = pool_size;
  c.pool_wait_timeout_ms = pool_wait_ms;
  auto db = Database::open(c);
  if (!db) {
    ADD_FAILURE() << db.error().message;
    return nullptr;
  }
  return std::move(*db);
}

}  // namespace koban::store::testing
