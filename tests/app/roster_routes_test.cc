// End-to-end tests of /admin/absences, /admin/duty and /admin/roles over HTTP with the demo
// force (staff_app_fixture.h). The fixture's clock starts on Tuesday 2026-11-24 10:00 JST.
#include "app/admin_roster_routes.h"

#include <gtest/gtest.h>

#include "core/calendar/business_calendar.h"
#include "http/forms/urlencoded.h"
#include "org/roles.h"
#include "org/units.h"
#include "staff_app_fixture.h"

namespace koban::app {
namespace {

using testing::Reply;
using testing::StaffAppTest;
using http::forms::form_urlencode;

class RosterRoutes : public StaffAppTest {
 protected:
  void add_routes(http::Router& r) override { add_roster_routes(r, db(), staff(), calendar_, clock_); }

  // nobody.grants: no role at all; chuo.kanri: administers 中央警察署 (administration purpose).
  Result<void> seed(store::Session& s) override {
    KOBAN_ASSIGN(auto chuo, org::find_unit_by_code(s, "chuo"));
    KOBAN_TRY(hire_with_password(s, {.login_name = "nobody.grants", .display_name = "無役 太郎", .unit_id = chuo->id}));
    KOBAN_ASSIGN(auto admin, hire_with_password(s, {.login_name = "chuo.kanri", .display_name = "管理 花子",
                                                    .unit_id = chuo->id}));
    KOBAN_TRY(org::grant_role(s, {.person = admin, .purpose = org::Purpose::administration,
                                  .role = org::Role::business_owner, .unit = chuo->id},
                              clock_.now()));
    return ok();
  }

  org::UnitId unit_id(const std::string& code) {
    org::UnitId id = 0;
    auto r = db().read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto u, org::find_unit_by_code(s, code));
      if (!u) return Error::not_found(code);
      id = u->id;
      return ok();
    });
    EXPECT_TRUE(r);
    return id;
  }

  std::int64_t count(const std::string& sql) {
    std::int64_t n = -1;
    auto r = db().read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query(sql));
      n = rows.at(0).int64(0);
      return ok();
    });
    EXPECT_TRUE(r);
    return n;
  }
  std::int64_t absences() { return count("SELECT COUNT(*) FROM absences"); }

  Reply enter(const std::string& session, const std::string& login, const std::string& from, const std::string& to,
              const std::string& reason = "出張") {
    return post(session, "/admin/absences",
                "csrf=" + csrf(session) + "&login_name=" + form_urlencode(login) + "&from=" + form_urlencode(from) +
                    "&to=" + form_urlencode(to) + "&reason=" + form_urlencode(reason));
  }

  std::string duty_page(const std::string& session, const std::string& code) {
    auto page = get(session, "/admin/duty?unit=" + std::to_string(unit_id(code)));
    EXPECT_EQ(page.status, 200);
    return page.body;
  }

  calendar::BusinessCalendar calendar_;
};

bool has(const std::string& body, const std::string& text) { return body.find(text) != std::string::npos; }

TEST_F(RosterRoutes, PagesRenderForTheRightPeople) {
  auto tanto = login("chuo.tanto");
  auto list = get(tanto, "/admin/absences");
  EXPECT_EQ(list.status, 200);
  EXPECT_TRUE(has(list.body, "不在の一覧"));
  EXPECT_EQ(get(tanto, "/admin/absences/new").status, 200);
  auto duty = get(tanto, "/admin/duty");
  EXPECT_EQ(duty.status, 200);
  EXPECT_TRUE(has(duty.body, "本部総合当直"));
  EXPECT_TRUE(has(duty.body, "中央警察署当直"));
  EXPECT_TRUE(has(duty.body, "執務時間"));
  EXPECT_TRUE(has(duty.body, person("chuo.tochoku").display_name));
  // Roles need administration/view.
  EXPECT_EQ(get(tanto, "/admin/roles").status, 403);

  auto admin = login("somu.kacho");
  auto roles = get(admin, "/admin/roles");
  EXPECT_EQ(roles.status, 200);
  EXPECT_TRUE(has(roles.body, "当直責任者"));
  EXPECT_TRUE(has(roles.body, "公開・配信"));
  EXPECT_TRUE(has(get(admin, "/admin/roles?unit=" + std::to_string(unit_id("kita"))).body,
                  person("kita.fukushocho").display_name));
  auto only_duty = get(admin, "/admin/roles?role=duty_officer&purpose=procedures");
  EXPECT_EQ(only_duty.status, 200);
  EXPECT_TRUE(has(only_duty.body, person("chuo.tochoku").display_name));
  EXPECT_FALSE(has(only_duty.body, person("honbu.tochoku").display_name));  // no procedures grant
  EXPECT_FALSE(has(only_duty.body, person("kita.fukushocho").display_name));

  // A unit administrator sees holders in their unit only.
  auto chuo_admin = login("chuo.kanri");
  auto scoped = get(chuo_admin, "/admin/roles");
  EXPECT_EQ(scoped.status, 200);
  EXPECT_TRUE(has(scoped.body, person("chuo.fukushocho").display_name));
  EXPECT_FALSE(has(scoped.body, person("kita.fukushocho").display_name));

  // Without any role: absences (their own) yes, duty and roles no.
  auto nobody = login("nobody.grants");
  EXPECT_EQ(get(nobody, "/admin/absences").status, 200);
  EXPECT_EQ(get(nobody, "/admin/duty").status, 403);
  EXPECT_EQ(get(nobody, "/admin/roles").status, 403);
  const auto refused = audit_rows("org.duty.view");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(std::get<1>(refused[0]), "refused");
}

TEST_F(RosterRoutes, AnAbsentHeadIsRoutedAroundOnTheDutyPage) {
  const auto head = person("chuo.shocho");
  const auto lead = person("chuo.fukushocho");
  auto tanto = login("chuo.tanto");
  auto before = duty_page(tanto, "chuo");
  EXPECT_TRUE(has(before, head.display_name + "（署長）"));
  EXPECT_FALSE(has(before, "広報活動責任者（所属長の代理）"));

  // The head marks themselves away from this morning to Thursday.
  auto s = login("chuo.shocho");
  auto r = enter(s, "chuo.shocho", "2026-11-24T08:00", "2026-11-26T17:00", "県外出張");
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(absences(), 1);

  auto after = duty_page(tanto, "chuo");
  EXPECT_TRUE(has(after, lead.display_name + "（副署長）"));
  EXPECT_TRUE(has(after, "広報活動責任者（所属長の代理）"));
  EXPECT_TRUE(has(after, "（不在中）"));
  // Other stations are untouched.
  EXPECT_FALSE(has(duty_page(tanto, "kita"), "広報活動責任者（所属長の代理）"));

  // The list shows the absence, who entered it, and the stand-in for the unit.
  auto list = get(s, "/admin/absences?when=current");
  EXPECT_EQ(list.status, 200);
  EXPECT_TRUE(has(list.body, "県外出張"));
  EXPECT_TRUE(has(list.body, "2026-11-26 17:00"));
  EXPECT_TRUE(has(list.body, head.display_name + "（chuo.shocho）"));  // entered by
  EXPECT_TRUE(has(list.body, "不在中"));
  EXPECT_TRUE(has(list.body, lead.display_name));
  // Not among the future ones.
  EXPECT_FALSE(has(get(s, "/admin/absences?when=future").body, "県外出張"));

  const auto rows = audit_rows("org.absence.create");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(std::get<1>(rows[0]), "ok");
  EXPECT_TRUE(has(std::get<2>(rows[0]), "県外出張"));
}

TEST_F(RosterRoutes, InDutyHoursTheDutyOfficerApproves) {
  clock_.set(from_jst({{2026, 11, 24}, 22, 0}));
  auto tanto = login("chuo.tanto");
  auto page = duty_page(tanto, "chuo");
  EXPECT_TRUE(has(page, "当直時間帯"));
  EXPECT_TRUE(has(page, "2026-11-25 08:30"));  // the next change: office opens
  EXPECT_TRUE(has(page, person("chuo.tochoku").display_name + "（当直責任者）"));
  EXPECT_TRUE(has(page, "当直責任者（当直時間帯）"));
}

TEST_F(RosterRoutes, AnAdministratorMarksSomeoneElseAway) {
  auto admin = login("system.kanri");
  auto r = enter(admin, "kita.shocho", "2026-11-24T09:00", "2026-11-25T09:00");
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_TRUE(has(duty_page(admin, "kita"), "広報活動責任者（所属長の代理）"));
  auto list = get(admin, "/admin/absences");
  EXPECT_TRUE(has(list.body, person("system.kanri").display_name + "（system.kanri）"));

  // A unit administrator, inside their unit.
  auto chuo_admin = login("chuo.kanri");
  EXPECT_EQ(enter(chuo_admin, "chuo.tanto", "2026-12-01T08:30", "2026-12-02T08:30").status, 303);
  EXPECT_EQ(absences(), 2);
}

TEST_F(RosterRoutes, RefusedAbsencesChangeNothingAndAreAudited) {
  // The PR lead may not mark their head away (no administration over the station).
  auto lead = login("chuo.fukushocho");
  auto r = enter(lead, "chuo.shocho", "2026-11-24T09:00", "2026-11-25T09:00");
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(has(r.body, "権限がありません"));
  // A unit administrator may not reach another station.
  auto chuo_admin = login("chuo.kanri");
  EXPECT_EQ(enter(chuo_admin, "kita.shocho", "2026-11-24T09:00", "2026-11-25T09:00").status, 403);
  // End before start, too long, already over, unknown person, bad date.
  auto head = login("chuo.shocho");
  auto backwards = enter(head, "chuo.shocho", "2026-11-25T09:00", "2026-11-24T09:00");
  EXPECT_EQ(backwards.status, 400);
  EXPECT_TRUE(has(backwards.body, "終了は開始より後"));
  EXPECT_EQ(enter(head, "chuo.shocho", "2026-11-24T09:00", "2027-11-26T09:00").status, 400);
  EXPECT_EQ(enter(head, "chuo.shocho", "2026-11-20T09:00", "2026-11-21T09:00").status, 400);
  EXPECT_EQ(enter(head, "nobody.here", "2026-11-24T09:00", "2026-11-25T09:00").status, 404);
  EXPECT_EQ(enter(head, "chuo.shocho", "2026-11-31T09:00", "2026-12-01T09:00").status, 400);
  // Without the CSRF token the guard refuses before anything is read.
  EXPECT_EQ(post(head, "/admin/absences", "login_name=chuo.shocho&from=2026-11-24T09:00&to=2026-11-25T09:00").status,
            403);

  EXPECT_EQ(absences(), 0);
  const auto rows = audit_rows("org.absence.create");
  ASSERT_EQ(rows.size(), 7u);
  for (const auto& row : rows) EXPECT_EQ(std::get<1>(row), "refused") << std::get<2>(row);
  // The approver is still the head.
  EXPECT_FALSE(has(duty_page(head, "chuo"), "広報活動責任者（所属長の代理）"));

  // Overlapping a registered absence is refused too.
  ASSERT_EQ(enter(head, "chuo.shocho", "2026-11-24T09:00", "2026-11-25T09:00").status, 303);
  EXPECT_EQ(enter(head, "chuo.shocho", "2026-11-25T08:00", "2026-11-26T09:00").status, 409);
  EXPECT_EQ(absences(), 1);
}

TEST_F(RosterRoutes, CancelRestoresTheHead) {
  auto head = login("chuo.shocho");
  ASSERT_EQ(enter(head, "chuo.shocho", "2026-11-24T09:00", "2026-11-25T09:00").status, 303);
  const auto id = count("SELECT MAX(id) FROM absences");
  const std::string url = "/admin/absences/" + std::to_string(id) + "/cancel";

  // Someone else without administration over the station cannot cancel it.
  auto lead = login("chuo.fukushocho");
  EXPECT_EQ(post(lead, url, "csrf=" + csrf(lead)).status, 403);
  EXPECT_EQ(count("SELECT COUNT(*) FROM absences WHERE cancelled_at IS NULL"), 1);

  auto r = post(head, url, "csrf=" + csrf(head));
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(count("SELECT COUNT(*) FROM absences WHERE cancelled_at IS NULL"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM absences"), 1);  // kept as history
  EXPECT_FALSE(has(duty_page(head, "chuo"), "広報活動責任者（所属長の代理）"));
  EXPECT_TRUE(has(get(head, "/admin/absences?when=cancelled").body, "取消済み"));

  EXPECT_EQ(post(head, url, "csrf=" + csrf(head)).status, 409);  // already cancelled
  EXPECT_EQ(post(head, "/admin/absences/99999/cancel", "csrf=" + csrf(head)).status, 404);
  const auto rows = audit_rows("org.absence.cancel");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(std::get<1>(rows[0]), "refused");
  EXPECT_EQ(std::get<1>(rows[1]), "ok");
  EXPECT_EQ(std::get<1>(rows[2]), "refused");
}

TEST_F(RosterRoutes, ListsAreScopedAndPaged) {
  // An administrator enters 51 absences for a station's staff member: two pages.
  auto admin = login("somu.kacho");
  for (int i = 0; i < 51; ++i) {
    const int day = 1 + i / 4, hour = 1 + (i % 4) * 5;
    char from[32], to[32];
    std::snprintf(from, sizeof from, "2026-12-%02dT%02d:00", day, hour);
    std::snprintf(to, sizeof to, "2026-12-%02dT%02d:00", day, hour + 4);
    ASSERT_EQ(enter(admin, "kita.tanto", from, to, "研修" + std::to_string(i)).status, 303) << i;
  }
  auto first = get(admin, "/admin/absences?when=future");
  EXPECT_EQ(first.status, 200);
  EXPECT_TRUE(has(first.body, "研修50"));
  EXPECT_FALSE(has(first.body, "研修0<"));
  const auto pos = first.body.find("/admin/absences?when=future&amp;before=");
  ASSERT_NE(pos, std::string::npos);
  const auto end = first.body.find('"', pos);
  std::string next = first.body.substr(pos, end - pos);
  next.replace(next.find("&amp;"), 5, "&");
  auto second = get(admin, next);
  EXPECT_EQ(second.status, 200);
  EXPECT_TRUE(has(second.body, "研修0<"));
  EXPECT_FALSE(has(second.body, "研修50"));

  // A station member sees their own absences only, and may not ask for another unit.
  auto tanto = login("chuo.tanto");
  EXPECT_FALSE(has(get(tanto, "/admin/absences").body, "研修50"));
  auto other = get(tanto, "/admin/absences?unit=" + std::to_string(unit_id("kita")));
  EXPECT_EQ(other.status, 403);
  // The kita staff member sees their own.
  auto own = login("kita.tanto");
  EXPECT_TRUE(has(get(own, "/admin/absences").body, "研修50"));
  // Filtered by person and unit.
  EXPECT_TRUE(has(get(admin, "/admin/absences?login=kita.tanto&unit=" + std::to_string(unit_id("kita"))).body,
                  "研修50"));
  EXPECT_FALSE(has(get(admin, "/admin/absences?unit=" + std::to_string(unit_id("chuo"))).body, "研修50"));
}

TEST_F(RosterRoutes, BadParametersGive400) {
  auto admin = login("somu.kacho");
  for (const char* path :
       {"/admin/absences?when=soon", "/admin/absences?unit=abc", "/admin/absences?unit=99999",
        "/admin/absences?before=-1", "/admin/absences?login=%E3%81%82", "/admin/absences?login=%ZZ",
        "/admin/absences?done=hacked", "/admin/roles?purpose=police", "/admin/roles?role=king",
        "/admin/roles?unit=0", "/admin/roles?unit=99999", "/admin/roles?before=x", "/admin/duty?unit=x",
        "/admin/duty?unit=99999", "/admin/duty?after=0"}) {
    EXPECT_EQ(get(admin, path).status, 400) << path;
  }
  EXPECT_EQ(get(admin, "/admin/absences?when=" + std::string(200, 'x')).status, 400);
}

}  // namespace
}  // namespace koban::app
