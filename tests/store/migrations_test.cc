#include "store/migrations.h"

#include <thread>

#include "test_db.h"

namespace koban::store {
namespace {

using testing::BackendTest;
const Instant kNow = from_unix(1'800'000'000);

MigrationRegistry sample_registry() {
  MigrationRegistry r;
  EXPECT_TRUE(r.add("store", store_migrations()).ok());
  // Registered out of order on purpose: the registry sorts by version.
  EXPECT_TRUE(r.add("notes", {
                                 {2, "notes_body", "ALTER TABLE notes ADD COLUMN body {{BLOB}}"},
                                 {1, "notes", "CREATE TABLE notes (id {{ID}}, title TEXT NOT NULL,"
                                              " at {{BIGINT}}); CREATE INDEX notes_at ON notes (at);"},
                             })
                  .ok());
  return r;
}

class MigrationsTest : public BackendTest {
 protected:
  std::vector<std::pair<std::string, std::int64_t>> recorded() {
    std::vector<std::pair<std::string, std::int64_t>> out;
    auto r = db_->read([&](Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT module, version, name, applied_at"
                                      " FROM schema_migrations ORDER BY module, version"));
      for (const auto& row : rows) {
        out.emplace_back(row.text(0), row.int64(1));
        EXPECT_EQ(row.int64(3), to_unix(kNow));
      }
      return ok();
    });
    EXPECT_TRUE(r.ok());
    return out;
  }
};

TEST_P(MigrationsTest, AppliesPendingOnceAndRecordsThem) {
  auto reg = sample_registry();
  auto first = migrate(*db_, reg, kNow);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->applied.size(), 4u);
  EXPECT_EQ(first->applied.at(2), "notes v1 notes");
  EXPECT_EQ(first->already_applied, 0);
  std::vector<std::pair<std::string, std::int64_t>> want{
      {"notes", 1}, {"notes", 2}, {"store", 1}, {"store", 2}};
  EXPECT_EQ(recorded(), want);

  // The tables exist, with the translated types.
  ASSERT_OK(db_->write([](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("INSERT INTO notes (title, at, body) VALUES (?, ?, ?) RETURNING id",
                                    "t", std::int64_t{1} << 40, Blob{std::string("\0b", 2)}));
    EXPECT_EQ(rows.at(0).int64(0), 1);
    return ok();
  }));

  auto second = migrate(*db_, reg, kNow);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(second->already_applied, 4);

  // A later program version adds migration 3: only it is applied.
  ASSERT_OK(reg.add("notes", {{3, "notes_tag", "ALTER TABLE notes ADD COLUMN tag TEXT"}}));
  auto third = migrate(*db_, reg, kNow);
  ASSERT_TRUE(third.ok()) << third.error().message;
  ASSERT_EQ(third->applied.size(), 1u);
  EXPECT_EQ(third->applied[0], "notes v3 notes_tag");
}

TEST_P(MigrationsTest, RefusesDatabaseNewerThanCode) {
  auto reg = sample_registry();
  ASSERT_OK(migrate(*db_, reg, kNow));
  MigrationRegistry older;
  ASSERT_OK(older.add("store", store_migrations()));
  ASSERT_OK(older.add("notes", {{1, "notes", "CREATE TABLE notes (id {{ID}})"}}));
  auto r = migrate(*db_, older, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::conflict);
  EXPECT_NE(r.error().message.find("notes v2"), std::string::npos) << r.error().message;

  MigrationRegistry without_notes;
  ASSERT_OK(without_notes.add("store", store_migrations()));
  EXPECT_FALSE(migrate(*db_, without_notes, kNow).ok());
}

TEST_P(MigrationsTest, FailedMigrationIsRolledBackAndNotRecorded) {
  MigrationRegistry reg;
  ASSERT_OK(reg.add("bad", {{1, "ok", "CREATE TABLE good (v INTEGER)"},
                            {2, "broken", "CREATE TABLE half (v INTEGER); CREATE TABLE oops ("}}));
  auto r = migrate(*db_, reg, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("bad v2"), std::string::npos) << r.error().message;
  std::vector<std::pair<std::string, std::int64_t>> want{{"bad", 1}};
  EXPECT_EQ(recorded(), want);
  // `half` was created in the failed transaction and must be gone.
  auto q = db_->read([](Session& s) -> Result<void> {
    KOBAN_TRY(s.query("SELECT v FROM half"));
    return ok();
  });
  EXPECT_FALSE(q.ok());
}

TEST_P(MigrationsTest, TwoProcessesMigratingAtOnceApplyEachStepOnce) {
  auto reg = sample_registry();
  auto other = open_another();
  ASSERT_TRUE(other);
  Result<MigrationReport> a = Error::internal("not run"), b = Error::internal("not run");
  std::thread t1([&] { a = migrate(*db_, reg, kNow); });
  std::thread t2([&] { b = migrate(*other, reg, kNow); });
  t1.join();
  t2.join();
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(a->applied.size() + b->applied.size(), 4u);
  EXPECT_EQ(a->already_applied + b->already_applied, 4);
  EXPECT_EQ(recorded().size(), 4u);
}

KOBAN_BACKEND_TESTS(MigrationsTest);

TEST(MigrationSql, TokensPerBackend) {
  const char* sql = "CREATE TABLE x (id {{ID}}, b {{BLOB}}, n {{BIGINT}})";
  auto lite = translate_migration_sql(sql, Backend::sqlite);
  auto pg = translate_migration_sql(sql, Backend::postgres);
  ASSERT_TRUE(lite.ok() && pg.ok());
  EXPECT_EQ(*lite, "CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT, b BLOB, n INTEGER)");
  EXPECT_EQ(*pg, "CREATE TABLE x (id BIGSERIAL PRIMARY KEY, b BYTEA, n BIGINT)");
  EXPECT_FALSE(translate_migration_sql("{{UUID}}", Backend::sqlite).ok());
  EXPECT_FALSE(translate_migration_sql("{{ID", Backend::sqlite).ok());
}

TEST(MigrationSql, StatementsForOneBackendOnly) {
  const char* sql = "CREATE TABLE d (n {{BIGINT}});{{SQLITE:CREATE VIRTUAL TABLE f USING fts5(t);}}"
                    "{{POSTGRES:CREATE INDEX d_n ON d USING gin (n);}}";
  auto lite = translate_migration_sql(sql, Backend::sqlite);
  auto pg = translate_migration_sql(sql, Backend::postgres);
  ASSERT_TRUE(lite.ok() && pg.ok());
  EXPECT_EQ(*lite, "CREATE TABLE d (n INTEGER);CREATE VIRTUAL TABLE f USING fts5(t);");
  EXPECT_EQ(*pg, "CREATE TABLE d (n BIGINT);CREATE INDEX d_n ON d USING gin (n);");
}

TEST(MigrationRegistry, RejectsDuplicateAndNonPositiveVersions) {
  MigrationRegistry r;
  EXPECT_FALSE(r.add("m", {{1, "a", ""}, {1, "b", ""}}).ok());
  EXPECT_FALSE(r.add("m", {{0, "a", ""}}).ok());
  ASSERT_TRUE(r.add("m", {{1, "a", ""}}).ok());
  EXPECT_FALSE(r.add("m", {{1, "again", ""}}).ok());
  EXPECT_FALSE(r.add("", {{1, "a", ""}}).ok());
}

TEST(MigrationRegistry, GlobalRegistryHasStoreMigrations) {
  const auto& mods = migration_registry().modules();
  ASSERT_FALSE(mods.empty());
  EXPECT_EQ(mods[0].name, "store");
  EXPECT_GE(mods[0].migrations.size(), 2u);
}

}  // namespace
}  // namespace koban::store
