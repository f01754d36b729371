// Hashing the files of a publish directory, fast: SHA-256 with OpenSSL (uses the CPU's SHA
// instructions), files read in 64 KiB pieces, many files hashed on several threads.
//
//   KOBAN_ASSIGN(auto entries, walk_tree(dir, {}));        // every file below dir, sorted
//   auto digests = hash_files(dir, paths);                  // digests[i] for paths[i]
//
// Paths are relative to the directory with '/' separators ("news/index.html"). A path from
// outside (the publisher's report, a manifest) is checked with is_safe_relative_path() first,
// so nothing outside the directory is ever read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace koban::site::integrity {

struct FileDigest {
  std::string sha256;  // 64 lower-case hex digits
  std::uint64_t size = 0;
  bool operator==(const FileDigest&) const = default;
};

// not_found when the file is missing, invalid_argument when it is not a regular file (a
// symbolic link, a directory ...), unavailable when it cannot be read.
Result<FileDigest> hash_file(const std::filesystem::path& file);

// Non-empty, at most 1024 bytes, no leading '/', no empty, "." or ".." segment, no
// backslash, no control characters.
bool is_safe_relative_path(std::string_view path);

struct DiskEntry {
  std::string path;   // relative, '/' separators
  bool regular = true;  // false: a symbolic link, fifo, socket ... (never followed)
  std::uint64_t size = 0;
};
// The publisher's own list of the files it wrote (src/site/publish, hidden, never served): it
// changes with every publish and is not part of the site, so the manifest leaves it out.
inline constexpr std::string_view kPublisherListFile = ".koban-publish";
bool is_ignored_path(std::string_view path);

struct WalkLimits {
  std::size_t max_files = 500000;
  int max_depth = 64;
};
// Every entry below dir that is not a directory, sorted by path, except is_ignored_path() ones.
// Symbolic links are listed (regular = false), never followed. too_large beyond the limits;
// not_found when dir is missing.
Result<std::vector<DiskEntry>> walk_tree(const std::filesystem::path& dir, const WalkLimits& limits);

// Hashes dir/paths[i] for every i, on up to `threads` threads (0: one per core, at most 8).
std::vector<Result<FileDigest>> hash_files(const std::filesystem::path& dir, const std::vector<std::string>& paths,
                                           int threads = 0);

}  // namespace koban::site::integrity
