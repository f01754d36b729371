// The koban side of bench/site_build_bench.sh and bench/site_publish_bench.sh (issue 5 figures).
//
//   site_bench generate DB N HUGO_DIR   N published articles (~2 KB of Japanese Markdown each,
//                                       over every section, topic and station) into a new SQLite
//                                       DB, and the same N as Markdown files under HUGO_DIR/content
//   site_bench build DB PUBLISH_DIR     `koban site build` (publish::run_site_build, every core)
//   site_bench publish DB PUBLISH_DIR R R more articles, each taken through the real flow and
//                                       carried out with the publisher's hooks; prints the median
//                                       ms from carry_out_article to its page on disk
//
// The N articles are inserted with SQL (setup, not what is measured); the demo force
// (org::fill_demo) owns them. Until `koban site build` is wired into commands.cc this is the
// same code path: run_site_build.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "core/config.h"
#include "org/demo.h"
#include "org/org_migrations.h"
#include "org/people.h"
#include "site/articles/article_flow.h"
#include "site/publish/publisher.h"
#include "site/publish/site_build_command.h"
#include "site/sections.h"
#include "site/site_migrations.h"
#include "store/migrations.h"
#include "web/site_context.h"
#include "workflow/workflow_migrations.h"

using namespace koban;
namespace fs = std::filesystem;
namespace articles = site::articles;
namespace publish = site::publish;

namespace {

const Instant kT0 = from_jst({{2026, 11, 24}, 10, 0, 0});

Result<std::unique_ptr<store::Database>> open_db(const std::string& path) {
  KOBAN_ASSIGN(auto cfg, store::parse_database_url("sqlite:" + path));
  KOBAN_ASSIGN(auto db, store::Database::open(cfg));
  store::MigrationRegistry reg;
  KOBAN_TRY(reg.add("store", store::store_migrations()));
  KOBAN_TRY(reg.add("org", org::org_migrations()));
  KOBAN_TRY(reg.add("audit", audit::audit_migrations()));
  KOBAN_TRY(reg.add("workflow", workflow::workflow_migrations()));
  KOBAN_TRY(reg.add("site", site::site_migrations()));
  KOBAN_TRY(store::migrate(*db, reg, kT0));
  return db;
}

nlohmann::json site_json() {
  auto config = Config::parse("", {}, "bench");
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().message.c_str());
    std::exit(2);
  }
  return web::site_context(*config);
}

// About 2 KB of an article in Markdown, different per n.
std::string body_of(int n) {
  std::string b;
  b += "# 概要\n";
  b += "県内で" + std::to_string(n % 97 + 3) + "件の被害が確認されています。警察官や市役所職員をかたる電話に注意してください。\n";
  b += "キャッシュカードを預かる、暗証番号を聞くことは**絶対にありません**。\n\n";
  b += "# 被害の手口\n";
  b += "- 「還付金があります」と言ってATMに誘導する\n- 「カードが不正に使われています」と言って自宅を訪ねる\n"
       "- 「息子の会社の者です」と言って現金を受け取りに来る\n\n";
  b += "# 被害に遭わないために\n";
  for (int i = 0; i < 6; ++i)
    b += "留守番電話機能を活用し、知らない番号からの電話にはすぐに出ないようにしましょう。家族で合言葉を決めておくことも有効です。\n";
  b += "\n## 相談窓口\n";
  b += "| 窓口 | 電話番号 |\n|---|---|\n| 警察相談専用電話 | #9110 |\n| 消費者ホットライン | 188 |\n\n";
  b += "詳しくは[防犯活動](/safety/prevention/)をご覧ください。\n";
  return b;
}

struct Place {
  std::string section, topic;
  std::optional<org::UnitId> station;
  std::string station_code;
};

int generate(const std::string& path, int n, const fs::path& hugo) {
  fs::remove(path);
  auto db = open_db(path);
  if (!db) return std::fprintf(stderr, "%s\n", db.error().message.c_str()), 1;
  std::vector<Place> places;
  auto r = (*db)->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(org::fill_demo(s, kT0 - std::chrono::hours(24 * 800)));
    KOBAN_ASSIGN(auto stations, s.query("SELECT id, code FROM units WHERE kind = 'station' ORDER BY sort_order, id"));
    for (const auto& sec : site::sections()) {
      if (sec.slug == site::kStationsSection) {
        for (const auto& st : stations) places.push_back({std::string(sec.slug), "", st.int64(0), st.text(1)});
      } else {
        for (const auto& t : sec.topics) places.push_back({std::string(sec.slug), std::string(t.slug), std::nullopt, ""});
      }
    }
    KOBAN_ASSIGN(auto unit, s.query("SELECT id FROM units WHERE code = 'koho'"));
    KOBAN_ASSIGN(auto person, s.query("SELECT id FROM people ORDER BY id LIMIT 1"));
    const auto unit_id = unit.at(0).int64(0), by = person.at(0).int64(0);
    for (int i = 0; i < n; ++i) {
      const Place& p = places[i % places.size()];
      const Instant at = kT0 - std::chrono::minutes(10 * (n - i));
      const std::string title = "特殊詐欺被害防止のお知らせ（第" + std::to_string(i + 1) + "号）";
      KOBAN_ASSIGN(auto a, s.query("INSERT INTO articles (unit_id, title, section, topic, station_id, pub_state, work_state,"
                                   " created_by, created_at, updated_at, published_at) VALUES (?, ?, ?, ?, ?, 'published',"
                                   " 'none', ?, ?, ?, ?) RETURNING id",
                                   unit_id, title, p.section, p.topic, p.station, by, to_unix(at), to_unix(at), to_unix(at)));
      const auto id = a.at(0).int64(0);
      const std::string body = body_of(i);
      KOBAN_ASSIGN(auto v, s.query("INSERT INTO article_versions (article_id, version_no, title, body, section, topic,"
                                   " station_id, contact, summary, created_by, created_at) VALUES (?, 1, ?, ?, ?, ?, ?,"
                                   " '広報課 000-000-0110', '', ?, ?) RETURNING id",
                                   id, title, body, p.section, p.topic, p.station, by, to_unix(at)));
      KOBAN_TRY(s.exec("UPDATE articles SET latest_version_id = ?, live_version_id = ? WHERE id = ?", v.at(0).int64(0),
                       v.at(0).int64(0), id));
      if (!hugo.empty()) {
        const fs::path dir = hugo / "content" / p.section / (p.topic.empty() ? p.station_code : p.topic);
        fs::create_directories(dir);
        std::ofstream f(dir / (std::to_string(id) + ".md"));
        f << "---\ntitle: \"" << title << "\"\ndate: " << to_jst(at).iso() << "\n---\n" << body;
      }
    }
    return ok();
  });
  if (!r) return std::fprintf(stderr, "%s\n", r.error().message.c_str()), 1;
  if (!hugo.empty()) {
    // Section and topic pages for hugo (its _index.md files carry the headings).
    for (const auto& sec : site::sections()) {
      fs::create_directories(hugo / "content" / sec.slug);
      std::ofstream(hugo / "content" / sec.slug / "_index.md") << "---\ntitle: \"" << sec.name << "\"\n---\n";
      for (const auto& t : sec.topics) {
        fs::create_directories(hugo / "content" / sec.slug / t.slug);
        std::ofstream(hugo / "content" / sec.slug / t.slug / "_index.md") << "---\ntitle: \"" << t.name << "\"\n---\n";
      }
    }
    for (const auto& p : places)
      if (!p.station_code.empty()) {
        fs::create_directories(hugo / "content" / p.section / p.station_code);
        std::ofstream(hugo / "content" / p.section / p.station_code / "_index.md")
            << "---\ntitle: \"" << p.station_code << "\"\n---\n";
      }
  }
  std::printf("generated %d articles\n", n);
  return 0;
}

int build(const std::string& path, const fs::path& out) {
  auto db = open_db(path);
  if (!db) return std::fprintf(stderr, "%s\n", db.error().message.c_str()), 1;
  return publish::run_site_build(**db, {.publish_dir = out, .upload_dir = fs::path(path).parent_path() / "uploads",
                                        .base_url = "https://police.example.jp", .site = site_json()},
                                 stderr);
}

int publish_rounds(const std::string& path, const fs::path& out, int rounds) {
  auto db = open_db(path);
  if (!db) return std::fprintf(stderr, "%s\n", db.error().message.c_str()), 1;
  auto templates = publish::PageTemplates::load(publish::default_templates_dir());
  if (!templates) return std::fprintf(stderr, "%s\n", templates.error().message.c_str()), 1;
  articles::Settings st;
  st.upload_dir = fs::path(path).parent_path() / "uploads";
  workflow::KindRegistry kinds;
  if (auto k = articles::register_article_kinds(kinds, st); !k) return 1;
  publish::Publisher pub(**db, {.publish_dir = out, .upload_dir = st.upload_dir,
                                .render = {.base_url = "https://police.example.jp", .site = site_json(),
                                           .templates = *templates}});
  // The site is there already (site_bench build); a first update would otherwise build it all.
  if (auto b = pub.build_all(); !b) return std::fprintf(stderr, "%s\n", b.error().message.c_str()), 1;
  const articles::Hooks hooks = pub.hooks();
  auto person = [&](const char* login) {
    org::PersonId id = 0;
    (void)(*db)->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
      if (p) id = p->id;
      return ok();
    });
    return id;
  };
  const auto writer = person("chuo.tanto"), head = person("chuo.shocho"), koho = person("koho.kacho");
  std::vector<double> ms;
  for (int i = 0; i < rounds; ++i) {
    articles::ArticleId id = 0;
    auto r = (*db)->write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto saved, articles::save_article(s, st, {.title = "年末年始の特別警戒（" + std::to_string(i + 1) + "）",
                                                             .body = body_of(i), .section = "safety", .topic = "prevention",
                                                             .contact = "中央警察署 生活安全課"},
                                                   {.person = writer}, kT0));
      id = saved.article_id;
      KOBAN_TRY(articles::request_publication(s, kinds, st, id, {.person = writer}, kT0));
      KOBAN_TRY(articles::approve_article(s, kinds, st, id, {.person = head}, {}, kT0));
      return articles::approve_article(s, kinds, st, id, {.person = koho}, {}, kT0);
    });
    if (!r) return std::fprintf(stderr, "%s\n", r.error().message.c_str()), 1;
    const auto t0 = std::chrono::steady_clock::now();
    auto c = (*db)->write([&](store::Session& s) -> Result<void> {
      return articles::carry_out_article(s, kinds, st, hooks, id, {.person = koho}, kT0);
    });
    const auto t1 = std::chrono::steady_clock::now();
    if (!c) return std::fprintf(stderr, "%s\n", c.error().message.c_str()), 1;
    if (!fs::exists(out / "safety" / "prevention" / (std::to_string(id) + ".html")))
      return std::fprintf(stderr, "page of article %lld not written\n", static_cast<long long>(id)), 1;
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    std::printf("publish %d: %.1f ms\n", i + 1, ms.back());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("median: %.1f ms\n", ms[ms.size() / 2]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv, argv + argc);
  if (a.size() == 5 && a[1] == "generate") return generate(a[2], std::atoi(a[3].c_str()), a[4]);
  if (a.size() == 4 && a[1] == "build") return build(a[2], a[3]);
  if (a.size() == 5 && a[1] == "publish") return publish_rounds(a[2], a[3], std::max(1, std::atoi(a[4].c_str())));
  std::fprintf(stderr, "usage: site_bench generate DB N HUGO_DIR | build DB DIR | publish DB DIR ROUNDS\n");
  return 2;
}
