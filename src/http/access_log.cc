#include "http/access_log.h"

#include <chrono>
#include <cstring>

#include "core/time.h"

namespace koban::http {

Result<std::unique_ptr<AccessLog>> AccessLog::open(const std::string& path) {
  if (path == "-") return std::unique_ptr<AccessLog>(new AccessLog(stdout, false));
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return Error::unavailable("cannot open access log " + path + ": " + std::strerror(errno));
  return std::unique_ptr<AccessLog>(new AccessLog(f, true));
}

AccessLog::~AccessLog() {
  flush();
  if (owned_) std::fclose(file_);
}

void AccessLog::write(const Request& req, int status, std::size_t bytes, double seconds) {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - secs).count();
  std::string line;
  line.reserve(256);
  std::string time = format_rfc3339_utc(secs);
  time.insert(time.size() - 1, "." + std::to_string(1000 + ms).substr(1));
  line += "{\"time\":\"" + time + "\",\"remote\":\"" + json_escape(req.remote_addr) +
          "\",\"method\":\"" + json_escape(req.method) + "\",\"path\":\"" +
          json_escape(req.path.substr(0, 2048)) + "\",\"route\":\"" + json_escape(req.route) +
          "\",\"status\":" + std::to_string(status) + ",\"bytes\":" + std::to_string(bytes) +
          ",\"ms\":" + std::to_string(seconds * 1000.0) + ",\"ua\":\"" +
          json_escape(req.header("user-agent").substr(0, 512)) + "\"}\n";
  std::lock_guard lock(mu_);
  buffer_ += line;
  const std::int64_t now_s = secs.time_since_epoch().count();
  if (buffer_.size() > 64 * 1024 || now_s != last_flush_) {
    std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    std::fflush(file_);
    buffer_.clear();
    last_flush_ = now_s;
  }
}

void AccessLog::flush() {
  std::lock_guard lock(mu_);
  if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
  buffer_.clear();
  std::fflush(file_);
}

}  // namespace koban::http
