// The durable outbox: every mail koban sends is first a row in mail_outbox, written in the
// same transaction as the data that caused it, so a queued mail survives a crash or restart.
//
//   mail::register_outbox_migrations();              // at start-up, before store::migrate
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_TRY(save_alert(s, ...));
//     KOBAN_TRY(mail::enqueue(s, {.transport = "smtp", .sender = from, .recipient = to,
//                                 .message = raw, .batch_key = "alert:42"}, clock.now()));
//     return ok();
//   });
//
//   mail::SmtpTransport smtp(smtp_config, policy);   // or mail::CatcherTransport catcher;
//   mail::Outbox outbox(db, clock, {});
//   outbox.add_transport(smtp);
//   while (running) { KOBAN_ASSIGN(auto r, outbox.run_once()); if (r.claimed == 0) sleep(1s); }
//
// States: queued → sending (claimed with a lease) → sent | queued again (4xx or network
// trouble: next_attempt_at = now + backoff) | failed (temporary failures used up
// max_attempts) | bounced (5xx: permanent, recorded and never retried).
// A process that dies while rows are `sending` leaves them with an expired lease; the next
// run_once() (of any process) claims them again. On PostgreSQL, claims use
// FOR UPDATE SKIP LOCKED so several workers never send the same row twice at once.
// Recording an outcome only touches a row still in the claim it was sent under (same
// attempts count and state sending), so a worker whose lease was taken over cannot overwrite
// the newer attempt's result.
//
// Transports: "smtp" (SmtpTransport, the relay) and "catcher" (CatcherTransport, the demo
// default: marks rows sent and keeps the message in the table for the staff page
// /admin/mail, see list_mail / get_mail). Sending happens outside any database transaction.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "mail/smtp.h"
#include "store/database.h"
#include "store/migrations.h"

namespace koban::mail {

inline constexpr std::size_t kMaxMessageBytes = 20 * 1024 * 1024;

// The "mail" module's migrations; register_outbox_migrations adds them to the process-wide
// registry (call once at start-up).
std::vector<store::Migration> outbox_migrations();
Result<void> register_outbox_migrations();

struct OutgoingMail {
  std::string transport = "smtp";  // "smtp" or "catcher"
  std::string sender;              // envelope sender ("" = <>)
  std::string recipient;           // one envelope recipient; validated
  std::string message;             // the full RFC 5322 bytes (build_message)
  std::optional<std::string> batch_key;  // e.g. "alert:42", to count and list a batch
};

// Inside the caller's transaction. Returns the row id. invalid_argument for a bad address,
// too_large for a message over kMaxMessageBytes.
Result<std::int64_t> enqueue(store::Session& s, const OutgoingMail& mail, Instant now);

enum class OutboxState { queued, sending, sent, failed, bounced };
const char* to_string(OutboxState s);
std::optional<OutboxState> parse_outbox_state(std::string_view s);

struct OutboxEntry {
  std::int64_t id = 0;
  Instant created_at{};
  std::string transport;
  std::string sender;
  std::string recipient;
  std::string domain;
  OutboxState state = OutboxState::queued;
  int attempts = 0;
  Instant next_attempt_at{};
  std::optional<std::string> last_error;
  std::optional<Instant> sent_at;
  std::optional<std::string> batch_key;
  std::string message;  // filled by get_mail and for transports; empty in list_mail
};

// A transport sends claimed rows and reports each row's outcome (index into mails) once.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual std::string name() const = 0;
  using Report = std::function<void(std::size_t index, DeliveryStatus status, std::string detail)>;
  virtual Result<void> send(const std::vector<OutboxEntry>& mails, const Report& report) = 0;
};

class SmtpTransport final : public Transport {
 public:
  SmtpTransport(SmtpConfig config, DeliveryPolicy policy) : smtp_(std::move(config), std::move(policy)) {}
  std::string name() const override { return "smtp"; }
  Result<void> send(const std::vector<OutboxEntry>& mails, const Report& report) override;

 private:
  SmtpDelivery smtp_;
};

// Sends nothing: the message stays in mail_outbox for the staff to read.
class CatcherTransport final : public Transport {
 public:
  std::string name() const override { return "catcher"; }
  Result<void> send(const std::vector<OutboxEntry>& mails, const Report& report) override;
};

struct OutboxOptions {
  int batch_size = 500;                          // rows claimed per transport per run_once
  std::chrono::seconds lease{600};               // a claim older than this is taken back
  int max_attempts = 8;                          // then a temporary failure becomes failed
  std::chrono::seconds base_backoff{60};         // 1 min, 2, 4, ... (attempt n: base × 2^(n-1))
  std::chrono::seconds max_backoff{6 * 3600};
};

struct RunReport {
  std::size_t claimed = 0;
  std::size_t sent = 0;
  std::size_t retried = 0;  // back to queued
  std::size_t failed = 0;   // gave up
  std::size_t bounced = 0;
};

struct OutboxCounts {
  std::int64_t queued = 0, sending = 0, sent = 0, failed = 0, bounced = 0;
};

// For /metrics: totals since this process started (monotonic counters).
struct OutboxTotals {
  std::uint64_t sent = 0, retried = 0, failed = 0, bounced = 0;
};

class Outbox {
 public:
  Outbox(store::Database& db, const Clock& clock, OutboxOptions options = {});
  // The transport is used for rows whose transport column equals t.name(); not owned.
  void add_transport(Transport& t);

  // Claims due rows of each transport, sends them, records the outcomes.
  Result<RunReport> run_once();

  // Rows per state, from the database (gauges for /metrics: queued, failed ...).
  Result<OutboxCounts> counts();
  OutboxTotals totals() const;

  std::chrono::seconds backoff(int attempts) const;

 private:
  Result<std::vector<OutboxEntry>> claim(const std::string& transport, Instant now);

  store::Database& db_;
  const Clock& clock_;
  OutboxOptions options_;
  std::map<std::string, Transport*> transports_;
  std::atomic<std::uint64_t> sent_{0}, retried_{0}, failed_{0}, bounced_{0};
};

// For the staff page /admin/mail: newest first, without the message bytes.
struct MailListQuery {
  std::optional<std::string> transport;
  std::optional<OutboxState> state;
  std::optional<std::string> batch_key;
  std::optional<std::int64_t> before_id;  // paging: rows with id < before_id
  int limit = 50;                         // 1..500
};
Result<std::vector<OutboxEntry>> list_mail(store::Database& db, const MailListQuery& q);
// One row with its message; not_found when there is none.
Result<OutboxEntry> get_mail(store::Database& db, std::int64_t id);

}  // namespace koban::mail
