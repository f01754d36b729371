// Backup/restore is SQLite-only (PostgreSQL has pg_dump and its own tooling), so these tests
// are not parametrised over backends.
#include "store/backup.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "store/data_dir_lock.h"
#include "store/migrations.h"
#include "test_db.h"

namespace koban::store {
namespace {

const Instant kT0 = from_unix(1'800'000'000);

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir();
    ASSERT_FALSE(dir_.empty());
    std::filesystem::create_directory(dir_ + "/data");
    config_.sqlite_path = dir_ + "/data/koban.db";
    auto db = Database::open(config_);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    MigrationRegistry reg;
    ASSERT_OK(reg.add("store", store_migrations()));
    ASSERT_OK(reg.add("t", {{1, "pairs", "CREATE TABLE pairs (id {{ID}}, grp INTEGER NOT NULL)"}}));
    ASSERT_OK(migrate(*db_, reg, kT0));
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  static Result<std::int64_t> count_rows(const std::string& path) {
    DatabaseConfig c;
    c.sqlite_path = path;
    KOBAN_ASSIGN(auto db, Database::open(c));
    std::int64_t n = 0;
    KOBAN_TRY(db->read([&](Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*) FROM pairs"));
      n = rows[0].int64(0);
      return ok();
    }));
    return n;
  }

  Result<void> insert_pair(int g) {
    return db_->write([&](Session& s) -> Result<void> {
      KOBAN_TRY(s.exec("INSERT INTO pairs (grp) VALUES (?)", g));
      KOBAN_TRY(s.exec("INSERT INTO pairs (grp) VALUES (?)", g));
      return ok();
    });
  }

  std::string dir_;
  DatabaseConfig config_;
  std::unique_ptr<Database> db_;
};

TEST_F(BackupTest, OnlineBackupIsConsistentWhileTheServerWrites) {
  std::atomic<bool> stop{false};
  std::atomic<int> write_errors{0};
  std::thread writer([&] {
    for (int g = 0; !stop; ++g)
      if (!insert_pair(g)) ++write_errors;
  });
  for (int i = 0; i < 5; ++i) {
    const std::string dest = dir_ + "/backup" + std::to_string(i) + ".db";
    ASSERT_OK(backup(config_.sqlite_path, dest));
    ASSERT_OK(verify_koban_database(dest));
    auto n = count_rows(dest);
    ASSERT_TRUE(n.ok()) << n.error().message;
    EXPECT_EQ(*n % 2, 0) << "backup " << i << " caught half a transaction";
    EXPECT_FALSE(std::filesystem::exists(dest + ".tmp"));
  }
  stop = true;
  writer.join();
  EXPECT_EQ(write_errors.load(), 0);  // the backup did not block the writer into errors
}

TEST_F(BackupTest, RestoreRefusesWhileTheDataDirectoryIsInUse) {
  ASSERT_OK(insert_pair(1));
  const std::string dest = dir_ + "/backup.db";
  ASSERT_OK(backup(config_.sqlite_path, dest));
  ASSERT_OK(insert_pair(2));  // after the backup: must disappear on restore

  {
    auto serving = DataDirLock::shared(dir_ + "/data");  // what koban serve holds
    ASSERT_TRUE(serving.ok()) << serving.error().message;
    auto r = restore(dest, config_.sqlite_path);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::conflict);
    EXPECT_NE(r.error().message.find("使用中"), std::string::npos);
  }
  db_.reset();  // the "server" stopped
  ASSERT_OK(restore(dest, config_.sqlite_path));
  auto n = count_rows(config_.sqlite_path);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
}

TEST_F(BackupTest, RestoreRejectsFilesThatAreNotKobanDatabases) {
  const std::string garbage = dir_ + "/garbage.db";
  std::ofstream(garbage) << "this is not sqlite at all, just text padding padding padding";
  auto r = restore(garbage, config_.sqlite_path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);

  const std::string other = dir_ + "/other.db";
  {
    DatabaseConfig c;
    c.sqlite_path = other;
    auto db = Database::open(c);
    ASSERT_TRUE(db.ok());
    ASSERT_OK((*db)->write([](Session& s) -> Result<void> { return s.exec_script("CREATE TABLE x (v INTEGER)"); }));
  }
  r = restore(other, config_.sqlite_path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("schema_migrations"), std::string::npos);

  EXPECT_FALSE(restore(dir_ + "/missing.db", config_.sqlite_path).ok());
  // The live database was not touched.
  auto n = count_rows(config_.sqlite_path);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
}

TEST(DataDirLock, SharedLocksCoexistExclusiveDoesNot) {
  std::string dir = testing::make_temp_dir();
  {
    auto a = DataDirLock::shared(dir);
    auto b = DataDirLock::shared(dir);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_FALSE(DataDirLock::exclusive(dir).ok());
  }
  {
    auto x = DataDirLock::exclusive(dir);
    ASSERT_TRUE(x.ok());
    EXPECT_FALSE(DataDirLock::shared(dir).ok());
    auto moved = std::move(*x);  // moving keeps the lock
    EXPECT_FALSE(DataDirLock::exclusive(dir).ok());
  }
  EXPECT_TRUE(DataDirLock::exclusive(dir).ok());  // released with the object
  EXPECT_FALSE(DataDirLock::shared("/nonexistent-dir/x").ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace koban::store
