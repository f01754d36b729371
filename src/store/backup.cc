#include "store/backup.h"

#include <sqlite3.h>

#include <cstdio>
#include <filesystem>

#include "store/data_dir_lock.h"

namespace koban::store {
namespace {

struct Db {
  sqlite3* db = nullptr;
  ~Db() {
    if (db) sqlite3_close_v2(db);
  }
};

std::string errmsg(sqlite3* db, int rc) { return db ? sqlite3_errmsg(db) : sqlite3_errstr(rc); }

Result<void> open(Db& d, const std::string& path, int flags, int busy_ms) {
  int rc = sqlite3_open_v2(path.c_str(), &d.db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK)
    return Error::unavailable("データベースを開けません: " + path + " (" + errmsg(d.db, rc) + ")");
  sqlite3_busy_timeout(d.db, busy_ms);
  return ok();
}

// Copies every page of src into dst in one step: one read transaction, one snapshot.
Result<void> copy(Db& src, Db& dst, const std::string& what) {
  sqlite3_backup* b = sqlite3_backup_init(dst.db, "main", src.db, "main");
  if (!b) return Error::unavailable(what + ": " + errmsg(dst.db, 0));
  int rc = SQLITE_OK;
  // BUSY/LOCKED: another connection holds a lock for a moment; retry a bounded number of times.
  for (int tries = 0; tries < 100; ++tries) {
    rc = sqlite3_backup_step(b, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    sqlite3_sleep(50);
  }
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE)
    return Error::unavailable(what + " に失敗しました (" + std::string(sqlite3_errstr(rc)) + ")");
  return ok();
}

}  // namespace

Result<void> verify_koban_database(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Error::invalid("ファイルがありません: " + path);
  Db d;
  KOBAN_TRY(open(d, path, SQLITE_OPEN_READONLY, 5000));
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(d.db, "PRAGMA integrity_check", -1, &st, nullptr);
  std::string result;
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    auto* t = sqlite3_column_text(st, 0);
    result = t ? reinterpret_cast<const char*>(t) : "";
  } else {
    result = errmsg(d.db, rc);
  }
  sqlite3_finalize(st);
  if (result != "ok")
    return Error::invalid("koban のデータベースではないか、壊れています: " + path + " (" + result + ")");
  st = nullptr;
  rc = sqlite3_prepare_v2(
      d.db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'", -1,
      &st, nullptr);
  const bool has = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  if (!has)
    return Error::invalid("koban のデータベースではありません（schema_migrations がありません）: " + path);
  return ok();
}

Result<void> backup(const std::string& db_path, const std::string& dest_file) {
  Db src;
  KOBAN_TRY(open(src, db_path, SQLITE_OPEN_READONLY, 5000));
  const std::string tmp = dest_file + ".tmp";
  std::remove(tmp.c_str());
  {
    Db dst;
    KOBAN_TRY(open(dst, tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 5000));
    auto r = copy(src, dst, "バックアップ");
    if (!r) {
      std::remove(tmp.c_str());
      return r;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, dest_file, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return Error::unavailable("バックアップファイルを保存できません: " + dest_file + " (" + ec.message() + ")");
  }
  return ok();
}

Result<void> restore(const std::string& src_file, const std::string& db_path) {
  KOBAN_TRY(verify_koban_database(src_file));
  std::filesystem::path dir = std::filesystem::path(db_path).parent_path();
  KOBAN_ASSIGN(auto lock, DataDirLock::exclusive(dir.empty() ? "." : dir.string()));
  Db src, dst;
  KOBAN_TRY(open(src, src_file, SQLITE_OPEN_READONLY, 5000));
  KOBAN_TRY(open(dst, db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 5000));
  KOBAN_TRY(copy(src, dst, "復元"));
  return ok();
}

}  // namespace koban::store
