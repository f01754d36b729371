// The tamper check with the real incidents module (incident_sink.h), on SQLite and PostgreSQL
// with the demo force: a security incident of the website subsystem, routed to 広報課長 (the
// website's business owner) and the administrators with incidents.notify jobs; exactly one
// incident for the same findings while it is open, a new one after it is closed.
//
// Not in site_test yet: it needs koban_incidents linked to koban_site (src/site/CMakeLists.txt
// DEPS). Then add it to site_test (tests/site/CMakeLists.txt glob of integrity/*_test.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "audit/audit_log.h"
#include "incidents/incidents.h"
#include "incidents/incidents_migrations.h"
#include "org/demo.h"
#include "org/org_migrations.h"
#include "org/people.h"
#include "org/permissions.h"
#include "site/integrity/incident_sink.h"
#include "site/integrity/integrity_migrations.h"
#include "store/jobs.h"
#include "store/migrations.h"
#include "store/test_db.h"

namespace koban::site::integrity {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const Instant kTue10 = from_jst({{2026, 11, 24}, 10, 0, 0});

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

class IncidentSinkTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_OK(reg.add("store", store::store_migrations()));
    ASSERT_OK(reg.add("org", org::org_migrations()));
    ASSERT_OK(reg.add("audit", audit::audit_migrations()));
    ASSERT_OK(reg.add("incidents", incidents::incidents_migrations()));
    ASSERT_OK(reg.add("site_integrity", integrity_migrations()));
    auto m = store::migrate(*db_, reg, kTue10);
    ASSERT_TRUE(m.ok()) << m.error().message;
    ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(org::fill_demo(s, kTue10 - std::chrono::hours(24 * 800)));
      return ok();
    }));
    pub = fs::path(dir_) / "public";
    write(pub / "index.html", "<h1>トップ</h1>");
    write(pub / "news" / "index.html", "<p>一覧</p>");
    manifest = std::make_unique<Manifest>(fs::path(dir_) / "site" / "manifest.json",
                                          SigningKey::from_secret(std::string(32, 'k')).value(), clock);
    ASSERT_OK(manifest->rebuild(pub));
  }

  CheckOutcome check() {
    auto r = run_site_check(*db_, pub, *manifest, sink, {.confirm_delay = std::chrono::milliseconds(0)}, clock.now());
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(CheckOutcome{});
  }
  std::int64_t scalar(const std::string& sql) {
    std::int64_t n = -1;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query(sql));
      n = rows.at(0).int64(0);
      return ok();
    }).ok());
    return n;
  }
  org::PersonId pid(const std::string& login) {
    org::PersonId id = 0;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
      if (!p) return Error::not_found(login);
      id = p->id;
      return ok();
    }).ok()) << login;
    return id;
  }
  Result<void> move(std::int64_t id, incidents::State to) {
    return db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto actor, org::load_actor(s, pid("system.kanri")));
      return incidents::transition(s, {actor, "総務課", ""}, id, to, "確認しました", clock.now());
    });
  }

  FixedClock clock{kTue10};
  fs::path pub;
  std::unique_ptr<Manifest> manifest;
  IncidentSink sink = incident_sink({});
};

TEST_P(IncidentSinkTest, RaisesOneSecurityIncidentForTheWebsite) {
  write(pub / "index.html", "<h1>改ざん</h1>");
  write(pub / "evil.html", "<script>");
  auto first = check();
  ASSERT_TRUE(first.raised);
  ASSERT_TRUE(first.incident.has_value());
  auto in = db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto x, incidents::get_incident(s, *first.incident));
    EXPECT_EQ(x.kind, incidents::Kind::security);
    EXPECT_EQ(x.subsystem, incidents::Subsystem::website);
    EXPECT_EQ(x.state, incidents::State::reported);
    EXPECT_THAT(x.title, HasSubstr("改ざん"));
    EXPECT_THAT(x.what_happened, HasSubstr("・変更: index.html"));
    EXPECT_THAT(x.what_happened, HasSubstr("・追加: evil.html"));
    EXPECT_EQ(x.reporter_id, pid("system.kanri"));
    KOBAN_ASSIGN(auto to, incidents::recipients(s, x.id));
    bool koho = false;
    for (const auto& r : to) koho = koho || r.person_id == pid("koho.kacho");
    EXPECT_TRUE(koho) << "広報課長 (business owner of the website) is a recipient";
    return ok();
  });
  ASSERT_TRUE(in.ok()) << in.error().message;
  // 広報課長 gets a notification mail job; so does the reporter (report() leaves them out).
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'incidents.notify' AND payload LIKE '%\"person_id\":" +
                   std::to_string(pid("koho.kacho")) + ",%'"),
            1);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'incidents.notify' AND payload LIKE '%\"person_id\":" +
                   std::to_string(pid("system.kanri")) + ",%'"),
            1);

  // The hourly check finds the same: no second incident.
  for (int i = 0; i < 3; ++i) {
    clock.advance(std::chrono::hours(1));
    auto again = check();
    EXPECT_FALSE(again.raised);
    EXPECT_EQ(again.incident, first.incident);
  }
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM incidents"), 1);

  // Resolved (not yet fixed on disk): the same findings raise a new incident.
  ASSERT_OK(move(*first.incident, incidents::State::acknowledged));
  clock.advance(std::chrono::hours(1));
  EXPECT_FALSE(check().raised);  // acknowledged is still open
  ASSERT_OK(move(*first.incident, incidents::State::resolved));
  clock.advance(std::chrono::hours(1));
  auto after = check();
  EXPECT_TRUE(after.raised);
  EXPECT_NE(after.incident, first.incident);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM incidents"), 2);
}

TEST_P(IncidentSinkTest, ConfiguredReporterMustBeActive) {
  write(pub / "evil.html", "x");
  sink = incident_sink({.reporter_login = "nobody.here"});
  auto r = run_site_check(*db_, pub, *manifest, sink, {.confirm_delay = std::chrono::milliseconds(0)}, clock.now());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("nobody.here"));
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM incidents"), 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM site_integrity_alerts"), 0);
  sink = incident_sink({.reporter_login = "koho.hosa"});
  auto ok2 = run_site_check(*db_, pub, *manifest, sink, {.confirm_delay = std::chrono::milliseconds(0)}, clock.now());
  ASSERT_TRUE(ok2.ok()) << ok2.error().message;
  EXPECT_TRUE(ok2->raised);
}

KOBAN_BACKEND_TESTS(IncidentSinkTest);

}  // namespace
}  // namespace koban::site::integrity
