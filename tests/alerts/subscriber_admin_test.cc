// Staff handling of suspended subscribers (issue 4 item 10): the list with masked addresses,
// domain filter and keyset paging, the reason from the suspension record, an audited reveal,
// reinstating and removing. Every case runs on SQLite and PostgreSQL.
#include "alerts/subscriber_admin.h"

#include <gtest/gtest.h>

#include <set>

#include "../org/org_fixture.h"
#include "alerts/subscriber_migrations.h"
#include "alerts/subscribers.h"
#include "audit/audit_log.h"
#include "mail/outbox.h"

namespace koban::alerts {
namespace {

using org::testing::kNow;

const std::string kSecret(32, 's');

class SubscriberAdminTest : public org::testing::OrgTest {
 protected:
  void SetUp() override {
    OrgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_TRUE(reg.add("store", store::store_migrations()).ok());
    ASSERT_TRUE(reg.add("org", org::org_migrations()).ok());
    ASSERT_TRUE(reg.add("audit", audit::audit_migrations()).ok());
    ASSERT_TRUE(reg.add("mail", mail::outbox_migrations()).ok());
    ASSERT_TRUE(reg.add("subscribers", subscriber_migrations()).ok());
    auto m = store::migrate(*db_, reg, kNow);
    ASSERT_TRUE(m.ok()) << m.error().message;
    t = make_tree();
    auto k = SubscriberKeys::from_secret(kSecret);
    ASSERT_TRUE(k);
    keys = std::make_unique<SubscriberKeys>(*k);
    subs = std::make_unique<Subscribers>(*k, SubscriberSettings{.mail_transport = "catcher", .hard_failure_limit = 2});
  }

  // A confirmed subscriber, suspended at `at` after two hard failures with `why`.
  std::int64_t suspended(const std::string& address, Instant at, const std::string& why = "550 5.1.1 user unknown") {
    std::int64_t id = 0;
    auto r = w([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto sub, subs->subscribe(s, {.address = address, .categories = {1}, .areas = {.units = {t.chuo}}},
                                             at - std::chrono::hours(48)));
      KOBAN_TRY(subs->confirm(s, sub.confirm_token, at - std::chrono::hours(47)));
      id = sub.subscriber_id;
      KOBAN_ASSIGN(bool first, subs->record_hard_failure(s, id, at - std::chrono::minutes(1), why));
      if (first) return Error::internal("suspended after one failure");
      KOBAN_ASSIGN(bool second, subs->record_hard_failure(s, id, at, why));
      if (!second) return Error::internal("not suspended after two failures");
      return ok();
    });
    EXPECT_TRUE(r) << r.error().message;
    return id;
  }
  std::string state_of(std::int64_t id) {
    std::string st;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT state, hard_failures FROM subscribers WHERE id = ?", id));
      st = rows.empty() ? "gone" : rows[0].text(0) + "/" + rows[0].text(1);
      return ok();
    }).ok());
    return st;
  }
  std::vector<std::string> audit_of(const std::string& action) {
    std::vector<std::string> out;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT object_id, actor_name, summary FROM audit_log WHERE action = ? ORDER BY seq",
                                      action));
      for (const auto& r : rows) out.push_back(r.text(0) + "|" + r.text(1) + "|" + r.text(2));
      return ok();
    }).ok());
    return out;
  }
  Result<SuspendedPage> list(SuspendedFilter f) {
    SuspendedPage p;
    auto r = db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(p, list_suspended(s, *keys, f));
      return ok();
    });
    if (!r) return r.error();
    return p;
  }

  Tree t{};
  std::unique_ptr<SubscriberKeys> keys;
  std::unique_ptr<Subscribers> subs;
  StaffWho who{.person = 0, .name = "生活安全企画課長", .unit = 0, .unit_name = "生活安全企画課", .address = "192.0.2.7"};
};

TEST_P(SubscriberAdminTest, ListsSuspendedNewestFirstMaskedWithTheDeliveryReason) {
  const auto a = suspended("taro@docomo.ne.jp", kNow - std::chrono::hours(3), "550 5.1.1 <taro@docomo.ne.jp>: unknown");
  const auto b = suspended("Hanako@EZweb.ne.jp", kNow - std::chrono::hours(1));
  // A confirmed subscriber with one failure is not listed.
  ASSERT_TRUE(w([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto sub, subs->subscribe(s, {.address = "ok@example.jp", .categories = {2}, .areas = {.whole_prefecture = true}},
                                           kNow - std::chrono::hours(5)));
    KOBAN_TRY(subs->confirm(s, sub.confirm_token, kNow - std::chrono::hours(4)));
    KOBAN_TRY(subs->record_hard_failure(s, sub.subscriber_id, kNow, "550"));
    return ok();
  }));

  auto page = list({});
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->rows.size(), 2u);
  EXPECT_FALSE(page->next);
  EXPECT_EQ(page->rows[0].id, b);
  EXPECT_EQ(page->rows[0].masked_address, "H***@ezweb.ne.jp");
  EXPECT_EQ(page->rows[0].domain, "ezweb.ne.jp");
  EXPECT_EQ(page->rows[0].hard_failures, 2);
  EXPECT_EQ(page->rows[0].last_error, "550 5.1.1 user unknown");
  ASSERT_TRUE(page->rows[0].suspended_at);
  EXPECT_EQ(*page->rows[0].suspended_at, kNow - std::chrono::hours(1));
  EXPECT_EQ(page->rows[1].id, a);
  EXPECT_EQ(page->rows[1].masked_address, "t***@docomo.ne.jp");
  EXPECT_NE(page->rows[1].last_error.find("unknown"), std::string::npos);
  for (const auto& r : page->rows) EXPECT_EQ(r.masked_address.find("aro"), std::string::npos);

  auto docomo = list({.domain = "DoCoMo.ne.jp"});
  ASSERT_TRUE(docomo);
  ASSERT_EQ(docomo->rows.size(), 1u);
  EXPECT_EQ(docomo->rows[0].id, a);
  auto none = list({.domain = "softbank.ne.jp"});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->rows.empty());

  auto domains = db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto d, suspended_domains(s));
    EXPECT_EQ(d.size(), 2u);
    for (const auto& x : d) EXPECT_EQ(x.count, 1) << x.domain;
    return ok();
  });
  ASSERT_TRUE(domains);
}

TEST_P(SubscriberAdminTest, KeysetPagingVisitsEveryRowOnceEvenWithEqualTimes) {
  std::set<std::int64_t> made;
  for (int i = 0; i < 7; ++i)
    made.insert(suspended("user" + std::to_string(i) + "@example.jp", kNow - std::chrono::hours(i / 2)));
  std::set<std::int64_t> seen;
  std::optional<SuspendedCursor> after;
  int pages = 0;
  std::optional<Instant> previous;
  do {
    auto p = list({.after = after, .limit = 3});
    ASSERT_TRUE(p) << p.error().message;
    ASSERT_LE(p->rows.size(), 3u);
    for (const auto& r : p->rows) {
      EXPECT_TRUE(seen.insert(r.id).second) << "twice: " << r.id;
      if (previous) EXPECT_LE(*r.suspended_at, *previous);
      previous = r.suspended_at;
    }
    after = p->next;
    ASSERT_LT(++pages, 10);
  } while (after);
  EXPECT_EQ(seen, made);
  EXPECT_EQ(pages, 3);

  // Cursors survive a round trip through text; junk is refused.
  SuspendedCursor c{1800000000, 42};
  auto back = parse_suspended_cursor(to_string(c));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->suspended_at, c.suspended_at);
  EXPECT_EQ(back->id, c.id);
  for (const char* bad : {"", ".", "1.", ".1", "1.0", "a.1", "1.2.3", "-1.2", "1800000000.99999999999999999"})
    EXPECT_FALSE(parse_suspended_cursor(bad)) << bad;
  EXPECT_FALSE(list({.limit = 0}));
  EXPECT_FALSE(list({.limit = kMaxSuspendedPage + 1}));
  EXPECT_FALSE(list({.domain = std::string(300, 'a')}));
}

TEST_P(SubscriberAdminTest, RevealIsAudited) {
  const auto id = suspended("taro.yamada@docomo.ne.jp", kNow);
  auto shown = w([&](store::Session& s) { return reveal_address(s, *keys, who, id, kNow); });
  ASSERT_TRUE(shown) << shown.error().message;
  EXPECT_EQ(*shown, "taro.yamada@docomo.ne.jp");
  auto rows = audit_of("alerts.subscriber.reveal");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].rfind(std::to_string(id) + "|生活安全企画課長|", 0), 0u) << rows[0];
  EXPECT_NE(rows[0].find("docomo.ne.jp"), std::string::npos);
  EXPECT_EQ(rows[0].find("taro"), std::string::npos) << "the audit trail must not copy the address";

  auto missing = w([&](store::Session& s) { return reveal_address(s, *keys, who, id + 1000, kNow); });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_EQ(audit_of("alerts.subscriber.reveal").size(), 1u);
}

TEST_P(SubscriberAdminTest, ReinstateGoesBackToConfirmedWithZeroFailures) {
  const auto id = suspended("jiro@softbank.ne.jp", kNow);
  EXPECT_EQ(state_of(id), "suspended/2");
  ASSERT_TRUE(w([&](store::Session& s) { return reinstate_subscriber(s, who, id, kNow); }));
  EXPECT_EQ(state_of(id), "confirmed/0");
  EXPECT_EQ(audit_of("alerts.subscriber.reinstate").size(), 1u);
  auto page = list({});
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->rows.empty());
  // Twice: nothing to reinstate, no change and no second record.
  auto again = w([&](store::Session& s) { return reinstate_subscriber(s, who, id, kNow); });
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  EXPECT_EQ(audit_of("alerts.subscriber.reinstate").size(), 1u);
  // A reinstated address that fails again is suspended again.
  ASSERT_TRUE(w([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(subs->record_hard_failure(s, id, kNow, "550"));
    KOBAN_TRY(subs->record_hard_failure(s, id, kNow, "550"));
    return ok();
  }));
  EXPECT_EQ(state_of(id), "suspended/2");
}

TEST_P(SubscriberAdminTest, RemoveDeletesOnlySuspendedOnesWithTheirAreasAndTokens) {
  const auto id = suspended("saburo@au.com", kNow);
  std::int64_t live = 0;
  ASSERT_TRUE(w([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto sub, subs->subscribe(s, {.address = "live@au.com", .categories = {1}, .areas = {.units = {t.kita}}}, kNow));
    live = sub.subscriber_id;
    return ok();
  }));
  auto refused = w([&](store::Session& s) { return remove_subscriber(s, who, live, kNow); });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::conflict);
  EXPECT_EQ(state_of(live), "pending/0");

  ASSERT_TRUE(w([&](store::Session& s) { return remove_subscriber(s, who, id, kNow); }));
  EXPECT_EQ(state_of(id), "gone");
  ASSERT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, s.query("SELECT COUNT(*) FROM subscriber_areas WHERE subscriber_id = ?", id));
    EXPECT_EQ(a[0].int64(0), 0);
    KOBAN_ASSIGN(auto tk, s.query("SELECT COUNT(*) FROM subscriber_tokens WHERE subscriber_id = ?", id));
    EXPECT_EQ(tk[0].int64(0), 0);
    KOBAN_ASSIGN(auto other, s.query("SELECT COUNT(*) FROM subscriber_areas WHERE subscriber_id = ?", live));
    EXPECT_EQ(other[0].int64(0), 1);
    return ok();
  }));
  auto rows = audit_of("alerts.subscriber.remove");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(rows[0].find("au.com"), std::string::npos);
  EXPECT_EQ(rows[0].find("saburo"), std::string::npos);
  auto twice = w([&](store::Session& s) { return remove_subscriber(s, who, id, kNow); });
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::not_found);
}

KOBAN_BACKEND_TESTS(SubscriberAdminTest);

}  // namespace
}  // namespace koban::alerts
