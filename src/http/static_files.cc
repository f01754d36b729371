#include "http/static_files.h"

#include <zlib.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "core/time.h"

namespace koban::http {
namespace fs = std::filesystem;
namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool accepts_gzip(const Request& req) {
  const auto ae = req.header("accept-encoding");
  return ae.find("gzip") != std::string_view::npos;
}

}  // namespace

std::string gzip_compress(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out;
  out.resize(deflateBound(&zs, data.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string{};
}

std::string_view StaticFiles::content_type_for(std::string_view ext) {
  static const std::unordered_map<std::string_view, std::string_view> kTypes = {
      {".html", "text/html; charset=utf-8"},     {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},       {".js", "text/javascript; charset=utf-8"},
      {".json", "application/json"},             {".xml", "application/xml; charset=utf-8"},
      {".atom", "application/atom+xml; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"},     {".csv", "text/csv; charset=utf-8"},
      {".svg", "image/svg+xml"},                 {".png", "image/png"},
      {".jpg", "image/jpeg"},                    {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},                     {".webp", "image/webp"},
      {".ico", "image/x-icon"},                  {".pdf", "application/pdf"},
      {".woff2", "font/woff2"},                  {".map", "application/json"},
  };
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? std::string_view{"application/octet-stream"} : it->second;
}

bool StaticFiles::is_compressible(std::string_view ct) {
  return ct.starts_with("text/") || ct.starts_with("application/json") ||
         ct.starts_with("application/xml") || ct.starts_with("application/atom+xml") ||
         ct.starts_with("image/svg+xml");
}

StaticFiles::StaticFiles(StaticFilesConfig config) : config_(std::move(config)) {}

void StaticFiles::invalidate() {
  std::lock_guard lock(mu_);
  cache_.clear();
  cached_bytes_ = 0;
}

bool StaticFiles::is_safe_relative(std::string_view rel) {
  // Only plain segments: no "..", no hidden files, no backslashes or NULs.
  if (rel.size() > 4096) return false;
  while (!rel.empty()) {
    auto slash = rel.find('/');
    std::string_view seg = rel.substr(0, slash);
    rel = slash == std::string_view::npos ? std::string_view{} : rel.substr(slash + 1);
    if (seg.empty()) continue;
    if (seg.front() == '.' || seg.find('\\') != std::string_view::npos || seg.find('\0') != std::string_view::npos)
      return false;
  }
  return true;
}

fs::path StaticFiles::resolve(std::string_view rel) const {
  fs::path path = config_.root;
  while (!rel.empty()) {
    auto slash = rel.find('/');
    std::string_view seg = rel.substr(0, slash);
    rel = slash == std::string_view::npos ? std::string_view{} : rel.substr(slash + 1);
    if (!seg.empty()) path /= std::string(seg);
  }
  return path;
}

std::shared_ptr<const StaticFiles::Entry> StaticFiles::load(const fs::path& path, std::string_view key) {
  std::error_code ec;
  fs::path file = path;
  if (fs::is_directory(file, ec)) file /= config_.index;
  auto status = fs::status(file, ec);
  if (ec || !fs::is_regular_file(status)) return nullptr;
  const auto size = fs::file_size(file, ec);
  const auto mtime = fs::last_write_time(file, ec);
  if (ec) return nullptr;
  const std::int64_t mtime_ns = mtime.time_since_epoch().count();

  std::ifstream in(file, std::ios::binary);
  if (!in) return nullptr;
  std::string data(size, '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uintmax_t>(in.gcount()) != size) return nullptr;

  auto e = std::make_shared<Entry>();
  e->content_type = std::string(content_type_for(file.extension().string()));
  e->size = size;
  e->mtime_ns = mtime_ns;
  const auto sys_mtime = std::chrono::file_clock::to_sys(mtime);
  e->last_modified = format_http_date(std::chrono::time_point_cast<std::chrono::seconds>(sys_mtime));
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%jx-%llx\"", size, static_cast<unsigned long long>(mtime_ns));
  e->etag = etag;
  if (is_compressible(e->content_type) && size >= 256) {
    auto gz = gzip_compress(data);
    if (!gz.empty() && gz.size() < size) e->gzip_body = std::make_shared<const std::string>(std::move(gz));
  }
  e->body = std::make_shared<const std::string>(std::move(data));
  e->checked_ms = steady_ms();
  std::string head = "Content-Type: " + e->content_type + "\r\nETag: " + e->etag +
                     "\r\nLast-Modified: " + e->last_modified + "\r\nCache-Control: " +
                     config_.cache_control + "\r\n";
  if (e->gzip_body) {
    head += "Vary: Accept-Encoding\r\n";
    e->gzip_head = std::make_shared<const std::string>(head + "Content-Encoding: gzip\r\n");
  }
  e->head = std::make_shared<const std::string>(std::move(head));

  if (size <= config_.cache_max_file) {
    std::lock_guard lock(mu_);
    if (cached_bytes_ + size > config_.cache_max_total) {
      cache_.clear();  // simple and bounded; a published site's hot set refills fast
      cached_bytes_ = 0;
    }
    cache_.insert_or_assign(std::string(key), e);
    cached_bytes_ += size;
  }
  return e;
}

Response StaticFiles::respond(const Request& req, const Entry& e) const {
  Response res;
  const auto inm = req.header("if-none-match");
  const bool not_modified = !inm.empty() ? (inm.find(e.etag) != std::string_view::npos || inm == "*")
                                         : req.header("if-modified-since") == e.last_modified;
  res.raw_headers = e.head;
  if (not_modified) {
    res.status = 304;
    return res;
  }
  if (e.gzip_body && accepts_gzip(req)) {
    res.raw_headers = e.gzip_head;
    res.shared_body = e.gzip_body;
  } else {
    res.shared_body = e.body;
  }
  return res;
}

Response StaticFiles::serve(const Request& req, std::string_view rel) {
  // 404 with an empty body: the server renders its error page.
  Response missing;
  missing.status = 404;
  if (!is_safe_relative(rel)) return missing;
  std::shared_ptr<const Entry> entry;
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(rel);
    if (it != cache_.end()) entry = it->second;
  }
  const auto now = steady_ms();
  if (entry && now - entry->checked_ms > config_.revalidate_ms) {
    // Cheap check that the file has not changed (a publish may have rewritten it).
    std::error_code ec;
    fs::path file = resolve(rel);
    if (fs::is_directory(file, ec)) file /= config_.index;
    const auto mtime = fs::last_write_time(file, ec);
    if (ec || mtime.time_since_epoch().count() != entry->mtime_ns) {
      entry = nullptr;
    } else {
      auto refreshed = std::make_shared<Entry>(*entry);
      refreshed->checked_ms = now;
      std::lock_guard lock(mu_);
      cache_.insert_or_assign(std::string(rel), refreshed);
      entry = refreshed;
    }
  }
  if (!entry) entry = load(resolve(rel), rel);
  if (!entry) return missing;
  return respond(req, *entry);
}

}  // namespace koban::http
