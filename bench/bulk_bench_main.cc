// The koban side of bench/alert_bench.sh: an alert to N fake subscribers through
// mail::bulk::BulkSender into an SMTP sink, timed from create_run (INSERT ... SELECT of the
// confirmed subscribers) to the last message accepted.
//
//   bulk_bench HOST PORT DATABASE_URL ITEMS SESSIONS DATA_DIR [CHUNK]
//
// Setup (not timed): the tables and N subscribers (addresses, a link key each). Each message
// is built with mail::build_message: about 1 KB of Japanese text, UTF-8 base64, a personal
// unsubscribe link in the body and in List-Unsubscribe (RFC 8058), its own Message-ID.
// Prints "koban: ... R msg/s ..." with the peak RSS (VmHWM) and "size: S" (bytes per message,
// for smtp-source -l).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unordered_map>

#include "mail/bulk/bulk.h"
#include "mail/mime.h"
#include "store/migrations.h"

using namespace koban;

namespace {

long peak_rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

// About 1 KB of alert text (a typical 不審者 notice).
std::string alert_text() {
  std::string t =
      "岐阜県警察本部からお知らせします。\n"
      "本日午後３時３０分ころ、岐阜市○○町地内の路上において、下校中の女子児童が、"
      "見知らぬ男から「車に乗らないか」などと声をかけられる事案が発生しました。\n"
      "男の特徴は、年齢３０歳から４０歳くらい、身長１７０センチメートルくらい、やせ型、"
      "黒色短髪、紺色の作業服を着用、白色の軽乗用車に乗っていたとのことです。\n"
      "このような事案に遭ったときは、大声を出して助けを求める、防犯ブザーを鳴らすなどして、"
      "すぐにその場から逃げ、直ちに１１０番通報してください。\n"
      "保護者の皆様は、お子様と一緒に通学路の危険な場所を確認するなど、"
      "防犯対策についてお話しください。\n";
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s HOST PORT DATABASE_URL ITEMS SESSIONS DATA_DIR [CHUNK]\n", argv[0]);
    return 2;
  }
  const std::string host = argv[1];
  const int port = std::atoi(argv[2]);
  const std::string url = argv[3];
  const long items = std::atol(argv[4]);
  const int sessions = std::atoi(argv[5]);
  const std::string data_dir = argv[6];
  const std::size_t chunk = argc > 7 ? static_cast<std::size_t>(std::atol(argv[7])) : 2000;

  auto cfg = store::parse_database_url(url);
  if (!cfg) return std::fprintf(stderr, "url: %s\n", cfg.error().message.c_str()), 1;
  auto db = store::Database::open(*cfg);
  if (!db) return std::fprintf(stderr, "open: %s\n", db.error().message.c_str()), 1;
  store::MigrationRegistry reg;
  (void)reg.add("store", store::store_migrations());
  (void)reg.add("mail_bulk", mail::bulk::bulk_migrations());
  (void)reg.add("bench", {{1, "bench_subscribers",
                           "CREATE TABLE bench_subscribers (id {{BIGINT}} PRIMARY KEY, address TEXT NOT NULL,"
                           " link_key TEXT NOT NULL, state TEXT NOT NULL)"}});
  if (auto m = store::migrate(**db, reg, SystemClock().now()); !m)
    return std::fprintf(stderr, "migrate: %s\n", m.error().message.c_str()), 1;

  auto setup = (*db)->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("DELETE FROM bench_subscribers"));
    KOBAN_TRY(s.exec(
        "INSERT INTO bench_subscribers (id, address, link_key, state)"
        " WITH RECURSIVE n(x) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT x + 1 FROM n WHERE x < ?)"
        " SELECT x, 'user' || x || '@example.jp', 'k' || (x * 7919 % 1000003) || 'q' || (x * 31),"
        " CASE WHEN x % 50 = 0 THEN 'pending' ELSE 'confirmed' END FROM n",
        static_cast<std::int64_t>(items)));
    return ok();
  });
  if (!setup) return std::fprintf(stderr, "setup: %s\n", setup.error().message.c_str()), 1;

  mail::SmtpConfig smtp_cfg;
  smtp_cfg.host = host;
  smtp_cfg.port = static_cast<std::uint16_t>(port);
  smtp_cfg.tls = mail::TlsMode::none;
  mail::DeliveryPolicy policy;
  policy.max_sessions = sessions;
  policy.defaults.max_connections = sessions;
  mail::SmtpDelivery smtp(smtp_cfg, policy);

  mail::bulk::BulkOptions o;
  o.data_dir = data_dir;
  o.sender = "noreply@police.example.jp";
  o.chunk_size = chunk;
  mail::bulk::BulkSender sender(**db, smtp, o);

  const std::string text = alert_text();
  std::size_t bytes = 0, built = 0;
  auto render = [&](std::span<const std::int64_t> ids, std::vector<mail::bulk::RenderedItem>& out) -> Result<void> {
    std::unordered_map<std::int64_t, std::pair<std::string, std::string>> subs;
    subs.reserve(ids.size());
    KOBAN_TRY((*db)->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT id, address, link_key FROM bench_subscribers WHERE id BETWEEN ? AND ?",
                                      ids.front(), ids.back()));
      for (auto& r : rows) subs.emplace(r.int64(0), std::make_pair(r.text(1), r.text(2)));
      return ok();
    }));
    mail::Message m;
    m.from = {"岐阜県警察", "noreply@police.example.jp"};
    m.subject = "【子供安全情報】声かけ事案の発生（岐阜市）";
    m.date = SystemClock().now();
    for (auto id : ids) {
      auto it = subs.find(id);
      if (it == subs.end()) continue;
      const std::string link = "https://anshin.police.example.jp/u/" + std::to_string(id) + "/" + it->second.second;
      m.to = {{"", it->second.first}};
      m.message_id.clear();
      m.text = text + "\n配信停止・変更: " + link + "\n";
      m.headers = {{"List-Unsubscribe", "<" + link + ">"}, {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
      KOBAN_ASSIGN(auto raw, mail::build_message(m, {.text_encoding = mail::TextEncoding::base64}));
      bytes += raw.size();
      ++built;
      out.push_back({id, it->second.first, std::move(raw)});
    }
    return ok();
  };

  const auto start = std::chrono::steady_clock::now();
  std::int64_t run = 0;
  auto created = (*db)->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(run, mail::bulk::create_run(s, "alert", "bench", SystemClock().now(),
                                             "SELECT id FROM bench_subscribers WHERE state = ?", "confirmed"));
    return ok();
  });
  if (!created) return std::fprintf(stderr, "create_run: %s\n", created.error().message.c_str()), 1;
  const double create_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto report = sender.send(run, render);
  if (!report) return std::fprintf(stderr, "send: %s\n", report.error().message.c_str()), 1;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& p = report->progress;
  const std::size_t size = built ? bytes / built : 0;
  std::printf("koban: %lld messages of ~%zu bytes in %.2f s (create_run %.2f s), %.0f msg/s, peak RSS %ld MB"
              " (sent %lld, deferred %lld, bounced %lld, failed %lld, sessions %llu)\n",
              static_cast<long long>(p.total), size, secs, create_secs, static_cast<double>(p.sent) / secs,
              peak_rss_kb() / 1024, static_cast<long long>(p.sent), static_cast<long long>(p.deferred),
              static_cast<long long>(p.bounced), static_cast<long long>(p.failed),
              static_cast<unsigned long long>(report->smtp_sessions));
  std::printf("size: %zu\n", size);
  return report->done && p.sent == p.total ? 0 : 1;
}
