// The safety-alert staff pages end to end over HTTP with the demo force (admin_alerts_routes.h).
#include <gmock/gmock.h>

#include "alerts/alert_kind.h"
#include "alerts/alerts_migrations.h"
#include "app/admin_alerts_routes.h"
#include "staff_app_fixture.h"
#include "store/migrations.h"

namespace koban::app::testing {
namespace {

using ::testing::HasSubstr;

class AlertsRoutes : public StaffAppTest {
 protected:
  void add_routes(http::Router& r) override {
    auto kinds = std::make_shared<workflow::KindRegistry>();
    ASSERT_TRUE(alerts::register_alert_kind(*kinds, settings_.calendar));
    kinds_ = kinds;
    add_alerts_routes(r, db(), staff(), kinds_, settings_, {"サンプル県警察", "anshin@police.example.jp"}, clock_);
  }
  void SetUp() override {
    StaffAppTest::SetUp();
    if (HasFatalFailure()) return;
    // The app registers the alerts tables in database_setup.cc; until then the test does.
    ASSERT_TRUE(alerts::register_alerts_migrations());
    auto m = store::migrate(db());
    ASSERT_TRUE(m) << m.error().message;
  }
  std::string alert_form(const std::string& session, const std::string& title, const std::string& body,
                         const std::string& extra = "") {
    return "csrf=" + csrf(session) + "&category=3&title=" + http::forms::form_urlencode(title) +
           "&body=" + http::forms::form_urlencode(body) + extra;
  }
  std::int64_t count(const std::string& sql) {
    std::int64_t n = -1;
    EXPECT_TRUE(db().read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query(sql));
      n = rows.at(0).int64(0);
      return ok();
    }));
    return n;
  }
  std::string created(const Reply& r) {
    EXPECT_EQ(r.status, 303) << r.body;
    return r.location.substr(0, r.location.find('?'));
  }

  alerts::Settings settings_;
  std::shared_ptr<const workflow::KindRegistry> kinds_;
};

TEST_F(AlertsRoutes, ComposePreviewSubmitAndApproveWithTheChecklist) {
  auto writer = login("chuo.tanto");
  auto form = get(writer, "/admin/alerts/new?category=3");
  EXPECT_EQ(form.status, 200);
  EXPECT_THAT(form.body, HasSubstr("防犯情報"));
  auto preview = post(writer, "/admin/alerts", alert_form(writer, "髙橋町で不審者", "①午前9時ころ", "&action=preview"));
  EXPECT_EQ(preview.status, 200);
  EXPECT_THAT(preview.body, HasSubstr("ISO-2022-JP では送れない文字"));
  EXPECT_THAT(preview.body, HasSubstr("(1)午前9時ころ"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM alerts"), 0);

  const auto path = created(post(writer, "/admin/alerts", alert_form(writer, "不審者の出没", "中央市本町で目撃", "&action=submit")));
  ASSERT_THAT(path, HasSubstr("/admin/alerts/"));
  const auto id = path.substr(path.rfind('/') + 1);
  EXPECT_THAT(get(writer, path).body, HasSubstr("承認待ち"));
  // The writer's colleague has no right to approve; the head must tick every box.
  EXPECT_EQ(post(writer, path + "/approve", "csrf=" + csrf(writer) + "&check1=1&check2=1&check3=1").status, 403);
  auto head = login("chuo.shocho");
  EXPECT_THAT(get(head, path).body, HasSubstr("配信前の確認"));
  auto unticked = post(head, path + "/approve", "csrf=" + csrf(head) + "&check1=1&check3=1");
  EXPECT_EQ(unticked.status, 400);
  EXPECT_THAT(unticked.body, HasSubstr("被害者が特定されない"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'alerts.deliver'"), 0);
  auto done = post(head, path + "/approve", "csrf=" + csrf(head) + "&check1=1&check2=1&check3=1");
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'alerts.deliver' AND run_at = " +
                  std::to_string(to_unix(clock_.now()))), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM alerts WHERE state = 'approved' AND id = " + id), 1);
  auto refusals = audit_rows("alerts.alert.approve");
  int refused = 0;
  for (const auto& [action, outcome, summary] : refusals) refused += outcome == "refused";
  EXPECT_EQ(refused, 2);

  // The register shows it, as a page, CSV and print.
  auto reg = get(head, "/admin/alerts/register");
  EXPECT_EQ(reg.status, 403);  // a station head does not keep the force's register
  auto hq = login("seian.kacho");
  reg = get(hq, "/admin/alerts/register");
  EXPECT_EQ(reg.status, 200);
  EXPECT_THAT(reg.body, HasSubstr("不審者の出没"));
  EXPECT_THAT(reg.body, HasSubstr("2026-11-24"));
  auto csv = get(hq, "/admin/alerts/register.csv?year=2026");
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_THAT(csv.body, HasSubstr("中央市本町で目撃"));
  EXPECT_EQ(get(hq, "/admin/alerts/register/print").status, 200);
  EXPECT_EQ(get(hq, "/admin/alerts/register?year=abc").status, 400);
}

TEST_F(AlertsRoutes, BadInputIsRefusedWithAMessageAuditedAndNothingChanges) {
  auto writer = login("chuo.tanto");
  auto empty = post(writer, "/admin/alerts", alert_form(writer, "件名", "　", "&action=submit"));
  EXPECT_EQ(empty.status, 422);
  EXPECT_THAT(empty.body, HasSubstr("本文を入力してください"));
  std::string long_body;
  for (int i = 0; i < 1001; ++i) long_body += "あ";
  auto too_long = post(writer, "/admin/alerts", alert_form(writer, "件名", long_body, "&action=submit"));
  EXPECT_EQ(too_long.status, 422);
  EXPECT_THAT(too_long.body, HasSubstr("1000文字以内"));
  const auto kita = person("kita.shocho").unit_id;
  auto wide = post(writer, "/admin/alerts",
                   alert_form(writer, "件名", "本文", "&action=submit&area=" + std::to_string(person("chuo.shocho").unit_id) +
                                                      "&area=" + std::to_string(kita)));
  EXPECT_EQ(wide.status, 403);
  EXPECT_THAT(wide.body, HasSubstr("送信依頼"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM alerts"), 0);
  int refused = 0;
  for (const auto& [action, outcome, summary] : audit_rows("alerts.alert.create")) refused += outcome == "refused";
  EXPECT_EQ(refused, 3);
  EXPECT_EQ(get(writer, "/admin/alerts?state=nonsense").status, 400);
  EXPECT_EQ(get(writer, "/admin/alerts/999").status, 404);
}

TEST_F(AlertsRoutes, AtElevenPmTheDutyOfficerApprovesAndDeliveryWaitsForSix) {
  clock_.set(from_jst({{2026, 11, 24}, 23, 0, 0}));
  auto writer = login("chuo.tanto");
  const auto path = created(post(writer, "/admin/alerts", alert_form(writer, "不審者の出没", "本文", "&action=submit")));
  auto head = login("chuo.shocho");
  EXPECT_EQ(post(head, path + "/approve", "csrf=" + csrf(head) + "&check1=1&check2=1&check3=1").status, 403);
  auto duty = login("chuo.tochoku");
  auto page = get(duty, path);
  EXPECT_THAT(page.body, HasSubstr("配信時間（6時〜22時）外"));
  EXPECT_EQ(post(duty, path + "/approve", "csrf=" + csrf(duty) + "&check1=1&check2=1&check3=1").status, 303);
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'alerts.deliver' AND run_at = " +
                  std::to_string(to_unix(from_jst({{2026, 11, 25}, 6, 0, 0})))), 1);
  // The head's post-hoc report shows on the page.
  EXPECT_THAT(get(head, path).body, HasSubstr("未確認"));

  const auto urgent = created(post(writer, "/admin/alerts", alert_form(writer, "刃物の男が逃走中", "本文", "&action=submit")));
  EXPECT_EQ(post(duty, urgent + "/approve",
                 "csrf=" + csrf(duty) + "&check1=1&check2=1&check3=1&urgent=1&urgent_reason=suspect_at_large&urgent_note=" +
                     http::forms::form_urlencode("男が刃物を持って逃走中"))
                .status,
            303);
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'alerts.deliver' AND run_at = " +
                  std::to_string(to_unix(clock_.now()))), 1);
  EXPECT_THAT(get(duty, urgent).body, HasSubstr("男が刃物を持って逃走中"));
}

}  // namespace
}  // namespace koban::app::testing
