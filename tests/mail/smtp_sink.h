// A capturing SMTP server for tests: listens on 127.0.0.1 (random port), one thread per
// connection, records the exact bytes of each session and every transaction, and answers
// chosen recipients with chosen replies. Optional STARTTLS (a cert/key file pair), AUTH
// PLAIN/LOGIN, SIZE, no PIPELINING, refused EHLO, and a silent server for timeout tests.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mail/encoding.h"

namespace koban::mail::testing {

struct SinkTransaction {
  std::string mail_from;               // the MAIL FROM argument line, e.g. "<a@b.jp> SIZE=12"
  std::vector<std::string> rcpts;      // accepted recipients
  std::string data;                    // content after un-stuffing, without the final "."
  std::string wire;                    // content as received, with the final ".\r\n"
};

struct SinkSession {
  std::string bytes;                   // everything the client sent (after TLS: decrypted)
  std::vector<std::string> commands;   // command lines, without CRLF
  std::vector<SinkTransaction> transactions;
  int rcpt_commands = 0;               // RCPT TO commands seen
  int max_pipelined = 1;               // most commands that arrived before we answered
  bool sent_before_reply = false;      // a command arrived before the previous reply (no PIPELINING)
  bool tls = false;
  std::string auth_user;
};

struct SinkOptions {
  bool pipelining = true;
  bool refuse_ehlo = false;
  bool silent = false;                 // accept and never answer (timeout tests)
  std::uint64_t size = 0;              // SIZE to announce, 0: none
  std::string cert_file, key_file;     // STARTTLS when set
  std::string user, password;          // AUTH PLAIN LOGIN when set
  std::map<std::string, std::string> rcpt_replies;  // recipient → "450 4.2.0 busy"
};

class SmtpSink {
 public:
  explicit SmtpSink(SinkOptions o = {}) : options_(std::move(o)), acceptor_(io_) {
    namespace asio = boost::asio;
    asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    if (!options_.cert_file.empty()) {
      ssl_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
      ssl_->use_certificate_chain_file(options_.cert_file);
      ssl_->use_private_key_file(options_.key_file, asio::ssl::context::pem);
    }
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~SmtpSink() { stop(); }

  void stop() {
    if (stopping_.exchange(true)) return;
    // Wake the blocking accept with a connection of our own.
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket s(io_);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    if (accept_thread_.joinable()) accept_thread_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (auto& c : open_sockets_) {
        boost::system::error_code ignored;
        c->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
      }
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

  std::uint16_t port() const { return port_; }

  std::vector<SinkSession> sessions() const {
    std::lock_guard lock(mu_);
    return finished_;
  }
  int max_concurrent() const { return max_concurrent_; }

  void set_rcpt_reply(const std::string& rcpt, std::optional<std::string> reply) {
    std::lock_guard lock(mu_);
    if (reply) options_.rcpt_replies[rcpt] = *reply;
    else options_.rcpt_replies.erase(rcpt);
  }

 private:
  using tcp = boost::asio::ip::tcp;

  void accept_loop() {
    while (true) {
      auto sock = std::make_shared<tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*sock, ec);
      if (stopping_ || ec) return;
      std::lock_guard lock(mu_);
      open_sockets_.push_back(sock);
      threads_.emplace_back([this, sock] { serve(sock); });
    }
  }

  // Blocking I/O over the plain socket or, after STARTTLS, over TLS.
  struct Io {
    tcp::socket& sock;
    std::unique_ptr<boost::asio::ssl::stream<tcp::socket&>> tls;
    std::size_t read_some(char* p, std::size_t n, boost::system::error_code& ec) {
      return tls ? tls->read_some(boost::asio::buffer(p, n), ec) : sock.read_some(boost::asio::buffer(p, n), ec);
    }
    void write(const std::string& s) {
      boost::system::error_code ec;
      if (tls) boost::asio::write(*tls, boost::asio::buffer(s), ec);
      else boost::asio::write(sock, boost::asio::buffer(s), ec);
    }
  };

  void serve(std::shared_ptr<tcp::socket> sock) {
    int now = ++concurrent_;
    for (int seen = max_concurrent_; now > seen && !max_concurrent_.compare_exchange_weak(seen, now);) {}
    SinkSession session;
    boost::system::error_code ignored_ec;
    sock->set_option(tcp::no_delay(true), ignored_ec);  // one reply per write: avoid Nagle stalls
    Io io{*sock, nullptr};
    run(io, session);
    --concurrent_;
    boost::system::error_code ignored;
    sock->close(ignored);
    std::lock_guard lock(mu_);
    finished_.push_back(std::move(session));
  }

  void run(Io& io, SinkSession& s) {
    if (!options_.silent) io.write("220 sink.test ESMTP\r\n");
    std::string buf;
    std::size_t pos = 0;
    bool in_data = false;
    std::optional<SinkTransaction> tx;
    std::string auth_state;  // "", "user", "pass"
    std::string auth_user;
    char chunk[16384];
    while (true) {
      auto nl = buf.find("\r\n", pos);
      if (nl == std::string::npos) {
        buf.erase(0, pos);
        pos = 0;
        boost::system::error_code ec;
        std::size_t n = io.read_some(chunk, sizeof chunk, ec);
        if (ec || n == 0) return;
        s.bytes.append(chunk, n);
        buf.append(chunk, n);
        continue;
      }
      std::string line = buf.substr(pos, nl - pos);
      pos = nl + 2;
      if (options_.silent) continue;
      if (in_data) {
        tx->wire += line + "\r\n";
        if (line == ".") {
          in_data = false;
          s.transactions.push_back(std::move(*tx));
          tx.reset();
          io.write("250 2.0.0 Ok: queued\r\n");
        } else {
          tx->data += (line.starts_with("..") ? line.substr(1) : line) + "\r\n";
        }
        continue;
      }
      // More complete lines already waiting: the client did not wait for this reply.
      const bool more_waiting = buf.find("\r\n", pos) != std::string::npos;
      s.commands.push_back(line);
      int batch = 1;
      for (std::size_t p = pos; (p = buf.find("\r\n", p)) != std::string::npos; p += 2) ++batch;
      s.max_pipelined = std::max(s.max_pipelined, batch);
      if (!options_.pipelining && more_waiting) s.sent_before_reply = true;

      if (!auth_state.empty()) {
        auto decoded = base64_decode(line);
        if (auth_state == "user") {
          auth_user = decoded ? *decoded : "";
          auth_state = "pass";
          io.write("334 UGFzc3dvcmQ6\r\n");
        } else {
          auth_state.clear();
          if (decoded && auth_user == options_.user && *decoded == options_.password) {
            s.auth_user = auth_user;
            io.write("235 2.7.0 Authentication successful\r\n");
          } else {
            io.write("535 5.7.8 Authentication failed\r\n");
          }
        }
        continue;
      }
      std::string upper = line.substr(0, std::min<std::size_t>(line.size(), 10));
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (upper.starts_with("EHLO")) {
        if (options_.refuse_ehlo) {
          io.write("502 5.5.2 Error: command not recognized\r\n");
          continue;
        }
        std::string r = "250-sink.test\r\n";
        if (options_.pipelining) r += "250-PIPELINING\r\n";
        if (options_.size) r += "250-SIZE " + std::to_string(options_.size) + "\r\n";
        if (ssl_ && !io.tls) r += "250-STARTTLS\r\n";
        if (!options_.user.empty()) r += "250-AUTH PLAIN LOGIN\r\n";
        r += "250 8BITMIME\r\n";
        io.write(r);
      } else if (upper.starts_with("HELO")) {
        io.write("250 sink.test\r\n");
      } else if (upper.starts_with("STARTTLS") && ssl_) {
        io.write("220 2.0.0 Ready to start TLS\r\n");
        io.tls = std::make_unique<boost::asio::ssl::stream<tcp::socket&>>(io.sock, *ssl_);
        boost::system::error_code ec;
        io.tls->handshake(boost::asio::ssl::stream_base::server, ec);
        if (ec) return;
        s.tls = true;
        buf.clear();
        pos = 0;
      } else if (upper.starts_with("AUTH PLAIN")) {
        auto decoded = base64_decode(line.size() > 11 ? line.substr(11) : "");
        const std::string expected = std::string(1, '\0') + options_.user + '\0' + options_.password;
        if (decoded && *decoded == expected) {
          s.auth_user = options_.user;
          io.write("235 2.7.0 Authentication successful\r\n");
        } else {
          io.write("535 5.7.8 Authentication failed\r\n");
        }
      } else if (upper.starts_with("AUTH LOGIN")) {
        auth_state = "user";
        io.write("334 VXNlcm5hbWU6\r\n");
      } else if (upper.starts_with("MAIL FROM:")) {
        tx = SinkTransaction{line.substr(10), {}, {}, {}};
        io.write("250 2.1.0 Ok\r\n");
      } else if (upper.starts_with("RCPT TO:")) {
        ++s.rcpt_commands;
        std::string rcpt = line.substr(8);
        if (rcpt.size() >= 2 && rcpt.front() == '<' && rcpt.back() == '>') rcpt = rcpt.substr(1, rcpt.size() - 2);
        std::optional<std::string> reply;
        {
          std::lock_guard lock(mu_);
          if (auto it = options_.rcpt_replies.find(rcpt); it != options_.rcpt_replies.end()) reply = it->second;
        }
        if (!tx) io.write("503 5.5.1 Error: need MAIL command\r\n");
        else if (reply) io.write(*reply + "\r\n");
        else {
          tx->rcpts.push_back(rcpt);
          io.write("250 2.1.5 Ok\r\n");
        }
      } else if (upper.starts_with("DATA")) {
        if (!tx || tx->rcpts.empty()) {
          io.write("554 5.5.1 Error: no valid recipients\r\n");
        } else {
          in_data = true;
          io.write("354 End data with <CR><LF>.<CR><LF>\r\n");
        }
      } else if (upper.starts_with("RSET")) {
        tx.reset();
        io.write("250 2.0.0 Ok\r\n");
      } else if (upper.starts_with("QUIT")) {
        io.write("221 2.0.0 Bye\r\n");
        return;
      } else {
        io.write("502 5.5.2 Error: command not recognized\r\n");
      }
    }
  }

  SinkOptions options_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::unique_ptr<boost::asio::ssl::context> ssl_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  mutable std::mutex mu_;
  std::vector<std::thread> threads_;
  std::vector<std::shared_ptr<tcp::socket>> open_sockets_;
  std::vector<SinkSession> finished_;
  std::atomic<int> concurrent_{0};
  std::atomic<int> max_concurrent_{0};
};

}  // namespace koban::mail::testing
