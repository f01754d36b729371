// Access log: one JSON object per line (time, remote, method, path, status, bytes, ms, ua),
// buffered and flushed at least once a second so that logging does not cost a syscall per
// request.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"
#include "http/message.h"

namespace koban::http {

class AccessLog {
 public:
  // path "-" is standard output.
  static Result<std::unique_ptr<AccessLog>> open(const std::string& path);
  ~AccessLog();
  void write(const Request& req, int status, std::size_t bytes, double seconds);
  void flush();

 private:
  AccessLog(std::FILE* f, bool owned) : file_(f), owned_(owned) {}
  std::mutex mu_;
  std::FILE* file_;
  bool owned_;
  std::string buffer_;
  std::int64_t last_flush_ = 0;
};

}  // namespace koban::http
