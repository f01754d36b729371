// Router: method + path pattern → handler. Patterns are literal segments, `:name` (one
// segment) and a trailing `*name` (the rest of the path, possibly empty).
//
//   router.get("/news/:id", [](Request& r) { return show(r.param("id")); });
//   router.post("/admin/upload", handler, {.max_body = 20 << 20});
//   router.get("/*path", serve_published, {.blocking = false});   // fast, on the I/O thread
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace koban::http {

using Handler = std::function<Response(Request&)>;

struct RouteOptions {
  std::size_t max_body = 1 << 20;  // larger bodies get 413 before they are read
  // true: runs on the handler thread pool (may touch the database). false: runs on the I/O
  // thread; only for handlers that never block (cached pages, health checks).
  bool blocking = true;
  // true: a multipart/form-data body is streamed into the form parser as it arrives (files
  // into temp files, never whole in memory) and handed over as Request::upload.
  bool multipart = false;
};

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;  // pattern split at '/'
  Handler handler;
  RouteOptions options;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
  void get(std::string pattern, Handler h, RouteOptions o = {}) { add("GET", std::move(pattern), std::move(h), o); }
  void post(std::string pattern, Handler h, RouteOptions o = {}) { add("POST", std::move(pattern), std::move(h), o); }

  struct Match {
    const Route* route = nullptr;           // null: no route
    bool method_not_allowed = false;        // the path exists with another method
    std::string allow;                      // for 405: the methods that exist
  };
  // Finds the route for method and path; fills params (percent-decoded) into request.params.
  // HEAD matches GET routes.
  Match match(std::string_view method, std::string_view path,
              std::map<std::string, std::string, std::less<>>* params) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace koban::http
