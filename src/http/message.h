// Request and Response as plain types: feature modules include this, never Beast, so that
// they compile fast. The server (server.h) converts between the wire and these.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace koban::http {
namespace forms {
struct MultipartForm;
}

// Header names are stored lower-case.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;        // "GET", "POST" ...
  std::string target;        // as sent: "/a/b?x=1"
  std::string path;          // "/a/b" (still percent-encoded)
  std::string query;         // "x=1" (no '?')
  Headers headers;
  std::string body;          // empty for streamed multipart bodies (see uploads)
  std::string remote_addr;   // peer IP address
  std::map<std::string, std::string, std::less<>> params;  // path parameters from the router
  std::string route;         // the matched route pattern, e.g. "/news/:id" (for metrics)
  // A streamed multipart/form-data body (routes with RouteOptions::multipart): fields and
  // uploaded files in temp files (include "http/forms/multipart_parser.h" to use it).
  std::shared_ptr<forms::MultipartForm> upload;

  std::string_view header(std::string_view lower_name) const;
  // True when the client asked for JSON (Accept: application/json or an /api/ path).
  bool wants_json() const;
  std::string_view param(std::string_view name) const;
  // A cookie value by name, or "".
  std::string cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;  // the server adds Date, Content-Length, security headers
  std::string body;
  // For bodies shared between many responses (cached pages): used instead of body when set.
  std::shared_ptr<const std::string> shared_body;
  // Header lines already serialised ("Name: value\r\n" ...), shared between responses (cached
  // pages); written after `headers`. header() looks into them too.
  std::shared_ptr<const std::string> raw_headers;
  bool close = false;  // close the connection after this response

  Response& set(std::string name, std::string value);
  std::string_view header(std::string_view lower_name) const;
  std::string_view body_view() const { return shared_body ? *shared_body : body; }

  static Response text(int status, std::string body);
  static Response html(int status, std::string body);
  static Response json(int status, std::string body);
  static Response redirect(std::string location, int status = 303);
};

// The HTTP status for an error from a service: invalid_argument → 400, unauthenticated → 401,
// permission_denied → 403, not_found → 404, conflict → 409, too_large → 413,
// rate_limited → 429, unavailable (database full or read-only ...) → 503, timeout → 504,
// internal → 500.
int status_for(const Error& error);
// A response with only that status: the server renders the Japanese error page (or JSON).
Response response_for(const Error& error);

// Percent-decodes a path segment or query component ('+' stays '+'); nullopt on bad escapes.
std::optional<std::string> percent_decode(std::string_view in);
std::string percent_encode(std::string_view in);  // unreserved kept, everything else %XX
std::string html_escape(std::string_view in);
std::string json_escape(std::string_view in);     // contents of a JSON string, no quotes
std::string_view status_reason(int status);

}  // namespace koban::http
