#include "http/forms/temp_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>

namespace koban::http::forms {

Result<TempFile> TempFile::create(const std::filesystem::path& dir) {
  std::string templ = (dir / "koban-upload-XXXXXX").string();
  // mkostemp opens with O_CREAT|O_EXCL and mode 0600; O_CLOEXEC keeps it out of child processes.
  const int fd = ::mkostemp(templ.data(), O_CLOEXEC);
  if (fd < 0) {
    return Error::unavailable("一時ファイルを作成できませんでした。しばらくしてからもう一度お試しください。");
  }
  ::fchmod(fd, 0600);  // mkostemp already does this on glibc; say it explicitly anyway
  TempFile f;
  f.fd_ = fd;
  f.path_ = templ;
  f.owned_ = true;
  return f;
}

TempFile::TempFile(TempFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), owned_(std::exchange(other.owned_, false)) {
  other.path_.clear();
}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
  if (this != &other) {
    remove();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    other.path_.clear();
    owned_ = std::exchange(other.owned_, false);
  }
  return *this;
}

TempFile::~TempFile() { remove(); }

Result<void> TempFile::write(std::string_view bytes) {
  if (fd_ < 0) return Error::internal("temp file is not open");
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::unavailable("一時ファイルに書き込めませんでした（ディスクの空き容量が不足している可能性があります）。");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> TempFile::close() {
  if (fd_ < 0) return {};
  const int fd = std::exchange(fd_, -1);
  // close() can report a delayed write error (NFS, quota): the file is then incomplete.
  if (::close(fd) != 0 && errno != EINTR) {
    return Error::unavailable("一時ファイルを保存できませんでした。");
  }
  return {};
}

std::filesystem::path TempFile::release() {
  (void)close();
  owned_ = false;
  return std::exchange(path_, {});
}

Result<void> TempFile::move_to(const std::filesystem::path& dest) {
  if (!owned_) return Error::internal("temp file is not owned");
  KOBAN_TRY(close());
  if (::rename(path_.c_str(), dest.c_str()) != 0) {
    return Error::unavailable("アップロードされたファイルを保存できませんでした。");
  }
  owned_ = false;
  path_.clear();
  return {};
}

void TempFile::remove() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  if (owned_ && !path_.empty()) ::unlink(path_.c_str());
  owned_ = false;
  path_.clear();
}

}  // namespace koban::http::forms
