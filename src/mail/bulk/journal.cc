#include "mail/bulk/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace koban::mail::bulk {
namespace {

constexpr std::size_t kHeader = 8;
constexpr std::size_t kFixed = 8 + 1 + 2 + 4;
constexpr std::size_t kMaxPayload = kFixed + kMaxJournalText;

std::uint32_t fnv1a(const char* p, std::size_t n) {
  std::uint32_t h = 2166136261u;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 16777619u;
  }
  return h;
}

template <class T>
void put(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff));
}
template <class T>
T get(const char* p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return static_cast<T>(v);
}

Error sys_error(const std::string& what, const std::string& path) {
  return Error::unavailable("bulk journal " + what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::string Journal::encode(const JournalRecord& r) {
  std::string payload;
  const std::size_t text_len = std::min(r.text.size(), kMaxJournalText);
  payload.reserve(kFixed + text_len);
  put<std::int64_t>(payload, r.item_id);
  put<std::uint8_t>(payload, static_cast<std::uint8_t>(r.status));
  put<std::uint16_t>(payload, static_cast<std::uint16_t>(std::clamp(r.code, 0, 999)));
  put<std::uint32_t>(payload, static_cast<std::uint32_t>(std::max(0, r.attempts_before)));
  payload.append(r.text.data(), text_len);
  std::string out;
  out.reserve(kHeader + payload.size());
  put<std::uint32_t>(out, static_cast<std::uint32_t>(payload.size()));
  put<std::uint32_t>(out, fnv1a(payload.data(), payload.size()));
  out += payload;
  return out;
}

Result<Journal> Journal::open(const std::string& path) {
  Journal j;
  j.path_ = path;
  j.fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (j.fd_ < 0) return sys_error("open", path);
  if (::flock(j.fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return Error::conflict("bulk journal " + path + " is held by another process");
    return sys_error("flock", path);
  }
  struct stat st {};
  if (::fstat(j.fd_, &st) != 0) return sys_error("stat", path);
  j.size_ = static_cast<std::uint64_t>(st.st_size);
  return j;
}

Journal::Journal(Journal&& o) noexcept : fd_(o.fd_), size_(o.size_), path_(std::move(o.path_)) { o.fd_ = -1; }
Journal& Journal::operator=(Journal&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    size_ = o.size_;
    path_ = std::move(o.path_);
    o.fd_ = -1;
  }
  return *this;
}
Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

Result<JournalReplay> Journal::read_from(std::uint64_t offset, std::size_t max_records) {
  JournalReplay out;
  out.end = offset;
  if (fd_ < 0) return Error::internal("bulk journal is closed");
  if (offset > size_) return Error::internal("bulk journal " + path_ + " is shorter than its folded offset");
  std::string buf;
  std::uint64_t buf_start = offset;  // file offset of buf[0]
  std::size_t pos = 0;
  char chunk[65536];
  bool eof = false;
  while (out.records.size() < max_records) {
    // Enough bytes for a header and its payload?
    const std::size_t avail = buf.size() - pos;
    std::size_t need = kHeader;
    if (avail >= kHeader) {
      const auto len = get<std::uint32_t>(buf.data() + pos);
      if (len < kFixed || len > kMaxPayload) {
        out.torn = true;
        break;
      }
      need = kHeader + len;
    }
    if (avail < need) {
      if (eof) {
        out.torn = avail > 0;
        break;
      }
      buf.erase(0, pos);
      buf_start += pos;
      pos = 0;
      const ssize_t n = ::pread(fd_, chunk, sizeof chunk, static_cast<off_t>(buf_start + buf.size()));
      if (n < 0) return sys_error("read", path_);
      if (n == 0) eof = true;
      buf.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    const char* p = buf.data() + pos;
    const auto len = get<std::uint32_t>(p);
    if (get<std::uint32_t>(p + 4) != fnv1a(p + kHeader, len)) {
      out.torn = true;
      break;
    }
    const char* q = p + kHeader;
    JournalRecord r;
    r.item_id = get<std::int64_t>(q);
    const auto status = get<std::uint8_t>(q + 8);
    if (status < 1 || status > 4) {
      out.torn = true;
      break;
    }
    r.status = static_cast<JournalStatus>(status);
    r.code = get<std::uint16_t>(q + 9);
    r.attempts_before = static_cast<int>(get<std::uint32_t>(q + 11));
    r.text.assign(q + kFixed, len - kFixed);
    pos += kHeader + len;
    out.end = buf_start + pos;
    out.records.push_back(std::move(r));
    out.ends.push_back(out.end);
  }
  if (out.torn) {
    // Cut the damaged tail so that the next append starts on a record boundary.
    if (::ftruncate(fd_, static_cast<off_t>(out.end)) != 0) return sys_error("truncate", path_);
    size_ = out.end;
  }
  return out;
}

Result<std::uint64_t> Journal::append(const JournalRecord& r) {
  if (fd_ < 0) return Error::internal("bulk journal is closed");
  const std::string rec = encode(r);
  const ssize_t n = ::write(fd_, rec.data(), rec.size());
  if (n != static_cast<ssize_t>(rec.size())) {
    // A short write (disk full) would leave a torn record in the middle: cut it off.
    if (n > 0 && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {}
    return sys_error("write", path_);
  }
  size_ += rec.size();
  return size_;
}

Result<void> Journal::sync() {
  if (fd_ < 0) return Error::internal("bulk journal is closed");
  if (::fdatasync(fd_) != 0) return sys_error("fdatasync", path_);
  return ok();
}

void Journal::remove() {
  if (fd_ >= 0) {
    ::unlink(path_.c_str());
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace koban::mail::bulk
