// Asynchronous SMTP delivery through one relay: a pool of concurrent sessions with
// per-destination-domain limits. Boost.Asio stays inside smtp_delivery.cc (pimpl).
//
//   mail::SmtpConfig cfg{.host = "127.0.0.1", .port = 25};
//   mail::DeliveryPolicy policy;                       // 20 sessions, defaults per domain
//   policy.domains["docomo.ne.jp"] = {.max_connections = 4, .max_recipients_per_session = 100};
//   mail::SmtpDelivery smtp(cfg, policy);
//   std::vector<mail::Envelope> batch = {{"noreply@police.example.jp", {"a..b@docomo.ne.jp"}, raw}};
//   auto stats = smtp.deliver(batch, [](const mail::RecipientOutcome& o) {
//     // o.message indexes batch; o.status: delivered / temporary_failure / permanent_failure
//   });
//
// deliver() blocks: it runs its own io_context on the calling thread with up to
// policy.max_sessions coroutine sessions, and returns when every recipient has an outcome.
// The callback runs on that thread, once per (message, recipient).
//
// Per session: greeting, EHLO (HELO when EHLO is refused), STARTTLS (per TlsMode; EHLO again
// after it), AUTH PLAIN or LOGIN when a user name is set (never over plain text unless
// allowed), then transactions: MAIL FROM (with SIZE= when offered; a message larger than the
// server's SIZE is a permanent failure without sending), RCPT TO per recipient, DATA,
// dot-stuffed content. With PIPELINING, MAIL FROM + RCPT TOs + DATA go in one write. RSET is
// sent only after a transaction that did not complete (after a completed one the server has
// already reset, RFC 5321 4.1.1.4, and an RSET would cost a round trip per message).
// Every step has a deadline; a missed one closes the connection.
//
// Outcomes: 2xx → delivered; 4xx (or a network error, a timeout, a dropped connection) →
// temporary_failure, retry later; 5xx → permanent_failure. A failure to set up a session
// (connect, greeting, EHLO, TLS, AUTH) fails every not-yet-started recipient of that domain
// temporarily: all mail goes through one relay, so the next ones would fail the same way.
//
// Scheduling: recipients are grouped by domain; a domain's group is split into jobs of at
// most max_recipients_per_session recipients of one message. A session serves one domain and
// ends (QUIT) before its recipient count would pass max_recipients_per_session; at most
// max_connections sessions serve one domain at a time; with max_messages_per_second a session
// waits for a token before each transaction.
//
// Streaming (bulk mail: 100,000 messages and more): deliver_stream() keeps the sessions open
// for the whole run while another thread hands over envelopes through a bounded
// DeliveryStream, so that sessions are not set up again per batch and never idle while a
// batch drains:
//
//   mail::DeliveryStream stream(2000);              // at most ~2000 envelopes waiting in it
//   std::thread producer([&] {
//     while (more) if (!stream.push(next_batch())) break;   // blocks while full; false: ended
//     stream.close();                                        // no more: sessions finish and quit
//   });
//   auto stats = smtp.deliver_stream(stream, on_outcome);    // o.message is the envelope's tag
//   producer.join();
//
// The same scheduling and per-domain policies apply (a docomo session still ends after its
// max_recipients_per_session and another one is opened). A session whose domain has nothing
// queued quits when other domains have work, and otherwise (the producer is behind) waits
// with its connection open, for at most 10 s. Every envelope taken from the stream gets its
// outcomes, except after cancel() (envelopes not started yet get none: the caller still
// holds them as unsent). When no session can be set up (every attempt fails while no other
// session is open, or max_sessions attempts in a row fail) the stream is ended: the taken
// envelopes fail temporarily, stats.relay_unreachable is set, push() returns false.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"

namespace koban::mail {

enum class TlsMode {
  none,           // never STARTTLS
  opportunistic,  // STARTTLS when offered
  required,       // fail the session when not offered or when the handshake fails
};

struct SmtpConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 25;
  std::string helo_name = "localhost";  // our host name for EHLO
  TlsMode tls = TlsMode::opportunistic;
  bool verify_peer = true;              // check the relay's certificate and host name
  std::string ca_file;                  // PEM bundle; empty: the system's
  std::string username;                 // AUTH when not empty
  std::string password;
  bool allow_auth_without_tls = false;  // only for a relay on loopback
  bool pipelining = true;               // use PIPELINING when offered
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds command_timeout{60'000};  // each command's reply
  std::chrono::milliseconds data_timeout{180'000};    // sending content and its final reply
};

struct DomainPolicy {
  int max_connections = 20;
  int max_recipients_per_session = 1000;
  // Transactions (messages) per second to this domain, 0 = unlimited: a token bucket per
  // domain (burst: one second's worth) shared by the domain's sessions and kept across
  // deliver() calls of one SmtpDelivery, so that a sender handing over chunks stays under it.
  double max_messages_per_second = 0;
};

struct DeliveryPolicy {
  int max_sessions = 20;
  DomainPolicy defaults;
  std::map<std::string, DomainPolicy> domains;  // lower-case domain → policy
  const DomainPolicy& for_domain(const std::string& domain) const;
};

struct Envelope {
  std::string sender;                   // "" for the null reverse-path <>
  std::vector<std::string> recipients;  // validated with parse_address before sending
  std::string data;                     // the RFC 5322 message, CRLF (dot-stuffed on the wire)
};

enum class DeliveryStatus { delivered, temporary_failure, permanent_failure };
const char* to_string(DeliveryStatus s);

struct RecipientOutcome {
  std::size_t message = 0;  // index into the batch
  std::string recipient;
  DeliveryStatus status = DeliveryStatus::temporary_failure;
  int code = 0;             // the SMTP reply code; 0 when there was none (network, local check)
  std::string detail;       // the reply text or what went wrong, for last_error
};
using OutcomeCallback = std::function<void(const RecipientOutcome&)>;

struct DeliveryStats {
  std::uint64_t delivered = 0;
  std::uint64_t temporary_failures = 0;
  std::uint64_t permanent_failures = 0;
  std::uint64_t sessions = 0;      // connections set up
  std::uint64_t transactions = 0;  // MAIL FROM sent
  bool relay_unreachable = false;  // deliver_stream() only: ended because no session could be set up
};

// An envelope of a stream with the caller's tag (reported as RecipientOutcome::message).
struct TaggedEnvelope {
  std::size_t tag = 0;
  Envelope envelope;
};

// The hand-over between a producer thread and deliver_stream(); thread-safe.
class DeliveryStream {
 public:
  // capacity: envelopes waiting in the stream before push() blocks (the delivery side keeps
  // about as many queued for its sessions, more when sessions would otherwise idle).
  explicit DeliveryStream(std::size_t capacity = 2000);
  ~DeliveryStream();
  DeliveryStream(const DeliveryStream&) = delete;
  DeliveryStream& operator=(const DeliveryStream&) = delete;

  // Blocks while the stream is full. False (nothing taken) once the delivery has ended,
  // was cancelled or the stream was closed.
  bool push(std::vector<TaggedEnvelope>&& batch);
  // No more envelopes: deliver_stream() returns when the ones handed over have outcomes.
  void close();
  // Stop soon (any thread, also from the outcome callback): sessions finish the transaction
  // they are in and quit; envelopes not started get no outcome.
  void cancel();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend class SmtpDelivery;
};

class SmtpDelivery {
 public:
  SmtpDelivery(SmtpConfig config, DeliveryPolicy policy);
  ~SmtpDelivery();
  SmtpDelivery(const SmtpDelivery&) = delete;
  SmtpDelivery& operator=(const SmtpDelivery&) = delete;

  // Fails only when the TLS context cannot be set up; delivery problems are outcomes.
  Result<DeliveryStats> deliver(const std::vector<Envelope>& batch, const OutcomeCallback& on_outcome);
  // Streams: returns when the stream is closed and drained, cancelled, or the relay is
  // unreachable (see above). Blocks like deliver(); the callback runs on the calling thread.
  Result<DeliveryStats> deliver_stream(DeliveryStream& stream, const OutcomeCallback& on_outcome);

  const SmtpConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace koban::mail
