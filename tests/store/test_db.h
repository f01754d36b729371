// The store tests' fixture: every test runs on SQLite and on PostgreSQL.
//
// SQLite: a fresh temp directory per test holding koban.db.
// PostgreSQL: the server named by env KOBAN_TEST_PG (a libpq key=value string, as printed by
// scripts/pg-test-server.sh start DIR). Each test gets its own schema (t_<pid>_<n>), set as
// search_path through the conninfo `options`, so tests never see each other's rows; it is
// dropped at the end. Without KOBAN_TEST_PG the postgres cases fail with a hint, unless
// KOBAN_TEST_PG_OPTIONAL=1, which skips them.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/database.h"

namespace koban::store::testing {

class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Another Database on the same storage, like a second koban process.
  std::unique_ptr<Database> open_another(int pool_size = 4, int pool_wait_ms = 5000);

  DatabaseConfig config_;
  std::unique_ptr<Database> db_;
  std::string dir_;     // temp dir (both backends; SQLite keeps its file here)
  std::string schema_;  // PostgreSQL only

 private:
  std::string admin_conninfo_;
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

// A unique empty temp directory, removed by the fixture.
std::string make_temp_dir();

}  // namespace koban::store::testing

#define KOBAN_BACKEND_TESTS(Suite)                                                       \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                              \
                           ::testing::Values(::koban::store::Backend::sqlite,            \
                                             ::koban::store::Backend::postgres),         \
                           ::koban::store::testing::backend_name)

// ASSERT that a Result is ok, printing its error otherwise.
#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    auto&& koban_assert_r_ = (expr);                                           \
    ASSERT_TRUE(koban_assert_r_.ok()) << koban_assert_r_.error().message;      \
  } while (0)
