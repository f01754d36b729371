// Comparing a live site with the manifest over HTTP (`koban site verify --url`): every path of
// the manifest is fetched and the body's SHA-256 compared. 200 with another body → changed,
// 404/410 → removed, anything else (500, a redirect, a timeout) → error. Files ADDED to a site
// cannot be found this way (a web site cannot be listed): check the directory for those.
//
//   KOBAN_ASSIGN(auto report, verify_url("http://127.0.0.1:8080", *files, {}));
//
// A small synchronous Boost.Beast client: plain http:// only (https is refused with a message:
// run the check on the server, or against koban's own http listener), keep-alive connections
// (a few in parallel), a deadline per request, a limit on header and body sizes. No
// Accept-Encoding is sent, so the bodies are the published bytes.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.h"
#include "site/integrity/verify.h"

namespace koban::site::integrity {

struct UrlVerifyOptions {
  std::chrono::milliseconds timeout{10000};  // connect, send and receive of one request
  std::size_t max_body = 64u << 20;          // a bigger body is an error finding
  int connections = 4;
};

struct BaseUrl {
  std::string host, port, prefix;  // prefix: "" or "/sub" (no trailing '/')
};
// "http://host[:port][/prefix]"; invalid_argument (English) otherwise, https included.
Result<BaseUrl> parse_base_url(std::string_view url);
// Percent-encodes a relative path for a request target ('/' kept).
std::string encode_path(std::string_view path);

// Errors only for a bad URL or a host that cannot be resolved.
Result<VerifyReport> verify_url(std::string_view base_url, const FileMap& manifest, const UrlVerifyOptions& options);

}  // namespace koban::site::integrity
