#include "org/units.h"

#include <algorithm>

#include "org_fixture.h"

namespace koban::org {
namespace {

using testing::OrgTest;

class UnitsTest : public OrgTest {};

TEST_P(UnitsTest, DescendantsAndAncestorsFollowTheTree) {
  auto t = make_tree();
  auto all = w([&](store::Session& s) { return descendants(s, t.root); });
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 8u);
  EXPECT_EQ(all->front(), t.root);  // the unit itself first

  auto kita = w([&](store::Session& s) { return descendants(s, t.kita); });
  ASSERT_OK(kita);
  std::vector<UnitId> sorted = *kita;
  std::sort(sorted.begin(), sorted.end());
  std::vector<UnitId> want{t.kita, t.kita_desk, t.kita_koban};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(sorted, want);
  EXPECT_EQ(kita->front(), t.kita);

  auto up = w([&](store::Session& s) { return ancestors(s, t.kita_koban); });
  ASSERT_OK(up);
  EXPECT_EQ(*up, (std::vector<UnitId>{t.kita_koban, t.kita, t.root}));

  auto inside = w([&](store::Session& s) { return is_within(s, t.kita_koban, t.kita); });
  ASSERT_OK(inside);
  EXPECT_TRUE(*inside);
  auto outside = w([&](store::Session& s) { return is_within(s, t.kita_koban, t.chuo); });
  ASSERT_OK(outside);
  EXPECT_FALSE(*outside);

  auto missing = w([&](store::Session& s) { return descendants(s, 9999); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);

  auto kids = w([&](store::Session& s) { return child_units(s, t.kita); });
  ASSERT_OK(kids);
  EXPECT_EQ(kids->size(), 2u);
}

TEST_P(UnitsTest, StoresAndReadsEveryField) {
  auto t = make_tree();
  auto u = w([&](store::Session& s) { return get_unit(s, t.chuo); });
  ASSERT_OK(u);
  EXPECT_EQ(u->name, "中央警察署");
  EXPECT_EQ(u->kind, UnitKind::station);
  EXPECT_EQ(u->jurisdiction, "中央市");
  EXPECT_EQ(u->parent_id, t.root);
  EXPECT_TRUE(u->active);
  EXPECT_FALSE(u->head.has_value());

  ASSERT_OK(w([&](store::Session& s) { return set_unit_contact(s, t.chuo, "011-111-0110", "中央市本町1"); }));
  ASSERT_OK(w([&](store::Session& s) { return set_unit_active(s, t.chuo, false); }));
  auto by_code = w([&](store::Session& s) { return find_unit_by_code(s, "chuo"); });
  ASSERT_OK(by_code);
  ASSERT_TRUE(by_code->has_value());
  EXPECT_EQ((*by_code)->phone, "011-111-0110");
  EXPECT_EQ((*by_code)->address, "中央市本町1");
  EXPECT_FALSE((*by_code)->active);
  auto none = w([&](store::Session& s) { return find_unit_by_code(s, "nothing"); });
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
}

TEST_P(UnitsTest, RefusesBadUnitsWithJapaneseMessages) {
  auto t = make_tree();
  auto try_create = [&](NewUnit u) { return w([&](store::Session& s) { return create_unit(s, u); }); };

  auto dup = try_create({.parent_id = t.root, .kind = UnitKind::hq_division, .code = "koho", .name = "別の課"});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::conflict);
  EXPECT_NE(dup.error().message.find("既に使われています"), std::string::npos);

  auto no_area = try_create({.parent_id = t.root, .kind = UnitKind::station, .code = "nishi", .name = "西警察署"});
  ASSERT_FALSE(no_area.ok());
  EXPECT_EQ(no_area.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(no_area.error().message.find("管轄区域"), std::string::npos);

  auto orphan_desk = try_create({.kind = UnitKind::duty_desk, .code = "desk", .name = "当直"});
  EXPECT_FALSE(orphan_desk.ok());
  auto under_desk = try_create({.parent_id = t.chuo_desk, .kind = UnitKind::other, .code = "x-y", .name = "係"});
  EXPECT_FALSE(under_desk.ok());
  auto bad_code = try_create({.parent_id = t.root, .kind = UnitKind::other, .code = "Bad Code", .name = "隊"});
  ASSERT_FALSE(bad_code.ok());
  EXPECT_NE(bad_code.error().message.find("所属コード"), std::string::npos);
  auto no_name = try_create({.parent_id = t.root, .kind = UnitKind::other, .code = "tai", .name = ""});
  ASSERT_FALSE(no_name.ok());
  EXPECT_EQ(no_name.error().message, "所属名を入力してください。");
  auto long_name = try_create({.parent_id = t.root, .kind = UnitKind::other, .code = "tai",
                               .name = std::string(101 * 3, 'a')});
  EXPECT_FALSE(long_name.ok());
  auto control = try_create({.parent_id = t.root, .kind = UnitKind::other, .code = "tai", .name = "隊\n"});
  EXPECT_FALSE(control.ok());
  auto bad_utf8 = try_create({.parent_id = t.root, .kind = UnitKind::other, .code = "tai", .name = "\xff\xfe"});
  EXPECT_FALSE(bad_utf8.ok());
  auto no_parent = try_create({.parent_id = 9999, .kind = UnitKind::other, .code = "tai", .name = "隊"});
  ASSERT_FALSE(no_parent.ok());
  EXPECT_EQ(no_parent.error().code, ErrorCode::not_found);
  auto fine = try_create({.parent_id = t.root, .kind = UnitKind::other, .code = "tai", .name = "機動隊"});
  ASSERT_OK(fine);
}

TEST_P(UnitsTest, DutyDeskForFindsTheNearestDesk) {
  auto t = make_tree();
  auto desk = [&](UnitId u) {
    auto r = w([&](store::Session& s) { return duty_desk_for(s, u); });
    EXPECT_TRUE(r.ok());
    return r.value_or(std::nullopt);
  };
  EXPECT_EQ(desk(t.chuo), t.chuo_desk);
  EXPECT_EQ(desk(t.kita_koban), t.kita_desk);
  EXPECT_EQ(desk(t.koho), t.hq_desk);       // HQ divisions → 本部総合当直
  EXPECT_EQ(desk(t.chuo_desk), t.chuo_desk);
  EXPECT_EQ(desk(t.root), t.hq_desk);
}

TEST_P(UnitsTest, HeadAndPrLeadMustBeCurrentStaff) {
  auto t = make_tree();
  PersonId p = hire_ok("chuo.shocho", t.chuo);
  ASSERT_OK(w([&](store::Session& s) { return set_unit_head(s, t.chuo, p); }));
  ASSERT_OK(w([&](store::Session& s) { return set_pr_lead(s, t.chuo, p); }));
  auto u = w([&](store::Session& s) { return get_unit(s, t.chuo); });
  ASSERT_OK(u);
  EXPECT_EQ(u->head, p);
  EXPECT_EQ(u->pr_lead, p);
  auto nobody = w([&](store::Session& s) { return set_unit_head(s, t.chuo, PersonId{9999}); });
  EXPECT_FALSE(nobody.ok());
  ASSERT_OK(w([&](store::Session& s) { return set_unit_head(s, t.chuo, std::nullopt); }));
  u = w([&](store::Session& s) { return get_unit(s, t.chuo); });
  EXPECT_FALSE(u->head.has_value());
}

KOBAN_BACKEND_TESTS(UnitsTest);

}  // namespace
}  // namespace koban::org
