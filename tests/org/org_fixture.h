// Fixture for the org tests: a fresh database on each backend (tests/store/test_db.h) with the
// store's and the org module's migrations applied, and helpers to run a write or read inline.
#pragma once

#include "../store/test_db.h"
#include "org/org_migrations.h"
#include "org/people.h"
#include "org/roles.h"
#include "org/units.h"
#include "store/migrations.h"

namespace koban::org::testing {

inline const Instant kNow = from_unix(1'800'000'000);

class OrgTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_TRUE(reg.add("store", store::store_migrations()).ok());
    ASSERT_TRUE(reg.add("org", org_migrations()).ok());
    auto r = store::migrate(*db_, reg, kNow);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  // A small force: root → (koho division, HQ desk, chuo station → chuo desk, kita station →
  // kita desk, kita koban).
  struct Tree {
    UnitId root, koho, hq_desk, chuo, chuo_desk, kita, kita_desk, kita_koban;
  };
  Tree make_tree() {
    Tree t{};
    auto r = db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(t.root, create_unit(s, {.kind = UnitKind::other, .code = "pref", .name = "サンプル県警察"}));
      KOBAN_ASSIGN(t.koho, create_unit(s, {.parent_id = t.root, .kind = UnitKind::hq_division,
                                           .code = "koho", .name = "広報課"}));
      KOBAN_ASSIGN(t.hq_desk, create_unit(s, {.parent_id = t.root, .kind = UnitKind::duty_desk,
                                              .code = "honbu-toku", .name = "本部総合当直"}));
      KOBAN_ASSIGN(t.chuo, create_unit(s, {.parent_id = t.root, .kind = UnitKind::station, .code = "chuo",
                                           .name = "中央警察署", .jurisdiction = "中央市"}));
      KOBAN_ASSIGN(t.chuo_desk, create_unit(s, {.parent_id = t.chuo, .kind = UnitKind::duty_desk,
                                                .code = "chuo-toku", .name = "中央警察署当直"}));
      KOBAN_ASSIGN(t.kita, create_unit(s, {.parent_id = t.root, .kind = UnitKind::station, .code = "kita",
                                           .name = "北警察署", .jurisdiction = "北市"}));
      KOBAN_ASSIGN(t.kita_desk, create_unit(s, {.parent_id = t.kita, .kind = UnitKind::duty_desk,
                                                .code = "kita-toku", .name = "北警察署当直"}));
      KOBAN_ASSIGN(t.kita_koban, create_unit(s, {.parent_id = t.kita, .kind = UnitKind::other,
                                                 .code = "kita-ekimae", .name = "駅前交番"}));
      return ok();
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return t;
  }

  PersonId hire_ok(const std::string& login, UnitId unit) {
    auto r = w([&](store::Session& s) { return hire(s, {.login_name = login, .display_name = "試験 太郎",
                                                        .unit_id = unit}, kNow); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(0);
  }

  GrantId grant_ok(PersonId p, Purpose purpose, Role role, std::optional<UnitId> unit) {
    auto r = w([&](store::Session& s) {
      return grant_role(s, {.person = p, .purpose = purpose, .role = role, .unit = unit}, kNow);
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(0);
  }

  // Runs fn in one write transaction and returns its value (or its error).
  template <class F>
  auto w(F&& fn) -> decltype(fn(std::declval<store::Session&>())) {
    using R = decltype(fn(std::declval<store::Session&>()));
    std::optional<R> out;
    auto r = db_->write([&](store::Session& s) -> Result<void> {
      out.emplace(fn(s));
      return ok();
    });
    if (!r) return r.error();
    return std::move(*out);
  }
};

}  // namespace koban::org::testing
