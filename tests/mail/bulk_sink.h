// A counting SMTP sink for the bulk delivery tests: 127.0.0.1, a random port, one thread per
// connection, PIPELINING. It counts the messages it ACCEPTED (the 250 after the final dot was
// written) per recipient, and can misbehave per recipient: refuse RCPT (4xx/5xx) on chosen
// attempts, drop the connection or hang after receiving the content, delay every final reply.
// One recipient per transaction (what the bulk sender sends).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace koban::mail::testing {

enum class BulkSinkAfter { accept, drop, hang, defer };
struct BulkSinkOptions {
  // RCPT reply for (recipient, n-th RCPT of it, 1-based); "" accepts.
  std::function<std::string(const std::string&, int)> rcpt_reply;
  // What to do after the content of (recipient, n-th DATA of it) arrived.
  std::function<BulkSinkAfter(const std::string&, int)> after_data;
  std::chrono::microseconds reply_delay{0};  // before each final 250
};

class BulkSink {
 public:
  using After = BulkSinkAfter;
  using Options = BulkSinkOptions;

  explicit BulkSink(Options o = Options{}) : o_(std::move(o)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 128);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~BulkSink() { stop(); }

  void stop() {
    if (stopping_.exchange(true)) return;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    if (accept_thread_.joinable()) accept_thread_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (int c : conns_) ::shutdown(c, SHUT_RDWR);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

  std::uint16_t port() const { return port_; }
  long accepted_total() const { return accepted_total_; }
  long sessions() const { return sessions_; }
  std::map<std::string, int> accepted() const {
    std::lock_guard lock(mu_);
    return accepted_;
  }
  // The content of the last accepted message per recipient.
  std::string last_data(const std::string& rcpt) const {
    std::lock_guard lock(mu_);
    auto it = data_.find(rcpt);
    return it == data_.end() ? "" : it->second;
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) {
        if (stopping_) return;
        continue;
      }
      int one = 1;
      ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard lock(mu_);
      conns_.push_back(c);
      ++sessions_;
      threads_.emplace_back([this, c] {
        serve(c);
        std::lock_guard lock(mu_);
        std::erase(conns_, c);
        ::close(c);
      });
    }
  }

  static bool put(int c, const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(c, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }

  int bump(std::map<std::string, int>& m, const std::string& k) {
    std::lock_guard lock(mu_);
    return ++m[k];
  }

  void serve(int c) {
    if (!put(c, "220 bulk.sink ESMTP\r\n")) return;
    std::string buf, rcpt, data;
    std::size_t pos = 0;
    bool in_data = false, have_mail = false, rcpt_ok = false;
    char chunk[16384];
    while (true) {
      auto nl = buf.find("\r\n", pos);
      if (nl == std::string::npos) {
        buf.erase(0, pos);
        pos = 0;
        ssize_t n = ::recv(c, chunk, sizeof chunk, 0);
        if (n <= 0) return;
        buf.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      std::string line = buf.substr(pos, nl - pos);
      pos = nl + 2;
      if (in_data) {
        if (line != ".") {
          data += line;
          data += "\r\n";
          continue;
        }
        in_data = false;
        const int n = bump(data_attempts_, rcpt);
        const After a = o_.after_data ? o_.after_data(rcpt, n) : After::accept;
        if (a == After::drop) return;
        if (a == After::hang) {
          // Read until the client gives up and closes.
          while (::recv(c, chunk, sizeof chunk, 0) > 0) {}
          return;
        }
        if (a == After::defer) {
          if (!put(c, "451 4.3.0 try again later\r\n")) return;
        } else {
          if (o_.reply_delay.count() > 0) std::this_thread::sleep_for(o_.reply_delay);
          if (!put(c, "250 2.0.0 Ok: queued\r\n")) return;
          std::lock_guard lock(mu_);
          ++accepted_[rcpt];
          data_[rcpt] = data;
          ++accepted_total_;
        }
        have_mail = rcpt_ok = false;
        continue;
      }
      std::string upper = line.substr(0, 10);
      for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      std::string reply;
      if (upper.starts_with("EHLO")) {
        reply = "250-bulk.sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n";
      } else if (upper.starts_with("HELO")) {
        reply = "250 bulk.sink\r\n";
      } else if (upper.starts_with("MAIL FROM:")) {
        have_mail = true;
        rcpt_ok = false;
        reply = "250 2.1.0 Ok\r\n";
      } else if (upper.starts_with("RCPT TO:")) {
        rcpt = line.substr(8);
        if (rcpt.size() >= 2 && rcpt.front() == '<' && rcpt.back() == '>') rcpt = rcpt.substr(1, rcpt.size() - 2);
        const int n = bump(rcpt_attempts_, rcpt);
        std::string r = o_.rcpt_reply ? o_.rcpt_reply(rcpt, n) : "";
        if (!have_mail) reply = "503 5.5.1 need MAIL\r\n";
        else if (!r.empty()) reply = r + "\r\n";
        else {
          rcpt_ok = true;
          reply = "250 2.1.5 Ok\r\n";
        }
      } else if (upper.starts_with("DATA")) {
        if (!rcpt_ok) {
          reply = "554 5.5.1 no valid recipients\r\n";
        } else {
          in_data = true;
          data.clear();
          reply = "354 go ahead\r\n";
        }
      } else if (upper.starts_with("RSET")) {
        have_mail = rcpt_ok = false;
        reply = "250 2.0.0 Ok\r\n";
      } else if (upper.starts_with("QUIT")) {
        put(c, "221 2.0.0 Bye\r\n");
        return;
      } else {
        reply = "502 5.5.2 unknown command\r\n";
      }
      if (!put(c, reply)) return;
    }
  }

  Options o_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  mutable std::mutex mu_;
  std::vector<int> conns_;
  std::vector<std::thread> threads_;
  std::map<std::string, int> accepted_, rcpt_attempts_, data_attempts_;
  std::map<std::string, std::string> data_;
  std::atomic<long> accepted_total_{0};
  std::atomic<long> sessions_{0};
};

}  // namespace koban::mail::testing
