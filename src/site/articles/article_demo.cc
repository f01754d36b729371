#include "site/articles/article_demo.h"

#include <filesystem>
#include <fstream>

#include "org/people.h"
#include "org/units.h"
#include "site/sections.h"
#include "workflow/engine.h"

namespace koban::site::articles {
namespace fs = std::filesystem;
namespace {

struct Plan {
  std::string writer;  // login
  org::UnitId unit = 0;
  ArticleInput in;
  int stage = 0;        // 0 draft, 1 at the unit head, 2 at 広報課, 3 scheduled, 4 published
  bool image = false, pdf = false;
  Instant at{};
};

Result<org::PersonId> pid(store::Session& s, const std::string& login) {
  KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
  if (!p) return Error::not_found("demo person " + login);
  return p->id;
}

// Approves the open step as its first assigned approver (whoever the engine chose).
Result<void> approve_open_step(store::Session& s, const workflow::KindRegistry& kinds, const Settings& st,
                               ArticleId id, Instant at) {
  KOBAN_ASSIGN(auto a, get_article(s, id));
  KOBAN_ASSIGN(auto req, workflow::get_request(s, *a.request_id));
  KOBAN_ASSIGN(auto step, workflow::get_step(s, *req.current_step));
  if (step.approvers.empty()) return Error::internal("demo: nobody to approve");
  return approve_article(s, kinds, st, id, {.person = step.approvers.front()}, {}, at);
}

Result<File> attach(store::Session& s, const Settings& st, ArticleId id, org::PersonId by, const std::string& bytes,
                    const std::string& name, const std::string& alt, Instant at) {
  std::error_code ec;
  fs::create_directories(st.upload_dir, ec);
  const fs::path tmp = st.upload_dir / ("demo-" + std::to_string(id) + "-" + name);
  {
    std::ofstream out(tmp, std::ios::binary);
    out << bytes;
    if (!out) return Error::unavailable("demo: cannot write " + tmp.string());
  }
  auto f = add_file(s, st, id, {.path = tmp, .original_name = name, .alt = alt}, {.person = by}, at);
  fs::remove(tmp, ec);
  return f;
}

Instant office_hours(Instant now, int days_ago) {
  auto d = to_jst(now).date.plus_days(-days_ago);
  while (d.weekday() == 0 || d.weekday() == 6) d = d.plus_days(-1);
  return from_jst({d, 10, 0, 0});
}

}  // namespace

std::string demo_png() {
  return std::string(
      "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
      "\x00\x00\x00\x90\x77\x53\xde\x00\x00\x00\x0c\x49\x44\x41\x54\x78\x9c\x63\x90\xf7\xeb\x01\x00\x01\x89\x00"
      "\xfa\x7f\xd7\xef\xa8\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
      69);
}

std::string demo_pdf(std::string_view title) {
  // A minimal one-page PDF (no fonts needed: the page is empty, the title is metadata).
  std::string t;
  for (char c : title) t += (c == '(' || c == ')' || c == '\\') ? ' ' : c;
  return "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
         "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
         "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
         "4 0 obj<</Title(" + t + ")>>endobj\n"
         "trailer<</Root 1 0 R/Info 4 0 R>>\n%%EOF\n";
}

Result<DemoReport> fill_demo_articles(store::Session& s, const workflow::KindRegistry& kinds, const Settings& st,
                                      const InspectionSettings& ins, Instant now) {
  DemoReport report;
  KOBAN_ASSIGN(auto existing, s.query("SELECT COUNT(*) FROM articles"));
  if (existing.at(0).int64(0) > 0) return report;

  // Which HQ division writes for which section (their heads hold website grants in the demo).
  const std::vector<std::pair<std::string, std::vector<std::string>>> owners = {
      {"about", {"somu", "koho"}}, {"safety", {"keiji", "cyber"}}, {"traffic", {"kotsu"}},
      {"procedures", {"somu", "koho"}}, {"consultation", {"koho", "keiji"}}};
  std::vector<Plan> plans;
  int n = 0;
  for (const auto& [section, units] : owners) {
    const auto* sec = find_section(section);
    for (const auto& t : sec->topics) {
      for (int k = 0; k < 2; ++k, ++n) {
        const std::string code = units[(n + k) % units.size()];
        KOBAN_ASSIGN(auto unit, org::find_unit_by_code(s, code));
        if (!unit) return Error::not_found("demo unit " + code);
        const std::string title = std::string(t.name) + (k == 0 ? "のご案内" : "について（令和8年度）");
        Plan p{.writer = code + ".hosa", .unit = unit->id};
        p.in = {.unit_id = unit->id, .title = title,
                .body = "# 概要\n" + title + "についてお知らせします。\n\n# 内容\n- 対象：県民の皆さま\n- 期間：通年\n\n"
                        "# 関連情報\n[" + std::string(sec->name) + "の記事一覧](/" + section + "/)\n",
                .section = section, .topic = std::string(t.slug),
                .contact = unit->name + "（電話 000-000-0110）", .summary = "初稿"};
        plans.push_back(std::move(p));
      }
    }
  }
  KOBAN_ASSIGN(auto units, org::list_units(s));
  const char* station_titles[] = {"からのお知らせ", "管内の交通事故発生状況", "の落とし物・忘れ物の届出",
                                  "の防犯教室の開催"};
  for (const auto& u : units) {
    if (u.kind != org::UnitKind::station) continue;
    for (const char* suffix : station_titles) {
      const std::string title = u.name + suffix;
      Plan p{.writer = u.code + ".tanto", .unit = u.id};
      p.in = {.unit_id = u.id, .title = title,
              .body = "# " + title + "\n" + u.name + "（" + u.jurisdiction + "）からのお知らせです。\n\n"
                      "| 項目 | 内容 |\n| --- | --- |\n| 担当 | 生活安全課 |\n| 受付 | 平日の執務時間 |\n",
              .section = std::string(kStationsSection), .station_id = u.id,
              .contact = u.name + "（電話 " + u.phone + "）", .summary = "初稿"};
      plans.push_back(std::move(p));
    }
  }

  const Date today = to_jst(now).date;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    auto& p = plans[i];
    const int r = static_cast<int>(i % 10);
    p.stage = r == 0 ? 0 : r == 1 ? 1 : r == 2 ? 2 : r == 3 ? 3 : 4;
    p.image = i % 5 == 4;
    p.pdf = i % 7 == 5;
    // Published ones spread over the last 500 days, so that some are due as "not updated for a year".
    p.at = office_hours(now, p.stage == 4 ? static_cast<int>(20 + (i * 37) % 480) : static_cast<int>(1 + i % 5));
    if (p.stage == 3) p.in.publish_start = from_jst({today.plus_days(3 + static_cast<int>(i % 20)), 9, 0, 0});
    if (p.stage == 4 && i % 3 == 0) p.in.publish_end = from_jst({today.plus_days(30 + static_cast<int>(i % 200)), 17, 0, 0});

    KOBAN_ASSIGN(auto writer, pid(s, p.writer));
    KOBAN_ASSIGN(auto saved, save_article(s, st, p.in, {.person = writer}, p.at));
    const ArticleId id = saved.article_id;
    if (p.image || p.pdf) {
      ArticleInput again = p.in;
      again.article_id = id;
      again.summary = "画像・資料を追加";
      if (p.image) {
        KOBAN_ASSIGN(auto f, attach(s, st, id, writer, demo_png(), "photo.png", p.in.title + "の様子", p.at));
        again.body += "\n![" + f.alt + "](" + f.url() + ")\n";
      }
      if (p.pdf) {
        KOBAN_ASSIGN(auto f, attach(s, st, id, writer, demo_pdf(p.in.title), "guide.pdf", p.in.title + "（PDF）", p.at));
        again.body += "\n[" + f.alt + "](" + f.url() + ")\n";
      }
      KOBAN_TRY(save_article(s, st, again, {.person = writer}, p.at + std::chrono::minutes(10)));
    }
    ++report.articles;
    if (p.stage == 0) {
      ++report.drafts;
      continue;
    }
    KOBAN_TRY(request_publication(s, kinds, st, id, {.person = writer}, p.at + std::chrono::minutes(30)));
    if (p.stage == 1) {
      ++report.awaiting_review;
      continue;
    }
    KOBAN_TRY(approve_open_step(s, kinds, st, id, p.at + std::chrono::hours(1)));
    if (p.stage == 2) {
      ++report.awaiting_review;
      continue;
    }
    KOBAN_TRY(approve_open_step(s, kinds, st, id, p.at + std::chrono::hours(2)));
    KOBAN_ASSIGN(auto koho, pid(s, "koho.kacho"));
    KOBAN_TRY(carry_out_article(s, kinds, st, {}, id, {.person = koho}, p.at + std::chrono::hours(3)));
    if (p.stage == 3) {
      ++report.scheduled;
    } else {
      ++report.published;
    }
    // One published article gets a replacement draft: the live version stays.
    if (p.stage == 4 && i == 4) {
      ArticleInput edit = p.in;
      edit.article_id = id;
      edit.body += "\n# 追記\n内容を更新しました。\n";
      edit.summary = "追記";
      KOBAN_TRY(save_article(s, st, edit, {.person = writer}, now - std::chrono::hours(2)));
    }
  }

  // The last round, past due: about half the units have marked their articles.
  const Date past = previous_round(ins, today);
  KOBAN_TRY(open_round(s, past, from_jst({past.plus_days(-20), 9, 0, 0})));
  KOBAN_ASSIGN(auto rows, s.query("SELECT i.id, i.unit_id FROM site_inspections i WHERE i.round = ? ORDER BY i.id",
                                  past.iso()));
  for (const auto& row : rows) {
    KOBAN_ASSIGN(auto unit, org::get_unit(s, row.int64(1)));
    if (!unit.head || unit.id % 2 == 0) continue;
    KOBAN_TRY(mark_inspection(s, row.int64(0), row.int64(0) % 5 == 0 ? "update" : "keep", "",
                              {.person = *unit.head}, from_jst({past.plus_days(-3), 11, 0, 0})));
  }
  KOBAN_TRY(ensure_rounds(s, ins, now));
  return report;
}

}  // namespace koban::site::articles
