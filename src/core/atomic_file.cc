#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

namespace koban {
namespace fs = std::filesystem;

namespace {
std::atomic<std::uint64_t> g_temp_counter{0};
}

Result<void> write_file_atomically(const fs::path& file, std::string_view bytes, const AtomicWriteOptions& o) {
  std::error_code ec;
  const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  if (!fs::is_directory(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return Error::unavailable("cannot create " + dir.string() + ": " + ec.message());
    if (o.new_dir_perms) fs::permissions(dir, fs::perms(*o.new_dir_perms), ec);
  }
  const fs::path tmp = dir / ("." + file.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                              std::to_string(g_temp_counter++));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, o.mode);
  if (fd < 0) return Error::unavailable("cannot write " + tmp.string() + ": " + std::strerror(errno));
  bool good = true;
  for (std::size_t off = 0; off < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      good = false;
      break;
    }
    off += static_cast<std::size_t>(n);
  }
  if (o.sync) good = good && ::fsync(fd) == 0;
  good = (::close(fd) == 0) && good;
  if (!good || ::rename(tmp.c_str(), file.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Error::unavailable("cannot write " + file.string() + ": " + why);
  }
  if (o.sync) {
    // The rename itself survives a crash only once the folder is synced.
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  return ok();
}

}  // namespace koban
