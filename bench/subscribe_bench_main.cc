// The client side of bench/subscribe_bench.sh: drives a running `koban serve` (SQLite) through
// the residents' sign-up pages like many people at once, then confirms every sign-up.
//
//   subscribe_bench PORT DB_PATH SIGNUPS CLIENTS
//
// Phase 1 (sign-up): CLIENTS threads, each with one keep-alive connection, repeat
//   GET /alerts/ (the CSRF cookie and field) → POST /alerts/ (a unique address) → expect 303.
// Then the confirmation mails are read from mail_outbox in DB_PATH (the catcher transport
// keeps them there), decoded, and the /alerts/confirm/<token> links taken out of the text.
// Phase 2 (confirm): the same threads POST every link → expect 200.
// Prints one line per phase and a summary line "confirmed: N in T s, R/s" that the script
// reads; the exit status is non-zero when anything failed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mail/message_view.h"
#include "store/database.h"

namespace {

struct Reply {
  int status = 0;
  std::string headers;  // lower-cased, for finding names and fixed values
  std::string raw_headers;  // as sent (cookie values are case-sensitive)
  std::string body;
};

// One keep-alive HTTP/1.1 connection to 127.0.0.1:port (reconnects when the server closes).
class Conn {
 public:
  explicit Conn(int port) : port_(port) {}
  ~Conn() { close_fd(); }

  std::optional<Reply> send(const std::string& request) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !connect_fd()) return std::nullopt;
      if (write_all(request)) {
        if (auto r = read_reply()) return r;
      }
      close_fd();  // the server closed an idle keep-alive connection: try once more
    }
    return std::nullopt;
  }

 private:
  bool connect_fd() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close_fd();
      return false;
    }
    buf_.clear();
    return true;
  }
  void close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }
  bool write_all(const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
      const auto n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
  bool fill() {
    char tmp[16384];
    const auto n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }
  std::optional<Reply> read_reply() {
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return std::nullopt;
    Reply r;
    r.raw_headers = buf_.substr(0, end + 2);
    r.headers = r.raw_headers;
    for (auto& c : r.headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (r.headers.size() < 12) return std::nullopt;
    r.status = std::atoi(r.headers.c_str() + 9);
    std::size_t length = 0;
    if (auto p = r.headers.find("\r\ncontent-length:"); p != std::string::npos)
      length = std::strtoul(r.headers.c_str() + p + 17, nullptr, 10);
    else if (r.headers.find("transfer-encoding: chunked") != std::string::npos)
      return std::nullopt;  // koban always sends a length; anything else is a failure here
    buf_.erase(0, end + 4);
    while (buf_.size() < length)
      if (!fill()) return std::nullopt;
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    if (r.headers.find("\r\nconnection: close") != std::string::npos) close_fd();
    return r;
  }

  int port_;
  int fd_ = -1;
  std::string buf_;
};

std::string between(const std::string& s, const std::string& start, char stop) {
  auto p = s.find(start);
  if (p == std::string::npos) return "";
  p += start.size();
  return s.substr(p, s.find(stop, p) - p);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace koban;
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s PORT DB_PATH SIGNUPS CLIENTS\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const std::string db_path = argv[2];
  const long total = std::atol(argv[3]);
  const int clients = std::max(1, std::atoi(argv[4]));
  const std::string run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000007);

  // ---- phase 1: sign-ups -------------------------------------------------------------------
  std::atomic<long> next{0}, ok_signups{0}, failed{0};
  std::atomic<bool> first_failure_shown{false};
  auto show_failure = [&](const char* what, const std::optional<Reply>& r) {
    ++failed;
    if (!first_failure_shown.exchange(true))
      std::fprintf(stderr, "first failure (%s): %d %s\n", what, r ? r->status : 0,
                   r ? r->body.substr(0, 300).c_str() : "no reply");
  };
  const auto t1 = std::chrono::steady_clock::now();
  {
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
      threads.emplace_back([&] {
        Conn conn(port);
        for (long i = next++; i < total; i = next++) {
          auto form = conn.send("GET /alerts/ HTTP/1.1\r\nHost: bench\r\n\r\n");
          if (!form || form->status != 200) { show_failure("form", form); continue; }
          const auto at = form->headers.find("set-cookie: koban_alerts_csrf=");
          const std::string cookie =
              at == std::string::npos ? "" : between(form->raw_headers.substr(at), "koban_alerts_csrf=", ';');
          const std::string csrf = between(form->body, "name=\"csrf\" value=\"", '"');
          if (cookie.empty() || csrf.empty()) { show_failure("csrf", form); continue; }
          // Different carriers' domains, categories and encodings, like real sign-ups.
          static const char* kDomains[] = {"docomo.ne.jp", "ezweb.ne.jp", "softbank.ne.jp", "gmail.com", "example.jp"};
          const std::string body = "csrf=" + csrf + "&address=b" + run + "x" + std::to_string(i) + "%40" +
                                   kDomains[i % 5] + "&category=" + std::to_string(1 + i % 6) +
                                   "&category=6&whole=1&encoding=" + (i % 4 == 0 ? "iso2022jp" : "utf8") +
                                   "&website=";
          // The form's cookie is the raw token as the server set it (its characters are cookie-safe).
          auto done = conn.send("POST /alerts/ HTTP/1.1\r\nHost: bench\r\nCookie: koban_alerts_csrf=" + cookie +
                                "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body);
          if (!done || done->status != 303 || done->headers.find("location: /alerts/sent") == std::string::npos) {
            show_failure("post", done);
            continue;
          }
          ++ok_signups;
        }
      });
    for (auto& t : threads) t.join();
  }
  const double signup_secs = seconds_since(t1);
  std::printf("sign-up: %ld of %ld in %.2f s, %.0f/s (GET form + POST), %d clients\n", ok_signups.load(), total,
              signup_secs, ok_signups / signup_secs, clients);

  // ---- the confirmation links, from the catcher's outbox -------------------------------------
  std::vector<std::string> links;
  {
    auto db = store::Database::open({.sqlite_path = db_path});
    if (!db) {
      std::fprintf(stderr, "cannot open %s: %s\n", db_path.c_str(), db.error().message.c_str());
      return 1;
    }
    auto r = (*db)->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT message FROM mail_outbox WHERE recipient LIKE ?", "b" + run + "x%"));
      for (const auto& row : rows) {
        const auto v = mail::view_message(row.text(0));
        auto token = between(v.text, "/alerts/confirm/", '\n');
        while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
        if (!token.empty()) links.push_back("/alerts/confirm/" + token);
      }
      return ok();
    });
    if (!r) {
      std::fprintf(stderr, "reading the outbox: %s\n", r.error().message.c_str());
      return 1;
    }
  }
  std::printf("confirmation mails found: %zu\n", links.size());

  // ---- phase 2: confirmations --------------------------------------------------------------
  std::atomic<long> ok_confirms{0};
  next = 0;
  const auto t2 = std::chrono::steady_clock::now();
  {
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
      threads.emplace_back([&] {
        Conn conn(port);
        for (long i = next++; i < static_cast<long>(links.size()); i = next++) {
          auto r = conn.send("POST " + links[static_cast<std::size_t>(i)] +
                             " HTTP/1.1\r\nHost: bench\r\nContent-Length: 0\r\n\r\n");
          if (!r || r->status != 200) { show_failure("confirm", r); continue; }
          ++ok_confirms;
        }
      });
    for (auto& t : threads) t.join();
  }
  const double confirm_secs = seconds_since(t2);
  std::printf("confirm: %ld of %zu in %.2f s, %.0f/s\n", ok_confirms.load(), links.size(), confirm_secs,
              ok_confirms / confirm_secs);
  const double both = signup_secs + confirm_secs;
  std::printf("confirmed: %ld in %.2f s, %.0f/s\n", ok_confirms.load(), both, ok_confirms / both);
  if (failed > 0) std::fprintf(stderr, "failures: %ld\n", failed.load());
  return failed > 0 || ok_confirms != total ? 1 : 0;
}
