// Subscribers of the safety-alert mail: categories, sign-up with double opt-in, personal links,
// hard failures, counts. Every backend case runs on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <regex>

#include "../org/org_fixture.h"
#include "alerts/categories.h"
#include "alerts/subscriber_demo.h"
#include "alerts/subscriber_migrations.h"
#include "alerts/subscribers.h"
#include "audit/audit_log.h"
#include "mail/message_view.h"
#include "mail/outbox.h"

namespace koban::alerts {
namespace {

using org::testing::kNow;

TEST(Categories, SixInSeedOrderWithDefinitionsAndExamples) {
  ASSERT_EQ(categories().size(), 6u);
  EXPECT_EQ(categories()[0].name, "子供安全情報");
  EXPECT_EQ(categories()[5].name, "お知らせ情報");
  for (int n = 1; n <= 6; ++n) {
    const Category* c = find_category(n);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->number, n);
    EXPECT_FALSE(c->definition.empty());
    EXPECT_FALSE(c->example_title.empty());
    EXPECT_FALSE(c->example_text.empty());
  }
  EXPECT_EQ(find_category(0), nullptr);
  EXPECT_EQ(find_category(7), nullptr);
  EXPECT_NE(find_category(1)->definition.find("18歳以下"), std::string_view::npos);
}

TEST(Categories, SyndicationRule) {
  EXPECT_TRUE(goes_to_syndication(1, false));
  EXPECT_TRUE(goes_to_syndication(2, false));
  EXPECT_FALSE(goes_to_syndication(3, false));
  EXPECT_TRUE(goes_to_syndication(3, true));
  for (int n : {4, 5, 6}) EXPECT_FALSE(goes_to_syndication(n, true)) << n;
  EXPECT_FALSE(goes_to_syndication(9, true));
}

TEST(Categories, Masks) {
  auto m = category_mask({1, 3, 6});
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, 0b100101u);
  EXPECT_TRUE(mask_has(*m, 3));
  EXPECT_FALSE(mask_has(*m, 2));
  EXPECT_EQ(category_numbers(*m), (std::vector<int>{1, 3, 6}));
  EXPECT_EQ(category_numbers(kAllCategories).size(), 6u);
  auto bad = category_mask({1, 7});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  EXPECT_FALSE(category_mask({0}));
}

const std::string kSecret(32, 's');

TEST(PersonalLinks, DeterministicPerSubscriberAndForgeryFails) {
  auto keys = SubscriberKeys::from_secret(kSecret);
  ASSERT_TRUE(keys);
  const std::string lk1(16, 'a'), lk2(16, 'b');
  const std::string t = personal_token(*keys, 42, lk1);
  EXPECT_EQ(t, personal_token(*keys, 42, lk1));
  EXPECT_NE(t, personal_token(*keys, 42, lk2));
  EXPECT_NE(t, personal_token(*keys, 43, lk1));
  EXPECT_EQ(token_subscriber_id(t), 42);
  EXPECT_TRUE(verify_personal_token(*keys, t, 42, lk1));
  EXPECT_FALSE(verify_personal_token(*keys, t, 42, lk2));
  EXPECT_FALSE(verify_personal_token(*keys, "43" + t.substr(2), 43, lk1));
  std::string forged = t;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_personal_token(*keys, forged, 42, lk1));
  auto other = SubscriberKeys::from_secret(std::string(32, 'o'));
  EXPECT_FALSE(verify_personal_token(*other, t, 42, lk1));
  for (const char* bad : {"", ".", "x.y", "0.abc", "-1.abc", "12", "99999999999999999999.a"})
    EXPECT_FALSE(token_subscriber_id(bad)) << bad;
  EXPECT_EQ(unsubscribe_url("https://p.example.jp", t), "https://p.example.jp/alerts/unsubscribe/" + t);
  EXPECT_EQ(manage_url("https://p.example.jp", t), "https://p.example.jp/alerts/manage/" + t);
  // The blind index ignores case, and differs between keys.
  EXPECT_EQ(keys->blind_index(normalise_for_index("Taro@DoCoMo.ne.jp")), keys->blind_index("taro@docomo.ne.jp"));
  EXPECT_NE(keys->blind_index("taro@docomo.ne.jp"), other->blind_index("taro@docomo.ne.jp"));
}

class SubscribersTest : public org::testing::OrgTest {
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
    auto keys = SubscriberKeys::from_secret(kSecret);
    ASSERT_TRUE(keys);
    subs = std::make_unique<Subscribers>(*keys, SubscriberSettings{.base_url = "https://police.example.jp",
                                                                    .mail_transport = "catcher",
                                                                    .ip_limit_per_hour = 3});
  }

  Result<SubscribeResult> sign_up(const std::string& address, std::vector<int> cats, AreaChoice areas,
                                  Instant at = kNow, MailEncoding enc = MailEncoding::utf8, std::string ip = "") {
    return w([&](store::Session& s) {
      return subs->subscribe(s, {.address = address, .categories = cats, .areas = areas, .encoding = enc,
                                 .client_ip = ip},
                             at);
    });
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
  std::string state_of(std::int64_t id) {
    std::string st;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT state FROM subscribers WHERE id = ?", id));
      st = rows.at(0).text(0);
      return ok();
    }).ok());
    return st;
  }
  // The decoded text of the newest mail in the outbox to `to`.
  mail::MessageView last_mail(const std::string& to) {
    std::string raw;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT message FROM mail_outbox WHERE recipient = ? ORDER BY id DESC", to));
      if (!rows.empty()) raw = rows[0].text(0);
      return ok();
    }).ok());
    return mail::view_message(raw);
  }
  std::string personal(std::int64_t id) {
    std::string tok;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto sub, subs->get(s, id));
      tok = subs->personal_token(sub.id, sub.link_key);
      return ok();
    }).ok());
    return tok;
  }
  std::int64_t confirmed(const std::string& address, std::vector<int> cats, AreaChoice areas) {
    auto r = sign_up(address, cats, areas);
    EXPECT_TRUE(r) << r.error().message;
    if (!r) return 0;
    auto c = w([&](store::Session& s) { return subs->confirm(s, r->confirm_token, kNow + std::chrono::minutes(5)); });
    EXPECT_TRUE(c) << c.error().message;
    return r->subscriber_id;
  }

  Tree t{};
  std::unique_ptr<Subscribers> subs;
};

TEST_P(SubscribersTest, SignUpSealsTheAddressAndQueuesTheConfirmationInTheSameTransaction) {
  const std::string address = "Taro..Yamada.@DoCoMo.ne.jp";
  auto r = sign_up(address, {1, 3}, {.units = {t.kita, t.chuo, t.kita}}, kNow, MailEncoding::iso2022jp);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->outcome, SubscribeOutcome::confirmation_sent);
  EXPECT_EQ(state_of(r->subscriber_id), "pending");

  // Not in the database in clear: neither the address nor its local part appears in any column.
  ASSERT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT address_box, address_index, domain, categories, all_areas, encoding "
                                    "FROM subscribers"));
    EXPECT_EQ(rows.size(), 1u);
    for (std::size_t i = 0; i < rows[0].size(); ++i) {
      EXPECT_EQ(rows[0].text(i).find("Taro"), std::string::npos) << i;
      EXPECT_EQ(rows[0].text(i).find("taro"), std::string::npos) << i;
    }
    EXPECT_EQ(rows[0].text(2), "docomo.ne.jp");
    EXPECT_EQ(rows[0].int64(3), 0b101);
    EXPECT_EQ(rows[0].int64(4), 0);
    EXPECT_EQ(rows[0].text(5), "iso2022jp");
    KOBAN_ASSIGN(auto areas, s.query("SELECT unit_id FROM subscriber_areas ORDER BY unit_id"));
    EXPECT_EQ(areas.size(), 2u);  // the duplicate is dropped
    KOBAN_ASSIGN(auto tokens, s.query("SELECT token_hash FROM subscriber_tokens"));
    EXPECT_EQ(tokens.size(), 1u);
    EXPECT_NE(tokens[0].text(0), r->confirm_token);  // only the hash is stored
    return ok();
  }).ok());

  // The confirmation mail: ISO-2022-JP as chosen, the link with the token, the expiry in JST.
  const std::string to = "Taro..Yamada.@docomo.ne.jp";
  ASSERT_EQ(count("SELECT COUNT(*) FROM mail_outbox"), 1);
  auto m = last_mail(to);
  EXPECT_NE(m.subject.find("登録の確認"), std::string::npos) << m.subject;
  EXPECT_NE(m.text.find("https://police.example.jp/alerts/confirm/" + r->confirm_token), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("有効期限"), std::string::npos);
  std::string content_type;
  for (const auto& [name, value] : m.headers)
    if (name == "Content-Type") content_type = value;
  EXPECT_NE(content_type.find("ISO-2022-JP"), std::string::npos) << content_type;

  // The blind index finds it whatever the case of the address.
  ASSERT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto found, subs->find_by_address(s, "taro..yamada.@DOCOMO.NE.JP"));
    EXPECT_TRUE(found.has_value());
    if (found) {
      EXPECT_EQ(found->id, r->subscriber_id);
      EXPECT_EQ(found->address, to);
      EXPECT_EQ(found->areas, (std::vector<org::UnitId>{std::min(t.chuo, t.kita), std::max(t.chuo, t.kita)}));
    }
    KOBAN_ASSIGN(auto none, subs->find_by_address(s, "someone@docomo.ne.jp"));
    EXPECT_FALSE(none.has_value());
    return ok();
  }).ok());
}

TEST_P(SubscribersTest, BadInputGetsAClearMessageAndStoresNothing) {
  struct Case {
    std::string address;
    std::vector<int> cats;
    AreaChoice areas;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"", {1}, {.whole_prefecture = true}, "メールアドレスを入力"},
      {"not-an-address", {1}, {.whole_prefecture = true}, ""},
      {".abc@docomo.ne.jp", {1}, {.whole_prefecture = true}, ""},
      {"a@b@example.jp", {1}, {.whole_prefecture = true}, ""},
      {"a@example.jp\r\nBcc: x@evil.example", {1}, {.whole_prefecture = true}, ""},
      {std::string(300, 'a') + "@example.jp", {1}, {.whole_prefecture = true}, ""},
      {"a@example.jp", {}, {.whole_prefecture = true}, "情報の種類を1つ以上"},
      {"a@example.jp", {1, 7}, {.whole_prefecture = true}, "情報の種類"},
      {"a@example.jp", {1}, {}, "地域"},
      {"a@example.jp", {1}, {.units = {999999}}, "存在しない地域"},
      {"a@example.jp", {1}, {.units = {t.chuo, 999999}}, "存在しない地域"},
      {"a@example.jp", {1}, {.units = {t.koho}}, "存在しない地域"},  // a division has no jurisdiction
  };
  for (const auto& c : cases) {
    auto r = sign_up(c.address, c.cats, c.areas);
    ASSERT_FALSE(r) << c.address;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << c.address;
    EXPECT_FALSE(r.error().message.empty());
    if (!c.expect.empty()) {
      EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
    }
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscriber_areas"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscriber_tokens"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_outbox"), 0);
}

TEST_P(SubscribersTest, ConfirmationLinkIsSingleUseExpiresAndCannotBeForged) {
  auto r = sign_up("hanako@ezweb.ne.jp", {2}, {.whole_prefecture = true});
  ASSERT_TRUE(r) << r.error().message;
  auto forged = w([&](store::Session& s) { return subs->confirm(s, r->confirm_token + "x", kNow); });
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code, ErrorCode::not_found);
  EXPECT_NE(forged.error().message.find("無効"), std::string::npos);
  for (const char* junk : {"", "../../etc", "%00", "a b"})
    EXPECT_FALSE(w([&](store::Session& s) { return subs->confirm(s, junk, kNow); })) << junk;

  auto late = w([&](store::Session& s) { return subs->confirm(s, r->confirm_token, kNow + std::chrono::hours(24)); });
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(late.error().message.find("有効期限"), std::string::npos);
  EXPECT_EQ(state_of(r->subscriber_id), "pending");

  auto in_time = w([&](store::Session& s) { return subs->confirm(s, r->confirm_token, kNow + std::chrono::hours(23), "192.0.2.7"); });
  ASSERT_TRUE(in_time) << in_time.error().message;
  EXPECT_EQ(*in_time, r->subscriber_id);
  EXPECT_EQ(state_of(r->subscriber_id), "confirmed");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'alerts.subscriber.confirm'"), 1);

  auto again = w([&](store::Session& s) { return subs->confirm(s, r->confirm_token, kNow + std::chrono::hours(23)); });
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'alerts.subscriber.confirm'"), 1);
}

TEST_P(SubscribersTest, DuplicateAddressNeverRevealsAndIsRateLimited) {
  auto first = sign_up("jiro@softbank.ne.jp", {3}, {.units = {t.chuo}});
  ASSERT_TRUE(first);
  // Moments later, pending: nothing is sent again.
  auto soon = sign_up("JIRO@softbank.ne.jp", {4}, {.whole_prefecture = true}, kNow + std::chrono::minutes(1));
  ASSERT_TRUE(soon) << soon.error().message;
  EXPECT_EQ(soon->outcome, SubscribeOutcome::throttled);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_outbox"), 1);
  // Later: a new link with the latest choices; the old link stops working.
  auto later = sign_up("JIRO@softbank.ne.jp", {4}, {.whole_prefecture = true}, kNow + std::chrono::minutes(15));
  ASSERT_TRUE(later) << later.error().message;
  EXPECT_EQ(later->outcome, SubscribeOutcome::confirmation_resent);
  EXPECT_EQ(later->subscriber_id, first->subscriber_id);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_outbox"), 2);
  EXPECT_FALSE(w([&](store::Session& s) { return subs->confirm(s, first->confirm_token, kNow + std::chrono::minutes(16)); }));
  ASSERT_TRUE(w([&](store::Session& s) { return subs->confirm(s, later->confirm_token, kNow + std::chrono::minutes(16)); }));
  // Confirmed: a "manage here" mail, the choices stay as they are.
  auto dup = sign_up("jiro@softbank.ne.jp", {1}, {.units = {t.kita}}, kNow + std::chrono::hours(1));
  ASSERT_TRUE(dup) << dup.error().message;
  EXPECT_EQ(dup->outcome, SubscribeOutcome::already_registered_notice);
  EXPECT_TRUE(dup->confirm_token.empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_outbox"), 3);
  auto m = last_mail("JIRO@softbank.ne.jp");
  EXPECT_NE(m.subject.find("登録済み"), std::string::npos) << m.subject;
  EXPECT_NE(m.text.find("https://police.example.jp/alerts/manage/" + personal(first->subscriber_id)), std::string::npos)
      << m.text;
  EXPECT_EQ(count("SELECT categories FROM subscribers"), 0b1000);
  EXPECT_EQ(count("SELECT all_areas FROM subscribers"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers"), 1);
}

TEST_P(SubscribersTest, SignUpsPerClientAddressAreLimited) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sign_up("u" + std::to_string(i) + "@example.jp", {1}, {.whole_prefecture = true}, kNow, MailEncoding::utf8, "198.51.100.9"));
  auto fourth = sign_up("u9@example.jp", {1}, {.whole_prefecture = true}, kNow, MailEncoding::utf8, "198.51.100.9");
  ASSERT_FALSE(fourth);
  EXPECT_EQ(fourth.error().code, ErrorCode::rate_limited);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers"), 3);
  // Another client, or the same one an hour later, may go on.
  EXPECT_TRUE(sign_up("u9@example.jp", {1}, {.whole_prefecture = true}, kNow, MailEncoding::utf8, "198.51.100.10"));
  EXPECT_TRUE(sign_up("u8@example.jp", {1}, {.whole_prefecture = true}, kNow + std::chrono::minutes(61), MailEncoding::utf8, "198.51.100.9"));
}

TEST_P(SubscribersTest, PersonalLinkChangesChoicesAndUnsubscribes) {
  const auto id = confirmed("saburo@i.softbank.jp", {1, 2}, {.units = {t.chuo}});
  const std::string tok = personal(id);
  ASSERT_TRUE(w([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto sub, subs->find_by_personal_token(s, tok));
    EXPECT_EQ(sub.id, id);
    EXPECT_EQ(sub.address, "saburo@i.softbank.jp");
    EXPECT_EQ(sub.state, SubscriberState::confirmed);
    return ok();
  }));
  std::string forged = tok;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'x' ? 'y' : 'x';
  for (const std::string& bad : {forged, std::string("1.AAAA"), std::to_string(id + 1) + tok.substr(tok.find('.'))}) {
    auto r = w([&](store::Session& s) { return subs->unsubscribe(s, bad, kNow); });
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::not_found);
  }
  EXPECT_EQ(state_of(id), "confirmed");

  // Changes: bad areas change nothing.
  auto bad = w([&](store::Session& s) -> Result<void> {
    return subs->update_choices(s, tok, {.categories = {5}, .areas = {.units = {424242}}}, kNow);
  });
  ASSERT_FALSE(bad);
  EXPECT_EQ(count("SELECT categories FROM subscribers"), 0b11);
  ASSERT_TRUE(w([&](store::Session& s) -> Result<void> {
    return subs->update_choices(s, tok, {.categories = {5, 6}, .areas = {.whole_prefecture = true},
                                         .encoding = MailEncoding::iso2022jp}, kNow);
  }));
  EXPECT_EQ(count("SELECT categories FROM subscribers"), 0b110000);
  EXPECT_EQ(count("SELECT all_areas FROM subscribers"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscriber_areas"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'alerts.subscriber.change'"), 1);

  auto left = w([&](store::Session& s) { return subs->unsubscribe(s, tok, kNow, "203.0.113.5"); });
  ASSERT_TRUE(left);
  EXPECT_TRUE(*left);
  EXPECT_EQ(state_of(id), "unsubscribed");
  auto twice = w([&](store::Session& s) { return subs->unsubscribe(s, tok, kNow); });
  ASSERT_TRUE(twice);
  EXPECT_FALSE(*twice);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'alerts.subscriber.unsubscribe'"), 1);
  EXPECT_FALSE(w([&](store::Session& s) -> Result<void> {
    return subs->update_choices(s, tok, {.categories = {1}, .areas = {.whole_prefecture = true}}, kNow);
  }));

  // Coming back needs a new confirmation, and old links die with the new link key.
  auto back = sign_up("saburo@i.softbank.jp", {1}, {.whole_prefecture = true}, kNow + std::chrono::hours(2));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->outcome, SubscribeOutcome::confirmation_sent);
  EXPECT_EQ(back->subscriber_id, id);
  EXPECT_EQ(state_of(id), "pending");
  EXPECT_FALSE(w([&](store::Session& s) { return subs->find_by_personal_token(s, tok); }));
}

TEST_P(SubscribersTest, HardFailuresSuspendAndSuccessResets) {
  const auto id = confirmed("shiro@docomo.ne.jp", {3}, {.whole_prefecture = true});
  auto fail = [&] { return w([&](store::Session& s) { return subs->record_hard_failure(s, id, kNow, "550 5.1.1 unknown user"); }); };
  EXPECT_FALSE(*fail());
  EXPECT_FALSE(*fail());
  ASSERT_TRUE(w([&](store::Session& s) -> Result<void> { return subs->record_success(s, id); }));
  EXPECT_EQ(count("SELECT hard_failures FROM subscribers"), 0);
  EXPECT_FALSE(*fail());
  EXPECT_FALSE(*fail());
  EXPECT_EQ(state_of(id), "confirmed");
  EXPECT_TRUE(*fail());
  EXPECT_EQ(state_of(id), "suspended");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'alerts.subscriber.suspend'"), 1);
  EXPECT_FALSE(*fail());  // already suspended: no second audit row
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'alerts.subscriber.suspend'"), 1);
  EXPECT_FALSE(w([&](store::Session& s) { return subs->record_hard_failure(s, 987654, kNow); }));
}

TEST_P(SubscribersTest, CountsAndDailySnapshot) {
  confirmed("a1@example.jp", {1, 3}, {.units = {t.chuo}});
  confirmed("a2@example.jp", {3}, {.units = {t.chuo, t.kita}});
  confirmed("a3@example.jp", {6}, {.whole_prefecture = true});
  ASSERT_TRUE(sign_up("a4@example.jp", {1}, {.whole_prefecture = true}));
  ASSERT_TRUE(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto c, count_subscribers(s));
    EXPECT_EQ(c.by_state["confirmed"], 3);
    EXPECT_EQ(c.by_state["pending"], 1);
    EXPECT_EQ(c.by_state["suspended"], 0);
    EXPECT_EQ(c.by_category[0], 1);
    EXPECT_EQ(c.by_category[2], 2);
    EXPECT_EQ(c.by_category[5], 1);
    EXPECT_EQ(c.whole_prefecture, 1);
    EXPECT_EQ(c.by_area[t.chuo], 2);
    EXPECT_EQ(c.by_area[t.kita], 1);
    const Date day{2027, 1, 15};
    KOBAN_TRY(daily_subscriber_maintenance(s, day, kNow));
    KOBAN_TRY(daily_subscriber_maintenance(s, day, kNow));  // twice: replaces, no duplicate key
    KOBAN_ASSIGN(auto h, subscriber_history(s, day));
    EXPECT_EQ(h.size(), 4u);
    for (const auto& d : h) {
      if (d.state == "confirmed") EXPECT_EQ(d.count, 3);
    }
    // A week later the unconfirmed sign-up is forgotten.
    KOBAN_TRY(daily_subscriber_maintenance(s, day.plus_days(8), kNow + std::chrono::hours(24 * 8)));
    KOBAN_ASSIGN(auto after, count_subscribers(s));
    EXPECT_EQ(after.by_state["pending"], 0);
    EXPECT_EQ(after.by_state["confirmed"], 3);
    return ok();
  }));
}

TEST_P(SubscribersTest, DemoSubscribersAreConfirmedVariedAndSealed) {
  ASSERT_TRUE(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, fill_demo_subscribers(s, subs->keys(), 300, kNow));
    EXPECT_EQ(n, 300);
    return ok();
  }));
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers WHERE state = 'confirmed'"), 300);
  EXPECT_GE(count("SELECT COUNT(DISTINCT domain) FROM subscribers"), 5);
  EXPECT_GE(count("SELECT COUNT(DISTINCT categories) FROM subscribers"), 5);
  EXPECT_GT(count("SELECT COUNT(*) FROM subscriber_areas"), 0);
  EXPECT_GT(count("SELECT COUNT(*) FROM subscribers WHERE all_areas = 1"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers WHERE encoding = 'iso2022jp'") > 0, true);
  // Running it again adds new ones, no unique-index clash.
  ASSERT_TRUE(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, fill_demo_subscribers(s, subs->keys(), 10, kNow));
    EXPECT_EQ(n, 10);
    return ok();
  }));
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers"), 310);
  ASSERT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto one, subs->get(s, 1));
    EXPECT_NE(one.address.find('@'), std::string::npos);
    KOBAN_ASSIGN(auto again, subs->find_by_address(s, one.address));
    EXPECT_TRUE(again.has_value());
    return ok();
  }));
}

KOBAN_BACKEND_TESTS(SubscribersTest);

}  // namespace
}  // namespace koban::alerts
