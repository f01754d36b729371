// The delivery progress and statistics pages end to end over HTTP with the demo force
// (admin_alerts_progress_routes.h): a real delivery into the counting sink first.
#include <gmock/gmock.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "alerts/alert_delivery.h"
#include "alerts/alert_kind.h"
#include "alerts/alerts.h"
#include "alerts/alerts_migrations.h"
#include "alerts/subscriber_migrations.h"
#include "alerts/subscribers.h"
#include "app/admin_alerts_progress_routes.h"
#include "app/alerts_delivery_setup.h"
#include "store/jobs.h"
#include "store/worker.h"
#include "mail/bulk/bulk.h"
#include "mail/bulk_sink.h"
#include "org/units.h"
#include "staff_app_fixture.h"
#include "store/migrations.h"

namespace koban::app::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSecret(32, 's');

class AlertsProgressRoutes : public StaffAppTest {
 protected:
  void add_routes(http::Router& r) override {
    auto keys = alerts::SubscriberKeys::from_secret(kSecret);
    ASSERT_TRUE(keys);
    add_alerts_progress_routes(r, db(), staff(), *keys, {.smtp = true}, clock_);
  }
  void SetUp() override {
    StaffAppTest::SetUp();
    if (HasFatalFailure()) return;
    // Until database_setup.cc registers them (once per process: app_test shares the registry).
    static std::mutex mu;
    {
      std::lock_guard lock(mu);
      auto present = [](const char* name) {
        for (const auto& m : store::migration_registry().modules())
          if (m.name == name) return true;
        return false;
      };
      if (!present("subscribers")) ASSERT_TRUE(alerts::register_subscriber_migrations());
      if (!present("alerts")) ASSERT_TRUE(alerts::register_alerts_migrations());
      if (!present("mail_bulk")) ASSERT_TRUE(mail::bulk::register_bulk_migrations());
    }
    auto m = store::migrate(db());
    ASSERT_TRUE(m) << m.error().message;
    ASSERT_TRUE(alerts::register_alert_kind(kinds_, settings_.calendar));
    auto keys = alerts::SubscriberKeys::from_secret(kSecret);
    ASSERT_TRUE(keys);
    keys_.emplace(*keys);
    subs_ = std::make_unique<alerts::Subscribers>(*keys_, alerts::SubscriberSettings{
                                                             .base_url = "https://police.example.jp",
                                                             .mail_transport = "catcher", .ip_limit_per_hour = 0});
    ASSERT_TRUE(db().read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto u, org::find_unit_by_code(s, "chuo"));
      chuo_ = u->id;
      return ok();
    }));
    for (const char* a : {"ok1@example.jp", "ok2@example.jp", "gone@docomo.ne.jp"}) subscribe(a);
    alert_id_ = approved_alert();
  }
  void subscribe(const std::string& address) {
    auto r = db().write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto res, subs_->subscribe(s, {.address = address, .categories = {3}, .areas = {.units = {chuo_}}},
                                              clock_.now() - std::chrono::hours(2)));
      KOBAN_TRY(subs_->confirm(s, res.confirm_token, clock_.now() - std::chrono::hours(1)));
      return ok();
    });
    ASSERT_TRUE(r) << r.error().message;
  }
  std::int64_t approved_alert() {
    std::int64_t id = 0;
    auto r = db().write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(id, alerts::create_alert(s, kinds_, settings_, {.category = 3, .title = "不審者の出没",
                                                                   .body = "中央市本町で不審な男が目撃されました。"},
                                            {.person = person("chuo.tanto").id}, clock_.now()));
      return alerts::approve_alert(s, kinds_, settings_, id, {.person = person("chuo.shocho").id},
                                   {.checklist = {true, true, true}}, clock_.now());
    });
    EXPECT_TRUE(r) << r.error().message;
    return id;
  }
  void deliver() {
    mail::testing::BulkSink sink({.rcpt_reply = [](const std::string& rcpt, int) {
      return rcpt == "gone@docomo.ne.jp" ? std::string("550 5.1.1 user unknown") : std::string();
    }});
    mail::SmtpDelivery smtp({.host = "127.0.0.1", .port = sink.port(), .tls = mail::TlsMode::none}, {});
    alerts::DeliverySettings ds{.base_url = "https://police.example.jp",
                                .from = {"サンプル県警察", "anshin@police.example.jp"},
                                .force_name = "サンプル県警察"};
    ds.bulk.data_dir = dir_.string();
    ds.bulk.fold_interval = std::chrono::milliseconds(20);
    auto out = alerts::deliver_alert(db(), &smtp, *keys_, ds, alert_id_, clock_);
    ASSERT_TRUE(out) << out.error().message;
    ASSERT_TRUE(out->done);
    EXPECT_EQ(sink.accepted_total(), 2);
  }
  std::string progress_path() const { return "/admin/alerts/" + std::to_string(alert_id_) + "/progress"; }

  workflow::KindRegistry kinds_;
  alerts::Settings settings_;
  std::optional<alerts::SubscriberKeys> keys_;
  std::unique_ptr<alerts::Subscribers> subs_;
  org::UnitId chuo_ = 0;
  std::int64_t alert_id_ = 0;
};

TEST_F(AlertsProgressRoutes, BeforeTheRunThePageWaitsAndRefreshesWithoutJavaScript) {
  auto s = login("chuo.tanto");
  auto page = get(s, progress_path());
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("配信はまだ始まっていません"));
  EXPECT_THAT(page.body, HasSubstr("<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>"));
  EXPECT_THAT(page.body, HasSubstr("<progress"));
  EXPECT_THAT(page.body, HasSubstr("src=\"/static/js/progress.js\""));
  EXPECT_THAT(page.body, Not(HasSubstr("<script>")));  // no inline script (CSP)
  auto events = get(s, progress_path() + "/events");
  ASSERT_EQ(events.status, 200);
  EXPECT_THAT(events.body, ::testing::StartsWith("retry: 1000\nevent: progress\ndata: "));
  auto j = nlohmann::json::parse(events.body.substr(events.body.find("data: ") + 6), nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_FALSE(j["started"].get<bool>());
}

TEST_F(AlertsProgressRoutes, FinalFiguresWithBouncesMaskedUnlessTheViewerAdministersAlerts) {
  deliver();
  auto s = login("chuo.tanto");  // alerts view on 中央警察署, no administer
  auto page = get(s, progress_path());
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("配信完了"));
  EXPECT_THAT(page.body, HasSubstr("<td data-field=\"total\">3</td>"));
  EXPECT_THAT(page.body, HasSubstr("<td data-field=\"sent\">2</td>"));
  EXPECT_THAT(page.body, HasSubstr("<td data-field=\"bounced\">1</td>"));
  EXPECT_THAT(page.body, HasSubstr("value=\"3\""));
  EXPECT_THAT(page.body, HasSubstr("g***@docomo.ne.jp"));
  EXPECT_THAT(page.body, Not(HasSubstr("gone@docomo.ne.jp")));
  EXPECT_THAT(page.body, Not(HasSubstr("http-equiv=\"refresh\"")));  // done: nothing to wait for

  auto events = get(s, progress_path() + "/events");
  ASSERT_EQ(events.status, 200);
  auto j = nlohmann::json::parse(events.body.substr(events.body.find("data: ") + 6), nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_TRUE(j["done"].get<bool>());
  EXPECT_EQ(j["sent"].get<int>(), 2);
  EXPECT_EQ(j["percent"].get<int>(), 100);
  EXPECT_EQ(events.body.find("gone@"), std::string::npos);

  auto admin = login("seian.kacho");  // 安全安心メールの業務主管課長: administers alerts force-wide
  page = get(admin, progress_path());
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("gone@docomo.ne.jp"));
  EXPECT_THAT(page.body, HasSubstr("550"));
}

TEST_F(AlertsProgressRoutes, OtherStationsAndOtherPurposesAreRefused) {
  deliver();
  auto kita = login("kita.tanto");
  EXPECT_EQ(get(kita, progress_path()).status, 403);
  EXPECT_EQ(get(kita, progress_path() + "/events").status, 403);
  auto s = login("chuo.tanto");
  EXPECT_EQ(get(s, "/admin/alerts/999999/progress").status, 404);
  EXPECT_EQ(get(s, "/admin/alerts/abc/progress").status, 404);
  EXPECT_EQ(get("", progress_path()).status, 303);  // not logged in: to the login page
}

TEST_F(AlertsProgressRoutes, StatsDrawServerSideChartsWithTheirTables) {
  deliver();
  // The bulk sender stamps runs with the system clock; the pages use the fixture's fixed day.
  ASSERT_TRUE(db().write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("UPDATE mail_bulk_runs SET finished_at = ?", to_unix(clock_.now())));
    return ok();
  }));
  auto s = login("chuo.tanto");
  auto page = get(s, "/admin/alerts/stats");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("<svg"));
  EXPECT_THAT(page.body, HasSubstr("<rect"));  // today's bar
  EXPECT_THAT(page.body, HasSubstr("<caption>日別の配信数（配信のあった日）</caption>"));
  EXPECT_THAT(page.body, HasSubstr("<th scope=\"row\">2026-11-24</th><td>1</td><td>2</td><td>1</td>"));
  EXPECT_THAT(page.body, HasSubstr("合計2通"));
  EXPECT_THAT(page.body, Not(HasSubstr("<script")));
  EXPECT_THAT(page.body, Not(HasSubstr("style=")));  // the CSP forbids inline styles
}

// The job handler as the app registers it, with the demo's transport (catcher): the approval's
// job delivers, the alert ends sent, the first messages are in the catcher, the page says so.
TEST_F(AlertsProgressRoutes, TheDeliverJobSendsThroughTheCatcherInTheDemo) {
  config_.set("mail.transport", "catcher");
  store::Worker worker(db(), {.worker_id = "test", .threads = 1, .clock = &clock_});
  ASSERT_TRUE(register_alert_delivery(worker, db(), config_, dir_, kSecret, clock_));
  // The approval queued notifications too (no handler here: they fail and wait for a retry).
  for (int i = 0; i < 20; ++i) {
    auto ran = worker.run_once();
    ASSERT_TRUE(ran) << ran.error().message;
    if (!*ran) break;
  }
  std::string state;
  std::int64_t caught = -1, jobs_left = -1;
  ASSERT_TRUE(db().read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, alerts::get_alert(s, alert_id_));
    state = a.state;
    KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*) FROM mail_outbox WHERE transport = 'catcher' AND batch_key = ?",
                                    "alert:" + std::to_string(alert_id_)));
    caught = rows.at(0).int64(0);
    KOBAN_ASSIGN(rows, s.query("SELECT COUNT(*) FROM jobs WHERE kind = 'alerts.deliver' AND state <> 'done'"));
    jobs_left = rows.at(0).int64(0);
    return ok();
  }));
  EXPECT_EQ(state, "sent");
  EXPECT_EQ(caught, 3);
  EXPECT_EQ(jobs_left, 0);

  // A malformed payload fails the job (and is retried later), it never throws.
  std::int64_t bad = 0;
  ASSERT_TRUE(db().write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(bad, store::enqueue(s, {.kind = "alerts.deliver", .payload = "{\"alert_id\": \"x\"}",
                                         .run_at = clock_.now()},
                                     clock_.now()));
    return ok();
  }));
  auto ran = worker.run_once();
  ASSERT_TRUE(ran);
  EXPECT_TRUE(*ran);
  auto failed = store::get_job(db(), bad);
  ASSERT_TRUE(failed && *failed);
  EXPECT_EQ((*failed)->state, store::JobState::queued);
  EXPECT_THAT((*failed)->last_error.value_or(""), HasSubstr("alert_id"));
}

TEST_F(AlertsProgressRoutes, CarrierRatesComeFromTheConfigurationForConfiguredDomainsToo) {
  config_.set("alerts.docomo_rate", "7");
  config_.set("alerts.carrier_rate", "0");
  auto policy = alert_delivery_policy(config_);
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->domains.at("docomo.ne.jp").max_messages_per_second, 7);
  EXPECT_EQ(policy->domains.at("docomo.ne.jp").max_recipients_per_session, 100);
  EXPECT_EQ(policy->domains.at("au.com").max_messages_per_second, 0);
  EXPECT_EQ(policy->domains.at("i.softbank.jp").max_recipients_per_session, 100);
}

}  // namespace
}  // namespace koban::app::testing
