// /admin/site/emergency end to end: 広報課 switches the emergency mode on, changes it, and off
// after a confirmation; a station writer is refused (audited); bad links come back on the form.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/admin_site_emergency_routes.h"
#include "site/emergency/emergency.h"
#include "staff_app_fixture.h"
#include "store/migrations.h"

namespace koban::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace em = site::emergency;
using http::forms::form_urlencode;

class EmergencyRoutes : public testing::StaffAppTest {
 protected:
  void add_routes(http::Router& router) override {
    store::MigrationRegistry reg = store::migration_registry();
    bool known = false;
    for (const auto& m : reg.modules()) known = known || m.name == "site_emergency";
    if (!known) EXPECT_TRUE(reg.add("site_emergency", em::emergency_migrations()));
    auto migrated = store::migrate(db(), reg, clock_.now());
    EXPECT_TRUE(migrated) << migrated.error().message;
    add_site_emergency_routes(router, db(), staff(), clock_, {.on_changed = [this] { ++changed_; }});
  }

  std::optional<em::Notice> showing() {
    std::optional<em::Notice> n;
    EXPECT_TRUE(db().read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(n, em::current(s));
      return ok();
    }));
    return n;
  }

  std::atomic<int> changed_{0};
};

TEST_F(EmergencyRoutes, PrSwitchesOnAndOffWithConfirmation) {
  auto s = login("koho.kacho");
  auto page = get(s, "/admin/site/emergency");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("通常の表示です"));
  EXPECT_THAT(page.body, HasSubstr("<label for=\"em-message\">"));
  EXPECT_THAT(page.body, HasSubstr("まだ使われたことはありません"));

  auto on = post(s, "/admin/site/emergency/on",
                 "csrf=" + csrf(s) + "&message=" + form_urlencode("大雨特別警報が発表されました。\r\n命を守る行動を。") +
                     "&links=" + form_urlencode("避難所の一覧 | https://bousai.example.jp/\r\n交通規制 | /traffic/"));
  ASSERT_EQ(on.status, 303) << on.body;
  EXPECT_EQ(on.location, "/admin/site/emergency?done=on");
  EXPECT_EQ(changed_, 1);
  auto n = showing();
  ASSERT_TRUE(n);
  EXPECT_EQ(n->message, "大雨特別警報が発表されました。\n命を守る行動を。");
  ASSERT_EQ(n->links.size(), 2u);

  page = get(s, "/admin/site/emergency?done=on");
  EXPECT_THAT(page.body, HasSubstr("緊急災害モード中"));
  EXPECT_THAT(page.body, HasSubstr("交通規制（/traffic/）"));
  EXPECT_THAT(page.body, HasSubstr("緊急災害モードを終了する（確認へ）"));
  EXPECT_THAT(page.body, HasSubstr("開始・変更"));  // history

  // Off: first the confirmation page, nothing changed yet.
  auto confirm = post(s, "/admin/site/emergency/off", "csrf=" + csrf(s));
  ASSERT_EQ(confirm.status, 200);
  EXPECT_THAT(confirm.body, HasSubstr("終了の確認"));
  EXPECT_THAT(confirm.body, HasSubstr("name=\"confirm\" value=\"yes\""));
  EXPECT_TRUE(showing());
  auto off = post(s, "/admin/site/emergency/off", "csrf=" + csrf(s) + "&confirm=yes");
  ASSERT_EQ(off.status, 303);
  EXPECT_FALSE(showing());
  EXPECT_EQ(changed_, 2);
  auto rows = audit_rows("site.emergency.");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(std::get<0>(rows[0]), "site.emergency.activate");
  EXPECT_EQ(std::get<1>(rows[0]), "ok");
  EXPECT_EQ(std::get<0>(rows[1]), "site.emergency.deactivate");
}

TEST_F(EmergencyRoutes, StationWriterIsRefusedAndAudited) {
  auto s = login("chuo.tanto");
  auto page = get(s, "/admin/site/emergency");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, Not(HasSubstr("<form method=\"post\" action=\"/admin/site/emergency/on\"")));
  auto on = post(s, "/admin/site/emergency/on", "csrf=" + csrf(s) + "&message=" + form_urlencode("いたずら"));
  EXPECT_EQ(on.status, 403);
  EXPECT_THAT(on.body, HasSubstr("広報課"));
  EXPECT_FALSE(showing());
  EXPECT_EQ(changed_, 0);
  auto off = post(s, "/admin/site/emergency/off", "csrf=" + csrf(s));
  EXPECT_EQ(off.status, 403);
  auto rows = audit_rows("site.emergency.");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(std::get<1>(rows[0]), "refused");
  EXPECT_EQ(std::get<0>(rows[1]), "site.emergency.deactivate");
  EXPECT_EQ(std::get<1>(rows[1]), "refused");
}

TEST_F(EmergencyRoutes, BadLinksComeBackOnTheForm) {
  auto s = login("koho.kacho");
  auto r = post(s, "/admin/site/emergency/on",
                "csrf=" + csrf(s) + "&message=" + form_urlencode("お知らせ") + "&links=" +
                    form_urlencode("押してください | javascript:alert(1)\n<b>太字</b> | /ok"));
  EXPECT_EQ(r.status, 422);
  EXPECT_THAT(r.body, HasSubstr("role=\"alert\""));
  EXPECT_THAT(r.body, HasSubstr("https:// で始まる"));
  EXPECT_THAT(r.body, HasSubstr("押してください | javascript:alert(1)"));  // kept, escaped
  EXPECT_THAT(r.body, HasSubstr("&lt;b&gt;太字&lt;/b&gt; | /ok"));
  EXPECT_FALSE(showing());
  auto format = post(s, "/admin/site/emergency/on",
                     "csrf=" + csrf(s) + "&message=" + form_urlencode("お知らせ") + "&links=" + form_urlencode("URLなし"));
  EXPECT_EQ(format.status, 422);
  EXPECT_THAT(format.body, HasSubstr("1行目"));
  auto rows = audit_rows("site.emergency.");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(std::get<1>(rows[0]), "refused");
  EXPECT_EQ(std::get<1>(rows[1]), "refused");
  // Without the CSRF token: refused by the guard, nothing changed.
  auto forged = post(s, "/admin/site/emergency/on", "message=" + form_urlencode("偽物"));
  EXPECT_EQ(forged.status, 403);
  EXPECT_FALSE(showing());
}

}  // namespace
}  // namespace koban::app
