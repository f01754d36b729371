// Bulk mail delivery: one personal message per recipient to 100,000 … 1,000,000 recipients,
// fast (the SMTP sessions never wait for the database) and exact under kill -9 (every item is
// sent once; after a crash the only duplicates are the messages that were in flight, at most
// one per open SMTP session). Generic: safety alerts use it, mail magazines can.
//
// At start-up:  mail::bulk::register_bulk_migrations();   (module "mail_bulk", after "mail")
//
// 1. Create a run with its items in the caller's transaction, from ONE INSERT ... SELECT.
//    The SELECT is a constant written by the programmer (never built from input); it returns
//    one integer column (the item ids, e.g. subscriber ids); its `?` are bound to params:
//
//      db.write([&](store::Session& s) -> Result<void> {
//        KOBAN_ASSIGN(run_id, bulk::create_run(s, "alert", std::to_string(alert_id), now,
//            "SELECT id FROM subscribers WHERE state = 'confirmed' AND (categories & ?) <> 0",
//            1 << (category - 1)));
//        KOBAN_TRY(store::enqueue(s, {.kind = "alerts.deliver", .payload = ...}, now));
//        return ok();
//      });
//
// 2. In the job handler, send it. The renderer turns a chunk of item ids into complete
//    RFC 5322 messages (decrypt the addresses, put each personal unsubscribe link in); it runs
//    on a helper thread while the previous chunk is on the wire. An id it leaves out is
//    recorded as skipped (e.g. the subscriber has unsubscribed since the run was created).
//
//      bulk::BulkOptions o{.data_dir = cfg.data_dir, .sender = "noreply@police.example.jp"};
//      bulk::BulkSender sender(db, smtp, o);     // smtp: a mail::SmtpDelivery, see smtp.h
//      bulk::Hooks hooks{.on_hard_failure = [&](store::Session& s, std::int64_t id) {
//        return subscribers::note_hard_failure(s, id);   // runs inside the fold's transaction
//      }};
//      KOBAN_ASSIGN(auto report, sender.send(run_id, [&](std::span<const std::int64_t> ids,
//                                                      std::vector<bulk::RenderedItem>& out) {
//        ... out.push_back({id, address, raw_message}); ... return ok(); }, hooks));
//      if (!report.done) re-enqueue the job at report.resume_at (only deferred items are left)
//
// 3. Staff pages poll bulk::run_progress(db, run_id) (total / sent / deferred / bounced /
//    failed / skipped / pending; updated by every fold, about 4 times a second).
//
// How exactness works: the SMTP outcome callback (which runs before the session starts its
// next transaction) appends a record to DATA_DIR/bulk/<run>.journal with one write(2). A
// folder thread merges the journal into mail_bulk_items and the run's counters every
// fold_interval (one transaction, fdatasync of the journal first, the folded offset stored in
// the run). A new send() of the run (after a crash, or on another worker of the same host)
// replays the journal from the folded offset first, then sends only pending items and due
// deferred ones. 4xx → deferred with backoff, retried within send() until max_attempts
// (then failed); 5xx → bounced with code and text, on_hard_failure called.
//
// Errors: send() returns ErrorCode::unavailable when no SMTP session could be set up for a
// whole chunk (the relay is down; that chunk's items are deferred, the rest stay pending), and
// the renderer's or the database's error when they fail; in every case what was sent is
// folded, and the next send() of the run (same host: at once; another host: after the lease)
// goes on where it stopped. A send() of a large run takes minutes: extend the job's lease.
//
// Limits, honestly: the journal lives in the local data directory. A different host that
// takes over a run after its lease expired cannot see the records that were not folded yet
// (at most one fold interval of messages is sent twice then). A power loss (not a process
// kill) can lose the journal's page cache since the last fold: up to one fold interval of
// messages resent. The lease is renewed by every fold; a run whose lease is held by a live
// process elsewhere is refused (ErrorCode::conflict).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "mail/smtp.h"
#include "store/database.h"
#include "store/migrations.h"

namespace koban::mail::bulk {

// ---- schema -------------------------------------------------------------------------------

std::vector<store::Migration> bulk_migrations();
Result<void> register_bulk_migrations();

// ---- runs ---------------------------------------------------------------------------------

// Inserts a queued run and one pending item per row of item_select in s's transaction and
// returns the run id. The ids must be distinct (select a primary key): a duplicate fails it
// all (ErrorCode::conflict). kind/ref say what the run is for ("alert", "17").
Result<std::int64_t> create_run_values(store::Session& s, std::string_view kind, std::string_view ref,
                                       Instant now, std::string_view item_select,
                                       std::span<const store::Value> params);
template <class... A>
Result<std::int64_t> create_run(store::Session& s, std::string_view kind, std::string_view ref, Instant now,
                                std::string_view item_select, A&&... args) {
  const store::Value params[] = {store::Value{}, store::to_value(std::forward<A>(args))...};
  return create_run_values(s, kind, ref, now, item_select,
                           std::span<const store::Value>(params + 1, sizeof...(A)));
}

struct Progress {
  std::int64_t run_id = 0;
  std::string kind, ref;
  std::string state;  // queued | running | done
  std::int64_t total = 0, sent = 0, deferred = 0, bounced = 0, failed = 0, skipped = 0;
  std::int64_t pending = 0;  // total minus all the others
  std::optional<Instant> started_at, finished_at;
};
// ErrorCode::not_found for an unknown run.
Result<Progress> run_progress(store::Database& db, std::int64_t run_id);

// One item's stored state (tests, the staff page's list of bounces).
struct ItemRow {
  std::int64_t item_id = 0;
  std::string state;  // pending | sent | deferred | bounced | failed | skipped
  int attempts = 0;
  int last_code = 0;
  std::string last_error;
};
// Items of a run in a given state, in item order, at most limit.
Result<std::vector<ItemRow>> list_items(store::Database& db, std::int64_t run_id, std::string_view state,
                                        std::size_t limit = 1000);

// ---- sending ------------------------------------------------------------------------------

struct RenderedItem {
  std::int64_t item_id = 0;
  std::string recipient;  // the envelope recipient
  std::string data;       // the complete RFC 5322 message, CRLF line ends
};
// Called with ids in ascending order (at most chunk_size); appends what to send.
using Renderer = std::function<Result<void>(std::span<const std::int64_t> ids, std::vector<RenderedItem>& out)>;

struct Hooks {
  // Both run on the folder thread inside the fold's write transaction; an error rolls the
  // fold back and aborts send() (nothing is lost: the journal still holds the records).
  std::function<Result<void>(store::Session&, std::int64_t item_id)> on_success;
  std::function<Result<void>(store::Session&, std::int64_t item_id)> on_hard_failure;
  // Optional, used instead of on_success when set: the sent items of a fold in batches of up
  // to 100 ids (one statement per batch, e.g. `... WHERE id IN (...)`: on PostgreSQL a round
  // trip per item costs more than the UPDATE itself).
  std::function<Result<void>(store::Session&, std::span<const std::int64_t> item_ids)> on_success_many;
};

struct BulkOptions {
  std::string data_dir;     // journals go to data_dir/bulk/<run>.journal
  std::string sender;       // envelope sender (MAIL FROM), "" for <>
  std::string node;         // lease owner name; default: the host name. Must be stable across
                            // restarts of the same host and distinct between hosts.
  std::size_t chunk_size = 2000;
  int max_attempts = 5;     // deliveries tried per item (4xx) before it is failed
  std::chrono::milliseconds retry_base{60'000};   // backoff: base × 2^(attempts-1) …
  std::chrono::milliseconds retry_max{3'600'000}; // … at most this
  // send() waits for deferred items that are due within this; later ones end send() with
  // done = false and resume_at set (re-enqueue the job then). A retry pass starts no sooner
  // than retry_base after the previous pass ended.
  std::chrono::milliseconds max_wait{120'000};
  std::chrono::milliseconds fold_interval{250};
  std::size_t fold_records = 20'000;               // fold earlier when this many are waiting
  std::chrono::seconds lease{300};
};

struct SendReport {
  bool done = false;                 // every item has a final state; the run is 'done'
  std::optional<Instant> resume_at;  // when !done: the next deferred item is due then
  Progress progress;
  std::uint64_t smtp_sessions = 0;
  std::uint64_t replayed = 0;        // journal records folded at claim (after a crash)
};

class BulkSender {
 public:
  BulkSender(store::Database& db, SmtpDelivery& smtp, BulkOptions options);

  // Claims the run (lease), replays its journal, sends; blocks until the run is done or only
  // deferred items that are not due within max_wait are left. ErrorCode::conflict when
  // another live sender holds the run; not_found for an unknown run.
  Result<SendReport> send(std::int64_t run_id, const Renderer& render, const Hooks& hooks = {});

  std::string journal_path(std::int64_t run_id) const;

 private:
  store::Database& db_;
  SmtpDelivery& smtp_;
  BulkOptions options_;
};

// ---- per-domain policy --------------------------------------------------------------------

// The Japanese carriers' limits on top of base: docomo.ne.jp at most 100 recipients (here:
// messages) per session and docomo_rate messages/s (0: unlimited); ezweb.ne.jp/au.com and
// softbank.ne.jp/i.softbank.jp 100 per session and carrier_rate messages/s. The carriers
// publish no numbers; these are conservative starting points, to be tuned from their replies.
DeliveryPolicy carrier_policy(DeliveryPolicy base, double docomo_rate = 50, double carrier_rate = 100);

}  // namespace koban::mail::bulk
