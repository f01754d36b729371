// The SMTP client and the delivery engine. The only mail file that includes Asio (it costs
// ~15 s to compile), so everything network-facing is here; the protocol pieces that need no
// network are in smtp_protocol.cc.
#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>

#include "mail/address.h"
#include "mail/encoding.h"
#include "mail/smtp.h"
#include "mail/smtp_protocol.h"

namespace koban::mail {

// Shared by the producer (push/close/cancel) and deliver_stream's thread (Run::refill).
struct DeliveryStream::Impl {
  std::mutex mu;
  std::condition_variable space;
  std::deque<std::shared_ptr<const TaggedEnvelope>> items;
  std::size_t capacity = 2000;
  bool closed = false, cancelled = false, finished = false;
  std::function<void()> wake;  // set while deliver_stream runs: posts a refill to its thread

  bool stopped() const { return cancelled || finished || closed; }
};

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

// KOBAN_TRY for coroutines: returns the error of a Result<void> with co_return.
#define KOBAN_CO_TRY(expr)                             \
  do {                                                 \
    auto koban_co_r_ = (expr);                         \
    if (!koban_co_r_) co_return koban_co_r_.error();   \
  } while (0)

DeliveryStatus status_of(int code) {
  if (code >= 200 && code < 400) return DeliveryStatus::delivered;
  if (code >= 500) return DeliveryStatus::permanent_failure;
  return DeliveryStatus::temporary_failure;
}

// One job: recipients of one message, all in one domain. `message` is the batch index
// (deliver) or the envelope's tag (deliver_stream, where `owned` keeps the envelope alive
// until its last job is done).
struct Job {
  std::size_t message = 0;
  const Envelope* env = nullptr;
  std::shared_ptr<const TaggedEnvelope> owned;
  std::vector<std::string> recipients;
};

// Per-domain rate limit; lives in SmtpDelivery::Impl so that it spans deliver() calls.
struct TokenBucket {
  double rate = 0;  // tokens per second; 0: unlimited
  double tokens = 0;
  Clock::time_point last{};

  // Takes a token when one is there; otherwise returns how long to wait for one.
  std::optional<Clock::duration> take(Clock::time_point now) {
    const double burst = std::max(1.0, rate);
    if (last == Clock::time_point{}) tokens = burst;
    else tokens = std::min(burst, tokens + std::chrono::duration<double>(now - last).count() * rate);
    last = now;
    if (tokens >= 1.0) {
      tokens -= 1.0;
      return std::nullopt;
    }
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>((1.0 - tokens) / rate)) +
           std::chrono::microseconds(1);
  }
};

struct DomainQueue {
  std::string domain;
  DomainPolicy policy;
  std::deque<Job> jobs;
  int active = 0;
  TokenBucket* bucket = nullptr;  // null: no rate limit
};

// The state of one deliver() / deliver_stream() call; all of it lives on the io_context's
// single thread (the stream's Impl is the only part shared with the producer).
struct Run {
  const OutcomeCallback& on_outcome;
  const DeliveryPolicy& policy;
  std::map<std::string, TokenBucket>& buckets;
  DeliveryStats stats;
  std::map<std::string, DomainQueue> queues;
  std::size_t next_pick = 0;
  std::exception_ptr failure;

  // Streaming (stream == nullptr for deliver(): every job is queued at the start).
  DeliveryStream::Impl* stream = nullptr;
  bool ended = true;            // no more jobs will come from the stream
  std::size_t queued = 0;       // jobs waiting in the queues
  std::size_t window = 0;       // take from the stream while fewer jobs wait …
  std::size_t hard_cap = 0;     // … or, while a worker idles, up to this many
  int workers = 0, idle_workers = 0, opening = 0, open = 0, failures_in_row = 0;
  asio::steady_timer* signal = nullptr;  // never expires; cancel() wakes every waiter
  asio::steady_timer* ticker = nullptr;

  void report(std::size_t message, const std::string& rcpt, DeliveryStatus status, int code,
              const std::string& detail) {
    switch (status) {
      case DeliveryStatus::delivered: ++stats.delivered; break;
      case DeliveryStatus::temporary_failure: ++stats.temporary_failures; break;
      case DeliveryStatus::permanent_failure: ++stats.permanent_failures; break;
    }
    if (on_outcome) on_outcome(RecipientOutcome{message, rcpt, status, code, detail});
  }
  void fail_job(const Job& job, DeliveryStatus status, int code, const std::string& detail) {
    for (const auto& r : job.recipients) report(job.message, r, status, code, detail);
  }
  void notify() {
    if (signal) signal->cancel();
  }
  Job take(DomainQueue& q) {
    Job j = std::move(q.jobs.front());
    q.jobs.pop_front();
    --queued;
    return j;
  }
  // Splits an envelope into per-domain jobs (invalid addresses fail at once).
  void add(std::size_t message, const Envelope& env, std::shared_ptr<const TaggedEnvelope> owned) {
    const bool sender_ok = env.sender.empty() || is_valid_address(env.sender);
    std::map<std::string, std::vector<std::string>> by_domain;
    for (const auto& rcpt : env.recipients) {
      auto a = parse_address(rcpt);
      if (!sender_ok) report(message, rcpt, DeliveryStatus::permanent_failure, 0, "invalid sender address");
      else if (!a) report(message, rcpt, DeliveryStatus::permanent_failure, 0, "invalid recipient address");
      else by_domain[a->domain].push_back(a->str());
    }
    for (auto& [domain, rcpts] : by_domain) {
      DomainQueue& q = queues[domain];
      if (q.domain.empty()) {
        q.domain = domain;
        q.policy = policy.for_domain(domain);
        if (q.policy.max_messages_per_second > 0) {
          TokenBucket& b = buckets[domain];
          b.rate = q.policy.max_messages_per_second;
          q.bucket = &b;
        }
      }
      const std::size_t chunk = static_cast<std::size_t>(std::max(1, q.policy.max_recipients_per_session));
      for (std::size_t i = 0; i < rcpts.size(); i += chunk) {
        Job job{message, &env, owned, {}};
        job.recipients.assign(rcpts.begin() + static_cast<std::ptrdiff_t>(i),
                              rcpts.begin() + static_cast<std::ptrdiff_t>(std::min(rcpts.size(), i + chunk)));
        q.jobs.push_back(std::move(job));
        ++queued;
      }
    }
  }
  void refill();
  void drop_queued(bool with_outcomes, const std::string& detail);
  void abort_unreachable(const std::string& detail);
};

// Takes envelopes from the stream while fewer than `window` jobs wait (or, while a worker
// idles, fewer than hard_cap: a slow domain's backlog must not starve the others).
void Run::refill() {
  if (!stream || ended) return;
  std::vector<std::shared_ptr<const TaggedEnvelope>> taken;
  bool cancelled = false;
  {
    std::lock_guard lock(stream->mu);
    const std::size_t limit = idle_workers > 0 ? hard_cap : window;
    while (!stream->items.empty() && queued + taken.size() < limit) {
      taken.push_back(std::move(stream->items.front()));
      stream->items.pop_front();
    }
    cancelled = stream->cancelled;
    if (cancelled || (stream->closed && stream->items.empty())) ended = true;
  }
  if (!taken.empty()) stream->space.notify_all();
  if (cancelled) {
    drop_queued(false, "");
    return;
  }
  for (auto& e : taken) add(e->tag, e->envelope, e);
}

// Empties every queue: with temporary failures, or silently (cancel: the caller keeps them).
void Run::drop_queued(bool with_outcomes, const std::string& detail) {
  for (auto& [domain, q] : queues) {
    while (!q.jobs.empty()) {
      Job j = take(q);
      if (with_outcomes) fail_job(j, DeliveryStatus::temporary_failure, 0, detail);
    }
  }
}

void Run::abort_unreachable(const std::string& detail) {
  stats.relay_unreachable = true;
  ended = true;
  {
    std::lock_guard lock(stream->mu);
    stream->finished = true;
    stream->items.clear();
  }
  stream->space.notify_all();
  drop_queued(true, detail);
}

// One SMTP connection. Shared with its watchdog coroutine, which closes the socket when the
// current step's deadline passes.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, const SmtpConfig& cfg, asio::ssl::context& ssl)
      : io_(io), cfg_(cfg), ssl_(ssl), socket_(io), timer_(io) {}

  // Connect, greeting, EHLO/HELO, STARTTLS, AUTH.
  awaitable<Result<void>> open() {
    set_deadline(cfg_.connect_timeout);
    asio::co_spawn(io_, watchdog(shared_from_this()), asio::detached);
    tcp::resolver resolver(io_);
    auto [rec, endpoints] = co_await resolver.async_resolve(cfg_.host, std::to_string(cfg_.port), tok);
    if (rec) co_return net_error("resolve", rec);
    auto [cec, ep] = co_await asio::async_connect(socket_, endpoints, tok);
    if (cec) co_return net_error("connect", cec);
    boost::system::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);

    set_deadline(cfg_.command_timeout);
    auto greeting = co_await read_reply();
    if (!greeting) co_return greeting.error();
    if (greeting->code != 220) co_return refused("greeting", *greeting);
    KOBAN_CO_TRY(co_await hello());

    const bool want_tls = cfg_.tls != TlsMode::none;
    if (want_tls && caps_.starttls) {
      auto r = co_await command("STARTTLS\r\n");
      if (!r) co_return r.error();
      if (r->code != 220) {
        if (cfg_.tls == TlsMode::required) co_return refused("STARTTLS", *r);
      } else {
        // Bytes after the 220 would be read as if protected by TLS: refuse them
        // (the STARTTLS command-injection attack, CVE-2011-0411 and kin).
        if (rpos_ != rbuf_.size()) co_return Error::unavailable("SMTP: data after STARTTLS reply");
        KOBAN_CO_TRY(co_await handshake());
        KOBAN_CO_TRY(co_await hello());
      }
    } else if (cfg_.tls == TlsMode::required) {
      co_return Error::unavailable("SMTP: the relay does not offer STARTTLS");
    }
    if (!cfg_.username.empty()) KOBAN_CO_TRY(co_await authenticate());
    co_return ok();
  }

  // One transaction. Reports every recipient of job; returns false when the connection is
  // no longer usable.
  awaitable<bool> transaction(const Envelope& env, const Job& job, Run& run) {
    const std::size_t n = job.recipients.size();
    if (caps_.size > 0 && env.data.size() > caps_.size) {
      run.fail_job(job, DeliveryStatus::permanent_failure, 552,
                   "message size " + std::to_string(env.data.size()) + " exceeds the relay's SIZE " +
                       std::to_string(caps_.size));
      co_return true;
    }
    std::string mail = "MAIL FROM:<" + env.sender + ">";
    if (caps_.size > 0) mail += " SIZE=" + std::to_string(env.data.size());
    mail += "\r\n";

    set_deadline(cfg_.command_timeout);
    std::optional<SmtpReply> mail_reply, data_reply;
    std::vector<SmtpReply> rcpt_replies;
    rcpt_replies.reserve(n);
    auto lost = [&](const Error& e) -> bool {
      // Recipients without a final outcome: temporary, the connection is gone.
      run.fail_job(job, DeliveryStatus::temporary_failure, 0, e.message);
      return false;
    };

    if (caps_.pipelining && cfg_.pipelining) {
      std::string group;
      group.reserve(mail.size() + n * 48 + 16);
      if (need_rset_) group += "RSET\r\n";
      group += mail;
      for (const auto& r : job.recipients) group += "RCPT TO:<" + r + ">\r\n";
      group += "DATA\r\n";
      if (auto w = co_await write(asio::buffer(group)); !w) co_return lost(w.error());
      if (need_rset_) {
        auto r = co_await read_reply();
        if (!r) co_return lost(r.error());
        need_rset_ = false;
      }
      auto m = co_await read_reply();
      if (!m) co_return lost(m.error());
      mail_reply = std::move(*m);
      for (std::size_t i = 0; i < n; ++i) {
        auto r = co_await read_reply();
        if (!r) co_return lost(r.error());
        rcpt_replies.push_back(std::move(*r));
      }
      auto d = co_await read_reply();
      if (!d) co_return lost(d.error());
      data_reply = std::move(*d);
    } else {
      if (need_rset_) {
        auto r = co_await command("RSET\r\n");
        if (!r) co_return lost(r.error());
        need_rset_ = false;
      }
      auto m = co_await command(mail);
      if (!m) co_return lost(m.error());
      mail_reply = std::move(*m);
      if (mail_reply->positive()) {
        std::size_t accepted = 0;
        for (const auto& r : job.recipients) {
          auto rr = co_await command("RCPT TO:<" + r + ">\r\n");
          if (!rr) co_return lost(rr.error());
          if (rr->positive()) ++accepted;
          rcpt_replies.push_back(std::move(*rr));
        }
        if (accepted > 0) {
          auto d = co_await command("DATA\r\n");
          if (!d) co_return lost(d.error());
          data_reply = std::move(*d);
        }
      }
    }

    ++run.stats.transactions;
    std::vector<std::size_t> accepted;
    if (mail_reply->positive()) {
      for (std::size_t i = 0; i < rcpt_replies.size(); ++i) {
        if (rcpt_replies[i].positive()) accepted.push_back(i);
        else run.report(job.message, job.recipients[i], status_of(rcpt_replies[i].code),
                        rcpt_replies[i].code, rcpt_replies[i].text());
      }
    } else {
      run.fail_job(job, status_of(mail_reply->code), mail_reply->code, mail_reply->text());
    }
    if (data_reply && data_reply->code == 354 && (accepted.empty() || !mail_reply->positive())) {
      // A server that says 354 although nothing was accepted: end the empty message.
      set_deadline(cfg_.data_timeout);
      if (auto w = co_await write(asio::buffer(".\r\n", 3)); !w) co_return false;
      auto r = co_await read_reply();
      if (!r) co_return false;
      co_return true;
    }
    if (!mail_reply->positive() || accepted.empty()) {
      need_rset_ = true;
      co_return true;
    }
    if (!data_reply || data_reply->code != 354) {
      const int code = data_reply ? data_reply->code : 0;
      const std::string detail = data_reply ? data_reply->text() : "DATA not sent";
      for (auto i : accepted) run.report(job.message, job.recipients[i], status_of(code == 0 ? 451 : code), code, detail);
      need_rset_ = true;
      co_return true;
    }

    set_deadline(cfg_.data_timeout);
    Result<void> w;
    if (needs_no_stuffing(env.data)) {
      static constexpr std::string_view kEnd = ".\r\n";
      const std::array<asio::const_buffer, 2> bufs{asio::buffer(env.data), asio::buffer(kEnd.data(), kEnd.size())};
      w = co_await write(bufs);
    } else {
      const std::string stuffed = dot_stuff(env.data);
      w = co_await write(asio::buffer(stuffed));
    }
    auto lost_accepted = [&](const Error& e) {
      for (auto i : accepted) run.report(job.message, job.recipients[i], DeliveryStatus::temporary_failure, 0, e.message);
      return false;
    };
    if (!w) co_return lost_accepted(w.error());
    auto final_reply = co_await read_reply();
    if (!final_reply) co_return lost_accepted(final_reply.error());
    for (auto i : accepted)
      run.report(job.message, job.recipients[i], status_of(final_reply->code), final_reply->code, final_reply->text());
    co_return true;
  }

  awaitable<void> quit() {
    set_deadline(std::min<std::chrono::milliseconds>(cfg_.command_timeout, std::chrono::seconds(5)));
    (void)co_await command("QUIT\r\n");
  }

  void close() {
    closed_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  const Capabilities& capabilities() const { return caps_; }

  // Keeps the watchdog from closing an idle connection while the session waits (rate limit).
  void extend_deadline(std::chrono::milliseconds d) { set_deadline(d); }

 private:
  static awaitable<void> watchdog(std::shared_ptr<Connection> self) {
    while (!self->closed_) {
      self->timer_.expires_at(self->deadline_);
      (void)co_await self->timer_.async_wait(tok);
      if (self->closed_) break;
      if (Clock::now() >= self->deadline_) {
        self->timed_out_ = true;
        boost::system::error_code ignored;
        self->socket_.close(ignored);
        break;
      }
    }
  }

  void set_deadline(std::chrono::milliseconds d) {
    deadline_ = Clock::now() + d;
    // Moving the deadline earlier than the armed timer: wake the watchdog to re-arm.
    if (deadline_ < timer_.expiry()) timer_.cancel();
  }

  Error net_error(const char* what, const boost::system::error_code& ec) const {
    if (timed_out_) return Error{ErrorCode::timeout, std::string("SMTP timeout (") + what + ")"};
    return Error::unavailable(std::string("SMTP ") + what + ": " + ec.message());
  }

  static Error refused(const char* what, const SmtpReply& r) {
    return Error::unavailable(std::string("SMTP ") + what + " refused: " + r.text());
  }

  template <class Buffers>
  awaitable<Result<void>> write(const Buffers& buffers) {
    if (tls_) {
      auto [ec, n] = co_await asio::async_write(*tls_, buffers, tok);
      if (ec) co_return net_error("write", ec);
    } else {
      auto [ec, n] = co_await asio::async_write(socket_, buffers, tok);
      if (ec) co_return net_error("write", ec);
    }
    co_return ok();
  }

  awaitable<Result<SmtpReply>> read_reply() {
    while (true) {
      if (rpos_ < rbuf_.size()) {
        std::size_t used = 0;
        auto r = parse_reply(std::string_view(rbuf_).substr(rpos_), used);
        if (!r) co_return r.error();
        if (*r) {
          rpos_ += used;
          if (rpos_ == rbuf_.size()) {
            rbuf_.clear();
            rpos_ = 0;
          }
          co_return std::move(**r);
        }
      }
      if (rpos_ > 0) {
        rbuf_.erase(0, rpos_);
        rpos_ = 0;
      }
      constexpr std::size_t kChunk = 16384;
      const std::size_t old = rbuf_.size();
      rbuf_.resize(old + kChunk);
      auto buf = asio::buffer(rbuf_.data() + old, kChunk);
      boost::system::error_code ec;
      std::size_t got = 0;
      if (tls_) std::tie(ec, got) = co_await tls_->async_read_some(buf, tok);
      else std::tie(ec, got) = co_await socket_.async_read_some(buf, tok);
      rbuf_.resize(old + got);
      if (ec) co_return net_error("read", ec);
    }
  }

  awaitable<Result<SmtpReply>> command(std::string_view line) {
    set_deadline(cfg_.command_timeout);
    auto w = co_await write(asio::buffer(line.data(), line.size()));
    if (!w) co_return w.error();
    co_return co_await read_reply();
  }

  awaitable<Result<void>> hello() {
    auto r = co_await command("EHLO " + cfg_.helo_name + "\r\n");
    if (!r) co_return r.error();
    if (r->positive()) {
      caps_ = parse_capabilities(*r);
      co_return ok();
    }
    auto h = co_await command("HELO " + cfg_.helo_name + "\r\n");
    if (!h) co_return h.error();
    if (!h->positive()) co_return refused("HELO", *h);
    caps_ = Capabilities{};
    co_return ok();
  }

  awaitable<Result<void>> handshake() {
    set_deadline(cfg_.command_timeout);
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, ssl_);
    boost::system::error_code ec;
    asio::ip::make_address(cfg_.host, ec);
    if (ec)  // SNI only for names SSL_set_tlsext_host_name(tls_->native_handle(), cfg_.host.c_str());
    if (cfg_.verify_peer) tls_->set_verify_callback(asio::ssl::host_name_verification(cfg_.host));
    auto [hec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, tok);
    if (hec) co_return net_error("TLS handshake", hec);
    co_return ok();
  }

  awaitable<Result<void>> authenticate() {
    if (!tls_ && !cfg_.allow_auth_without_tls)
      co_return Error::unavailable("SMTP: refusing AUTH without TLS");
    if (caps_.auth_plain) {
      std::string creds;
      creds += '\0';
      creds += cfg_.username;
      creds += '\0';
      creds += cfg_.password;
      auto r = co_await command("AUTH PLAIN " + base64(creds) + "\r\n");
      if (!r) co_return r.error();
      if (r->code != 235) co_return refused("AUTH PLAIN", *r);
      co_return ok();
    }
    if (caps_.auth_login) {
      auto r = co_await command("AUTH LOGIN\r\n");
      if (!r) co_return r.error();
      if (r->code != 334) co_return refused("AUTH LOGIN", *r);
      r = co_await command(base64(cfg_.username) + "\r\n");
      if (!r) co_return r.error();
      if (r->code != 334) co_return refused("AUTH LOGIN", *r);
      r = co_await command(base64(cfg_.password) + "\r\n");
      if (!r) co_return r.error();
      if (r->code != 235) co_return refused("AUTH LOGIN", *r);
      co_return ok();
    }
    co_return Error::unavailable("SMTP: the relay offers neither AUTH PLAIN nor AUTH LOGIN");
  }

  asio::io_context& io_;
  const SmtpConfig& cfg_;
  asio::ssl::context& ssl_;
  tcp::socket socket_;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
  asio::steady_timer timer_;
  Clock::time_point deadline_{};
  bool timed_out_ = false;
  bool closed_ = false;
  bool need_rset_ = false;
  Capabilities caps_;
  std::string rbuf_;
  std::size_t rpos_ = 0;
};

bool pickable(const DomainQueue& q) { return !q.jobs.empty() && q.active < std::max(1, q.policy.max_connections); }

DomainQueue* pick(Run& run) {
  // Round-robin over domains so that one big domain does not starve the others.
  const std::size_t n = run.queues.size();
  if (n == 0) return nullptr;
  auto it = run.queues.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(run.next_pick % n));
  for (std::size_t k = 0; k < n; ++k) {
    DomainQueue& q = it->second;
    if (pickable(q)) {
      run.next_pick = (run.next_pick + k + 1) % n;
      return &q;
    }
    if (++it == run.queues.end()) it = run.queues.begin();
  }
  return nullptr;
}

bool any_pickable(const Run& run) {
  return std::any_of(run.queues.begin(), run.queues.end(), [](const auto& kv) { return pickable(kv.second); });
}

// A session that waits for the producer with its connection open gives up after this.
constexpr auto kStreamIdleQuit = std::chrono::seconds(10);

awaitable<void> wait_signal(Run& run) { (void)co_await run.signal->async_wait(tok); }

// `first` was claimed by the caller before this coroutine started, so that other workers
// never open a session for a job that is already taken.
awaitable<void> session(asio::io_context& io, Run& run, DomainQueue& q, Job first, const SmtpConfig& cfg,
                        asio::ssl::context& ssl) {
  auto conn = std::make_shared<Connection>(io, cfg, ssl);
  ++run.opening;
  auto opened = co_await conn->open();
  --run.opening;
  if (!opened) {
    conn->close();
    const std::string detail = opened.error().message;
    run.fail_job(first, DeliveryStatus::temporary_failure, 0, detail);
    // One relay for everything: the next attempts would fail the same way.
    while (!q.jobs.empty()) run.fail_job(run.take(q), DeliveryStatus::temporary_failure, 0, detail);
    if (run.stream && !run.stats.relay_unreachable &&
        ((run.open == 0 && run.opening == 0) || ++run.failures_in_row >= std::max(1, run.policy.max_sessions)))
      run.abort_unreachable(detail);
    run.notify();
    co_return;
  }
  run.failures_in_row = 0;
  ++run.open;
  ++run.stats.sessions;
  const std::size_t limit = static_cast<std::size_t>(std::max(1, q.policy.max_recipients_per_session));
  std::size_t used = 0;
  std::optional<Job> next = std::move(first);
  bool alive = true;
  while (true) {
    if (!next) {
      if (run.stream && run.queued < run.window) run.refill();
      if (q.jobs.empty()) {
        // deliver(): the domain is done. Streaming: quit when the stream has ended or other
        // domains have work for this worker; wait (connection open) when the producer is behind.
        if (!run.stream || run.ended || any_pickable(run)) break;
        const auto since = Clock::now();
        while (q.jobs.empty() && !run.ended && !any_pickable(run) && Clock::now() - since < kStreamIdleQuit) {
          conn->extend_deadline(std::chrono::duration_cast<std::chrono::milliseconds>(kStreamIdleQuit) +
                                cfg.command_timeout);
          co_await wait_signal(run);
        }
        if (q.jobs.empty()) break;
      }
      if (used + q.jobs.front().recipients.size() > limit) break;
      next = run.take(q);
    }
    Job job = std::move(*next);
    next.reset();
    used += job.recipients.size();
    if (q.bucket) {
      while (auto wait = q.bucket->take(Clock::now())) {
        conn->extend_deadline(std::chrono::duration_cast<std::chrono::milliseconds>(*wait) + cfg.command_timeout);
        asio::steady_timer t(io);
        t.expires_after(*wait);
        (void)co_await t.async_wait(tok);
      }
    }
    alive = co_await conn->transaction(*job.env, job, run);
    if (!alive) break;
  }
  if (alive) co_await conn->quit();
  conn->close();
  --run.open;
}

awaitable<void> worker(asio::io_context& io, Run& run, const SmtpConfig& cfg, asio::ssl::context& ssl) {
  while (true) {
    if (run.stream && run.queued < run.window) run.refill();
    if (DomainQueue* q = pick(run)) {
      Job first = run.take(*q);
      ++q->active;
      co_await session(io, run, *q, std::move(first), cfg, ssl);
      --q->active;
      run.notify();  // a domain's connection is free again
      continue;
    }
    // deliver(): the jobs left belong to domains at their connection limit; their sessions
    // take them.
    if (!run.stream || (run.ended && run.queued == 0)) break;
    ++run.idle_workers;
    run.refill();  // an idle worker may take more from the stream (up to hard_cap)
    if (!any_pickable(run) && !(run.ended && run.queued == 0)) co_await wait_signal(run);
    --run.idle_workers;
  }
  if (--run.workers == 0 && run.ticker) run.ticker->cancel();
  run.notify();
}

// Wakes waiting sessions once a second so that they notice kStreamIdleQuit.
awaitable<void> tick(Run& run) {
  while (run.workers > 0) {
    run.ticker->expires_after(std::chrono::seconds(1));
    (void)co_await run.ticker->async_wait(tok);
    run.notify();
  }
}

Result<void> ensure_ssl(std::unique_ptr<asio::ssl::context>& ssl, const SmtpConfig& config) {
  if (ssl) return ok();
  try {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (config.verify_peer) {
      ctx->set_verify_mode(asio::ssl::verify_peer);
      if (config.ca_file.empty()) ctx->set_default_verify_paths(ec);
      else ctx->load_verify_file(config.ca_file, ec);
      if (ec) return Error::internal("TLS: cannot load CA certificates: " + ec.message());
    } else {
      ctx->set_verify_mode(asio::ssl::verify_none);
    }
    ssl = std::move(ctx);
  } catch (const std::exception& e) {
    return Error::internal(std::string("TLS context: ") + e.what());
  }
  return ok();
}

Result<DeliveryStats> finish(Run& run) {
  if (run.failure) {
    try {
      std::rethrow_exception(run.failure);
    } catch (const std::exception& e) {
      return Error::internal(std::string("SMTP delivery: ") + e.what());
    }
  }
  return run.stats;
}

}  // namespace

const char* to_string(DeliveryStatus s) {
  switch (s) {
    case DeliveryStatus::delivered: return "delivered";
    case DeliveryStatus::temporary_failure: return "temporary_failure";
    case DeliveryStatus::permanent_failure: return "permanent_failure";
  }
  return "?";
}

const DomainPolicy& DeliveryPolicy::for_domain(const std::string& domain) const {
  auto it = domains.find(domain);
  return it != domains.end() ? it->second : defaults;
}

struct SmtpDelivery::Impl {
  SmtpConfig config;
  DeliveryPolicy policy;
  std::unique_ptr<asio::ssl::context> ssl;
  std::map<std::string, TokenBucket> buckets;  // domain → bucket, for domains with a rate
};

SmtpDelivery::SmtpDelivery(SmtpConfig config, DeliveryPolicy policy)
    : impl_(std::make_unique<Impl>(Impl{std::move(config), std::move(policy), nullptr, {}})) {}
SmtpDelivery::~SmtpDelivery() = default;
const SmtpConfig& SmtpDelivery::config() const { return impl_->config; }

Result<DeliveryStats> SmtpDelivery::deliver(const std::vector<Envelope>& batch,
                                            const OutcomeCallback& on_outcome) {
  KOBAN_TRY(ensure_ssl(impl_->ssl, impl_->config));
  Run run{on_outcome, impl_->policy, impl_->buckets};
  for (std::size_t m = 0; m < batch.size(); ++m) run.add(m, batch[m], nullptr);

  asio::io_context io(1);
  const int sessions = std::max(1, impl_->policy.max_sessions);
  run.workers = sessions;
  for (int i = 0; i < sessions; ++i) {
    asio::co_spawn(io, worker(io, run, impl_->config, *impl_->ssl), [&run](std::exception_ptr e) {
      if (e && !run.failure) run.failure = e;
    });
  }
  io.run();
  return finish(run);
}

Result<DeliveryStats> SmtpDelivery::deliver_stream(DeliveryStream& stream, const OutcomeCallback& on_outcome) {
  KOBAN_TRY(ensure_ssl(impl_->ssl, impl_->config));
  DeliveryStream::Impl& feed = *stream.impl_;
  asio::io_context io(1);
  asio::steady_timer signal(io, Clock::time_point::max());
  asio::steady_timer ticker(io);
  Run run{on_outcome, impl_->policy, impl_->buckets};
  run.stream = &feed;
  run.ended = false;
  run.window = feed.capacity;
  run.hard_cap = feed.capacity * 8;
  run.signal = &signal;
  run.ticker = &ticker;
  {
    std::lock_guard lock(feed.mu);
    feed.wake = [&io, &run] {
      asio::post(io, [&run] {
        run.refill();
        run.notify();
      });
    };
  }
  const int sessions = std::max(1, impl_->policy.max_sessions);
  run.workers = sessions;
  auto on_done = [&run](std::exception_ptr e) {
    if (e && !run.failure) run.failure = e;
  };
  for (int i = 0; i < sessions; ++i) asio::co_spawn(io, worker(io, run, impl_->config, *impl_->ssl), on_done);
  asio::co_spawn(io, tick(run), on_done);
  io.run();
  {
    std::lock_guard lock(feed.mu);
    feed.wake = nullptr;
    feed.finished = true;
    feed.items.clear();
  }
  feed.space.notify_all();
  return finish(run);
}

// ---- DeliveryStream -----------------------------------------------------------------------

DeliveryStream::DeliveryStream(std::size_t capacity) : impl_(std::make_unique<Impl>()) {
  impl_->capacity = std::clamp<std::size_t>(capacity, 1, 100'000);
}
DeliveryStream::~DeliveryStream() = default;

bool DeliveryStream::push(std::vector<TaggedEnvelope>&& batch) {
  std::vector<std::shared_ptr<const TaggedEnvelope>> owned;
  owned.reserve(batch.size());
  for (auto& e : batch) owned.push_back(std::make_shared<const TaggedEnvelope>(std::move(e)));
  std::unique_lock lock(impl_->mu);
  impl_->space.wait(lock, [&] { return impl_->items.size() < impl_->capacity || impl_->stopped(); });
  if (impl_->stopped()) return false;
  for (auto& e : owned) impl_->items.push_back(std::move(e));
  if (impl_->wake) impl_->wake();
  return true;
}

void DeliveryStream::close() {
  std::lock_guard lock(impl_->mu);
  impl_->closed = true;
  if (impl_->wake) impl_->wake();
}

void DeliveryStream::cancel() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->cancelled = true;
    impl_->items.clear();
    if (impl_->wake) impl_->wake();
  }
  impl_->space.notify_all();
}

}  // namespace koban::mail
