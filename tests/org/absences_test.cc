#include "org/absences.h"

#include <algorithm>

#include "org_fixture.h"

namespace koban::org {
namespace {

using testing::kNow;
using testing::OrgTest;
using std::chrono::days;
using std::chrono::hours;

class AbsencesTest : public OrgTest {
 protected:
  AbsenceId add_ok(PersonId p, Instant from, Instant to, const std::string& reason = "出張") {
    auto r = w([&](store::Session& s) { return add_absence(s, p, from, to, reason, kNow); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(0);
  }
  std::vector<AbsenceId> ids(const AbsenceFilter& f) {
    auto r = w([&](store::Session& s) { return list_absences(s, f, kNow); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    std::vector<AbsenceId> out;
    if (r.ok())
      for (const auto& item : *r) out.push_back(item.absence.id);
    return out;
  }
};

TEST_P(AbsencesTest, ValidatesPeriodReasonAndPerson) {
  auto t = make_tree();
  auto p = hire_ok("chuo.shocho", t.chuo);
  auto backwards = w([&](store::Session& s) { return add_absence(s, p, kNow, kNow - hours(1), "", kNow); });
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.error().code, ErrorCode::invalid_argument);
  auto too_long = w([&](store::Session& s) { return add_absence(s, p, kNow, kNow + days(367), "", kNow); });
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::invalid_argument);
  auto nobody = w([&](store::Session& s) { return add_absence(s, 99999, kNow, kNow + days(1), "", kNow); });
  ASSERT_FALSE(nobody.ok());
  EXPECT_EQ(nobody.error().code, ErrorCode::not_found);
  EXPECT_TRUE(ids({}).empty());
}

TEST_P(AbsencesTest, GetAndCancelKeepHistory) {
  auto t = make_tree();
  auto p = hire_ok("chuo.shocho", t.chuo);
  auto id = add_ok(p, kNow - hours(1), kNow + days(2), "研修");
  auto got = w([&](store::Session& s) { return get_absence(s, id); });
  ASSERT_OK(got);
  EXPECT_EQ(got->person, p);
  EXPECT_EQ(got->reason, "研修");
  EXPECT_FALSE(got->cancelled_at);
  auto away = w([&](store::Session& s) { return is_away(s, p, kNow); });
  ASSERT_OK(away);
  EXPECT_TRUE(*away);

  ASSERT_OK(w([&](store::Session& s) { return cancel_absence(s, id, kNow); }));
  got = w([&](store::Session& s) { return get_absence(s, id); });
  ASSERT_OK(got);
  ASSERT_TRUE(got->cancelled_at);
  EXPECT_EQ(*got->cancelled_at, kNow);
  away = w([&](store::Session& s) { return is_away(s, p, kNow); });
  ASSERT_OK(away);
  EXPECT_FALSE(*away);
  auto again = w([&](store::Session& s) { return cancel_absence(s, id, kNow); });
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::not_found);
  auto missing = w([&](store::Session& s) { return get_absence(s, id + 100); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST_P(AbsencesTest, ListFiltersByTimeUnitAndPerson) {
  auto t = make_tree();
  auto chuo = hire_ok("chuo.shocho", t.chuo);
  auto kita = hire_ok("kita.shocho", t.kita);
  auto koban = hire_ok("kita.koban", t.kita_koban);
  const auto now_a = add_ok(chuo, kNow - hours(2), kNow + hours(5));
  const auto future = add_ok(kita, kNow + days(3), kNow + days(4));
  const auto past = add_ok(koban, kNow - days(4), kNow - days(3));
  const auto cancelled = add_ok(kita, kNow - hours(1), kNow + hours(1));
  ASSERT_OK(w([&](store::Session& s) { return cancel_absence(s, cancelled, kNow); }));

  EXPECT_EQ(ids({}), (std::vector<AbsenceId>{cancelled, past, future, now_a}));  // newest first
  EXPECT_EQ(ids({.when = AbsenceTime::current}), (std::vector<AbsenceId>{now_a}));
  EXPECT_EQ(ids({.when = AbsenceTime::future}), (std::vector<AbsenceId>{future}));
  EXPECT_EQ(ids({.when = AbsenceTime::past}), (std::vector<AbsenceId>{past}));
  EXPECT_EQ(ids({.when = AbsenceTime::cancelled}), (std::vector<AbsenceId>{cancelled}));
  EXPECT_EQ(ids({.person = kita}), (std::vector<AbsenceId>{cancelled, future}));
  EXPECT_EQ(ids({.units = std::vector<UnitId>{t.kita, t.kita_koban}}),
            (std::vector<AbsenceId>{cancelled, past, future}));
  // A scoped list plus the viewer's own absences; an empty scope is only the viewer's.
  EXPECT_EQ(ids({.units = std::vector<UnitId>{t.kita_koban}, .also_person = chuo}),
            (std::vector<AbsenceId>{past, now_a}));
  EXPECT_EQ(ids({.units = std::vector<UnitId>{}, .also_person = chuo}), (std::vector<AbsenceId>{now_a}));
  EXPECT_TRUE(ids({.units = std::vector<UnitId>{}}).empty());

  // Keyset paging: two, then the rest.
  auto first = ids({.limit = 2});
  ASSERT_EQ(first.size(), 2u);
  auto rest = ids({.before = first.back(), .limit = 2});
  EXPECT_EQ(rest, (std::vector<AbsenceId>{future, now_a}));

  auto rows = w([&](store::Session& s) { return list_absences(s, {.person = chuo}, kNow); });
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().person_login, "chuo.shocho");
  EXPECT_EQ(rows->front().unit_id, t.chuo);

  auto bad_limit = w([&](store::Session& s) { return list_absences(s, {.limit = 0}, kNow); });
  EXPECT_FALSE(bad_limit.ok());
  std::vector<UnitId> many(kMaxAbsenceUnitsInFilter + 1, t.chuo);
  auto too_many = w([&](store::Session& s) { return list_absences(s, {.units = many}, kNow); });
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::too_large);
}

TEST(AbsenceTime, ParsesItsOwnNames) {
  for (auto t : {AbsenceTime::any, AbsenceTime::current, AbsenceTime::future, AbsenceTime::past,
                 AbsenceTime::cancelled})
    EXPECT_EQ(parse_absence_time(to_string(t)), t);
  EXPECT_FALSE(parse_absence_time("now"));
  EXPECT_FALSE(parse_absence_time(""));
}

KOBAN_BACKEND_TESTS(AbsencesTest);

}  // namespace
}  // namespace koban::org
