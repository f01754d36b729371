#include "audit/verify.h"

#include <algorithm>
#include <limits>

#include "audit/audit_log.h"
#include "audit/chain_hash.h"

namespace koban::audit {
namespace {

void fail(VerifyReport& rep, Problem p, std::int64_t seq, std::string ja, std::string en) {
  rep.ok = false;
  rep.problem = p;
  rep.bad_seq = seq;
  rep.message_ja = std::move(ja);
  rep.message_en = std::move(en);
}

std::string num(std::int64_t v) { return std::to_string(v); }

// A row whose hash does not match at its seq: was it written at another seq? Try the other
// seqs nearest first (a swap of neighbours is found at once). Only runs on the failure path;
// the bound keeps a huge log from making that path slow.
constexpr std::int64_t kMaxReorderTries = 2'000'000;

Result<std::optional<std::int64_t>> original_seq(store::Session& s, const Record& r) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT MAX(seq) FROM audit_log"));
  const std::int64_t max_seq = rows.empty() ? 0 : rows[0].int64(0);
  Record moved = r;
  std::int64_t tries = 0;
  for (std::int64_t d = 1; tries < kMaxReorderTries; ++d) {
    const std::int64_t lo = r.seq - d, hi = r.seq + d;
    if (lo < 1 && hi > max_seq) break;
    for (std::int64_t seq : {lo, hi}) {
      if (seq < 1 || seq > max_seq) continue;
      ++tries;
      moved.seq = seq;
      if (record_hash(moved) == r.hash) return std::optional<std::int64_t>(seq);
    }
  }
  return std::optional<std::int64_t>();
}

}  // namespace

const char* to_string(Problem p) {
  switch (p) {
    case Problem::none: return "none";
    case Problem::edited: return "edited";
    case Problem::missing: return "missing";
    case Problem::reordered: return "reordered";
    case Problem::broken_link: return "broken_link";
  }
  return "none";
}

Result<VerifyReport> verify(store::Database& db, const VerifyProgress& progress, int page_size) {
  page_size = std::clamp(page_size, 1, 100000);
  VerifyReport rep;
  rep.last_hash = std::string(kGenesisHash);
  const std::string sql = std::string("SELECT ") + kAuditColumns +
                          " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?";
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    // Not 0: a row slipped in at seq 0 or below must be seen, not skipped.
    std::int64_t after = std::numeric_limits<std::int64_t>::min();
    std::string outcome;
    for (;;) {
      KOBAN_ASSIGN(auto rows, s.query(sql, after, page_size));
      for (const auto& row : rows) {
        Record r = record_from_row(row, &outcome);
        const std::int64_t expected = rep.last_seq + 1;
        if (r.seq < expected) {  // only seq <= 0 can sort before 1: a row slipped in
          fail(rep, Problem::edited, r.seq,
               "監査ログに連番の範囲外の行 seq " + num(r.seq) + " があります（挿入されています）。",
               "audit log has a row outside the sequence: seq " + num(r.seq) + " (inserted)");
          return ok();
        }
        if (r.seq != expected) {
          const std::string range =
              r.seq - 1 > expected ? num(expected) + "〜" + num(r.seq - 1) : num(expected);
          const std::string range_en =
              r.seq - 1 > expected ? num(expected) + "-" + num(r.seq - 1) : num(expected);
          fail(rep, Problem::missing, expected,
               "監査ログの seq " + range + " がありません（削除されています）。次にある行は seq " +
                   num(r.seq) + " です。",
               "audit log seq " + range_en + " missing (deleted); the next row present is seq " +
                   num(r.seq));
          return ok();
        }
        const bool outcome_valid = outcome == "ok" || outcome == "refused";
        if (!outcome_valid || record_hash(r) != r.hash) {
          std::optional<std::int64_t> from;
          if (outcome_valid && r.prev_hash != rep.last_hash) {
            KOBAN_ASSIGN(from, original_seq(s, r));
          }
          if (from) {
            fail(rep, Problem::reordered, r.seq,
                 "監査ログの seq " + num(r.seq) + " には seq " + num(*from) +
                     " として記録された行があります（順序が入れ替えられています）。",
                 "audit log seq " + num(r.seq) + " holds the record written as seq " +
                     num(*from) + " (rows reordered)");
          } else {
            fail(rep, Problem::edited, r.seq,
                 "監査ログの seq " + num(r.seq) +
                     " の内容がハッシュと一致しません（書き換えられています）。",
                 "audit log seq " + num(r.seq) + " does not match its hash (edited)");
          }
          return ok();
        }
        if (r.prev_hash != rep.last_hash) {
          fail(rep, Problem::broken_link, r.seq,
               "監査ログの seq " + num(r.seq) + " の前ハッシュが seq " + num(rep.last_seq) +
                   " のハッシュと一致しません（seq " + num(rep.last_seq) +
                   " がハッシュごと書き換えられたか、行が入れ替えられています）。",
               "audit log seq " + num(r.seq) + ": prev_hash does not match the hash of seq " +
                   num(rep.last_seq) + " (that row was rewritten with a new hash, or rows were "
                   "re-chained)");
          return ok();
        }
        rep.last_seq = r.seq;
        rep.last_hash = std::move(r.hash);
        ++rep.rows_checked;
      }
      if (progress) progress(rep.rows_checked);
      if (static_cast<int>(rows.size()) < page_size) return ok();
      after = rep.last_seq;
    }
  }));
  if (rep.ok) {
    rep.message_ja = "監査ログは正常です（" + num(rep.rows_checked) + " 件、最終 seq " +
                     num(rep.last_seq) + "、最終ハッシュ " + rep.last_hash + "）。";
    rep.message_en = "audit log ok: " + num(rep.rows_checked) + " rows, last seq " +
                     num(rep.last_seq) + ", last hash " + rep.last_hash;
  }
  return rep;
}

int run_verify_command(store::Database& db, std::FILE* out) {
  constexpr std::int64_t kEvery = 100000;
  std::int64_t reported = 0;
  auto r = verify(db, [&](std::int64_t n) {
    if (n / kEvery > reported / kEvery) {
      reported = n;
      std::fprintf(stderr, "audit verify: %lld rows checked\n", static_cast<long long>(n));
    }
  });
  if (!r) {
    std::fprintf(out, "監査ログを読み取れませんでした: %s\ncould not read the audit log: %s\n",
                 r.error().message.c_str(), r.error().message.c_str());
    return 2;
  }
  std::fprintf(out, "%s\n%s\n", r->message_ja.c_str(), r->message_en.c_str());
  if (!r->ok && r->last_seq > 0)
    std::fprintf(out, "最後に正常だった行 / last good row: seq %lld, hash %s\n",
                 static_cast<long long>(r->last_seq), r->last_hash.c_str());
  return r->ok ? 0 : 1;
}

}  // namespace koban::audit
