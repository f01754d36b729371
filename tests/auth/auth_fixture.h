// The auth tests' database fixture: BackendTest (SQLite and PostgreSQL) with the store's and
// the auth module's migrations applied.
#pragma once

#include "auth/migrations.h"
#include "store/migrations.h"
#include "../store/test_db.h"

namespace koban::auth::testing {

inline const Instant kT0 = from_jst({{2026, 11, 24}, 9, 0, 0});

class AuthDbTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_OK(reg.add("store", store::store_migrations()));
    ASSERT_OK(reg.add("auth", auth_migrations()));
    ASSERT_OK(store::migrate(*db_, reg, kT0));
  }

  std::int64_t count(const std::string& sql) {
    std::int64_t n = -1;
    auto r = db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query(sql));
      n = rows.at(0).int64(0);
      return ok();
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return n;
  }
};

}  // namespace koban::auth::testing
