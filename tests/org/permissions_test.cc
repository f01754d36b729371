#include "org/permissions.h"

#include "org/demo.h"
#include "org/lookups.h"
#include "org_fixture.h"

namespace koban::org {
namespace {

using testing::kNow;
using testing::OrgTest;

TEST(PermissionTableTest, MatchesTheDocumentedDuties) {
  for (auto r : kAllRoles) EXPECT_TRUE(role_allows(r, Action::view)) << label(r);
  EXPECT_FALSE(role_allows(Role::staff, Action::approve));
  EXPECT_FALSE(role_allows(Role::staff, Action::publish));
  EXPECT_TRUE(role_allows(Role::staff, Action::submit));
  EXPECT_FALSE(role_allows(Role::system_admin, Action::write));
  EXPECT_TRUE(role_allows(Role::system_admin, Action::administer));
  EXPECT_TRUE(role_allows(Role::unit_manager, Action::approve));
  EXPECT_FALSE(role_allows(Role::unit_manager, Action::administer));
  EXPECT_TRUE(role_allows(Role::duty_officer, Action::approve));
  EXPECT_FALSE(role_allows(Role::assistant, Action::publish));
  for (auto a : kAllActions) EXPECT_TRUE(role_allows(Role::overall_manager, a)) << label(a);
  EXPECT_FALSE(role_allows(static_cast<Role>(99), Action::view));
}

TEST(LabelsTest, EveryRolePurposeAndActionHasAJapaneseLabelAndRoundTrips) {
  for (auto r : kAllRoles) {
    EXPECT_STRNE(label(r), "");
    EXPECT_EQ(parse_role(to_string(r)), r);
  }
  for (auto p : kAllPurposes) {
    EXPECT_STRNE(label(p), "");
    EXPECT_EQ(parse_purpose(to_string(p)), p);
  }
  for (auto a : kAllActions) EXPECT_EQ(parse_action(to_string(a)), a);
  EXPECT_STREQ(label(Role::overall_manager), "総括運用責任者");
  EXPECT_STREQ(label(Role::duty_officer), "当直責任者");
  EXPECT_FALSE(parse_role("root").has_value());
}

class PermissionsTest : public OrgTest {
 protected:
  Actor actor(PersonId p) {
    auto a = w([&](store::Session& s) { return load_actor(s, p); });
    EXPECT_TRUE(a.ok());
    return a.ok() ? *a : Actor{};
  }
};

TEST_P(PermissionsTest, UnitGrantsReachTheUnitAndBelowOnly) {
  auto t = make_tree();
  PersonId kita_head = hire_ok("kita.shocho", t.kita);
  grant_ok(kita_head, Purpose::alerts, Role::unit_manager, t.kita);
  Actor a = actor(kita_head);

  EXPECT_TRUE(can(a, Purpose::alerts, Action::approve, t.kita));
  EXPECT_TRUE(can(a, Purpose::alerts, Action::approve, t.kita_koban));  // a descendant
  EXPECT_FALSE(can(a, Purpose::alerts, Action::approve, t.chuo));       // another station
  EXPECT_FALSE(can(a, Purpose::alerts, Action::view, t.chuo));
  EXPECT_FALSE(can(a, Purpose::alerts, Action::approve, t.root));       // not upwards
  EXPECT_FALSE(can(a, Purpose::alerts, Action::approve, std::nullopt)); // not force-wide objects
  EXPECT_FALSE(can(a, Purpose::website, Action::view, t.kita));         // another purpose
  EXPECT_FALSE(can(a, Purpose::alerts, Action::administer, t.kita));    // not in the role

  auto denied = require(a, Purpose::alerts, Action::approve, t.chuo);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::permission_denied);
  EXPECT_EQ(denied.error().message, "安全安心メールの「承認」を行う権限がありません。");
  EXPECT_TRUE(require(a, Purpose::alerts, Action::approve, t.kita).ok());

  auto listable = units_where_allowed(a, Purpose::alerts, Action::view);
  ASSERT_TRUE(listable.has_value());
  EXPECT_EQ(listable->size(), 3u);  // kita, its desk, its koban
}

TEST_P(PermissionsTest, WholeForceGrantsReachEverything) {
  auto t = make_tree();
  PersonId owner = hire_ok("seian.kacho", t.koho);
  grant_ok(owner, Purpose::alerts, Role::business_owner, std::nullopt);
  Actor a = actor(owner);
  for (UnitId u : {t.root, t.chuo, t.kita_koban, t.koho}) EXPECT_TRUE(can(a, Purpose::alerts, Action::publish, u));
  EXPECT_TRUE(can(a, Purpose::alerts, Action::administer, std::nullopt));
  EXPECT_FALSE(can(a, Purpose::website, Action::view, t.chuo));
  EXPECT_FALSE(units_where_allowed(a, Purpose::alerts, Action::view).has_value());  // = every unit
}

TEST_P(PermissionsTest, StaffDraftButDoNotApprove) {
  auto t = make_tree();
  PersonId staff = hire_ok("chuo.tanto", t.chuo);
  grant_ok(staff, Purpose::website, Role::staff, t.chuo);
  Actor a = actor(staff);
  EXPECT_TRUE(can(a, Purpose::website, Action::write, t.chuo));
  EXPECT_TRUE(can(a, Purpose::website, Action::submit, t.chuo));
  EXPECT_FALSE(can(a, Purpose::website, Action::approve, t.chuo));
  EXPECT_FALSE(can(a, Purpose::website, Action::publish, t.chuo));
  EXPECT_FALSE(can(a, Purpose::website, Action::write, t.kita));
}

TEST_P(PermissionsTest, DutyDeskGrantsCoverTheDesksUnit) {
  auto t = make_tree();
  PersonId chuo_duty = hire_ok("chuo.tochoku", t.chuo);
  PersonId hq_duty = hire_ok("honbu.tochoku", t.koho);
  grant_ok(chuo_duty, Purpose::alerts, Role::duty_officer, t.chuo_desk);
  grant_ok(hq_duty, Purpose::alerts, Role::duty_officer, t.hq_desk);
  Actor station = actor(chuo_duty);
  EXPECT_TRUE(can(station, Purpose::alerts, Action::approve, t.chuo));
  EXPECT_TRUE(can(station, Purpose::alerts, Action::approve, t.chuo_desk));
  EXPECT_FALSE(can(station, Purpose::alerts, Action::approve, t.kita));
  Actor hq = actor(hq_duty);
  EXPECT_TRUE(can(hq, Purpose::alerts, Action::approve, t.koho));
  EXPECT_TRUE(can(hq, Purpose::alerts, Action::approve, t.kita));  // the HQ desk stands for the root
  EXPECT_FALSE(can(hq, Purpose::alerts, Action::administer, t.kita));
}

TEST_P(PermissionsTest, StatusLimitsEverything) {
  auto t = make_tree();
  PersonId p = hire_ok("kita.shocho", t.kita);
  grant_ok(p, Purpose::alerts, Role::unit_manager, t.kita);
  grant_ok(p, Purpose::website, Role::overall_manager, std::nullopt);

  ASSERT_OK(w([&](store::Session& s) { return restrict_person(s, p, kNow); }));
  Actor restricted = actor(p);
  EXPECT_TRUE(can(restricted, Purpose::alerts, Action::view, t.kita));
  EXPECT_FALSE(can(restricted, Purpose::alerts, Action::view, t.chuo));  // scope still applies
  for (auto act : {Action::write, Action::submit, Action::approve, Action::publish, Action::administer}) {
    EXPECT_FALSE(can(restricted, Purpose::alerts, act, t.kita)) << label(act);
    EXPECT_FALSE(can(restricted, Purpose::website, act, t.kita)) << label(act);
  }
  auto r = require(restricted, Purpose::alerts, Action::approve, t.kita);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("閲覧以外"), std::string::npos);

  ASSERT_OK(w([&](store::Session& s) { return suspend(s, p, kNow); }));
  Actor suspended = actor(p);
  for (auto act : kAllActions) EXPECT_FALSE(can(suspended, Purpose::website, act, t.kita)) << label(act);
  EXPECT_NE(require(suspended, Purpose::alerts, Action::view, t.kita).error().message.find("利用停止"),
            std::string::npos);

  // A stale Actor loaded before the suspension still carries the old status: load per request.
  ASSERT_OK(w([&](store::Session& s) { return reinstate(s, p, kNow); }));
  EXPECT_TRUE(can(actor(p), Purpose::alerts, Action::approve, t.kita));

  ASSERT_OK(w([&](store::Session& s) { return retire(s, p, kNow); }));
  Actor retired = actor(p);
  EXPECT_TRUE(retired.grants.empty());
  for (auto act : kAllActions) EXPECT_FALSE(can(retired, Purpose::website, act, std::nullopt));
  EXPECT_NE(require(retired, Purpose::website, Action::view, std::nullopt).error().message.find("退職"),
            std::string::npos);

  auto missing = w([&](store::Session& s) { return load_actor(s, 9999); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST_P(PermissionsTest, RevokedGrantsNoLongerCount) {
  auto t = make_tree();
  PersonId p = hire_ok("chuo.shocho", t.chuo);
  GrantId g = grant_ok(p, Purpose::procedures, Role::unit_manager, t.chuo);
  EXPECT_TRUE(can(actor(p), Purpose::procedures, Action::approve, t.chuo));
  ASSERT_OK(w([&](store::Session& s) { return revoke_grant(s, g, std::nullopt, kNow); }));
  EXPECT_FALSE(can(actor(p), Purpose::procedures, Action::view, t.chuo));
}

class DemoTest : public OrgTest {};

TEST_P(DemoTest, FillsTheSampleForceOnceWithEveryRole) {
  auto first = w([&](store::Session& s) { return fill_demo(s, kNow); });
  ASSERT_OK(first);
  ASSERT_FALSE(first->empty());
  for (auto r : kAllRoles) {
    bool found = false;
    for (const auto& p : *first) found = found || p.role_label.rfind(label(r), 0) == 0;
    EXPECT_TRUE(found) << "no demo person for " << label(r);
  }
  auto second = w([&](store::Session& s) { return fill_demo(s, kNow); });
  ASSERT_OK(second);
  EXPECT_TRUE(second->empty());

  auto check = db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto people, s.query("SELECT COUNT(*) FROM people"));
    EXPECT_EQ(people.at(0).int64(0), static_cast<std::int64_t>(first->size()));
    KOBAN_ASSIGN(auto stations, s.query("SELECT COUNT(*) FROM units WHERE kind = 'station' AND jurisdiction <> ''"));
    EXPECT_EQ(stations.at(0).int64(0), 5);
    KOBAN_ASSIGN(auto desks, s.query("SELECT COUNT(*) FROM units WHERE kind = 'duty_desk'"));
    EXPECT_EQ(desks.at(0).int64(0), 6);

    KOBAN_ASSIGN(auto chuo, find_unit_by_code(s, "chuo"));
    EXPECT_TRUE(chuo.has_value());
    if (!chuo) return ok();
    KOBAN_ASSIGN(auto head, unit_head(s, chuo->id));
    EXPECT_TRUE(head && head->login_name == "chuo.shocho");
    KOBAN_ASSIGN(auto lead, pr_lead(s, chuo->id));
    EXPECT_TRUE(lead && lead->login_name == "chuo.fukushocho");
    KOBAN_ASSIGN(auto duty, duty_officers(s, chuo->id, Purpose::alerts));
    EXPECT_EQ(duty.size(), 1u);

    // The demo's station head approves alerts for his station only; PR's head publishes
    // website articles everywhere.
    KOBAN_ASSIGN(auto kita, find_unit_by_code(s, "kita"));
    KOBAN_ASSIGN(auto shocho, find_person_by_login(s, "chuo.shocho"));
    KOBAN_ASSIGN(auto a, load_actor(s, shocho->id));
    EXPECT_TRUE(can(a, Purpose::alerts, Action::approve, chuo->id));
    EXPECT_FALSE(can(a, Purpose::alerts, Action::approve, kita->id));
    KOBAN_ASSIGN(auto koho, find_person_by_login(s, "koho.kacho"));
    KOBAN_ASSIGN(auto k, load_actor(s, koho->id));
    EXPECT_TRUE(can(k, Purpose::website, Action::publish, kita->id));
    EXPECT_FALSE(can(k, Purpose::alerts, Action::publish, kita->id));
    return ok();
  });
  ASSERT_OK(check);
}

KOBAN_BACKEND_TESTS(PermissionsTest);
KOBAN_BACKEND_TESTS(DemoTest);

}  // namespace
}  // namespace koban::org
