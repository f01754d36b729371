// Delivering approved alerts (alert_delivery.h) through the real SMTP client into the counting
// sink of tests/mail/bulk_sink.h, on SQLite and PostgreSQL, with the demo force as the people.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "alerts/alert_delivery.h"
#include "alerts/alert_kind.h"
#include "alerts/alerts.h"
#include "alerts/alerts_migrations.h"
#include "alerts/subscriber_migrations.h"
#include "alerts/subscribers.h"
#include "audit/audit_log.h"
#include "mail/bulk/bulk.h"
#include "mail/bulk_sink.h"
#include "mail/outbox.h"
#include "org/demo.h"
#include "org/org_migrations.h"
#include "org/people.h"
#include "org/units.h"
#include "store/migrations.h"
#include "store/test_db.h"
#include "workflow/workflow_migrations.h"

namespace koban::alerts {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const Instant kWed10 = from_jst({{2026, 11, 18}, 10, 0, 0});
const std::string kSecret(32, 's');
const Approval kChecked{.checklist = {true, true, true}};

class AlertDeliveryTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_TRUE(reg.add("store", store::store_migrations()).ok());
    ASSERT_TRUE(reg.add("org", org::org_migrations()).ok());
    ASSERT_TRUE(reg.add("audit", audit::audit_migrations()).ok());
    ASSERT_TRUE(reg.add("workflow", workflow::workflow_migrations()).ok());
    ASSERT_TRUE(reg.add("mail", mail::outbox_migrations()).ok());
    ASSERT_TRUE(reg.add("subscribers", subscriber_migrations()).ok());
    ASSERT_TRUE(reg.add("alerts", alerts_migrations()).ok());
    ASSERT_TRUE(reg.add("mail_bulk", mail::bulk::bulk_migrations()).ok());
    auto m = store::migrate(*db_, reg, kWed10);
    ASSERT_TRUE(m.ok()) << m.error().message;
    ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(org::fill_demo(s, kWed10 - std::chrono::hours(24 * 400)));
      return ok();
    }));
    ASSERT_OK(register_alert_kind(kinds, settings.calendar));
    auto k = SubscriberKeys::from_secret(kSecret);
    ASSERT_TRUE(k);
    keys.emplace(*k);
    subs = std::make_unique<Subscribers>(*keys, SubscriberSettings{.base_url = "https://police.example.jp",
                                                                    .mail_transport = "catcher",
                                                                    .ip_limit_per_hour = 0});
    ds.base_url = "https://police.example.jp";
    ds.from = {"サンプル県警察", "anshin@police.example.jp"};
    ds.force_name = "サンプル県警察";
    ds.bulk.data_dir = dir_;
    ds.bulk.node = "test-node";
    ds.bulk.retry_base = std::chrono::milliseconds(10);
    ds.bulk.fold_interval = std::chrono::milliseconds(20);
  }

  org::PersonId pid(const std::string& login) {
    org::PersonId id = 0;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
      if (!p) return Error::not_found(login);
      id = p->id;
      return ok();
    }).ok()) << login;
    return id;
  }
  org::UnitId unit(const std::string& code) {
    org::UnitId id = 0;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto u, org::find_unit_by_code(s, code));
      if (!u) return Error::not_found(code);
      id = u->id;
      return ok();
    }).ok()) << code;
    return id;
  }
  // Writes and approves an alert; returns its id (0 on failure, with a test failure).
  std::int64_t approved(const std::string& writer, const std::string& approver, AlertInput in) {
    std::int64_t id = 0;
    auto r = db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(id, create_alert(s, kinds, settings, in, {.person = pid(writer)}, kWed10));
      return ok();
    });
    EXPECT_TRUE(r) << r.error().message;
    auto a = db_->write([&](store::Session& s) {
      return approve_alert(s, kinds, settings, id, {.person = pid(approver)}, kChecked, kWed10);
    });
    EXPECT_TRUE(a) << a.error().message;
    return id;
  }
  // A confirmed subscriber (or pending when confirm is false).
  std::int64_t subscriber(const std::string& address, std::vector<int> cats, AreaChoice areas,
                          MailEncoding enc = MailEncoding::utf8, bool confirm = true) {
    std::int64_t id = 0;
    auto r = db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto res, subs->subscribe(s, {.address = address, .categories = cats, .areas = areas,
                                                 .encoding = enc},
                                             kWed10 - std::chrono::hours(48)));
      id = res.subscriber_id;
      if (confirm) KOBAN_TRY(subs->confirm(s, res.confirm_token, kWed10 - std::chrono::hours(47)));
      return ok();
    });
    EXPECT_TRUE(r) << address << ": " << r.error().message;
    return id;
  }
  Result<DeliveryOutcome> deliver(mail::testing::BulkSink& sink, std::int64_t alert_id) {
    mail::SmtpDelivery smtp({.host = "127.0.0.1", .port = sink.port(), .tls = mail::TlsMode::none},
                            mail::bulk::carrier_policy({}, 0, 0));
    return deliver_alert(*db_, &smtp, *keys, ds, alert_id, clock);
  }
  std::int64_t count(const std::string& sql) {
    std::int64_t n = -1;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query(sql));
      n = rows.at(0).int64(0);
      return ok();
    }).ok());
    return n;
  }
  Subscriber get(std::int64_t id) {
    Subscriber out;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(out, subs->get(s, id));
      return ok();
    }).ok());
    return out;
  }

  workflow::KindRegistry kinds;
  Settings settings;
  std::optional<SubscriberKeys> keys;
  std::unique_ptr<Subscribers> subs;
  DeliverySettings ds;
  FixedClock clock{kWed10 + std::chrono::minutes(1)};
  AlertInput sample{.category = 3, .title = "不審者の出没", .body = "本日午前9時ころ、中央市本町で不審な男が目撃されました。"};
};

// The header value of `name` in a raw message (first line only).
std::string header(const std::string& raw, const std::string& name) {
  const auto at = raw.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  const auto start = at + name.size() + 4;
  return raw.substr(start, raw.find("\r\n", start) - start);
}

TEST_P(AlertDeliveryTest, ReachesExactlyTheMatchingSubscribersInTheirEncodingWithWorkingLinks) {
  const auto chuo = unit("chuo"), kita = unit("kita");
  const auto a = subscriber("a.chuo@example.jp", {3}, {.units = {chuo}});
  const auto b = subscriber("b..whole@docomo.ne.jp", {1, 3}, {.whole_prefecture = true}, MailEncoding::iso2022jp);
  subscriber("c.kita@example.jp", {3}, {.units = {kita}});                   // other area
  subscriber("d.cat1@example.jp", {1}, {.units = {chuo}});                   // other category
  subscriber("e.pending@example.jp", {3}, {.units = {chuo}}, MailEncoding::utf8, false);  // never confirmed
  const auto f = subscriber("f.left@example.jp", {3}, {.units = {chuo, kita}});
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto sub, subs->get(s, f));
    KOBAN_TRY(subs->unsubscribe(s, subs->personal_token(f, sub.link_key), kWed10 - std::chrono::hours(1)));
    return ok();
  }));

  const auto id = approved("chuo.tanto", "chuo.shocho", sample);
  ASSERT_GT(id, 0);
  mail::testing::BulkSink sink;
  auto out = deliver(sink, id);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->done);
  EXPECT_FALSE(out->demo);
  EXPECT_EQ(out->progress.total, 2);
  EXPECT_EQ(out->progress.sent, 2);
  const auto accepted = sink.accepted();
  EXPECT_EQ(accepted, (std::map<std::string, int>{{"a.chuo@example.jp", 1}, {"b..whole@docomo.ne.jp", 1}}));

  // UTF-8 for a, ISO-2022-JP for b; RFC 8058 headers and a Message-ID on both.
  const std::string ma = sink.last_data("a.chuo@example.jp");
  const std::string mb = sink.last_data("b..whole@docomo.ne.jp");
  EXPECT_THAT(ma, HasSubstr("charset=UTF-8"));
  EXPECT_THAT(mb, HasSubstr("charset=ISO-2022-JP"));
  EXPECT_THAT(mb, Not(HasSubstr("charset=UTF-8")));
  for (const auto* m : {&ma, &mb}) {
    EXPECT_EQ(header(*m, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    EXPECT_THAT(header(*m, "List-Unsubscribe"), ::testing::StartsWith("<https://police.example.jp/alerts/unsubscribe/"));
    EXPECT_THAT(header(*m, "Message-ID"), ::testing::MatchesRegex("<[0-9a-f]+\\.[0-9]+@police\\.example\\.jp>"));
    EXPECT_FALSE(header(*m, "Date").empty());
  }
  EXPECT_NE(header(ma, "Message-ID"), header(mb, "Message-ID"));
  EXPECT_THAT(header(ma, "To"), HasSubstr("a.chuo@example.jp"));
  // The subject is 【防犯情報】-style: the category name in brackets, then the title (UTF-8 B words).
  EXPECT_THAT(header(ma, "Subject"), HasSubstr("=?UTF-8?B?"));

  // The personal links work: the manage link in the text and the one-click unsubscribe URL.
  const std::string ua = header(ma, "List-Unsubscribe");
  const std::string token = ua.substr(ua.rfind('/') + 1, ua.size() - ua.rfind('/') - 2);
  std::string text_a = std::regex_replace(ma, std::regex("=\r\n"), "");
  EXPECT_THAT(text_a, HasSubstr("https://police.example.jp/alerts/manage/" + token));
  EXPECT_THAT(mb, HasSubstr("https://police.example.jp/alerts/manage/"));
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto found, subs->find_by_personal_token(s, token));
    EXPECT_EQ(found.id, a);
    KOBAN_ASSIGN(auto left, subs->unsubscribe(s, token, kWed10 + std::chrono::hours(1)));
    EXPECT_TRUE(left);
    return ok();
  }));
  EXPECT_EQ(get(a).state, SubscriberState::unsubscribed);
  EXPECT_EQ(get(b).state, SubscriberState::confirmed);

  // The alert is sent; a second job for it sends nothing and makes no second run.
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto al, get_alert(s, id));
    EXPECT_EQ(al.state, "sent");
    EXPECT_TRUE(al.sent_at.has_value());
    return ok();
  }));
  auto again = deliver(sink, id);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->done);
  EXPECT_EQ(sink.accepted_total(), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_bulk_runs WHERE kind = 'alert'"), 1);
}

TEST_P(AlertDeliveryTest, WholePrefectureReachesEveryAreaAndTheSubjectCarriesTheFollowUpLabel) {
  const auto chuo = unit("chuo"), kita = unit("kita");
  subscriber("a@example.jp", {3}, {.units = {chuo}});
  subscriber("b@example.jp", {3}, {.units = {kita}});
  subscriber("c@example.jp", {2}, {.units = {kita}});
  AlertInput whole = sample;
  whole.whole_prefecture = true;
  const auto id = approved("keiji.hosa", "keiji.kacho", whole);
  ASSERT_GT(id, 0);
  mail::testing::BulkSink sink;
  auto out = deliver(sink, id);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(sink.accepted(), (std::map<std::string, int>{{"a@example.jp", 1}, {"b@example.jp", 1}}));

  // A follow-up (続報) of it: its subject says so.
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto m, AlertMessages::build(s, *keys, id, ds, kWed10));
    EXPECT_EQ(m.subject(), "【防犯情報】不審者の出没");
    return ok();
  }));
  AlertInput follow{.category = 3, .title = "不審者の出没（続報）", .body = "男は確保されました。",
                    .whole_prefecture = true, .follows_id = id, .follow_kind = FollowKind::update};
  const auto f = approved("keiji.hosa", "keiji.kacho", follow);
  ASSERT_GT(f, 0);
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto m, AlertMessages::build(s, *keys, f, ds, kWed10));
    EXPECT_EQ(m.subject(), "【防犯情報】【続報】不審者の出没（続報）");
    KOBAN_ASSIGN(auto raw, m.render(7, "x@example.jp", "7.abc", MailEncoding::utf8));
    EXPECT_THAT(std::regex_replace(raw, std::regex("=\r\n"), ""), HasSubstr("https://police.example.jp/alerts/manage/7.abc"));
    EXPECT_THAT(raw, HasSubstr("List-Unsubscribe: <https://police.example.jp/alerts/unsubscribe/7.abc>\r\n"));
    return ok();
  }));
}

TEST_P(AlertDeliveryTest, HardFailuresSuspendAfterTheThresholdAndSuccessResets) {
  ds.hard_failure_limit = 2;
  const auto chuo = unit("chuo");
  const auto bad = subscriber("gone@docomo.ne.jp", {3}, {.units = {chuo}});
  const auto good = subscriber("fine@example.jp", {3}, {.units = {chuo}});
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("UPDATE subscribers SET hard_failures = 1 WHERE id = ?", good));  // an old bounce
    return ok();
  }));
  mail::testing::BulkSink sink({.rcpt_reply = [](const std::string& rcpt, int) {
    return rcpt == "gone@docomo.ne.jp" ? std::string("550 5.1.1 user unknown") : std::string();
  }});
  const auto first = approved("chuo.tanto", "chuo.shocho", sample);
  auto out = deliver(sink, first);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->done);
  EXPECT_EQ(out->progress.bounced, 1);
  EXPECT_EQ(out->progress.sent, 1);
  EXPECT_EQ(get(bad).state, SubscriberState::confirmed);
  EXPECT_EQ(get(bad).hard_failures, 1);
  EXPECT_EQ(get(good).hard_failures, 0);  // a success resets the count

  // The bounced address, for the progress page: in clear from the service, masked for display.
  auto bounced = bounced_addresses(*db_, *keys, out->progress.run_id);
  ASSERT_TRUE(bounced);
  ASSERT_EQ(bounced->size(), 1u);
  EXPECT_EQ((*bounced)[0].address, "gone@docomo.ne.jp");
  EXPECT_EQ((*bounced)[0].code, 550);
  EXPECT_EQ(mask_address((*bounced)[0].address), "g***@docomo.ne.jp");

  const auto second = approved("chuo.tanto", "chuo.shocho", sample);
  out = deliver(sink, second);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(get(bad).state, SubscriberState::suspended);

  // Suspended: not among the next alert's recipients.
  const auto third = approved("chuo.tanto", "chuo.shocho", sample);
  out = deliver(sink, third);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->progress.total, 1);
  EXPECT_EQ(sink.accepted().at("fine@example.jp"), 3);
}

TEST_P(AlertDeliveryTest, WithoutSmtpTheDemoKeepsTheFirstMessagesAndRecordsTheRestAsSent) {
  ds.catcher_keep = 2;
  const auto chuo = unit("chuo");
  for (int i = 0; i < 5; ++i) subscriber("demo" + std::to_string(i) + "@example.jp", {3}, {.units = {chuo}});
  const auto id = approved("chuo.tanto", "chuo.shocho", sample);
  auto out = deliver_alert(*db_, nullptr, *keys, ds, id, clock);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->done);
  EXPECT_TRUE(out->demo);
  EXPECT_EQ(out->progress.state, "done");
  EXPECT_EQ(out->progress.sent, 5);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_outbox WHERE transport = 'catcher' AND batch_key = 'alert:" +
                  std::to_string(id) + "'"),
            2);
  auto again = deliver_alert(*db_, nullptr, *keys, ds, id, clock);
  ASSERT_TRUE(again);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_outbox WHERE batch_key = 'alert:" + std::to_string(id) + "'"), 2);
}

TEST_P(AlertDeliveryTest, DemoRunsAndDailyFiguresForTheCharts) {
  const auto chuo = unit("chuo");
  for (int i = 0; i < 50; ++i) subscriber("r" + std::to_string(i) + "@example.jp", {3}, {.units = {chuo}});
  const auto id = approved("chuo.tanto", "chuo.shocho", sample);
  ASSERT_OK(db_->write([&](store::Session& s) { return mark_sent(s, id, kWed10); }));
  int made = 0;
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(made, fill_demo_alert_runs(s, kWed10));
    return ok();
  }));
  EXPECT_EQ(made, 1);
  std::vector<DailyDeliveries> days;
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(made, fill_demo_alert_runs(s, kWed10));  // idempotent (and writes nothing)
    KOBAN_ASSIGN(days, deliveries_per_day(s, Date{2026, 11, 17}, Date{2026, 11, 19}));
    return ok();
  }));
  EXPECT_EQ(made, 0);
  ASSERT_EQ(days.size(), 3u);
  EXPECT_EQ(days[0].alerts, 0);
  EXPECT_EQ(days[1].alerts, 1);
  EXPECT_EQ(days[1].sent + days[1].bounced, 50 - count("SELECT skipped FROM mail_bulk_runs"));
  EXPECT_GT(days[1].sent, 40);
  EXPECT_EQ(days[2].sent, 0);
}

TEST_P(AlertDeliveryTest, DeferredRetriesLeaveTheAlertUnsentUntilAFollowingJobFinishesIt) {
  ds.bulk.max_wait = std::chrono::milliseconds(0);  // never wait inside send(): report resume_at
  const auto chuo = unit("chuo");
  subscriber("busy@ezweb.ne.jp", {3}, {.units = {chuo}});
  subscriber("fine@example.jp", {3}, {.units = {chuo}});
  mail::testing::BulkSink sink({.rcpt_reply = [](const std::string& rcpt, int n) {
    return rcpt == "busy@ezweb.ne.jp" && n == 1 ? std::string("451 4.7.1 try again later") : std::string();
  }});
  const auto id = approved("chuo.tanto", "chuo.shocho", sample);
  auto out = deliver(sink, id);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_FALSE(out->done);
  ASSERT_TRUE(out->resume_at.has_value());
  EXPECT_EQ(out->progress.deferred, 1);
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, get_alert(s, id));
    EXPECT_EQ(a.state, "sending");  // delivery began; not sent while a retry is outstanding
    return ok();
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // the 10 ms backoff
  out = deliver(sink, id);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->done);
  EXPECT_EQ(out->progress.sent, 2);
  EXPECT_EQ(sink.accepted(), (std::map<std::string, int>{{"busy@ezweb.ne.jp", 1}, {"fine@example.jp", 1}}));
}

KOBAN_BACKEND_TESTS(AlertDeliveryTest);

}  // namespace
}  // namespace koban::alerts
