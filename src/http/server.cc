#include "http/server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/time.h"
#include "http/access_log.h"
#include "http/forms/multipart_boundary.h"
#include "http/forms/multipart_parser.h"

namespace koban::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// Each I/O thread runs its own io_context (no locks between threads, no strands), and the
// coroutines use the concrete executor type rather than any_io_executor.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;
template <class T = void>
using Awaitable = asio::awaitable<T, Executor>;
using Clock = std::chrono::steady_clock;

namespace {

const auto use_aw = asio::as_tuple(asio::use_awaitable_t<Executor>{});

constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'";

// Appended to every response unless the handler set the header itself.
struct SecurityHeader {
  std::string_view name;  // lower-case, as Response::set stores them
  std::string_view line;
};
constexpr SecurityHeader kSecurityHeaders[] = {
    {"content-security-policy",
     "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; "
     "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
     "form-action 'self'; frame-ancestors 'none'\r\n"},
    {"x-content-type-options", "X-Content-Type-Options: nosniff\r\n"},
    {"referrer-policy", "Referrer-Policy: strict-origin-when-cross-origin\r\n"},
    {"x-frame-options", "X-Frame-Options: DENY\r\n"},
};

// The Date header changes once a second; keep the formatted line per thread.
const std::string& date_line() {
  thread_local std::int64_t cached_second = -1;
  thread_local std::string line;
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (now.time_since_epoch().count() != cached_second) {
    cached_second = now.time_since_epoch().count();
    line = "Date: " + format_http_date(now) + "\r\n";
  }
  return line;
}

bool has_header(const Response& res, std::string_view name) {
  for (const auto& [k, v] : res.headers)
    if (k == name) return true;
  return false;
}

// Writes the status line and headers of res into out.
void serialize_head(const Response& res, bool keep_alive, bool head_only, std::string& out) {
  out.clear();
  out.reserve(512);
  out += "HTTP/1.1 ";
  out += std::to_string(res.status);
  out += ' ';
  out += status_reason(res.status);
  out += "\r\n";
  for (const auto& [k, v] : res.headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  if (res.raw_headers) out += *res.raw_headers;
  for (const auto& h : kSecurityHeaders)
    if (!has_header(res, h.name)) out += h.line;
  out += date_line();
  const bool no_body_status = res.status == 204 || res.status == 304 || res.status < 200;
  if (!no_body_status && !has_header(res, "content-length")) {
    out += "Content-Length: ";
    out += std::to_string(res.body_view().size());
    out += "\r\n";
  }
  (void)head_only;
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += "\r\n";
}

bool expects_continue(const bhttp::request_parser<bhttp::buffer_body>& parser) {
  auto v = parser.get()[bhttp::field::expect];
  return beast::iequals(v, "100-continue");
}

}  // namespace

std::string_view default_content_security_policy() { return kCsp; }

std::string_view default_error_message(int status) {
  switch (status) {
    case 400: return "リクエストの形式が正しくありません。";
    case 401: return "ログインしてください。";
    case 403: return "この操作を行う権限がありません。";
    case 404: return "お探しのページは見つかりませんでした。";
    case 405: return "この操作はできません。";
    case 409: return "他の操作と重なりました。もう一度お試しください。";
    case 413: return "送信されたデータが大きすぎます。";
    case 422: return "入力内容に誤りがあります。";
    case 429: return "アクセスが集中しています。しばらくしてから再度お試しください。";
    case 431: return "リクエストヘッダーが大きすぎます。";
    case 503: return "ただいまサービスを利用できません。しばらくしてから再度お試しください。";
    default: return status >= 500 ? "サーバー内部でエラーが発生しました。時間をおいて再度お試しください。"
                                  : "リクエストを処理できませんでした。";
  }
}

Response default_error_response(const Request& req, int status, std::string_view message) {
  if (req.wants_json()) {
    return Response::json(status, "{\"error\":{\"status\":" + std::to_string(status) +
                                      ",\"message\":\"" + json_escape(message) + "\"}}");
  }
  std::string body =
      "<!doctype html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" + std::to_string(status) + " " + html_escape(message) + "</title></head><body>"
      "<main><h1>" + html_escape(message) + "</h1><p>エラー番号: " + std::to_string(status) +
      "</p><p><a href=\"/\">トップページへ戻る</a></p></main></body></html>\n";
  return Response::html(status, std::move(body));
}

// One connection. Deadlines are not timers: a sweeper per loop looks at every connection a
// few times a second and cancels the I/O of those past their deadline. That keeps timer
// bookkeeping off the per-request path.
struct Conn {
  explicit Conn(Socket s) : socket(std::move(s)) {}
  Socket socket;
  Clock::time_point deadline = Clock::time_point::max();
  bool idle = false;  // waiting for the next request (closed at once on shutdown)
};

// An I/O thread with its own io_context and the connections it owns (touched only there).
struct Loop {
  std::unordered_set<Conn*> conns;  // declared first: destroyed after io's pending sessions
  asio::io_context io{1};
  std::thread thread;
  std::array<char, 16 * 1024> scratch;  // where idle connections' next bytes are read
};

struct Server::Impl {
  ServerConfig config;
  const Router& router;
  Metrics* metrics;
  ErrorRenderer error_renderer = default_error_response;

  std::vector<std::unique_ptr<Loop>> loops;
  std::optional<Acceptor> acceptor;
  std::optional<asio::thread_pool> handler_pool;
  std::unique_ptr<AccessLog> access_log;
  std::size_t next_loop = 0;

  std::uint64_t largest_body = 0;  // the largest max_body of any route
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};

  std::mutex done_mu;
  std::condition_variable done_cv;
  bool stopped = false;
  bool started = false;

  Impl(ServerConfig c, const Router& r, Metrics* m) : config(std::move(c)), router(r), metrics(m) {}

  Awaitable<> accept_loop();
  Awaitable<> sweep(Loop& loop);
  Awaitable<> session(Socket socket, Loop& loop);
  Awaitable<bool> serve_one(Conn& conn, beast::flat_buffer& buffer, const std::string& remote, int& served);
  Response error(const Request& req, int status, std::string_view message) {
    Response r;
    try {
      r = error_renderer(req, status, message);
    } catch (...) {
      r = default_error_response(req, status, message);
    }
    r.status = status;
    return r;
  }
  Response call_handler(const Route& route, Request& req);

  // Closes idle connections of every loop now (each on its own thread).
  void close_idle() {
    for (auto& loop : loops) {
      asio::post(loop->io, [l = loop.get()] {
        for (Conn* c : l->conns) {
          if (!c->idle) continue;
          beast::error_code ignored;
          c->socket.cancel(ignored);
        }
      });
    }
  }
};

Response Server::Impl::call_handler(const Route& route, Request& req) {
  try {
    return route.handler(req);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"handler threw\",\"route\":\"%s\",\"what\":\"%s\"}\n",
                 json_escape(route.pattern).c_str(), json_escape(e.what()).c_str());
  } catch (...) {
  }
  return error(req, 500, "サーバー内部でエラーが発生しました。時間をおいて再度お試しください。");
}

Awaitable<> Server::Impl::accept_loop() {
  for (;;) {
    Loop& loop = *loops[next_loop++ % loops.size()];
    Socket socket(loop.io);
    auto [ec] = co_await acceptor->async_accept(socket, use_aw);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) co_return;
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    if (connections.load() >= config.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(loop.io, session(std::move(socket), loop), asio::detached);
  }
}

Awaitable<> Server::Impl::sweep(Loop& loop) {
  Timer timer(loop.io);
  const auto tick = std::clamp<std::chrono::milliseconds>(config.request_timeout / 4,
                                                          std::chrono::milliseconds(20),
                                                          std::chrono::milliseconds(250));
  for (;;) {
    timer.expires_after(tick);
    auto [ec] = co_await timer.async_wait(use_aw);
    if (ec) co_return;
    const auto now = Clock::now();
    for (Conn* c : loop.conns) {
      if (c->deadline <= now) {
        c->deadline = Clock::time_point::max();
        beast::error_code ignored;
        c->socket.cancel(ignored);  // the pending read or write ends with operation_aborted
      }
    }
  }
}

Awaitable<> Server::Impl::session(Socket socket, Loop& loop) {
  ++connections;
  Conn conn(std::move(socket));
  loop.conns.insert(&conn);
  struct Leave {
    Impl* self;
    Loop& loop;
    Conn* conn;
    ~Leave() {
      loop.conns.erase(conn);
      --self->connections;
    }
  } leave{this, loop, &conn};

  auto& stream = conn.socket;
  beast::error_code ec;
  stream.non_blocking(true, ec);  // the one synchronous read below must never block
  std::string remote;
  {
    auto ep = stream.remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  beast::flat_buffer buffer;
  int served = 0;

  for (;;) {
    // 1. Wait for the next request (keep-alive idle time). Idle connections hold no read
    // buffer: bytes are read into the loop's scratch space and only what arrived is kept.
    if (buffer.size() == 0) {
      if (stopping) co_return;
      buffer.shrink_to_fit();
      beast::error_code rec;
      std::size_t n = served > 0 ? stream.read_some(asio::buffer(loop.scratch), rec) : 0;
      if (served == 0 || rec == asio::error::would_block) {
        conn.idle = true;
        conn.deadline = Clock::now() + (served == 0 ? config.request_timeout : config.idle_timeout);
        auto [wec] = co_await stream.async_wait(tcp::socket::wait_read, use_aw);
        conn.idle = false;
        if (wec) co_return;  // idle timeout or shutdown
        n = stream.read_some(asio::buffer(loop.scratch), rec);
        if (rec == asio::error::would_block) continue;
      }
      if (rec || n == 0) co_return;  // closed by the client
      buffer.commit(asio::buffer_copy(buffer.prepare(n), asio::buffer(loop.scratch.data(), n)));
    }

    if (!co_await serve_one(conn, buffer, remote, served)) break;
  }
  stream.shutdown(tcp::socket::shutdown_send, ec);
}

// One request on conn, its bytes starting in buffer. Returns whether to keep the connection.
// A coroutine of its own so that the request state (parser, request, response) lives only
// while a request is served, not while the connection waits idle.
Awaitable<bool> Server::Impl::serve_one(Conn& conn, beast::flat_buffer& buffer, const std::string& remote, int& served) {
  auto& stream = conn.socket;
  std::string head;
  // 2. Read the header within request_timeout: a slow client is dropped, others go on.
  const auto started_at = std::chrono::steady_clock::now();
  bhttp::request_parser<bhttp::buffer_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
  // Tightened per route below. Beast may parse the first chunk header of a chunked body
  // together with the request header, so the first limit is the largest any route allows,
  // and the route's own limit is checked again once the body is in.
  parser.body_limit(largest_body);
  conn.deadline = Clock::now() + config.request_timeout;
  auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser, use_aw);
  conn.deadline = Clock::time_point::max();

  Request req;
  req.remote_addr = remote;
  bool keep_alive = false;
  Response res;
  const Route* route = nullptr;
  bool read_body = false;

  if (hec) {
    if (hec == asio::error::eof ||
        hec == asio::error::connection_reset || hec == asio::error::operation_aborted)
      co_return false;
    const int status = hec == bhttp::error::header_limit ? 431
                       : hec == bhttp::error::body_limit   ? 413
                                                           : 400;
    res = error(req, status, default_error_message(status));
    res.close = true;
  } else {
    auto& h = parser.get();
    req.method = std::string(h.method_string());
    req.target = std::string(h.target());
    const auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
    for (const auto& field : h) {
      std::string name(field.name_string());
      for (auto& c : name)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      req.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    keep_alive = h.keep_alive();

    if (req.path.empty() || req.path.front() != '/') {
      res = error(req, 400, "リクエストの形式が正しくありません。");
      res.close = true;
    } else {
      auto match = router.match(req.method, req.path, &req.params);
      route = match.route;
      if (!route) {
        req.route = match.method_not_allowed ? "(405)" : "(404)";
        if (match.method_not_allowed) {
          res = error(req, 405, "この操作はできません。");
          res.set("allow", match.allow);
        } else {
          res = error(req, 404, "お探しのページは見つかりませんでした。");
        }
        // A body we did not read would be taken for the next request.
        if (!parser.is_done()) res.close = true;
      } else {
        req.route = route->pattern;
        const auto length = parser.content_length();
        if (length && *length > route->options.max_body) {
          res = error(req, 413, default_error_message(413));
          res.close = true;
          route = nullptr;  // refused: the handler does not run
        } else if (!parser.is_done()) {
          read_body = true;
        }
      }
    }
  }

  // 3. The body, within a deadline that grows with its allowed size. It is read in slices:
  // multipart uploads stream into the form parser (files go to temp files), other bodies
  // are collected up to the route's limit.
  std::string body;
  if (read_body) {
    parser.body_limit(route->options.max_body);
    if (expects_continue(parser)) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()), use_aw);
    }
    const auto allowance = std::chrono::milliseconds(
        route->options.max_body * 1000 / std::max<std::size_t>(config.min_body_rate, 1));
    conn.deadline = Clock::now() + config.request_timeout + allowance;

    std::optional<forms::MultipartParser> multipart;
    if (route->options.multipart) {
      const auto content_type = parser.get()[bhttp::field::content_type];
      if (beast::iequals(content_type.substr(0, 19), "multipart/form-data")) {
        auto boundary = forms::multipart_boundary(content_type);
        forms::MultipartLimits limits = config.upload_limits;
        limits.max_total_bytes = route->options.max_body;
        multipart.emplace(boundary ? *boundary : std::string{}, limits, config.upload_temp_dir);
      }
    }
    std::optional<Error> body_error;
    bool client_gone = false;
    // On the heap, not in the coroutine frame: only connections reading a body pay for it.
    auto slice_memory = std::make_unique<std::array<char, 64 * 1024>>();
    auto& slice = *slice_memory;
    while (!parser.is_done()) {
      parser.get().body().data = slice.data();
      parser.get().body().size = slice.size();
      auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, use_aw);
      if (bec == bhttp::error::need_buffer) bec = {};
      if (bec == bhttp::error::body_limit) {
        body_error = Error{ErrorCode::too_large, std::string(default_error_message(413))};
        break;
      }
      if (bec) {
        client_gone = true;  // timeout or the client went away: nothing to answer
        break;
      }
      const std::string_view got(slice.data(), slice.size() - parser.get().body().size);
      if (multipart) {
        if (auto r = multipart->feed(got); !r) {
          body_error = r.error();
          break;
        }
      } else if (body.size() + got.size() > route->options.max_body) {
        body_error = Error{ErrorCode::too_large, std::string(default_error_message(413))};
        break;
      } else {
        body.append(got);
      }
    }
    conn.deadline = Clock::time_point::max();
    if (client_gone) co_return false;
    if (!body_error && multipart) {
      auto form = multipart->finish();
      if (form) {
        req.upload = std::make_shared<forms::MultipartForm>(std::move(*form));
      } else {
        body_error = form.error();
      }
    }
    if (body_error) {
      const int status = body_error->code == ErrorCode::too_large ? 413
                         : body_error->code == ErrorCode::unavailable ? 503 : 400;
      res = error(req, status, body_error->message);
      res.close = true;  // the rest of the body was not read
      route = nullptr;
    }
  }

  // 4. The handler: blocking ones on the handler pool, fast ones right here.
  if (route) {
    req.body = std::move(body);
    if (route->options.blocking) {
      res = co_await asio::co_spawn(
          handler_pool->get_executor(),
          [this, route, &req]() -> asio::awaitable<Response> { co_return call_handler(*route, req); },
          asio::use_awaitable_t<Executor>{});
    } else {
      res = call_handler(*route, req);
    }
  }

  // A handler may answer just a status (e.g. 404): the error page is made here, once.
  if (res.status >= 400 && res.body_view().empty() && res.status != 405) {
    Response page = error(req, res.status, default_error_message(res.status));
    for (auto& [k, v] : res.headers)
      if (k != "content-type") page.set(k, v);
    page.close = res.close;
    res = std::move(page);
  }

  // 5. The response.
  ++served;
  if (stopping || served >= config.max_requests_per_connection || res.close) keep_alive = false;
  const bool head_only = req.method == "HEAD";
  serialize_head(res, keep_alive, head_only, head);
  const std::string_view out_body = res.body_view();
  const bool send_body = !head_only && !out_body.empty() && res.status != 204 && res.status != 304;
  conn.deadline = Clock::now() + config.request_timeout + std::chrono::milliseconds(
      out_body.size() * 1000 / std::max<std::size_t>(config.min_body_rate, 1));
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head),
                                            asio::buffer(out_body.data(), send_body ? out_body.size() : 0)};
  auto [wec, wn] = co_await asio::async_write(stream, buffers, use_aw);
  conn.deadline = Clock::time_point::max();

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
  if (metrics) metrics->observe_request(req.route.empty() ? "(error)" : req.route, res.status, seconds);
  if (access_log) access_log->write(req, res.status, send_body ? out_body.size() : 0, seconds);

  co_return !wec && keep_alive;
}

Server::Server(ServerConfig config, const Router& router, Metrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(config), router, metrics)) {}

Server::~Server() {
  stop();
  wait();
  // Sessions still suspended in a stopped io_context are destroyed with it; they touch the
  // Impl's counters, so the loops go first, explicitly.
  impl_->acceptor.reset();
  impl_->loops.clear();
}

void Server::set_error_renderer(ErrorRenderer renderer) { impl_->error_renderer = std::move(renderer); }

Result<void> Server::start() {
  auto& m = *impl_;
  if (!m.config.access_log.empty()) {
    auto log = AccessLog::open(m.config.access_log);
    if (!log) return log.error();
    m.access_log = std::move(*log);
  }
  const int n = m.config.io_threads > 0 ? m.config.io_threads
                                        : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) m.loops.push_back(std::make_unique<Loop>());
  beast::error_code ec;
  auto address = asio::ip::make_address(m.config.host, ec);
  if (ec) return Error::invalid("listen address is not valid: " + m.config.host);
  tcp::endpoint endpoint(address, m.config.port);
  m.acceptor.emplace(m.loops[0]->io);
  m.acceptor->open(endpoint.protocol(), ec);
  if (!ec) m.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor->bind(endpoint, ec);
  if (!ec) m.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::unavailable("cannot listen on " + m.config.host + ":" +
                              std::to_string(m.config.port) + ": " + ec.message());
  }
  for (const auto& route : m.router.routes())
    m.largest_body = std::max<std::uint64_t>(m.largest_body, route.options.max_body);
  m.handler_pool.emplace(static_cast<std::size_t>(std::max(1, m.config.handler_threads)));
  asio::co_spawn(m.loops[0]->io, m.accept_loop(), asio::detached);
  for (auto& loop : m.loops) {
    asio::co_spawn(loop->io, m.sweep(*loop), asio::detached);
    loop->thread = std::thread([l = loop.get()] { l->io.run(); });
  }
  std::lock_guard lock(m.done_mu);
  m.started = true;
  return ok();
}

std::uint16_t Server::port() const {
  if (!impl_->acceptor) return 0;
  beast::error_code ec;
  auto ep = impl_->acceptor->local_endpoint(ec);
  return ec ? 0 : ep.port();
}

std::size_t Server::open_connections() const { return impl_->connections.load(); }

void Server::stop() {
  auto& m = *impl_;
  {
    std::lock_guard lock(m.done_mu);
    if (!m.started || m.stopping.exchange(true)) return;
  }
  asio::post(m.loops[0]->io, [&m] {
    beast::error_code ec;
    m.acceptor->close(ec);
  });
  // Idle keep-alive connections close now; in-flight requests finish, and their connections
  // close after the response (stopping is set).
  m.close_idle();
  const auto deadline = std::chrono::steady_clock::now() + m.config.shutdown_grace;
  while (m.connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    m.close_idle();  // connections that went idle meanwhile
  }
  for (auto& loop : m.loops) loop->io.stop();
  for (auto& loop : m.loops)
    if (loop->thread.joinable()) loop->thread.join();
  if (m.handler_pool) m.handler_pool->join();
  if (m.access_log) m.access_log->flush();
  std::lock_guard lock(m.done_mu);
  m.stopped = true;
  m.done_cv.notify_all();
}

void Server::wait() {
  auto& m = *impl_;
  std::unique_lock lock(m.done_mu);
  m.done_cv.wait(lock, [&m] { return m.stopped || !m.started; });
}

}  // namespace koban::http
