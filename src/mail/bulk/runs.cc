// Schema, run creation and progress of bulk runs (the sending side is in sender.cc).
#include <string>

#include "mail/bulk/bulk.h"

namespace koban::mail::bulk {

std::vector<store::Migration> bulk_migrations() {
  return {
      {1, "mail_bulk",
       "CREATE TABLE mail_bulk_runs ("
       " id {{ID}},"
       " kind TEXT NOT NULL,"
       " ref TEXT NOT NULL,"
       " state TEXT NOT NULL DEFAULT 'queued',"
       " total {{BIGINT}} NOT NULL DEFAULT 0,"
       " sent {{BIGINT}} NOT NULL DEFAULT 0,"
       " deferred {{BIGINT}} NOT NULL DEFAULT 0,"
       " bounced {{BIGINT}} NOT NULL DEFAULT 0,"
       " failed {{BIGINT}} NOT NULL DEFAULT 0,"
       " skipped {{BIGINT}} NOT NULL DEFAULT 0,"
       " journal_offset {{BIGINT}} NOT NULL DEFAULT 0,"
       " lease_owner TEXT,"
       " lease_until {{BIGINT}},"
       " created_at {{BIGINT}} NOT NULL,"
       " started_at {{BIGINT}},"
       " finished_at {{BIGINT}},"
       " updated_at {{BIGINT}} NOT NULL);"
       "CREATE INDEX mail_bulk_runs_kind ON mail_bulk_runs (kind, ref);"
       // next_attempt_at and the other times of items are unix milliseconds (retries in tests
       // are short); runs use unix seconds like the rest of the schema.
       "CREATE TABLE mail_bulk_items ("
       // No foreign key to mail_bulk_runs: its per-row check costs 10 s of a 1,000,000-item
       // create_run on PostgreSQL; items are only written through this module.
       " run_id {{BIGINT}} NOT NULL,"
       " item_id {{BIGINT}} NOT NULL,"
       " state TEXT NOT NULL DEFAULT 'pending',"
       " attempts INTEGER NOT NULL DEFAULT 0,"
       " next_attempt_at {{BIGINT}} NOT NULL DEFAULT 0,"
       " last_code INTEGER,"
       " last_error TEXT,"
       " PRIMARY KEY (run_id, item_id));"
       // Retry rounds look only at the few deferred items, not at a million sent ones.
       "CREATE INDEX mail_bulk_items_deferred ON mail_bulk_items (run_id, item_id) WHERE state = 'deferred'"},
  };
}

Result<void> register_bulk_migrations() { return store::register_migrations("mail_bulk", bulk_migrations()); }

Result<std::int64_t> create_run_values(store::Session& s, std::string_view kind, std::string_view ref,
                                       Instant now, std::string_view item_select,
                                       std::span<const store::Value> params) {
  if (kind.empty() || kind.size() > 64) return Error::invalid("bulk run kind must be 1..64 characters");
  if (ref.size() > 200) return Error::invalid("bulk run ref is longer than 200 characters");
  if (item_select.find(';') != std::string_view::npos) return Error::invalid("bulk run select must be one statement");
  const std::int64_t t = to_unix(now);
  KOBAN_ASSIGN(auto rows, s.query("INSERT INTO mail_bulk_runs (kind, ref, state, created_at, updated_at)"
                                  " VALUES (?, ?, 'queued', ?, ?) RETURNING id",
                                  kind, ref, t, t));
  const std::int64_t run_id = rows.at(0).int64(0);
  // No ON CONFLICT (it costs a third of the insert on PostgreSQL): the select must return
  // distinct ids; a duplicate fails the whole create_run (ErrorCode::conflict).
  std::string sql = "INSERT INTO mail_bulk_items (run_id, item_id) SELECT ?, sel.* FROM (";
  sql += item_select;
  sql += ") sel";
  std::vector<store::Value> all;
  all.reserve(params.size() + 1);
  all.emplace_back(run_id);
  all.insert(all.end(), params.begin(), params.end());
  KOBAN_ASSIGN(const std::int64_t n, s.exec_values(sql, all));
  KOBAN_TRY(s.exec("UPDATE mail_bulk_runs SET total = ? WHERE id = ?", n, run_id));
  return run_id;
}

Result<Progress> run_progress(store::Database& db, std::int64_t run_id) {
  Progress p;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT kind, ref, state, total, sent, deferred, bounced, failed, skipped,"
                                    " started_at, finished_at FROM mail_bulk_runs WHERE id = ?",
                                    run_id));
    if (rows.empty()) return Error::not_found("bulk run " + std::to_string(run_id) + " not found");
    const auto& r = rows[0];
    p.run_id = run_id;
    p.kind = r.text(0);
    p.ref = r.text(1);
    p.state = r.text(2);
    p.total = r.int64(3);
    p.sent = r.int64(4);
    p.deferred = r.int64(5);
    p.bounced = r.int64(6);
    p.failed = r.int64(7);
    p.skipped = r.int64(8);
    p.pending = p.total - p.sent - p.deferred - p.bounced - p.failed - p.skipped;
    if (auto v = r.opt_int64(9)) p.started_at = from_unix(*v);
    if (auto v = r.opt_int64(10)) p.finished_at = from_unix(*v);
    return ok();
  }));
  return p;
}

Result<std::vector<ItemRow>> list_items(store::Database& db, std::int64_t run_id, std::string_view state,
                                        std::size_t limit) {
  std::vector<ItemRow> out;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT item_id, state, attempts, last_code, last_error FROM mail_bulk_items"
                                    " WHERE run_id = ? AND state = ? ORDER BY item_id LIMIT ?",
                                    run_id, state, static_cast<std::int64_t>(std::min<std::size_t>(limit, 100'000))));
    for (const auto& r : rows)
      out.push_back({r.int64(0), r.text(1), static_cast<int>(r.int64(2)), static_cast<int>(r.int64(3)), r.text(4)});
    return ok();
  }));
  return out;
}

DeliveryPolicy carrier_policy(DeliveryPolicy base, double docomo_rate, double carrier_rate) {
  DomainPolicy docomo = base.defaults;
  docomo.max_recipients_per_session = 100;
  docomo.max_connections = std::min(docomo.max_connections, 5);
  docomo.max_messages_per_second = docomo_rate;
  DomainPolicy other = docomo;
  other.max_messages_per_second = carrier_rate;
  base.domains.try_emplace("docomo.ne.jp", docomo);
  for (const char* d : {"ezweb.ne.jp", "au.com", "softbank.ne.jp", "i.softbank.jp"}) base.domains.try_emplace(d, other);
  return base;
}

}  // namespace koban::mail::bulk
