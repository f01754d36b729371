// Static files from a directory (the published site, /static assets): ETag, Last-Modified,
// If-None-Match / If-Modified-Since → 304, gzip for text types when the client accepts it,
// and an in-memory cache so that a published page is served without touching the disk.
//
//   http::StaticFiles files({.root = data_dir / "public"});
//   router.get("/*path", [&](Request& r) { return files.serve(r, r.param("path")); },
//              {.blocking = false});
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/message.h"

namespace koban::http {

struct StaticFilesConfig {
  std::filesystem::path root;
  std::string cache_control = "public, max-age=300";
  std::size_t cache_max_file = 1 << 20;     // files above this are read per request
  std::size_t cache_max_total = 64 << 20;   // bytes kept in memory at most
  std::string index = "index.html";         // served for directory paths
  // How often (at most) a cached file is checked against the disk for changes.
  int revalidate_ms = 1000;
};

class StaticFiles {
 public:
  explicit StaticFiles(StaticFilesConfig config);
  // Serves relative_path (already percent-decoded) under root; 404 for anything outside it,
  // hidden files, or missing files. Never throws.
  Response serve(const Request& req, std::string_view relative_path);
  // Forgets cached entries (after a publish writes files).
  void invalidate();

  static std::string_view content_type_for(std::string_view extension);
  static bool is_compressible(std::string_view content_type);

 private:
  struct Entry {
    std::shared_ptr<const std::string> body;
    std::shared_ptr<const std::string> gzip_body;  // null when not worth it
    // The response header lines, serialised once: plain and gzip variants.
    std::shared_ptr<const std::string> head, gzip_head;
    std::string content_type, etag, last_modified;
    std::int64_t mtime_ns = 0;
    std::uintmax_t size = 0;
    std::int64_t checked_ms = 0;
  };
  static bool is_safe_relative(std::string_view relative_path);
  std::filesystem::path resolve(std::string_view relative_path) const;
  std::shared_ptr<const Entry> load(const std::filesystem::path& path, std::string_view key);
  Response respond(const Request& req, const Entry& e) const;

  StaticFilesConfig config_;
  std::mutex mu_;
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // relative path as asked → entry; found by string_view, so a hit allocates nothing.
  std::unordered_map<std::string, std::shared_ptr<const Entry>, KeyHash, std::equal_to<>> cache_;
  std::size_t cached_bytes_ = 0;
};

// gzip-compresses data (zlib, level 6).
std::string gzip_compress(std::string_view data);

}  // namespace koban::http
