// The scheduled tamper check (site.verify) with a stand-in for the incidents module, on SQLite
// and PostgreSQL: clean → nothing raised; tampering → one incident, not raised again while it
// is open, raised again once it is closed or when the findings change; the job handler runs it.
// (tests/site/integrity/incident_sink_test.cc does the same with the real incidents module.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "site/integrity/integrity_migrations.h"
#include "site/integrity/verify_job.h"
#include "store/jobs.h"
#include "store/migrations.h"
#include "store/test_db.h"
#include "store/worker.h"

namespace koban::site::integrity {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

class VerifyJobTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_OK(reg.add("store", store::store_migrations()));
    ASSERT_OK(reg.add("site_integrity", integrity_migrations()));
    auto m = store::migrate(*db_, reg, clock.now());
    ASSERT_TRUE(m.ok()) << m.error().message;
    pub = fs::path(dir_) / "public";
    write(pub / "index.html", "<h1>トップ</h1>");
    write(pub / "news" / "index.html", "<p>一覧</p>");
    manifest = std::make_unique<Manifest>(fs::path(dir_) / "site" / "manifest.json",
                                          SigningKey::from_secret(std::string(32, 'k')).value(), clock);
    ASSERT_OK(manifest->rebuild(pub));
    sink.raise = [this](store::Session&, const TamperReport& r, Instant) -> Result<std::int64_t> {
      reports.push_back(r);
      open.insert(next_id);
      return next_id++;
    };
    sink.is_open = [this](store::Session&, std::int64_t id) -> Result<bool> { return open.count(id) > 0; };
  }

  CheckOutcome check() {
    auto r = run_site_check(*db_, pub, *manifest, sink, {.confirm_delay = std::chrono::milliseconds(0)}, clock.now());
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(CheckOutcome{});
  }
  std::int64_t alerts_rows() {
    std::int64_t n = -1;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*) FROM site_integrity_alerts"));
      n = rows.at(0).int64(0);
      return ok();
    }).ok());
    return n;
  }

  FixedClock clock{from_jst({{2026, 11, 24}, 10, 0, 0})};
  fs::path pub;
  std::unique_ptr<Manifest> manifest;
  IncidentSink sink;
  std::vector<TamperReport> reports;
  std::set<std::int64_t> open;
  std::int64_t next_id = 100;
};

TEST_P(VerifyJobTest, CleanSiteRaisesNothing) {
  auto o = check();
  EXPECT_TRUE(o.findings.empty());
  EXPECT_FALSE(o.incident.has_value());
  EXPECT_TRUE(reports.empty());
  EXPECT_EQ(alerts_rows(), 0);
}

TEST_P(VerifyJobTest, SameFindingsRaiseOneIncidentWhileItIsOpen) {
  write(pub / "index.html", "<h1>改ざんされました</h1>");
  write(pub / "evil.html", "x");
  auto first = check();
  ASSERT_EQ(first.findings.size(), 2u);
  EXPECT_TRUE(first.raised);
  ASSERT_EQ(first.incident, 100);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_THAT(reports[0].title, HasSubstr("変更 1件・追加 1件"));
  EXPECT_THAT(reports[0].summary, HasSubstr("・変更: index.html"));
  EXPECT_THAT(reports[0].summary, HasSubstr("・追加: evil.html"));

  clock.advance(std::chrono::hours(1));
  auto second = check();
  EXPECT_FALSE(second.raised);
  EXPECT_EQ(second.incident, 100);
  EXPECT_EQ(reports.size(), 1u);
  EXPECT_EQ(alerts_rows(), 1);

  // Other findings (one more file): a new incident.
  fs::remove(pub / "news" / "index.html");
  auto third = check();
  EXPECT_TRUE(third.raised);
  EXPECT_EQ(third.incident, 101);
  EXPECT_EQ(reports.size(), 2u);

  // The first incident closed and the same two findings come back: raised again.
  write(pub / "news" / "index.html", "<p>一覧</p>");
  open.clear();
  auto fourth = check();
  EXPECT_TRUE(fourth.raised);
  EXPECT_EQ(fourth.incident, 102);
  EXPECT_EQ(reports.back().key, reports[0].key);
  EXPECT_EQ(alerts_rows(), 3);
}

TEST_P(VerifyJobTest, LegitimatePublishIsNotTampering) {
  write(pub / "news" / "a1.html", "<p>記事</p>");
  write(pub / "news" / "index.html", "<p>一覧: 記事</p>");
  ASSERT_OK(manifest->update(pub, {"news/a1.html", "news/index.html"}, {}));
  auto o = check();
  EXPECT_TRUE(o.findings.empty());
  EXPECT_TRUE(reports.empty());
}

TEST_P(VerifyJobTest, PublishReportedDuringTheConfirmDelayIsNotRaised) {
  // The publisher has written the file but not yet reported it when the check looks; it reports
  // during the confirmation delay.
  write(pub / "news" / "a2.html", "<p>記事2</p>");
  std::thread publisher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_TRUE(manifest->update(pub, {"news/a2.html"}, {}).ok());
  });
  auto r = run_site_check(*db_, pub, *manifest, sink, {.confirm_delay = std::chrono::milliseconds(300)}, clock.now());
  publisher.join();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->findings.empty());
  EXPECT_TRUE(reports.empty());
}

TEST_P(VerifyJobTest, TamperedManifestFileIsAFinding) {
  const fs::path file = manifest->file();
  std::string text;
  {
    std::ifstream in(file, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  text[text.size() - 3] ^= 1;
  write(file, text);
  auto o = check();
  ASSERT_EQ(o.findings.size(), 1u);
  EXPECT_EQ(o.findings[0].kind, FindingKind::manifest);
  EXPECT_TRUE(o.raised);
  EXPECT_THAT(reports.at(0).summary, HasSubstr("改ざん検知データの異常: manifest.json"));
}

TEST_P(VerifyJobTest, ReportListsAtMostTwentyPaths) {
  for (int i = 0; i < 25; ++i) write(pub / "spam" / (std::to_string(100 + i) + ".html"), "x");
  auto o = check();
  EXPECT_EQ(o.findings.size(), 25u);
  ASSERT_EQ(reports.size(), 1u);
  const auto& s = reports[0].summary;
  EXPECT_THAT(s, HasSubstr("spam/119.html"));
  EXPECT_THAT(s, ::testing::Not(HasSubstr("spam/120.html")));
  EXPECT_THAT(s, HasSubstr("ほか 5件"));
  EXPECT_LE(s.size(), 4000u);
  EXPECT_LE(reports[0].title.size(), 200u);
}

TEST_P(VerifyJobTest, JobHandlerRunsTheCheck) {
  write(pub / "index.html", "<h1>改ざん</h1>");
  store::Worker worker(*db_, {.worker_id = "t", .threads = 1, .clock = &clock});
  register_site_verify_job(worker, *db_, pub, *manifest, sink, clock, {.confirm_delay = std::chrono::milliseconds(0)});
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(store::enqueue(s, {.kind = kVerifyJobKind, .run_at = clock.now()}, clock.now()));
    return ok();
  }));
  auto ran = worker.run_once();
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_TRUE(*ran);
  EXPECT_EQ(reports.size(), 1u);
}

KOBAN_BACKEND_TESTS(VerifyJobTest);

}  // namespace
}  // namespace koban::site::integrity
