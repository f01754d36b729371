// Fixture for the workflow tests: the org tests' fixture (a fresh database per backend) plus the
// audit and workflow migrations, a small force with people in every post the ALERT-4 rule asks
// about, and two registered kinds:
//   "alert.send"   (alerts):  unit_head_or_stand_in
//   "site.publish" (website): unit_head_or_stand_in, then hq_reviewer("koho")
#pragma once

#include <gmock/gmock.h>

#include "../org/org_fixture.h"
#include "audit/audit_log.h"
#include "core/calendar/business_calendar.h"
#include "org/absences.h"
#include "workflow/approver_rules.h"
#include "workflow/engine.h"
#include "workflow/queues.h"
#include "workflow/workflow_migrations.h"

namespace koban::workflow::testing {

using org::Purpose;
using org::Role;

// Wednesday 2026-11-18 10:00 JST: office hours. Monday 2026-11-23 (勤労感謝の日) 21:59: duty hours.
inline const Instant kWeekday10 = from_jst({{2026, 11, 18}, 10, 0, 0});
inline const Instant kHoliday2159 = from_jst({{2026, 11, 23}, 21, 59, 0});

class WorkflowTest : public org::testing::OrgTest {
 protected:
  void SetUp() override {
    OrgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_TRUE(reg.add("store", store::store_migrations()).ok());
    ASSERT_TRUE(reg.add("org", org::org_migrations()).ok());
    ASSERT_TRUE(reg.add("audit", audit::audit_migrations()).ok());
    ASSERT_TRUE(reg.add("workflow", workflow_migrations()).ok());
    auto m = store::migrate(*db_, reg, org::testing::kNow);
    ASSERT_TRUE(m.ok()) << m.error().message;

    t = make_tree();
    head = hire_ok("chuo.shocho", t.chuo);
    lead = hire_ok("chuo.fuku", t.chuo);
    staff = hire_ok("chuo.tanto", t.chuo);
    duty = hire_ok("chuo.tochoku", t.chuo);
    koho = hire_ok("koho.kacho", t.koho);
    outsider = hire_ok("kita.shocho", t.kita);
    for (auto p : {Purpose::alerts, Purpose::website}) {
      grant_ok(head, p, Role::unit_manager, t.chuo);
      grant_ok(lead, p, Role::assistant, t.chuo);
      grant_ok(staff, p, Role::staff, t.chuo);
      grant_ok(outsider, p, Role::unit_manager, t.kita);
    }
    grant_ok(duty, Purpose::alerts, Role::duty_officer, t.chuo_desk);
    grant_ok(duty, Purpose::website, Role::duty_officer, t.chuo_desk);
    grant_ok(koho, Purpose::website, Role::business_owner, std::nullopt);
    auto posts = w([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(org::set_unit_head(s, t.chuo, head));
      KOBAN_TRY(org::set_pr_lead(s, t.chuo, lead));
      KOBAN_TRY(org::set_unit_head(s, t.koho, koho));
      return ok();
    });
    ASSERT_TRUE(posts.ok()) << posts.error().message;

    ASSERT_TRUE(kinds.add({.kind = "alert.send", .label = "安全安心メール配信", .purpose = Purpose::alerts,
                           .chain = {{"unit_head", unit_head_or_stand_in(Purpose::alerts, cal)}}})
                    .ok());
    ASSERT_TRUE(kinds.add({.kind = "site.publish", .label = "記事公開依頼", .purpose = Purpose::website,
                           .chain = {{"unit_head", unit_head_or_stand_in(Purpose::website, cal)},
                                     {"hq_review", hq_reviewer(Purpose::website, "koho")}}})
                    .ok());
  }

  // A draft by `by` for the chuo station, created at `at`.
  RequestId draft(const std::string& kind, org::PersonId by, Instant at) {
    auto r = w([&](store::Session& s) {
      return create_draft(s, kinds, {.kind = kind, .object_type = "alert", .object_id = "1",
                                     .unit_id = t.chuo, .title = "不審者情報"}, {.person = by}, at);
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(0);
  }
  RequestId submitted(const std::string& kind, org::PersonId by, Instant at) {
    auto id = draft(kind, by, at);
    auto r = w([&](store::Session& s) { return submit(s, kinds, id, {.person = by}, at); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return id;
  }

  Request req(RequestId id) {
    auto r = w([&](store::Session& s) { return get_request(s, id); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(Request{});
  }
  Step current(RequestId id) {
    auto r = w([&](store::Session& s) -> Result<Step> {
      KOBAN_ASSIGN(auto q, get_request(s, id));
      if (!q.current_step) return Error::not_found("no open step");
      return get_step(s, *q.current_step);
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(Step{});
  }
  std::int64_t scalar(const std::string& sql) {
    auto r = w([&](store::Session& s) -> Result<std::int64_t> {
      KOBAN_ASSIGN(auto rows, s.query(sql));
      return rows.at(0).int64(0);
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(-1);
  }
  std::string scalar_text(const std::string& sql) {
    auto r = w([&](store::Session& s) -> Result<std::string> {
      KOBAN_ASSIGN(auto rows, s.query(sql));
      return rows.at(0).text(0);
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or("");
  }
  std::int64_t audit_rows() { return scalar("SELECT COUNT(*) FROM audit_log"); }
  std::int64_t notify_jobs() { return scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'workflow.notify'"); }

  calendar::BusinessCalendar cal;
  KindRegistry kinds;
  Tree t{};
  org::PersonId head = 0, lead = 0, staff = 0, duty = 0, koho = 0, outsider = 0;
};

}  // namespace koban::workflow::testing
