#include "store/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace koban::store {

std::string DataDirLock::lock_path(const std::string& data_dir) {
  return (data_dir.empty() ? std::string(".") : data_dir) + "/koban.lock";
}

Result<DataDirLock> DataDirLock::take(const std::string& data_dir, bool exclusive) {
  const std::string path = lock_path(data_dir);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return Error::unavailable("データディレクトリのロックファイルを開けません: " + path + " (" +
                              std::strerror(errno) + ")");
  if (::flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      return Error::conflict(exclusive
                                 ? "データディレクトリは使用中です（koban を停止してから実行してください）: " + data_dir
                                 : "データディレクトリは復元処理中です: " + data_dir);
    return Error::unavailable("データディレクトリをロックできません: " + path + " (" +
                              std::strerror(err) + ")");
  }
  return DataDirLock(fd);
}

Result<DataDirLock> DataDirLock::shared(const std::string& data_dir) { return take(data_dir, false); }
Result<DataDirLock> DataDirLock::exclusive(const std::string& data_dir) { return take(data_dir, true); }

DataDirLock& DataDirLock::operator=(DataDirLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace koban::store
