// Staff search and CSV export of the audit log on both backends.
#include "audit/search.h"

#include <sstream>

#include "../store/test_db.h"
#include "audit/audit_log.h"
#include "store/migrations.h"

namespace koban::audit {
namespace {

using store::testing::BackendTest;
const Instant kT0 = from_unix(1'800'000'000);

class AuditSearchTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_OK(reg.add("store", store::store_migrations()));
    ASSERT_OK(reg.add("audit", audit_migrations()));
    ASSERT_OK(store::migrate(*db_, reg, kT0));
  }

  void add(const Event& e, Instant at) {
    ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(append(s, e, at));
      return ok();
    }));
  }

  // Seven records, one a minute: seq 1..7.
  void add_sample() {
    const struct {
      std::optional<std::int64_t> actor;
      std::optional<std::int64_t> unit;
      const char* action;
      const char* type;
      const char* id;
      const char* summary;
      Outcome outcome;
    } rows[] = {
        {1, 10, "auth.login", "", "", "ログイン", Outcome::ok},
        {2, 20, "auth.login", "", "", "パスワード誤り", Outcome::refused},
        {1, 10, "site.article.create", "article", "5", "下書き作成: 交通安全運動", Outcome::ok},
        {2, 20, "site.article.approve", "article", "5", "状態: 承認待ち → 承認済み", Outcome::ok},
        {std::nullopt, std::nullopt, "mail.alert.send", "alert", "9", "=cmd|' /C calc'!A0", Outcome::ok},
        {1, 10, "site.article.update", "article", "6", "本文修正, \"見出し\"変更", Outcome::ok},
        {3, 20, "site_x.page", "page", "5", "100%達成", Outcome::ok},
    };
    int i = 0;
    for (const auto& r : rows) {
      Event e;
      e.actor_id = r.actor;
      e.actor_name = r.actor ? "職員" + std::to_string(*r.actor) : "";
      e.unit_id = r.unit;
      e.unit_name = r.unit ? "所属" + std::to_string(*r.unit) : "";
      e.action = r.action;
      e.object_type = r.type;
      e.object_id = r.id;
      e.summary = r.summary;
      e.address = "192.0.2.1";
      e.outcome = r.outcome;
      add(e, kT0 + std::chrono::minutes(i++));
    }
  }

  std::vector<std::int64_t> seqs(const Filter& f, PageRequest p = {}) {
    std::vector<std::int64_t> out;
    auto r = search(*db_, f, p);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (r.ok())
      for (auto& rec : r->records) out.push_back(rec.seq);
    return out;
  }
  using V = std::vector<std::int64_t>;
};

TEST_P(AuditSearchTest, NewestFirstWithoutFilter) {
  add_sample();
  EXPECT_EQ(seqs({}), (V{7, 6, 5, 4, 3, 2, 1}));
  auto r = search(*db_, {}, {.limit = 1});
  ASSERT_OK(r);
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].event.summary, "100%達成");
  EXPECT_EQ(r->records[0].event.actor_name, "職員3");
  EXPECT_EQ(r->records[0].at, kT0 + std::chrono::minutes(6));
}

TEST_P(AuditSearchTest, EachFilterNarrows) {
  add_sample();
  EXPECT_EQ(seqs({.actor_id = 1}), (V{6, 3, 1}));
  EXPECT_EQ(seqs({.unit_id = 20}), (V{7, 4, 2}));
  EXPECT_EQ(seqs({.action_prefix = "auth."}), (V{2, 1}));
  EXPECT_EQ(seqs({.action_prefix = "SITE.article."}), (V{6, 4, 3}));
  // '_' and '%' in the prefix are literal, not LIKE wildcards.
  EXPECT_EQ(seqs({.action_prefix = "site_"}), (V{7}));
  EXPECT_EQ(seqs({.action_prefix = "%"}), V{});
  EXPECT_EQ(seqs({.object_type = "article"}), (V{6, 4, 3}));
  EXPECT_EQ(seqs({.object_type = "article", .object_id = "5"}), (V{4, 3}));
  EXPECT_EQ(seqs({.object_id = "5"}), (V{7, 4, 3}));
  EXPECT_EQ(seqs({.text = "承認"}), (V{4}));
  EXPECT_EQ(seqs({.text = "%"}), (V{7}));
  EXPECT_EQ(seqs({.text = "職員2"}), (V{4, 2}));  // the actor's name
  EXPECT_EQ(seqs({.outcome = Outcome::refused}), (V{2}));
  EXPECT_EQ(seqs({.from = kT0 + std::chrono::minutes(2), .to = kT0 + std::chrono::minutes(4)}),
            (V{4, 3}));
  EXPECT_EQ(seqs({.actor_id = 1, .action_prefix = "site."}), (V{6, 3}));
}

TEST_P(AuditSearchTest, PagesByBeforeSeq) {
  add_sample();
  auto p1 = search(*db_, {}, {.limit = 3});
  ASSERT_OK(p1);
  ASSERT_EQ(p1->records.size(), 3u);
  ASSERT_TRUE(p1->next_before_seq);
  EXPECT_EQ(*p1->next_before_seq, 5);
  EXPECT_EQ(seqs({}, {.before_seq = 5, .limit = 3}), (V{4, 3, 2}));
  auto last = search(*db_, {}, {.before_seq = 2, .limit = 3});
  ASSERT_OK(last);
  EXPECT_EQ(last->records.size(), 1u);
  EXPECT_FALSE(last->next_before_seq);
  // An exactly full last page says there is nothing older.
  auto exact = search(*db_, {.actor_id = 1}, {.limit = 3});
  ASSERT_OK(exact);
  EXPECT_FALSE(exact->next_before_seq);
  // Limits are clamped.
  EXPECT_EQ(seqs({}, {.limit = 0}).size(), 1u);
  EXPECT_EQ(seqs({}, {.limit = 100000}).size(), 7u);
}

TEST_P(AuditSearchTest, OverlongFilterIsRefused) {
  auto r = search(*db_, {.text = std::string(kMaxFilterTextBytes + 1, 'a')});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
}

TEST_P(AuditSearchTest, CsvExportHasBomQuotingAndFormulaGuard) {
  add_sample();
  std::ostringstream out;
  auto n = export_csv(*db_, {}, out);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 7);
  const std::string csv = out.str();
  ASSERT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  // Header + 7 rows, CRLF line ends.
  std::vector<std::string> lines;
  for (std::size_t pos = 3; pos < csv.size();) {
    auto end = csv.find("\r\n", pos);
    ASSERT_NE(end, std::string::npos);
    lines.push_back(csv.substr(pos, end - pos));
    pos = end + 2;
  }
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(lines[0].substr(0, 4), "seq,");
  EXPECT_EQ(lines[1].substr(0, 2), "7,");  // newest first
  const std::string at = "," + to_jst(kT0 + std::chrono::minutes(6)).iso() + ",";
  EXPECT_NE(lines[1].find(at), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find(",\"本文修正, \"\"見出し\"\"変更\","), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find(",'=cmd|' /C calc'!A0,"), std::string::npos) << lines[3];
  EXPECT_NE(lines[3].find(",,,,,mail.alert.send,"), std::string::npos) << lines[3];  // no actor
  // Every data line has 13 cells and ends with the 64-hex hash.
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].find('"') != std::string::npos) continue;
    EXPECT_EQ(std::count(lines[i].begin(), lines[i].end(), ','), 12) << lines[i];
    EXPECT_EQ(lines[i].size() - lines[i].rfind(',') - 1, 64u) << lines[i];
  }
}

TEST_P(AuditSearchTest, CsvExportFiltersAndStopsAtTheRowCap) {
  add_sample();
  std::ostringstream out;
  auto n = export_csv(*db_, {.object_type = "article"}, out);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 3);
  std::ostringstream capped;
  auto c = export_csv(*db_, {}, capped, 2);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::too_large);
  const std::string text = capped.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);  // header + 2
}

KOBAN_BACKEND_TESTS(AuditSearchTest);

}  // namespace
}  // namespace koban::audit
