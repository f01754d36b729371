// The staff page of safety-alert subscribers end to end over HTTP with the demo force
// (admin_subscribers_routes.h): counts, the suspended list masked, the audited reveal,
// reinstating, removing, the domain filter and paging, and refusals for people without the
// force-wide alerts permissions.
#include <gmock/gmock.h>

#include "alerts/subscribers.h"
#include "app/admin_subscribers_routes.h"
#include "app/public_alerts_routes.h"
#include "org/roles.h"
#include "org/units.h"
#include "staff_app_fixture.h"

namespace koban::app::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSecret(32, 's');

alerts::SubscriberKeys test_keys() {
  auto k = alerts::SubscriberKeys::from_secret(kSecret);
  if (!k) std::abort();
  return *k;
}

class SubscribersRoutes : public StaffAppTest {
 protected:
  SubscribersRoutes()
      : subs_(std::make_shared<alerts::Subscribers>(
            test_keys(), alerts::SubscriberSettings{.mail_transport = "catcher", .ip_limit_per_hour = 0,
                                                    .hard_failure_limit = 3})) {}

  void add_routes(http::Router& r) override { add_subscribers_routes(r, db(), staff(), subs_, clock_); }

  Result<void> seed(store::Session& s) override {
    KOBAN_ASSIGN(auto chuo, org::find_unit_by_code(s, "chuo"));
    KOBAN_ASSIGN(auto kita, org::find_unit_by_code(s, "kita"));
    chuo_ = chuo->id;
    // Confirmed residents: two in 中央, one whole prefecture.
    KOBAN_TRY(make(s, "ok1@example.jp", {1, 2}, chuo_, 0));
    KOBAN_TRY(make(s, "ok2@example.jp", {2}, chuo_, 0));
    KOBAN_TRY(make(s, "all@example.jp", {6}, 0, 0));
    // Suspended after three hard failures.
    KOBAN_ASSIGN(taro_, make(s, "taro.yamada@docomo.ne.jp", {1}, kita->id, 3));
    KOBAN_ASSIGN(hanako_, make(s, "hanako@ezweb.ne.jp", {3}, kita->id, 3));
    // A viewer over the whole force without administration (masked addresses only).
    KOBAN_ASSIGN(auto seian, org::find_unit_by_code(s, "seian"));
    KOBAN_ASSIGN(auto viewer, hire_with_password(s, {.login_name = "seian.etsuran", .display_name = "閲覧 花子",
                                                     .unit_id = seian->id}));
    KOBAN_TRY(org::grant_role(s, {.person = viewer, .purpose = org::Purpose::alerts, .role = org::Role::staff},
                              clock_.now()));
    return ok();
  }

  Result<std::int64_t> make(store::Session& s, const std::string& address, std::vector<int> cats, org::UnitId area,
                            int failures) {
    const auto t0 = clock_.now() - std::chrono::hours(30);
    alerts::AreaChoice areas = area ? alerts::AreaChoice{.units = {area}} : alerts::AreaChoice{.whole_prefecture = true};
    KOBAN_ASSIGN(auto r, subs_->subscribe(s, {.address = address, .categories = cats, .areas = areas}, t0));
    KOBAN_TRY(subs_->confirm(s, r.confirm_token, t0 + std::chrono::minutes(5)));
    for (int i = 0; i < failures; ++i)
      KOBAN_TRY(subs_->record_hard_failure(s, r.subscriber_id, clock_.now() - std::chrono::hours(2 - i / 3),
                                           "550 5.1.1 user unknown"));
    return r.subscriber_id;
  }

  std::string state_of(std::int64_t id) {
    std::string st = "gone";
    EXPECT_TRUE(db().read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT state, hard_failures FROM subscribers WHERE id = ?", id));
      if (!rows.empty()) st = rows[0].text(0) + "/" + rows[0].text(1);
      return ok();
    }));
    return st;
  }
  std::size_t count_audit(const std::string& action, const std::string& outcome) {
    std::size_t n = 0;
    for (const auto& [a, o, sum] : audit_rows(action))
      if (a == action && o == outcome) ++n;
    return n;
  }

  std::shared_ptr<alerts::Subscribers> subs_;
  org::UnitId chuo_ = 0;
  std::int64_t taro_ = 0, hanako_ = 0;
};

TEST_F(SubscribersRoutes, ForceWideViewersSeeCountsAndMaskedSuspendedAddresses) {
  auto s = login("seian.kacho");
  auto page = get(s, "/admin/alerts/subscribers");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("安全安心メールの登録者"));
  // States: 3 confirmed, 2 suspended.
  EXPECT_THAT(page.body, HasSubstr("<th scope=\"row\">登録済み</th><td>3</td>"));
  EXPECT_THAT(page.body, HasSubstr("<th scope=\"row\">一時停止（不達）</th><td>2</td>"));
  EXPECT_THAT(page.body, HasSubstr("全5件"));
  // Categories among confirmed ones: 2 have category 2; areas: 中央 2, whole prefecture 1.
  EXPECT_THAT(page.body, HasSubstr("県内全域</th><td>1</td>"));
  EXPECT_THAT(page.body, HasSubstr("中央警察署（"));
  EXPECT_THAT(page.body, HasSubstr("</th><td>2</td>"));
  // Suspended ones, masked, with failure count and the delivery's reason.
  EXPECT_THAT(page.body, HasSubstr("t***@docomo.ne.jp"));
  EXPECT_THAT(page.body, HasSubstr("h***@ezweb.ne.jp"));
  EXPECT_THAT(page.body, Not(HasSubstr("taro.yamada")));
  EXPECT_THAT(page.body, Not(HasSubstr("hanako@")));
  EXPECT_THAT(page.body, HasSubstr("3回"));
  EXPECT_THAT(page.body, HasSubstr("550 5.1.1 user unknown"));
  // seian.kacho administers alerts: the actions are offered.
  EXPECT_THAT(page.body, HasSubstr("/admin/alerts/subscribers/" + std::to_string(taro_) + "/reveal"));
  EXPECT_THAT(page.body, HasSubstr("削除してよいことを確認しました"));

  // The overall manager too.
  auto m = get(login("somu.kacho"), "/admin/alerts/subscribers");
  EXPECT_EQ(m.status, 200);
  EXPECT_THAT(m.body, HasSubstr("t***@docomo.ne.jp"));
}

TEST_F(SubscribersRoutes, StationStaffAndUnitScopedPeopleAreRefusedAndAudited) {
  for (const char* who : {"chuo.tanto", "chuo.shocho", "seian.hosa"}) {
    auto page = get(login(who), "/admin/alerts/subscribers");
    EXPECT_EQ(page.status, 403) << who;
    EXPECT_THAT(page.body, HasSubstr("権限がありません")) << who;
    EXPECT_THAT(page.body, Not(HasSubstr("t***@docomo.ne.jp"))) << who;
  }
  EXPECT_EQ(count_audit("alerts.subscriber.view", "refused"), 3u);
  // POSTs too, with no change.
  auto s = login("chuo.shocho");
  auto r = post(s, "/admin/alerts/subscribers/" + std::to_string(taro_) + "/reinstate", "csrf=" + csrf(s));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(state_of(taro_), "suspended/3");
  EXPECT_EQ(count_audit("alerts.subscriber.reinstate", "refused"), 1u);
}

TEST_F(SubscribersRoutes, ViewersWithoutAdministrationSeeMaskedOnlyAndCannotReveal) {
  auto s = login("seian.etsuran");
  auto page = get(s, "/admin/alerts/subscribers");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("t***@docomo.ne.jp"));
  EXPECT_THAT(page.body, Not(HasSubstr("/reveal")));
  EXPECT_THAT(page.body, Not(HasSubstr("/reinstate")));
  auto r = post(s, "/admin/alerts/subscribers/" + std::to_string(taro_) + "/reveal", "csrf=" + csrf(s));
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, Not(HasSubstr("taro.yamada")));
  EXPECT_EQ(count_audit("alerts.subscriber.reveal", "refused"), 1u);
  EXPECT_EQ(count_audit("alerts.subscriber.reveal", "ok"), 0u);
  auto rm = post(s, "/admin/alerts/subscribers/" + std::to_string(taro_) + "/remove", "csrf=" + csrf(s) + "&confirm=1");
  EXPECT_EQ(rm.status, 403);
  EXPECT_EQ(state_of(taro_), "suspended/3");
}

TEST_F(SubscribersRoutes, RevealShowsTheAddressOnceAndIsAudited) {
  auto s = login("seian.kacho");
  auto r = post(s, "/admin/alerts/subscribers/" + std::to_string(taro_) + "/reveal", "csrf=" + csrf(s));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("taro.yamada@docomo.ne.jp"));
  EXPECT_THAT(r.cache_control, HasSubstr("no-store"));
  auto rows = audit_rows("alerts.subscriber.reveal");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(std::get<1>(rows[0]), "ok");
  EXPECT_THAT(std::get<2>(rows[0]), Not(HasSubstr("taro")));
  // Without the CSRF token: refused by the guard, nothing shown.
  auto no_csrf = post(s, "/admin/alerts/subscribers/" + std::to_string(taro_) + "/reveal", "");
  EXPECT_NE(no_csrf.status, 200);
  EXPECT_THAT(no_csrf.body, Not(HasSubstr("taro.yamada")));
  // Unknown id: 404, audited as refused.
  auto missing = post(s, "/admin/alerts/subscribers/999999/reveal", "csrf=" + csrf(s));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(count_audit("alerts.subscriber.reveal", "refused"), 1u);
}

TEST_F(SubscribersRoutes, ReinstateAndRemove) {
  auto s = login("seian.kacho");
  auto r = post(s, "/admin/alerts/subscribers/" + std::to_string(taro_) + "/reinstate", "csrf=" + csrf(s));
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.location, "/admin/alerts/subscribers?done=reinstate");
  EXPECT_EQ(state_of(taro_), "confirmed/0");
  EXPECT_EQ(count_audit("alerts.subscriber.reinstate", "ok"), 1u);
  auto page = get(s, "/admin/alerts/subscribers?done=reinstate");
  EXPECT_THAT(page.body, HasSubstr("配信を再開しました。"));
  EXPECT_THAT(page.body, Not(HasSubstr("t***@docomo.ne.jp")));
  // Reinstating a confirmed one: 409, no change.
  auto again = post(s, "/admin/alerts/subscribers/" + std::to_string(taro_) + "/reinstate", "csrf=" + csrf(s));
  EXPECT_EQ(again.status, 409);

  // Removal needs the confirmation box.
  const std::string rm = "/admin/alerts/subscribers/" + std::to_string(hanako_) + "/remove";
  auto unconfirmed = post(s, rm, "csrf=" + csrf(s));
  EXPECT_EQ(unconfirmed.status, 422);
  EXPECT_THAT(unconfirmed.body, HasSubstr("チェックを入れてください"));
  EXPECT_EQ(state_of(hanako_), "suspended/3");
  auto removed = post(s, rm, "csrf=" + csrf(s) + "&confirm=1");
  ASSERT_EQ(removed.status, 303) << removed.body;
  EXPECT_EQ(state_of(hanako_), "gone");
  EXPECT_EQ(count_audit("alerts.subscriber.remove", "ok"), 1u);
  // Removing a confirmed resident (taro now) is refused.
  auto live = post(s, "/admin/alerts/subscribers/" + std::to_string(taro_) + "/remove", "csrf=" + csrf(s) + "&confirm=1");
  EXPECT_EQ(live.status, 409);
  EXPECT_EQ(state_of(taro_), "confirmed/0");
}

TEST_F(SubscribersRoutes, DomainFilterPagingAndHostileQueries) {
  auto s = login("seian.kacho");
  auto docomo = get(s, "/admin/alerts/subscribers?domain=docomo.ne.jp");
  ASSERT_EQ(docomo.status, 200);
  EXPECT_THAT(docomo.body, HasSubstr("t***@docomo.ne.jp"));
  EXPECT_THAT(docomo.body, Not(HasSubstr("h***@ezweb.ne.jp")));
  EXPECT_THAT(docomo.body, HasSubstr("<option value=\"docomo.ne.jp\" selected>"));
  auto none = get(s, "/admin/alerts/subscribers?domain=softbank.ne.jp");
  EXPECT_EQ(none.status, 200);
  EXPECT_THAT(none.body, HasSubstr("このドメインで一時停止中のアドレスはありません。"));

  // 55 more suspended: a first page of 50 with a link to the next one, which holds the rest.
  ASSERT_TRUE(db().write([&](store::Session& st) -> Result<void> {
    for (int i = 0; i < 55; ++i) KOBAN_TRY(make(st, "bulk" + std::to_string(i) + "@au.com", {1}, 0, 3));
    return ok();
  }));
  auto first = get(s, "/admin/alerts/subscribers");
  ASSERT_EQ(first.status, 200);
  const auto next_at = first.body.find("/admin/alerts/subscribers?after=");
  ASSERT_NE(next_at, std::string::npos);
  const std::string next = first.body.substr(next_at, first.body.find('#', next_at) - next_at);
  auto count_rows = [](const std::string& body) {
    std::size_t n = 0;
    for (auto p = body.find("/reinstate\""); p != std::string::npos; p = body.find("/reinstate\"", p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count_rows(first.body), 50u);
  auto second = get(s, next);
  ASSERT_EQ(second.status, 200) << next;
  EXPECT_EQ(count_rows(second.body), 7u);
  EXPECT_THAT(second.body, Not(HasSubstr("?after=")));

  for (const char* bad : {"/admin/alerts/subscribers?after=junk", "/admin/alerts/subscribers?after=1.0",
                          "/admin/alerts/subscribers?done=x"})
    EXPECT_EQ(get(s, bad).status, 400) << bad;
  EXPECT_EQ(get(s, "/admin/alerts/subscribers?domain=" + std::string(300, 'a')).status, 400);
}

TEST(SubscriberSettingsFromConfig, DefaultsFileAndEnvironmentWithBounds) {
  auto d = Config::parse("", {});
  ASSERT_TRUE(d) << d.error().message;
  auto s = subscriber_settings(*d);
  EXPECT_EQ(s.confirm_ttl, std::chrono::hours(24));
  EXPECT_EQ(s.resend_interval, std::chrono::minutes(10));
  EXPECT_EQ(s.ip_limit_per_hour, 30);
  EXPECT_EQ(s.hard_failure_limit, 3);

  auto c = Config::parse("[alerts]\nconfirm_ttl_hours = 48\nresend_interval_minutes = 0\nhard_failure_limit = 5\n",
                         {{"KOBAN_ALERTS_SIGNUPS_PER_IP_PER_HOUR", "100000"}});
  ASSERT_TRUE(c) << c.error().message;
  s = subscriber_settings(*c);
  EXPECT_EQ(s.confirm_ttl, std::chrono::hours(48));
  EXPECT_EQ(s.resend_interval, std::chrono::minutes(0));
  EXPECT_EQ(s.ip_limit_per_hour, 100000);
  EXPECT_EQ(s.hard_failure_limit, 5);

  // Unsafe values are bounded: a link that dies at once, a limit of 0 failures.
  auto b = Config::parse("[alerts]\nconfirm_ttl_hours = 0\nhard_failure_limit = 0\nresend_interval_minutes = 999999\n", {});
  ASSERT_TRUE(b) << b.error().message;
  s = subscriber_settings(*b);
  EXPECT_EQ(s.confirm_ttl, std::chrono::hours(1));
  EXPECT_EQ(s.hard_failure_limit, 1);
  EXPECT_EQ(s.resend_interval, std::chrono::minutes(24 * 60));
  EXPECT_FALSE(Config::parse("[alerts]\nhard_failure_limit = many\n", {}));
}

}  // namespace
}  // namespace koban::app::testing
