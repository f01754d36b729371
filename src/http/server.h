// The HTTP/1.1 server: Boost.Beast + Asio with C++20 coroutines, behind this small header so
// that nothing else includes Beast.
//
//   http::Router router;  router.get("/healthz", ...);
//   http::Server server(config, router, &metrics);
//   if (auto r = server.start(); !r) fail(r.error());   // listening once this returns
//   server.wait();                                       // until stop() (e.g. on SIGTERM)
//
// Limits: header bytes (431), body bytes per route (413, refused from Content-Length before the
// body is read), requests per connection, a deadline for each request's header (slow clients
// are dropped while others are served), keep-alive idle timeout, connection count.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/metrics.h"
#include "core/result.h"
#include "http/forms/multipart_parser.h"
#include "http/message.h"
#include "http/router.h"

namespace koban::http {

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;              // 0: any free port (see Server::port())
  int io_threads = 0;                     // 0: one per core
  int handler_threads = 8;                // pool for blocking handlers (database work)
  std::size_t max_header_bytes = 16 * 1024;
  int max_requests_per_connection = 1000;
  std::size_t max_connections = 10000;
  std::chrono::milliseconds request_timeout{10000};   // header of one request, once it starts
  std::chrono::milliseconds idle_timeout{60000};      // keep-alive wait for the next request
  std::size_t min_body_rate = 32 * 1024;  // bytes/s a body upload may not fall below
  std::chrono::milliseconds shutdown_grace{20000};    // in-flight requests get this long
  std::string access_log;                 // "" none, "-" stdout, otherwise a file path
  // Multipart uploads (routes with RouteOptions::multipart): where files stream to, and the
  // per-part limits (the total is the route's max_body).
  std::string upload_temp_dir = "/tmp";
  forms::MultipartLimits upload_limits;
};

// Renders the server's own error responses (404, 413, 431 ...). The default gives a short
// Japanese HTML page, or JSON for API clients; the web module installs the site layout.
using ErrorRenderer = std::function<Response(const Request&, int status, std::string_view message)>;
Response default_error_response(const Request& req, int status, std::string_view message);

// The Japanese message shown for a status when the handler gave none.
std::string_view default_error_message(int status);

// The security headers added to every response that does not set its own.
std::string_view default_content_security_policy();

class Server {
 public:
  Server(ServerConfig config, const Router& router, Metrics* metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void set_error_renderer(ErrorRenderer renderer);
  // Binds, listens and starts the I/O threads; returns once the socket accepts connections.
  Result<void> start();
  std::uint16_t port() const;
  // Graceful: stops accepting, closes idle connections, lets in-flight requests finish (up to
  // shutdown_grace), then stops the threads. Safe to call from a signal-watching thread.
  void stop();
  // Blocks until the server has stopped.
  void wait();
  std::size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace koban::http
