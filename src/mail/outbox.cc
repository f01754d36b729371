#include "mail/outbox.h"

#include <algorithm>

#include "mail/address.h"

namespace koban::mail {
namespace {

constexpr const char* kColumns =
    "id, created_at, transport, sender, recipient, domain, state, attempts, next_attempt_at,"
    " last_error, sent_at, batch_key";

OutboxEntry entry_from(const store::Row& r) {
  OutboxEntry e;
  e.id = r.int64(0);
  e.created_at = from_unix(r.int64(1));
  e.transport = r.text(2);
  e.sender = r.text(3);
  e.recipient = r.text(4);
  e.domain = r.text(5);
  e.state = parse_outbox_state(r.text(6)).value_or(OutboxState::queued);
  e.attempts = static_cast<int>(r.int64(7));
  e.next_attempt_at = from_unix(r.int64(8));
  e.last_error = r.opt_text(9);
  if (auto t = r.opt_int64(10)) e.sent_at = from_unix(*t);
  e.batch_key = r.opt_text(11);
  return e;
}

// Reply texts come from a remote server: keep last_error bounded.
std::string clip(std::string s) {
  if (s.size() > 1000) s.resize(1000);
  return s;
}

}  // namespace

std::vector<store::Migration> outbox_migrations() {
  return {
      {1, "mail_outbox",
       "CREATE TABLE mail_outbox ("
       " id {{ID}},"
       " created_at {{BIGINT}} NOT NULL,"
       " transport TEXT NOT NULL,"
       " sender TEXT NOT NULL,"
       " recipient TEXT NOT NULL,"
       " domain TEXT NOT NULL,"
       " message {{BLOB}} NOT NULL,"
       " state TEXT NOT NULL DEFAULT 'queued',"
       " attempts INTEGER NOT NULL DEFAULT 0,"
       " next_attempt_at {{BIGINT}} NOT NULL,"
       " lease_until {{BIGINT}},"
       " last_error TEXT,"
       " sent_at {{BIGINT}},"
       " batch_key TEXT);"
       "CREATE INDEX mail_outbox_due ON mail_outbox (transport, state, next_attempt_at);"
       "CREATE INDEX mail_outbox_batch ON mail_outbox (batch_key)"},
  };
}

Result<void> register_outbox_migrations() { return store::register_migrations("mail", outbox_migrations()); }

const char* to_string(OutboxState s) {
  switch (s) {
    case OutboxState::queued: return "queued";
    case OutboxState::sending: return "sending";
    case OutboxState::sent: return "sent";
    case OutboxState::failed: return "failed";
    case OutboxState::bounced: return "bounced";
  }
  return "queued";
}

std::optional<OutboxState> parse_outbox_state(std::string_view s) {
  for (auto st : {OutboxState::queued, OutboxState::sending, OutboxState::sent, OutboxState::failed,
                  OutboxState::bounced})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

Result<std::int64_t> enqueue(store::Session& s, const OutgoingMail& mail, Instant now) {
  if (mail.transport.empty() || mail.transport.size() > 32) return Error::invalid("unknown mail transport");
  if (!mail.sender.empty()) KOBAN_TRY(parse_address(mail.sender));
  KOBAN_ASSIGN(auto rcpt, parse_address(mail.recipient));
  if (mail.message.empty()) return Error::invalid("メール本文が空です。");
  if (mail.message.size() > kMaxMessageBytes)
    return Error{ErrorCode::too_large, "メールが大きすぎます。"};
  if (mail.batch_key && mail.batch_key->size() > 200) return Error::invalid("batch key too long");
  KOBAN_ASSIGN(auto rows,
               s.query("INSERT INTO mail_outbox (created_at, transport, sender, recipient, domain, message,"
                       " state, attempts, next_attempt_at, batch_key)"
                       " VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?) RETURNING id",
                       to_unix(now), mail.transport, mail.sender, rcpt.str(), rcpt.domain,
                       store::Blob{mail.message}, to_unix(now), mail.batch_key));
  if (rows.empty()) return Error::internal("INSERT RETURNING gave no row");
  return rows[0].int64(0);
}

Result<void> SmtpTransport::send(const std::vector<OutboxEntry>& mails, const Report& report) {
  std::vector<Envelope> batch;
  batch.reserve(mails.size());
  for (const auto& m : mails) batch.push_back({m.sender, {m.recipient}, m.message});
  KOBAN_ASSIGN(auto stats, smtp_.deliver(batch, [&](const RecipientOutcome& o) {
    report(o.message, o.status, o.detail);
  }));
  (void)stats;
  return ok();
}

Result<void> CatcherTransport::send(const std::vector<OutboxEntry>& mails, const Report& report) {
  for (std::size_t i = 0; i < mails.size(); ++i) report(i, DeliveryStatus::delivered, "");
  return ok();
}

Outbox::Outbox(store::Database& db, const Clock& clock, OutboxOptions options)
    : db_(db), clock_(clock), options_(options) {}

void Outbox::add_transport(Transport& t) { transports_[t.name()] = &t; }

std::chrono::seconds Outbox::backoff(int attempts) const {
  auto d = options_.base_backoff;
  for (int i = 1; i < attempts && d < options_.max_backoff; ++i) d *= 2;
  return std::min(d, options_.max_backoff);
}

Result<std::vector<OutboxEntry>> Outbox::claim(const std::string& transport, Instant now) {
  std::vector<OutboxEntry> claimed;
  KOBAN_TRY(db_.write([&](store::Session& s) -> Result<void> {
    claimed.clear();
    // Due queued rows, and rows whose sender died mid-flight (lease expired).
    std::string sql =
        "UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, lease_until = ?"
        " WHERE id IN (SELECT id FROM mail_outbox WHERE transport = ? AND"
        " ((state = 'queued' AND next_attempt_at <= ?) OR (state = 'sending' AND lease_until <= ?))"
        " ORDER BY next_attempt_at, id LIMIT ?";
    if (s.backend() == store::Backend::postgres) sql += " FOR UPDATE SKIP LOCKED";
    sql += ") RETURNING ";
    sql += kColumns;
    sql += ", message";
    KOBAN_ASSIGN(auto rows, s.query(sql, to_unix(now + options_.lease), transport, to_unix(now), to_unix(now),
                                    std::max(1, options_.batch_size)));
    for (const auto& r : rows) {
      OutboxEntry e = entry_from(r);
      e.message = r.text(12);
      claimed.push_back(std::move(e));
    }
    return ok();
  }));
  std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return claimed;
}

Result<RunReport> Outbox::run_once() {
  RunReport report;
  for (auto& [name, transport] : transports_) {
    const Instant now = clock_.now();
    KOBAN_ASSIGN(auto rows, claim(name, now));
    if (rows.empty()) continue;
    report.claimed += rows.size();

    struct Outcome {
      bool reported = false;
      DeliveryStatus status = DeliveryStatus::temporary_failure;
      std::string detail;
    };
    std::vector<Outcome> outcomes(rows.size());
    auto sent = transport->send(rows, [&](std::size_t i, DeliveryStatus st, std::string detail) {
      if (i >= outcomes.size() || outcomes[i].reported) return;
      outcomes[i] = {true, st, std::move(detail)};
    });
    for (auto& o : outcomes) {
      if (o.reported) continue;
      // The transport failed as a whole or forgot a row: retry it later.
      o = {true, DeliveryStatus::temporary_failure, sent ? "no outcome from transport" : sent.error().message};
    }

    const Instant done = clock_.now();
    RunReport part;
    KOBAN_TRY(db_.write([&](store::Session& s) -> Result<void> {
      part = {};
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        const auto& o = outcomes[i];
        // Only the claim we sent under (state sending, same attempt) may be updated.
        Result<std::int64_t> r = std::int64_t{0};
        switch (o.status) {
          case DeliveryStatus::delivered:
            r = s.exec("UPDATE mail_outbox SET state = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL"
                       " WHERE id = ? AND state = 'sending' AND attempts = ?",
                       to_unix(done), row.id, row.attempts);
            if (r && *r > 0) ++part.sent;
            break;
          case DeliveryStatus::permanent_failure:
            r = s.exec("UPDATE mail_outbox SET state = 'bounced', lease_until = NULL, last_error = ?"
                       " WHERE id = ? AND state = 'sending' AND attempts = ?",
                       clip(o.detail), row.id, row.attempts);
            if (r && *r > 0) ++part.bounced;
            break;
          case DeliveryStatus::temporary_failure:
            if (row.attempts >= options_.max_attempts) {
              r = s.exec("UPDATE mail_outbox SET state = 'failed', lease_until = NULL, last_error = ?"
                         " WHERE id = ? AND state = 'sending' AND attempts = ?",
                         clip(o.detail), row.id, row.attempts);
              if (r && *r > 0) ++part.failed;
            } else {
              r = s.exec("UPDATE mail_outbox SET state = 'queued', lease_until = NULL, last_error = ?,"
                         " next_attempt_at = ? WHERE id = ? AND state = 'sending' AND attempts = ?",
                         clip(o.detail), to_unix(done + backoff(row.attempts)), row.id, row.attempts);
              if (r && *r > 0) ++part.retried;
            }
            break;
        }
        if (!r) return r.error();
      }
      return ok();
    }));
    report.sent += part.sent;
    report.retried += part.retried;
    report.failed += part.failed;
    report.bounced += part.bounced;
    sent_ += part.sent;
    retried_ += part.retried;
    failed_ += part.failed;
    bounced_ += part.bounced;
  }
  return report;
}

Result<OutboxCounts> Outbox::counts() {
  OutboxCounts c;
  KOBAN_TRY(db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT state, COUNT(*) FROM mail_outbox GROUP BY state"));
    for (const auto& r : rows) {
      const auto st = parse_outbox_state(r.text(0));
      if (!st) continue;
      const std::int64_t n = r.int64(1);
      switch (*st) {
        case OutboxState::queued: c.queued = n; break;
        case OutboxState::sending: c.sending = n; break;
        case OutboxState::sent: c.sent = n; break;
        case OutboxState::failed: c.failed = n; break;
        case OutboxState::bounced: c.bounced = n; break;
      }
    }
    return ok();
  }));
  return c;
}

OutboxTotals Outbox::totals() const { return {sent_.load(), retried_.load(), failed_.load(), bounced_.load()}; }

Result<std::vector<OutboxEntry>> list_mail(store::Database& db, const MailListQuery& q) {
  // The SQL is assembled from fixed fragments only; every value is a parameter.
  std::string sql = std::string("SELECT ") + kColumns + " FROM mail_outbox WHERE 1 = 1";
  std::vector<store::Value> params;
  if (q.transport) {
    sql += " AND transport = ?";
    params.push_back(*q.transport);
  }
  if (q.state) {
    sql += " AND state = ?";
    params.push_back(std::string(to_string(*q.state)));
  }
  if (q.batch_key) {
    sql += " AND batch_key = ?";
    params.push_back(*q.batch_key);
  }
  if (q.before_id) {
    sql += " AND id < ?";
    params.push_back(*q.before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(std::int64_t{std::clamp(q.limit, 1, 500)});
  std::vector<OutboxEntry> out;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query_values(sql, params));
    for (const auto& r : rows) out.push_back(entry_from(r));
    return ok();
  }));
  return out;
}

Result<OutboxEntry> get_mail(store::Database& db, std::int64_t id) {
  std::optional<OutboxEntry> e;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + ", message FROM mail_outbox WHERE id = ?", id));
    if (!rows.empty()) {
      e = entry_from(rows[0]);
      e->message = rows[0].text(12);
    }
    return ok();
  }));
  if (!e) return Error::not_found("メールが見つかりません。");
  return std::move(*e);
}

}  // namespace koban::mail
