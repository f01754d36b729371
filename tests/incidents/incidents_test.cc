// Incident reports and subsystem suspension on SQLite and PostgreSQL: routing to the people the
// seeds name, notification jobs and audit rows in the same transaction, the state machine and
// its refusals, suspension authority, history and the cached public check.
#include <gmock/gmock.h>

#include "../org/org_fixture.h"
#include "audit/audit_log.h"
#include "incidents/incidents.h"
#include "incidents/incidents_migrations.h"
#include "incidents/suspension.h"
#include "org/permissions.h"

namespace koban::incidents {
namespace {

using org::Purpose;
using org::Role;
using org::testing::kNow;

class IncidentsTest : public org::testing::OrgTest {
 protected:
  void SetUp() override {
    OrgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_TRUE(reg.add("store", store::store_migrations()).ok());
    ASSERT_TRUE(reg.add("org", org::org_migrations()).ok());
    ASSERT_TRUE(reg.add("audit", audit::audit_migrations()).ok());
    ASSERT_TRUE(reg.add("incidents", incidents_migrations()).ok());
    auto m = store::migrate(*db_, reg, kNow);
    ASSERT_TRUE(m.ok()) << m.error().message;
    t = make_tree();
    head = hire_ok("chuo.shocho", t.chuo);
    staff = hire_ok("chuo.tanto", t.chuo);
    web_owner = hire_ok("koho.kacho", t.koho);
    alerts_owner = hire_ok("seian.kacho", t.koho);
    sysadmin = hire_ok("system.kanri", t.koho);
    manager = hire_ok("somu.kacho", t.koho);
    grant_ok(head, Purpose::website, Role::unit_manager, t.chuo);
    grant_ok(staff, Purpose::website, Role::staff, t.chuo);
    grant_ok(web_owner, Purpose::website, Role::business_owner, std::nullopt);
    grant_ok(alerts_owner, Purpose::alerts, Role::business_owner, std::nullopt);
    grant_ok(sysadmin, Purpose::administration, Role::system_admin, std::nullopt);
    grant_ok(manager, Purpose::administration, Role::overall_manager, std::nullopt);
    auto posts = w([&](store::Session& s) { return org::set_unit_head(s, t.chuo, head); });
    ASSERT_TRUE(posts.ok()) << posts.error().message;
    clear_suspension_cache();
  }

  Who who(org::PersonId p) {
    auto r = w([&](store::Session& s) { return org::load_actor(s, p); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return {.actor = r.value_or(org::Actor{}), .unit_name = "試験所属", .address = "192.0.2.1"};
  }
  std::int64_t scalar(const std::string& sql) {
    auto r = w([&](store::Session& s) -> Result<std::int64_t> {
      KOBAN_ASSIGN(auto rows, s.query(sql));
      return rows.at(0).int64(0);
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(-1);
  }
  NewIncident sample(Subsystem sub = Subsystem::website) {
    return {.kind = Kind::failure, .subsystem = sub, .title = "トップページが表示されない",
            .what_happened = "500 エラーが出る", .impact = "閲覧者全員", .noticed_at = kNow - std::chrono::minutes(10)};
  }
  Result<IncidentId> report_by(org::PersonId p, const NewIncident& in) {
    auto wh = who(p);
    return w([&](store::Session& s) { return report(s, wh, in, kNow); });
  }
  Result<void> move(org::PersonId p, IncidentId id, State to, const std::string& note) {
    auto wh = who(p);
    return w([&](store::Session& s) { return transition(s, wh, id, to, note, kNow + std::chrono::minutes(5)); });
  }
  State state_of(IncidentId id) {
    auto r = w([&](store::Session& s) { return get_incident(s, id); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value().state : State::reported;
  }

  Tree t{};
  org::PersonId head = 0, staff = 0, web_owner = 0, alerts_owner = 0, sysadmin = 0, manager = 0;
};

TEST_P(IncidentsTest, ReportRoutesToTheNamedPeopleWithJobsAndAudit) {
  auto id = report_by(staff, sample());
  ASSERT_OK(id);
  auto rec = w([&](store::Session& s) { return recipients(s, id.value()); });
  ASSERT_OK(rec);
  std::vector<std::pair<std::int64_t, std::string>> got;
  for (auto& r : rec.value()) got.emplace_back(r.person_id, r.reason);
  EXPECT_THAT(got, ::testing::UnorderedElementsAre(std::pair<std::int64_t, std::string>{head, "unit_head"},
                                                   std::pair<std::int64_t, std::string>{web_owner, "business_owner"},
                                                   std::pair<std::int64_t, std::string>{sysadmin, "system_admin"},
                                                   std::pair<std::int64_t, std::string>{manager, "overall_manager"}));
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'incidents.notify'"), 4);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'incidents.incident.report'"), 1);
  EXPECT_EQ(state_of(id.value()), State::reported);
  // An alerts incident goes to the alerts owner, not the website owner.
  auto id2 = report_by(staff, sample(Subsystem::alerts));
  ASSERT_OK(id2);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM incident_recipients WHERE incident_id = " + std::to_string(id2.value()) +
                   " AND person_id = " + std::to_string(alerts_owner)), 1);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM incident_recipients WHERE incident_id = " + std::to_string(id2.value()) +
                   " AND person_id = " + std::to_string(web_owner)), 0);
}

TEST_P(IncidentsTest, BadReportIsRefusedAndChangesNothing) {
  auto in = sample();
  in.title = "   ";
  EXPECT_EQ(report_by(staff, in).error().code, ErrorCode::invalid_argument);
  in = sample();
  in.noticed_at = kNow + std::chrono::hours(1);
  EXPECT_EQ(report_by(staff, in).error().code, ErrorCode::invalid_argument);
  in = sample();
  in.impact = std::string("\xff\xfe");
  EXPECT_EQ(report_by(staff, in).error().code, ErrorCode::invalid_argument);
  in = sample();
  in.what_happened = std::string(kMaxTextBytes + 1, 'a');
  EXPECT_EQ(report_by(staff, in).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM incidents"), 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM jobs"), 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_log"), 0);
}

TEST_P(IncidentsTest, TrackedToClosureWithTimeline) {
  auto id = report_by(staff, sample()).value_or(0);
  ASSERT_NE(id, 0);
  // The reporter is not a recipient and may not move their own report.
  auto r = move(staff, id, State::acknowledged, "確認");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::permission_denied);
  // Skipping a state is refused.
  EXPECT_EQ(move(sysadmin, id, State::closed, "終結").error().code, ErrorCode::conflict);
  EXPECT_EQ(move(sysadmin, id, State::acknowledged, "  ").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(state_of(id), State::reported);
  auto open_for = [&](std::int64_t person) {
    return w([&](store::Session& s) { return open_for_recipient(s, person); }).value_or(-1);
  };
  EXPECT_EQ(open_for(sysadmin), 1);  // waiting on the recipients' dashboards
  EXPECT_EQ(open_for(staff), 0);     // not on the reporter's
  ASSERT_OK(move(sysadmin, id, State::acknowledged, "確認しました"));
  ASSERT_OK(move(head, id, State::in_progress, "サーバ再起動中"));
  EXPECT_EQ(open_for(head), 1);
  ASSERT_OK(move(sysadmin, id, State::resolved, "復旧しました"));
  EXPECT_EQ(open_for(sysadmin), 0);
  ASSERT_OK(move(manager, id, State::closed, "原因を記録して終結"));
  EXPECT_EQ(state_of(id), State::closed);
  EXPECT_EQ(move(manager, id, State::in_progress, "再開").error().code, ErrorCode::conflict);
  auto tl = w([&](store::Session& s) { return timeline(s, id); });
  ASSERT_OK(tl);
  ASSERT_EQ(tl.value().size(), 5u);
  EXPECT_FALSE(tl.value()[0].from.has_value());
  EXPECT_EQ(tl.value()[2].to, State::in_progress);
  EXPECT_EQ(tl.value()[2].actor_id, head);
  EXPECT_EQ(tl.value()[2].note, "サーバ再起動中");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_log WHERE object_type = 'incident'"), 5);
  // The reporter was told of each of the 4 steps.
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'incidents.notify'"), 4 + 4);
}

TEST_P(IncidentsTest, ListShowsWhatEachMayViewWithFiltersAndPaging) {
  for (int i = 0; i < 3; ++i) ASSERT_OK(report_by(staff, sample()));
  ASSERT_OK(report_by(web_owner, sample(Subsystem::alerts)));
  auto page = [&](org::PersonId p, ListFilter f) {
    auto wh = who(p);
    auto r = w([&](store::Session& s) { return list_incidents(s, wh.actor, f); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(IncidentPage{});
  };
  EXPECT_EQ(page(sysadmin, {}).items.size(), 4u);
  EXPECT_EQ(page(staff, {}).items.size(), 3u);          // their own
  EXPECT_EQ(page(alerts_owner, {}).items.size(), 1u);   // routed to them
  EXPECT_EQ(page(head, {}).items.size(), 3u);           // the chuo reports only
  EXPECT_EQ(page(sysadmin, {.subsystem = Subsystem::alerts}).items.size(), 1u);
  EXPECT_EQ(page(sysadmin, {.state = State::closed}).items.size(), 0u);
  auto p1 = page(sysadmin, {.limit = 3});
  ASSERT_EQ(p1.items.size(), 3u);
  ASSERT_TRUE(p1.next_before.has_value());
  EXPECT_GT(p1.items[0].id, p1.items[1].id);
  auto p2 = page(sysadmin, {.before = p1.next_before, .limit = 3});
  EXPECT_EQ(p2.items.size(), 1u);
  EXPECT_FALSE(p2.next_before.has_value());
  auto other = hire_ok("kita.tanto", t.kita);
  auto v = w([&](store::Session& s) -> Result<bool> {
    KOBAN_ASSIGN(auto a, org::load_actor(s, other));
    return can_view(s, a, p1.items[0].id);
  });
  ASSERT_OK(v);
  EXPECT_FALSE(v.value());
}

TEST_P(IncidentsTest, SuspendAndResumeByTheResponsiblePersonOnly) {
  auto suspend_by = [&](org::PersonId p, Subsystem sub, const std::string& notice) {
    auto wh = who(p);
    return w([&](store::Session& s) { return suspend(s, wh, sub, notice, kNow); });
  };
  auto resume_by = [&](org::PersonId p, Subsystem sub) {
    auto wh = who(p);
    return w([&](store::Session& s) { return resume(s, wh, sub, kNow + std::chrono::hours(1)); });
  };
  EXPECT_FALSE(suspended(*db_, Subsystem::website).has_value());
  EXPECT_EQ(suspend_by(staff, Subsystem::website, "停止").error().code, ErrorCode::permission_denied);
  EXPECT_EQ(suspend_by(head, Subsystem::website, "停止").error().code, ErrorCode::permission_denied);
  EXPECT_EQ(suspend_by(alerts_owner, Subsystem::website, "停止").error().code, ErrorCode::permission_denied);
  EXPECT_EQ(suspend_by(web_owner, Subsystem::website, "").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM subsystem_status_history"), 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_log"), 0);

  ASSERT_OK(suspend_by(web_owner, Subsystem::website, "ただいまメンテナンス中です。"));
  auto n = suspended(*db_, Subsystem::website);  // cache cleared on commit
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->text, "ただいまメンテナンス中です。");
  EXPECT_FALSE(suspended(*db_, Subsystem::alerts).has_value());
  EXPECT_EQ(suspend_by(sysadmin, Subsystem::website, "二重").error().code, ErrorCode::conflict);
  EXPECT_EQ(resume_by(staff, Subsystem::website).error().code, ErrorCode::permission_denied);
  EXPECT_EQ(resume_by(web_owner, Subsystem::alerts).error().code, ErrorCode::permission_denied);
  EXPECT_EQ(resume_by(sysadmin, Subsystem::alerts).error().code, ErrorCode::conflict);
  ASSERT_OK(resume_by(web_owner, Subsystem::website));
  EXPECT_FALSE(suspended(*db_, Subsystem::website).has_value());
  // The system administrator answers for every subsystem, the platform included.
  ASSERT_OK(suspend_by(sysadmin, Subsystem::platform, "基盤保守"));

  auto hist = w([&](store::Session& s) { return status_history(s, Subsystem::website, 50); });
  ASSERT_OK(hist);
  ASSERT_EQ(hist.value().size(), 2u);
  EXPECT_EQ(hist.value()[0].action, "resume");
  EXPECT_EQ(hist.value()[1].action, "suspend");
  EXPECT_EQ(hist.value()[1].actor_id, web_owner);
  auto st = w([&](store::Session& s) { return statuses(s); });
  ASSERT_OK(st);
  ASSERT_EQ(st.value().size(), kAllSubsystems.size());
  EXPECT_FALSE(st.value()[0].suspended);
  EXPECT_TRUE(st.value()[5].suspended);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'incidents.subsystem.suspend'"), 2);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'incidents.subsystem.resume'"), 1);
}

TEST_P(IncidentsTest, SuspendedPageEscapesTheNotice) {
  auto resp = suspended_response({.subsystem = Subsystem::website, .text = "<script>x</script>", .since = kNow});
  EXPECT_EQ(resp.status, 503);
  EXPECT_THAT(resp.body, ::testing::HasSubstr("&lt;script&gt;"));
  EXPECT_THAT(resp.body, ::testing::Not(::testing::HasSubstr("<script>")));
  EXPECT_THAT(resp.body, ::testing::HasSubstr("ホームページ"));
}

KOBAN_BACKEND_TESTS(IncidentsTest);

}  // namespace
}  // namespace koban::incidents
