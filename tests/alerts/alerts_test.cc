// The alert part's service (alerts.h, alert_register.h, alert_send_requests.h, alert_preview.h,
// alert_demo.h) on SQLite and PostgreSQL, with the demo force as the people.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alerts/alert_demo.h"
#include "alerts/alert_kind.h"
#include "alerts/alert_preview.h"
#include "alerts/alert_register.h"
#include "alerts/alert_send_requests.h"
#include "alerts/alerts.h"
#include "alerts/alerts_migrations.h"
#include "audit/audit_log.h"
#include "org/demo.h"
#include "org/org_migrations.h"
#include "org/people.h"
#include "org/units.h"
#include "store/jobs.h"
#include "store/migrations.h"
#include "store/test_db.h"
#include "workflow/workflow_migrations.h"

namespace koban::alerts {
namespace {

using ::testing::HasSubstr;

const Instant kWed10 = from_jst({{2026, 11, 18}, 10, 0, 0});   // office hours, sending hours
const Instant kWed23 = from_jst({{2026, 11, 18}, 23, 0, 0});   // duty hours, outside sending hours

class AlertsTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_TRUE(reg.add("store", store::store_migrations()).ok());
    ASSERT_TRUE(reg.add("org", org::org_migrations()).ok());
    ASSERT_TRUE(reg.add("audit", audit::audit_migrations()).ok());
    ASSERT_TRUE(reg.add("workflow", workflow::workflow_migrations()).ok());
    ASSERT_TRUE(reg.add("alerts", alerts_migrations()).ok());
    auto m = store::migrate(*db_, reg, kWed10);
    ASSERT_TRUE(m.ok()) << m.error().message;
    ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(org::fill_demo(s, kWed10 - std::chrono::hours(24 * 400)));
      return ok();
    }));
    ASSERT_OK(register_alert_kind(kinds, settings.calendar));
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
  Result<std::int64_t> create(const std::string& login, AlertInput in, Instant at = kWed10) {
    std::int64_t id = 0;
    KOBAN_TRY(db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(id, create_alert(s, kinds, settings, in, {.person = pid(login)}, at));
      return ok();
    }));
    return id;
  }
  Result<void> approve(const std::string& login, std::int64_t id, Approval a, Instant at = kWed10) {
    return db_->write([&](store::Session& s) { return approve_alert(s, kinds, settings, id, {.person = pid(login)}, a, at); });
  }
  Alert alert(std::int64_t id) {
    Alert a;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(a, get_alert(s, id));
      return ok();
    }).ok());
    return a;
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
  std::vector<store::Job> jobs(const std::string& kind) {
    std::vector<store::Job> out;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT payload, run_at FROM jobs WHERE kind = ? ORDER BY id", kind));
      for (const auto& r : rows) {
        store::Job j;
        j.kind = kind;
        j.payload = r.text(0);
        j.run_at = from_unix(r.int64(1));
        out.push_back(j);
      }
      return ok();
    }).ok());
    return out;
  }
  void sent(std::int64_t id, Instant at) {
    ASSERT_OK(db_->write([&](store::Session& s) { return mark_sent(s, id, at); }));
  }

  static constexpr Approval kChecked{.checklist = {true, true, true}};
  workflow::KindRegistry kinds;
  Settings settings;
  AlertInput sample{.category = 3, .title = "不審者の出没", .body = "本日午前9時ころ、中央市本町で不審な男が目撃されました。"};
};

TEST_P(AlertsTest, StationDraftDefaultsToOwnAreaAndHeadApprovesAtOnce) {
  auto id = create("chuo.tanto", sample);
  ASSERT_OK(id);
  auto a = alert(*id);
  EXPECT_EQ(a.state, "submitted");
  EXPECT_EQ(a.unit_id, unit("chuo"));
  EXPECT_THAT(a.areas, ::testing::ElementsAre(unit("chuo")));
  ASSERT_TRUE(a.request_id);

  ASSERT_OK(approve("chuo.shocho", *id, kChecked));
  a = alert(*id);
  EXPECT_EQ(a.state, "approved");
  EXPECT_EQ(a.send_after, kWed10);
  EXPECT_EQ(a.approved_by, pid("chuo.shocho"));
  auto deliver = jobs(kDeliverJob);
  ASSERT_EQ(deliver.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(deliver[0].payload)["alert_id"], *id);
  EXPECT_EQ(deliver[0].run_at, kWed10);

  std::vector<RegisterEntry> reg;
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(reg, register_entries(s, {.year = 2026}));
    return ok();
  }));
  ASSERT_EQ(reg.size(), 1u);
  EXPECT_EQ(reg[0].title, sample.title);
  EXPECT_EQ(reg[0].unit_name, "中央警察署");
  ASSERT_EQ(reg[0].approvals.size(), 1u);
  EXPECT_EQ(reg[0].approvals[0].acting_as, "所属長");
  EXPECT_EQ(reg[0].approvals[0].at, kWed10);
  EXPECT_THAT(reg[0].checklist, HasSubstr("二次被害のおそれなし"));
}

TEST_P(AlertsTest, ApprovalWithoutTheChecklistIsRefusedAndChangesNothing) {
  auto id = create("chuo.tanto", sample);
  ASSERT_OK(id);
  auto r = approve("chuo.shocho", *id, {.checklist = {true, false, true}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_THAT(r.error().message, HasSubstr("被害者が特定されない"));
  EXPECT_EQ(alert(*id).state, "submitted");
  EXPECT_TRUE(jobs(kDeliverJob).empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM alert_register"), 0);
}

TEST_P(AlertsTest, WriterAndPeopleWithoutTheRightCannotApprove) {
  auto id = create("chuo.fukushocho", sample);  // the PR lead writes; the head approves
  ASSERT_OK(id);
  for (const char* who : {"chuo.fukushocho", "chuo.tanto", "kita.shocho"}) {
    auto r = approve(who, *id, kChecked);
    ASSERT_FALSE(r) << who;
    EXPECT_EQ(r.error().code, ErrorCode::permission_denied) << who;
  }
  EXPECT_EQ(alert(*id).state, "submitted");
  ASSERT_OK(approve("chuo.shocho", *id, kChecked));
}

TEST_P(AlertsTest, TextLimitsCountCharactersAndRefuseEmptyText) {
  AlertInput in = sample;
  in.body = "　\n ";
  auto r = create("chuo.tanto", in);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("本文を入力してください"));
  in.body.clear();
  for (int i = 0; i < 1001; ++i) in.body += "あ";
  r = create("chuo.tanto", in);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("1000文字以内"));
  in.body.resize(in.body.size() - 3);  // exactly 1000 characters (3000 bytes) is fine
  ASSERT_OK(create("chuo.tanto", in));
  in.title = "件名\n改行";
  EXPECT_FALSE(create("chuo.tanto", in));
  EXPECT_EQ(count("SELECT COUNT(*) FROM alerts"), 1);
}

TEST_P(AlertsTest, OnlyHqSendsForSeveralStationsOrTheWholePrefecture) {
  AlertInput two = sample;
  two.areas = {unit("chuo"), unit("kita")};
  auto r = create("chuo.tanto", two);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::permission_denied);
  EXPECT_THAT(r.error().message, HasSubstr("送信依頼"));
  AlertInput whole = sample;
  whole.whole_prefecture = true;
  EXPECT_FALSE(create("chuo.tanto", whole));
  AlertInput other = sample;
  other.areas = {unit("kita")};
  EXPECT_FALSE(create("chuo.tanto", other));
  AlertInput bad = sample;
  bad.areas = {unit("koho")};
  EXPECT_FALSE(create("keiji.hosa", bad));
  EXPECT_EQ(count("SELECT COUNT(*) FROM alerts"), 0);

  auto hq = create("keiji.hosa", two);
  ASSERT_OK(hq);
  EXPECT_THAT(alert(*hq).areas, ::testing::ElementsAre(unit("chuo"), unit("kita")));
  auto wide = create("keiji.hosa", whole);
  ASSERT_OK(wide);
  EXPECT_TRUE(alert(*wide).whole_prefecture);
  // The HQ duty officer (whose own unit is 総務課) may too.
  ASSERT_OK(create("honbu.tochoku", whole));
}

TEST_P(AlertsTest, AtNightTheDutyOfficerApprovesAndTheAlertWaitsForSixUnlessUrgent) {
  auto id = create("chuo.tanto", sample, kWed23);
  ASSERT_OK(id);
  EXPECT_FALSE(approve("chuo.shocho", *id, kChecked, kWed23));  // duty hours: not the head's turn
  ASSERT_OK(approve("chuo.tochoku", *id, kChecked, kWed23));
  auto a = alert(*id);
  EXPECT_EQ(a.send_after, from_jst({{2026, 11, 19}, 6, 0, 0}));
  EXPECT_FALSE(a.urgent);
  ASSERT_EQ(jobs(kDeliverJob).size(), 1u);
  EXPECT_EQ(jobs(kDeliverJob)[0].run_at, from_jst({{2026, 11, 19}, 6, 0, 0}));
  // The head is told afterwards (the engine's post-hoc report), and the register says so.
  std::vector<RegisterEntry> reg;
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(reg, register_entries(s, {.date = Date{2026, 11, 18}}));
    return ok();
  }));
  ASSERT_EQ(reg.size(), 1u);
  EXPECT_EQ(reg[0].approvals.at(0).acting_as, "当直責任者");
  EXPECT_FALSE(reg[0].approvals.at(0).post_hoc_to.empty());

  auto urgent = create("chuo.tanto", sample, kWed23);
  ASSERT_OK(urgent);
  auto missing = approve("chuo.tochoku", *urgent, {.checklist = {true, true, true}, .urgent = true,
                                                   .urgent_reason = UrgentReason::suspect_at_large}, kWed23);
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("緊急配信"));
  ASSERT_OK(approve("chuo.tochoku", *urgent, {.checklist = {true, true, true}, .urgent = true,
                                               .urgent_reason = UrgentReason::suspect_at_large,
                                               .urgent_note = "刃物を持った男が逃走中"}, kWed23));
  a = alert(*urgent);
  EXPECT_EQ(a.send_after, kWed23);
  EXPECT_TRUE(a.urgent);
  EXPECT_EQ(a.urgent_reason, UrgentReason::suspect_at_large);
  EXPECT_EQ(a.urgent_note, "刃物を持った男が逃走中");
}

TEST_P(AlertsTest, FollowUpsLinkToTheOriginalAndResolutionsEndTheUnresolvedList) {
  auto orig = create("chuo.tanto", sample);
  ASSERT_OK(orig);
  // No follow-up before the original is approved.
  EXPECT_FALSE(create("chuo.tanto", {.title = "続報", .body = "続報です", .follows_id = *orig,
                                     .follow_kind = FollowKind::update}));
  ASSERT_OK(approve("chuo.shocho", *orig, kChecked));
  sent(*orig, kWed10);
  const Instant later = kWed10 + std::chrono::hours(24 * 8);
  std::vector<Alert> open;
  auto unresolved = [&](Instant at) {
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(open, unresolved_alerts(s, 7, at));
      return ok();
    }).ok());
    return open.size();
  };
  EXPECT_EQ(unresolved(kWed10 + std::chrono::hours(24)), 0u);  // younger than 7 days
  EXPECT_EQ(unresolved(later), 1u);
  // Another station cannot write the follow-up.
  EXPECT_FALSE(create("kita.tanto", {.title = "解除", .body = "解決しました", .follows_id = *orig,
                                     .follow_kind = FollowKind::resolution}));
  auto upd = create("chuo.tanto", {.title = "続報", .body = "引き続き警戒中です", .follows_id = *orig,
                                   .follow_kind = FollowKind::update}, later);
  ASSERT_OK(upd);
  EXPECT_EQ(alert(*upd).category, 3);
  EXPECT_THAT(alert(*upd).areas, ::testing::ElementsAre(unit("chuo")));
  auto res = create("chuo.tanto", {.title = "解除", .body = "被疑者を逮捕しました", .follows_id = *orig,
                                   .follow_kind = FollowKind::resolution}, later);
  ASSERT_OK(res);
  auto twice = create("chuo.tanto", {.title = "解除", .body = "二度目", .follows_id = *orig,
                                     .follow_kind = FollowKind::resolution}, later);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::conflict);
  ASSERT_OK(approve("chuo.shocho", *res, kChecked, later));
  EXPECT_EQ(unresolved(later), 1u);  // approved is not yet out
  sent(*res, later);
  EXPECT_EQ(unresolved(later), 0u);
  std::vector<Alert> f;
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(f, follow_ups(s, *orig));
    return ok();
  }));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].follow_kind, FollowKind::update);
  EXPECT_EQ(f[1].follow_kind, FollowKind::resolution);
}

TEST_P(AlertsTest, DangerousCrimeAlertsAreMarkedForSyndicationAndTheDivisionIsTold) {
  AlertInput danger = sample;
  danger.physical_danger = true;
  auto d = create("chuo.tanto", danger);
  auto plain = create("chuo.tanto", sample);
  AlertInput traffic = sample;
  traffic.category = 4;
  traffic.physical_danger = true;  // ignored outside category 3
  auto t = create("chuo.tanto", traffic);
  ASSERT_OK(d);
  ASSERT_OK(plain);
  ASSERT_OK(t);
  for (auto id : {*d, *plain, *t}) ASSERT_OK(approve("chuo.shocho", id, kChecked));
  EXPECT_TRUE(alert(*d).syndicate);
  EXPECT_FALSE(alert(*plain).syndicate);
  EXPECT_FALSE(alert(*t).syndicate);
  int told = 0;
  for (const auto& j : jobs("workflow.notify")) {
    auto p = nlohmann::json::parse(j.payload);
    if (p.value("event", "") != "syndication") continue;
    ++told;
    EXPECT_EQ(p["request_id"], *alert(*d).request_id);
    EXPECT_THAT(p["recipients"].get<std::vector<std::int64_t>>(), ::testing::Contains(pid("seian.kacho")));
  }
  EXPECT_EQ(told, 1);
  std::vector<Alert> pending;
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(pending, syndication_pending(s));
    return ok();
  }));
  ASSERT_EQ(pending.size(), 1u);
  auto refused = db_->write([&](store::Session& s) {
    return mark_syndicated(s, settings, *d, {.person = pid("chuo.shocho")}, kWed10);
  });
  EXPECT_FALSE(refused);
  ASSERT_OK(db_->write([&](store::Session& s) {
    return mark_syndicated(s, settings, *d, {.person = pid("seian.kacho")}, kWed10);
  }));
  EXPECT_TRUE(alert(*d).syndication_seen_at);
}

TEST_P(AlertsTest, RegisterIsPurgedAfterTheCalendarYearPlusOneAndThePurgeIsAudited) {
  const Instant y2024 = from_jst({{2024, 6, 5}, 10, 0, 0});   // a Wednesday
  const Instant y2025 = from_jst({{2025, 1, 6}, 10, 0, 0});   // a Monday
  for (Instant at : {y2024, y2025, kWed10}) {
    auto id = create("chuo.tanto", sample, at);
    ASSERT_OK(id);
    ASSERT_OK(approve("chuo.shocho", *id, kChecked, at));
  }
  std::vector<int> years;
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(years, register_years(s));
    return ok();
  }));
  EXPECT_THAT(years, ::testing::ElementsAre(2026, 2025, 2024));
  std::int64_t purged = 0;
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(purged, purge_register(s, 1, kWed10));
    return ok();
  }));
  EXPECT_EQ(purged, 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM alert_register"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM alert_register WHERE approved_at < " +
                  std::to_string(to_unix(from_jst({{2025, 1, 1}, 0, 0, 0})))), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'alerts.register.purge'"), 1);
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(purged, purge_register(s, 1, kWed10));
    return ok();
  }));
  EXPECT_EQ(purged, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'alerts.register.purge'"), 1);
  std::vector<IndexDay> index;
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(index, register_index(s, 2025));
    return ok();
  }));
  ASSERT_EQ(index.size(), 1u);
  EXPECT_EQ(index[0].date, (Date{2025, 1, 6}));
  EXPECT_EQ(index[0].count, 1);
}

TEST(AlertRegisterCsv, QuotesFieldsAndDefusesFormulas) {
  RegisterEntry e;
  e.alert_id = 7;
  e.category = 3;
  e.title = "=HYPERLINK(\"x\")";
  e.body = "一行目\n\"二行目\"";
  const auto csv = register_csv({e});
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_THAT(csv, HasSubstr("\"'=HYPERLINK(\"\"x\"\")\""));
  EXPECT_THAT(csv, HasSubstr("\"一行目\n\"\"二行目\"\"\""));
  EXPECT_THAT(csv, HasSubstr("\"防犯情報\""));
}

TEST(AlertPreview, ShowsWhatOldPhonesReceive) {
  auto p = preview_alert({.category = 1, .title = "髙橋町で声かけ", .body = "①午後3時ころ\n②児童に声かけ",
                          .unit_name = "中央警察署", .areas_text = "中央市"},
                         {"サンプル県警察", "anshin@police.example.jp"}, kWed10);
  ASSERT_OK(p);
  EXPECT_EQ(p->subject, "【子供安全情報】髙橋町で声かけ");
  EXPECT_THAT(p->utf8_text, HasSubstr("①午後3時ころ"));
  EXPECT_THAT(p->iso2022jp_text, HasSubstr("(1)午後3時ころ"));
  EXPECT_THAT(p->iso2022jp_text, HasSubstr("高橋町"));
  EXPECT_EQ(p->iso2022jp_subject, "【子供安全情報】高橋町で声かけ");
  EXPECT_THAT(p->unsupported, ::testing::UnorderedElementsAre("髙", "①", "②"));
  EXPECT_THAT(p->iso2022jp_raw, HasSubstr("charset=ISO-2022-JP"));
  EXPECT_THAT(p->utf8_raw, HasSubstr("charset=UTF-8"));
  EXPECT_EQ(p->title_chars, 7u);
}

TEST_P(AlertsTest, StationsAskHqToSendWideAndHqTurnsTheRequestIntoItsDraft) {
  const auto keiji = unit("keiji");
  std::int64_t req = 0;
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(req, file_send_request(s, settings, {.to_unit = keiji, .category = 3, .title = sample.title,
                                                      .body = sample.body, .areas = {unit("chuo"), unit("kita")}},
                                        {.person = pid("chuo.tanto")}, kWed10));
    return ok();
  }));
  auto bad = db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(file_send_request(s, settings, {.to_unit = unit("kita"), .category = 3, .title = "x", .body = "y",
                                              .whole_prefecture = true},
                                {.person = pid("chuo.tanto")}, kWed10));
    return ok();
  });
  EXPECT_FALSE(bad);  // a station is not a target
  std::vector<SendRequest> mine, others;
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(mine, send_requests_for(s, pid("keiji.hosa")));
    KOBAN_ASSIGN(others, send_requests_for(s, pid("kotsu.hosa")));
    return ok();
  }));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_TRUE(others.empty());
  auto denied = db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(take_send_request(s, kinds, settings, req, {.person = pid("kotsu.hosa")}, kWed10));
    return ok();
  });
  EXPECT_FALSE(denied);
  std::int64_t alert_id = 0;
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(alert_id, take_send_request(s, kinds, settings, req, {.person = pid("keiji.hosa")}, kWed10));
    return ok();
  }));
  auto a = alert(alert_id);
  EXPECT_EQ(a.unit_id, keiji);
  EXPECT_THAT(a.areas, ::testing::ElementsAre(unit("chuo"), unit("kita")));
  EXPECT_EQ(a.state, "submitted");
  EXPECT_EQ(count("SELECT COUNT(*) FROM alert_send_requests WHERE state = 'drafted'"), 1);
}

TEST_P(AlertsTest, DemoHistoryIsSentWithFollowUpsAndOneUnresolved) {
  int n = 0;
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(n, fill_demo_alerts(s, kinds, settings, kWed10));
    return ok();
  }));
  EXPECT_GT(n, 9);
  EXPECT_EQ(count("SELECT COUNT(*) FROM alerts WHERE state <> 'sent' OR sent_at IS NULL"), 0);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT category) FROM alerts"), 6);
  EXPECT_EQ(count("SELECT COUNT(*) FROM alerts WHERE follow_kind = 'resolution'"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM alert_register"), n);
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'alerts.deliver'"), 0);
  std::vector<Alert> open;
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(open, unresolved_alerts(s, 7, kWed10));
    return ok();
  }));
  EXPECT_GE(open.size(), 2u);  // the bear and the fraud calls, the photographing case
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(n, fill_demo_alerts(s, kinds, settings, kWed10));
    return ok();
  }));
  EXPECT_EQ(n, 0);
}

}  // namespace

KOBAN_BACKEND_TESTS(AlertsTest);

}  // namespace koban::alerts
