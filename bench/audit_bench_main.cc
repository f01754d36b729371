// The koban side of bench/audit_bench.sh.
//
//   audit_bench fill DB.sqlite N       appends N varied events through the real audit::append,
//                                      50,000 per write transaction; prints the time
//   audit_bench verify DB.sqlite       runs audit::verify, prints "verify: N rows in T s"
//                                      (exit 1 when the chain is bad)
//   audit_bench canonical DB.sqlite F  writes every row's canonical bytes (what verify hashes)
//                                      to F, so sha256sum can hash the same amount of data
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "audit/audit_log.h"
#include "audit/chain_hash.h"
#include "audit/verify.h"
#include "store/migrations.h"

namespace {

using namespace koban;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

Result<std::unique_ptr<store::Database>> open_db(const std::string& path) {
  store::DatabaseConfig cfg;
  cfg.backend = store::Backend::sqlite;
  cfg.sqlite_path = path;
  return store::Database::open(cfg);
}

// A plausible mix: logins, article work, refusals, Japanese summaries of varied length.
audit::Event event_for(long i) {
  static const char* kActions[] = {"auth.login", "site.article.update", "site.article.approve",
                                   "alert.mail.send", "org.person.update", "auth.logout"};
  audit::Event e;
  e.actor_id = 1 + i % 500;
  e.actor_name = "職員" + std::to_string(1 + i % 500);
  e.unit_id = 1 + i % 40;
  e.unit_name = "第" + std::to_string(1 + i % 40) + "警察署";
  e.action = kActions[i % 6];
  e.object_type = i % 6 == 0 || i % 6 == 5 ? "" : "article";
  e.object_id = std::to_string(i / 7);
  e.summary = "状態: 下書き → 承認待ち（記事 " + std::to_string(i) + "）" +
              std::string(static_cast<std::size_t>(i % 5) * 12, 'x');
  e.address = "192.0.2." + std::to_string(i % 250);
  e.outcome = i % 37 == 0 ? audit::Outcome::refused : audit::Outcome::ok;
  return e;
}

int fill(const std::string& path, long n) {
  auto db = open_db(path);
  if (!db) return std::fprintf(stderr, "%s\n", db.error().message.c_str()), 2;
  store::MigrationRegistry reg;
  if (!reg.add("audit", audit::audit_migrations()) ||
      !store::migrate(**db, reg, from_unix(1'800'000'000)))
    return std::fprintf(stderr, "migration failed\n"), 2;
  const auto t0 = Clock::now();
  constexpr long kBatch = 50'000;
  for (long done = 0; done < n;) {
    const long end = std::min(n, done + kBatch);
    auto r = (*db)->write([&](store::Session& s) -> Result<void> {
      for (long i = done; i < end; ++i) KOBAN_TRY(audit::append(s, event_for(i), from_unix(1'800'000'000 + i)));
      return ok();
    });
    if (!r) return std::fprintf(stderr, "append: %s\n", r.error().message.c_str()), 2;
    done = end;
  }
  std::printf("fill: %ld rows through audit::append in %.2f s\n", n, seconds_since(t0));
  return 0;
}

int verify(const std::string& path) {
  auto db = open_db(path);
  if (!db) return std::fprintf(stderr, "%s\n", db.error().message.c_str()), 2;
  const auto t0 = Clock::now();
  auto r = audit::verify(**db);
  const double t = seconds_since(t0);
  if (!r) return std::fprintf(stderr, "verify: %s\n", r.error().message.c_str()), 2;
  std::printf("verify: %lld rows in %.3f s (%s)\n", static_cast<long long>(r->rows_checked), t,
              r->ok ? "ok" : r->message_en.c_str());
  return r->ok ? 0 : 1;
}

int canonical(const std::string& path, const std::string& out_path) {
  auto db = open_db(path);
  if (!db) return std::fprintf(stderr, "%s\n", db.error().message.c_str()), 2;
  std::ofstream out(out_path, std::ios::binary);
  std::string buf;
  auto r = (*db)->read([&](store::Session& s) -> Result<void> {
    std::int64_t after = 0;
    for (;;) {
      KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + audit::kAuditColumns +
                                          " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 10000",
                                      after));
      if (rows.empty()) return ok();
      for (auto& row : rows) {
        auto rec = audit::record_from_row(row);
        buf.clear();
        audit::encode_canonical(rec, buf);
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        after = rec.seq;
      }
    }
  });
  if (!r || !out) return std::fprintf(stderr, "canonical: failed\n"), 2;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "fill" && argc == 4) return fill(argv[2], std::atol(argv[3]));
  if (cmd == "verify" && argc == 3) return verify(argv[2]);
  if (cmd == "canonical" && argc == 4) return canonical(argv[2], argv[3]);
  std::fprintf(stderr, "usage: %s fill DB N | verify DB | canonical DB OUT\n", argv[0]);
  return 2;
}
