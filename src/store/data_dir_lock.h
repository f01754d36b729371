// A lock on a koban data directory: flock(2) on DATA/koban.lock.
//
//   KOBAN_ASSIGN(auto lock, store::DataDirLock::shared(data_dir));   // koban serve / worker
//   KOBAN_ASSIGN(auto lock, store::DataDirLock::exclusive(data_dir)); // koban restore
//
// Every process that opens the SQLite database (serve, worker, migrate) holds a shared lock
// for its lifetime; restore takes the exclusive lock without waiting, so it refuses to
// overwrite a database that some process has open. The kernel releases the lock when the
// process dies (kill -9 included), so a stale lock file is harmless.
#pragma once

#include <string>

#include "core/result.h"

namespace koban::store {

class DataDirLock {
 public:
  static Result<DataDirLock> shared(const std::string& data_dir);
  static Result<DataDirLock> exclusive(const std::string& data_dir);

  DataDirLock(DataDirLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  DataDirLock& operator=(DataDirLock&& o) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

  static std::string lock_path(const std::string& data_dir);

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  static Result<DataDirLock> take(const std::string& data_dir, bool exclusive);
  int fd_ = -1;
};

}  // namespace koban::store
