#include "site/integrity/file_hash.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include "core/hex.h"
#include "site/integrity/signing_key.h"

namespace koban::site::integrity {
namespace fs = std::filesystem;
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<FileDigest> hash_file(const fs::path& file) {
  // O_NOFOLLOW: a symbolic link put in place of a published file is a finding, not a file to read.
  Fd f{::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Error::not_found("missing: " + file.string());
    if (errno == ELOOP) return Error::invalid("not a regular file: " + file.string());
    return Error::unavailable("cannot open " + file.string() + ": " + std::strerror(errno));
  }
  struct stat st{};
  if (::fstat(f.fd, &st) != 0) return Error::unavailable("cannot stat " + file.string());
  if (!S_ISREG(st.st_mode)) return Error::invalid("not a regular file: " + file.string());
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return Error::internal("SHA-256 unavailable");
  thread_local std::unique_ptr<char[]> buf(new char[64 * 1024]);
  std::uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(f.fd, buf.get(), 64 * 1024);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::unavailable("cannot read " + file.string() + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.get(), static_cast<std::size_t>(n));
    total += static_cast<std::uint64_t>(n);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  return FileDigest{hex::encode(std::string_view(reinterpret_cast<const char*>(md), len)), total};
}

bool is_safe_relative_path(std::string_view path) {
  if (path.empty() || path.size() > 1024 || path.front() == '/') return false;
  for (unsigned char c : path)
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    start = end + 1;
  }
  return true;
}

bool is_ignored_path(std::string_view path) { return path == kPublisherListFile; }

Result<std::vector<DiskEntry>> walk_tree(const fs::path& dir, const WalkLimits& limits) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error::not_found("not a directory: " + dir.string());
  std::vector<DiskEntry> out;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
  if (ec) return Error::unavailable("cannot list " + dir.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return Error::unavailable("cannot list " + dir.string() + ": " + ec.message());
    if (it.depth() > limits.max_depth) return Error{ErrorCode::too_large, "directory tree too deep: " + dir.string()};
    const fs::directory_entry& e = *it;
    auto st = e.symlink_status(ec);
    if (ec) return Error::unavailable("cannot stat " + e.path().string() + ": " + ec.message());
    if (fs::is_directory(st)) continue;  // recursive_directory_iterator never follows links by default
    if (out.size() >= limits.max_files)
      return Error{ErrorCode::too_large, "more than " + std::to_string(limits.max_files) + " files in " + dir.string()};
    DiskEntry d;
    d.path = e.path().lexically_relative(dir).generic_string();
    if (is_ignored_path(d.path)) continue;
    d.regular = fs::is_regular_file(st);
    if (d.regular) {
      d.size = e.file_size(ec);
      if (ec) d.size = 0;
    }
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const DiskEntry& a, const DiskEntry& b) { return a.path < b.path; });
  return out;
}

std::vector<Result<FileDigest>> hash_files(const fs::path& dir, const std::vector<std::string>& paths, int threads) {
  std::vector<Result<FileDigest>> out(paths.size(), Result<FileDigest>(Error::internal("not hashed")));
  if (paths.empty()) return out;
  if (threads <= 0) threads = static_cast<int>(std::min(8u, std::max(1u, std::thread::hardware_concurrency())));
  // Small files: a thread costs more than it saves below a few dozen files each.
  threads = static_cast<int>(std::min<std::size_t>(threads, (paths.size() + 31) / 32));
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < paths.size();) {
      if (!is_safe_relative_path(paths[i])) {
        out[i] = Error::invalid("unsafe path: " + paths[i]);
        continue;
      }
      out[i] = hash_file(dir / paths[i]);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return out;
}

}  // namespace koban::site::integrity
