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
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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
};

class SmtpDelivery {
 public:
  SmtpDelivery(SmtpConfig config, DeliveryPolicy policy);
  ~SmtpDelivery();
  SmtpDelivery(const SmtpDelivery&) = delete;
  SmtpDelivery& operator=(const SmtpDelivery&) = delete;

  // Fails only when the TLS context cannot be set up; delivery problems are outcomes.
  Result<DeliveryStats> deliver(const std::vector<Envelope>& batch, const OutcomeCallback& on_outcome);

  const SmtpConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace koban::mail
