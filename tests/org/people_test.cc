#include "org/people.h"

#include "org/absences.h"
#include "org/lookups.h"
#include "org_fixture.h"

namespace koban::org {
namespace {

using testing::kNow;
using testing::OrgTest;

TEST(LoginNameTest, AcceptsOnlyTheDocumentedAlphabetAndLength) {
  EXPECT_TRUE(validate_login_name("koho.kacho").ok());
  EXPECT_TRUE(validate_login_name("a-1").ok());
  EXPECT_TRUE(validate_login_name(std::string(32, 'x')).ok());
  for (std::string bad : {std::string("ab"), std::string(33, 'x'), std::string("Koho"), std::string("koho kacho"),
                          std::string("koho_kacho"), std::string("広報"), std::string("a@b.c"),
                          std::string("abc\0", 4)}) {
    auto r = validate_login_name(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(r.error().message.find("ログインID"), std::string::npos);
  }
}

TEST(NewPersonTest, ChecksNameAndEmail) {
  NewPerson p{.login_name = "chuo.tanto", .display_name = "中央 花子", .unit_id = 1};
  EXPECT_TRUE(validate_new_person(p).ok());
  p.display_name = "";
  EXPECT_EQ(validate_new_person(p).error().message, "氏名を入力してください。");
  p.display_name = "中央 花子";
  p.email = "not-an-address";
  EXPECT_EQ(validate_new_person(p).error().message, "メールアドレスの形式が正しくありません。");
  p.email = "a@b.example\r\nBcc: x@y.z";
  EXPECT_FALSE(validate_new_person(p).ok());
  p.email = "chuo.tanto@police.example.jp";
  EXPECT_TRUE(validate_new_person(p).ok());
}

class PeopleTest : public OrgTest {};

TEST_P(PeopleTest, HireStoresThePersonAndRefusesDuplicates) {
  auto t = make_tree();
  PersonId p = hire_ok("chuo.tanto", t.chuo);
  auto got = w([&](store::Session& s) { return get_person(s, p); });
  ASSERT_OK(got);
  EXPECT_EQ(got->login_name, "chuo.tanto");
  EXPECT_EQ(got->unit_id, t.chuo);
  EXPECT_EQ(got->status, PersonStatus::active);
  EXPECT_EQ(got->created_at, kNow);
  EXPECT_FALSE(got->retired_at.has_value());

  auto dup = w([&](store::Session& s) {
    return hire(s, {.login_name = "chuo.tanto", .display_name = "別人", .unit_id = t.kita}, kNow);
  });
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::conflict);

  auto no_unit = w([&](store::Session& s) {
    return hire(s, {.login_name = "someone", .display_name = "某", .unit_id = 9999}, kNow);
  });
  ASSERT_FALSE(no_unit.ok());
  EXPECT_EQ(no_unit.error().code, ErrorCode::not_found);

  auto by_login = w([&](store::Session& s) { return find_person_by_login(s, "chuo.tanto"); });
  ASSERT_OK(by_login);
  ASSERT_TRUE(by_login->has_value());
  EXPECT_EQ((*by_login)->id, p);
  auto junk = w([&](store::Session& s) { return find_person_by_login(s, "' OR 1=1 --"); });
  ASSERT_OK(junk);
  EXPECT_FALSE(junk->has_value());
}

TEST_P(PeopleTest, LifecycleFollowsTheAllowedTransitions) {
  auto t = make_tree();
  PersonId p = hire_ok("kita.tanto", t.kita);
  auto status = [&] { return w([&](store::Session& s) { return get_person(s, p); })->status; };
  auto step = [&](Result<void> (*f)(store::Session&, PersonId, Instant)) {
    return w([&](store::Session& s) { return f(s, p, kNow + std::chrono::hours(1)); });
  };

  ASSERT_OK(step(&suspend));
  EXPECT_EQ(status(), PersonStatus::suspended);
  auto again = step(&suspend);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  EXPECT_EQ(again.error().message, "この職員は既に「利用停止」です。");

  ASSERT_OK(step(&reinstate));
  EXPECT_EQ(status(), PersonStatus::active);
  EXPECT_FALSE(step(&reinstate).ok());  // already active

  ASSERT_OK(step(&restrict_person));
  EXPECT_EQ(status(), PersonStatus::restricted);
  ASSERT_OK(step(&suspend));
  ASSERT_OK(step(&restrict_person));
  ASSERT_OK(step(&retire));
  auto retired = w([&](store::Session& s) { return get_person(s, p); });
  EXPECT_EQ(retired->status, PersonStatus::retired);
  ASSERT_TRUE(retired->retired_at.has_value());
  EXPECT_EQ(*retired->retired_at, kNow + std::chrono::hours(1));

  // Retirement is final, and the row stays.
  for (auto f : {&suspend, &restrict_person, &reinstate, &retire}) {
    auto r = step(f);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::conflict);
  }
  auto moved = w([&](store::Session& s) { return transfer(s, p, t.chuo); });
  EXPECT_FALSE(moved.ok());
  auto in_unit = w([&](store::Session& s) { return people_in_unit(s, t.kita); });
  ASSERT_OK(in_unit);
  EXPECT_TRUE(in_unit->empty());
  auto with_retired = w([&](store::Session& s) { return people_in_unit(s, t.kita, true); });
  ASSERT_OK(with_retired);
  EXPECT_EQ(with_retired->size(), 1u);
  // The login name stays taken.
  auto reuse = w([&](store::Session& s) {
    return hire(s, {.login_name = "kita.tanto", .display_name = "新人", .unit_id = t.kita}, kNow);
  });
  EXPECT_FALSE(reuse.ok());
}

TEST_P(PeopleTest, RetirementRevokesGrantsAndVacatesPosts) {
  auto t = make_tree();
  PersonId head = hire_ok("chuo.shocho", t.chuo);
  grant_ok(head, Purpose::alerts, Role::unit_manager, t.chuo);
  grant_ok(head, Purpose::website, Role::unit_manager, t.chuo);
  ASSERT_OK(w([&](store::Session& s) { return set_unit_head(s, t.chuo, head); }));
  ASSERT_OK(w([&](store::Session& s) { return set_pr_lead(s, t.chuo, head); }));
  auto found = w([&](store::Session& s) { return unit_head(s, t.chuo); });
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, head);

  ASSERT_OK(w([&](store::Session& s) { return retire(s, head, kNow); }));
  auto grants = w([&](store::Session& s) { return active_grants(s, head); });
  ASSERT_OK(grants);
  EXPECT_TRUE(grants->empty());
  auto history = w([&](store::Session& s) { return grant_history(s, head); });
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_TRUE(history->at(0).revoked_at.has_value());
  auto vacant = w([&](store::Session& s) { return unit_head(s, t.chuo); });
  ASSERT_OK(vacant);
  EXPECT_FALSE(vacant->has_value());
  auto no_lead = w([&](store::Session& s) { return pr_lead(s, t.chuo); });
  EXPECT_FALSE(no_lead->has_value());
  auto regrant = w([&](store::Session& s) {
    return grant_role(s, {.person = head, .purpose = Purpose::alerts, .role = Role::staff, .unit = t.chuo}, kNow);
  });
  EXPECT_FALSE(regrant.ok());
}

TEST_P(PeopleTest, LookupsSkipPeopleWhoCannotAct) {
  auto t = make_tree();
  PersonId head = hire_ok("kita.shocho", t.kita);
  PersonId lead = hire_ok("kita.fukushocho", t.kita);
  PersonId duty1 = hire_ok("kita.tochoku", t.kita);
  PersonId duty2 = hire_ok("kita.tochoku2", t.kita);
  PersonId hq_duty = hire_ok("honbu.tochoku", t.koho);
  ASSERT_OK(w([&](store::Session& s) { return set_unit_head(s, t.kita, head); }));
  ASSERT_OK(w([&](store::Session& s) { return set_pr_lead(s, t.kita, lead); }));
  grant_ok(duty1, Purpose::alerts, Role::duty_officer, t.kita_desk);
  grant_ok(duty2, Purpose::procedures, Role::duty_officer, t.kita_desk);
  grant_ok(hq_duty, Purpose::alerts, Role::duty_officer, t.hq_desk);

  auto lead_found = w([&](store::Session& s) { return pr_lead(s, t.kita); });
  ASSERT_OK(lead_found);
  ASSERT_TRUE(lead_found->has_value());
  EXPECT_EQ((*lead_found)->id, lead);

  auto duty = w([&](store::Session& s) { return duty_officers(s, t.kita_koban); });
  ASSERT_OK(duty);
  ASSERT_EQ(duty->size(), 2u);
  auto alerts_duty = w([&](store::Session& s) { return duty_officers(s, t.kita, Purpose::alerts); });
  ASSERT_OK(alerts_duty);
  ASSERT_EQ(alerts_duty->size(), 1u);
  EXPECT_EQ(alerts_duty->at(0).id, duty1);
  auto hq = w([&](store::Session& s) { return duty_officers(s, t.koho); });
  ASSERT_OK(hq);
  ASSERT_EQ(hq->size(), 1u);
  EXPECT_EQ(hq->at(0).id, hq_duty);

  ASSERT_OK(w([&](store::Session& s) { return suspend(s, head, kNow); }));
  ASSERT_OK(w([&](store::Session& s) { return suspend(s, duty1, kNow); }));
  auto no_head = w([&](store::Session& s) { return unit_head(s, t.kita); });
  ASSERT_OK(no_head);
  EXPECT_FALSE(no_head->has_value());
  duty = w([&](store::Session& s) { return duty_officers(s, t.kita); });
  ASSERT_EQ(duty->size(), 1u);
  EXPECT_EQ(duty->at(0).id, duty2);
}

TEST_P(PeopleTest, GrantRulesRefuseNonsense) {
  auto t = make_tree();
  PersonId p = hire_ok("chuo.tanto", t.chuo);
  grant_ok(p, Purpose::alerts, Role::staff, t.chuo);
  auto dup = w([&](store::Session& s) {
    return grant_role(s, {.person = p, .purpose = Purpose::alerts, .role = Role::staff, .unit = t.chuo}, kNow);
  });
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::conflict);
  auto duty_on_station = w([&](store::Session& s) {
    return grant_role(s, {.person = p, .purpose = Purpose::alerts, .role = Role::duty_officer, .unit = t.chuo}, kNow);
  });
  EXPECT_FALSE(duty_on_station.ok());
  auto staff_on_desk = w([&](store::Session& s) {
    return grant_role(s, {.person = p, .purpose = Purpose::alerts, .role = Role::staff, .unit = t.chuo_desk}, kNow);
  });
  EXPECT_FALSE(staff_on_desk.ok());
  // Whole-force and unit grants of the same role are different grants.
  GrantId whole = grant_ok(p, Purpose::alerts, Role::staff, std::nullopt);
  auto dup_whole = w([&](store::Session& s) {
    return grant_role(s, {.person = p, .purpose = Purpose::alerts, .role = Role::staff}, kNow);
  });
  EXPECT_FALSE(dup_whole.ok());
  ASSERT_OK(w([&](store::Session& s) { return revoke_grant(s, whole, std::nullopt, kNow); }));
  auto twice = w([&](store::Session& s) { return revoke_grant(s, whole, std::nullopt, kNow); });
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::conflict);
  grant_ok(p, Purpose::alerts, Role::staff, std::nullopt);  // may be granted again once revoked
}

TEST_P(PeopleTest, AbsencesCoverHalfOpenPeriods) {
  auto t = make_tree();
  PersonId head = hire_ok("chuo.shocho", t.chuo);
  const Instant from = kNow + std::chrono::hours(24), to = from + std::chrono::hours(48);
  auto away = [&](Instant at) {
    auto r = w([&](store::Session& s) { return is_away(s, head, at); });
    EXPECT_TRUE(r.ok());
    return r.value_or(false);
  };
  auto id = w([&](store::Session& s) { return add_absence(s, head, from, to, "出張", kNow); });
  ASSERT_OK(id);
  EXPECT_FALSE(away(from - std::chrono::seconds(1)));
  EXPECT_TRUE(away(from));
  EXPECT_TRUE(away(to - std::chrono::seconds(1)));
  EXPECT_FALSE(away(to));

  auto list = w([&](store::Session& s) { return absences_between(s, head, kNow, kNow + std::chrono::days(7)); });
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).reason, "出張");
  EXPECT_EQ(list->at(0).from, from);

  ASSERT_OK(w([&](store::Session& s) { return cancel_absence(s, *id, kNow); }));
  EXPECT_FALSE(away(from));
  EXPECT_FALSE(w([&](store::Session& s) { return cancel_absence(s, *id, kNow); }).ok());

  auto backwards = w([&](store::Session& s) { return add_absence(s, head, to, from, "", kNow); });
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.error().code, ErrorCode::invalid_argument);
  auto too_long = w([&](store::Session& s) {
    return add_absence(s, head, from, from + std::chrono::days(400), "", kNow);
  });
  EXPECT_FALSE(too_long.ok());
  auto nobody = w([&](store::Session& s) { return add_absence(s, 9999, from, to, "", kNow); });
  EXPECT_FALSE(nobody.ok());
}

KOBAN_BACKEND_TESTS(PeopleTest);

}  // namespace
}  // namespace koban::org
