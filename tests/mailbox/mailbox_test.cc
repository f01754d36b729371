// The public mailbox service (SITE-10) on SQLite and PostgreSQL with the demo force: routing
// by the office calendar, urgent flag and notices, encryption at rest, queue membership,
// handling (assign, note, reply, hand-over, close), rate limit, purge and the demo.
#include <gtest/gtest.h>

#include <set>

#include "../org/org_fixture.h"
#include "audit/audit_log.h"
#include "mail/outbox.h"
#include "core/config.h"
#include "mailbox/mailbox.h"
#include "mailbox/mailbox_config.h"
#include "mailbox/mailbox_demo.h"
#include "mailbox/mailbox_jobs.h"
#include "mailbox/mailbox_migrations.h"
#include "mailbox/reply_templates.h"
#include "mailbox/urgent_notice.h"
#include "mailbox/urgent_words.h"
#include "org/demo.h"
#include "org/permissions.h"
#include "store/jobs.h"
#include "store/worker.h"

namespace koban::mailbox {
namespace {

const std::string kSecret(32, 's');
const Instant kTuesday10 = from_jst({{2026, 11, 24}, 10, 0});   // a business day, office hours
const Instant kTuesday22 = from_jst({{2026, 11, 24}, 22, 0});   // duty hours
const Instant kHoliday10 = from_jst({{2026, 11, 23}, 10, 0});   // 勤労感謝の日 (Monday)

// ---- pure functions ----

TEST(UrgentWords, DefaultListFindsWordsAcrossBlanksAndLineBreaks) {
  auto words = parse_urgent_words(kDefaultUrgentWords);
  ASSERT_TRUE(words) << words.error().message;
  EXPECT_GE(words->size(), 10u);
  EXPECT_EQ(urgent_terms("もう死にたい", *words), std::vector<std::string>{"死にたい"});
  EXPECT_EQ(urgent_terms("駅を爆\n破します", *words), std::vector<std::string>{"爆破"});
  EXPECT_EQ(urgent_terms("あいつを殺　す", *words), std::vector<std::string>{"殺す"});
  EXPECT_EQ(urgent_terms("放火する。放火する。", *words), std::vector<std::string>{"放火"});
  EXPECT_TRUE(urgent_terms("信号が短いので見直してください", *words).empty());
  EXPECT_TRUE(urgent_terms("死にたくないので相談したい", *words).empty());
}

TEST(UrgentWords, ParsesConfiguredListsAndRefusesBadOnes) {
  auto w = parse_urgent_words(" 自殺 ,、爆破，放火,,");
  ASSERT_TRUE(w);
  EXPECT_EQ(*w, (std::vector<std::string>{"自殺", "爆破", "放火"}));
  EXPECT_FALSE(parse_urgent_words("\xff\xfe"));
  EXPECT_FALSE(parse_urgent_words(std::string(kMaxUrgentWordBytes + 1, 'a')));
  std::string many;
  for (std::size_t i = 0; i <= kMaxUrgentWords; ++i) many += "w" + std::to_string(i) + ",";
  EXPECT_FALSE(parse_urgent_words(many));
}

TEST(FormTokens, CarryTheirTimeAndCannotBeForged) {
  auto keys = MailboxKeys::from_secret(kSecret);
  ASSERT_TRUE(keys);
  const std::string t = issue_form_token(*keys, kTuesday10);
  EXPECT_EQ(check_form_token(*keys, t, kTuesday10 + std::chrono::seconds(1)), FormTokenCheck::too_fast);
  EXPECT_EQ(check_form_token(*keys, t, kTuesday10 + std::chrono::seconds(30)), FormTokenCheck::ok);
  EXPECT_EQ(check_form_token(*keys, t, kTuesday10 + std::chrono::hours(13)), FormTokenCheck::expired);
  // An older issue time written into the token breaks the MAC.
  const std::string older = std::to_string(to_unix(kTuesday10) - 600) + t.substr(t.find('.'));
  EXPECT_EQ(check_form_token(*keys, older, kTuesday10), FormTokenCheck::forged);
  auto other = MailboxKeys::from_secret(std::string(32, 'o'));
  EXPECT_EQ(check_form_token(*other, t, kTuesday10 + std::chrono::seconds(30)), FormTokenCheck::forged);
  for (const char* bad : {"", "x", "1.2", "..", "abc.def.ghi"})
    EXPECT_EQ(check_form_token(*keys, bad, kTuesday10), FormTokenCheck::forged) << bad;
  EXPECT_NE(t, issue_form_token(*keys, kTuesday10));
}

TEST(ReceiptNumbers, DateAndRandomPart) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string r = new_receipt_number(kTuesday22 + std::chrono::hours(3));  // 01:00 JST on the 25th
    EXPECT_TRUE(is_receipt_number(r)) << r;
    EXPECT_TRUE(r.starts_with("MB-20261125-")) << r;
    seen.insert(r);
  }
  EXPECT_GT(seen.size(), 195u);
  EXPECT_FALSE(is_receipt_number("MB-20261125-0OI1AA"));
  EXPECT_FALSE(is_receipt_number("MB-2026112-7K3QX9"));
}

TEST(Submissions, EveryProblemInFormOrder) {
  auto errors = check_submission({.text = "  \n　", .name = std::string(60, 'a'), .contact = "abc"}, 4000);
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"kind", "text", "name", "contact", "consent"}));
  EXPECT_TRUE(check_submission({.kind = Kind::opinion, .text = "ありがとう", .consent = true}, 4000).empty());
  EXPECT_TRUE(check_submission({.kind = Kind::opinion, .text = "a", .contact = "０９０－１２３４－５６７８", .consent = true}, 4000).empty());
  EXPECT_TRUE(check_submission({.kind = Kind::opinion, .text = "a", .contact = "taro@example.jp", .consent = true}, 4000).empty());
  EXPECT_EQ(check_submission({.kind = Kind::opinion, .text = "a", .contact = "taro@", .consent = true}, 4000).size(), 1u);
  EXPECT_EQ(check_submission({.kind = Kind::opinion, .text = "a", .contact = "12-34", .consent = true}, 4000).size(), 1u);
  std::string long_text;
  for (int i = 0; i < 4001; ++i) long_text += "あ";
  auto too_long = check_submission({.kind = Kind::opinion, .text = long_text, .consent = true}, 4000);
  ASSERT_EQ(too_long.size(), 1u);
  EXPECT_NE(too_long[0].message.find("4,000文字以内"), std::string::npos);
  EXPECT_NE(too_long[0].message.find("4,001"), std::string::npos);
  EXPECT_EQ(check_submission({.kind = Kind::opinion, .text = "a\x01", .consent = true}, 4000).size(), 1u);
}

TEST(ReplyTemplates, PlaceholdersFilledOnce) {
  EXPECT_EQ(reply_templates().size(), 3u);
  ASSERT_NE(find_reply_template("thanks"), nullptr);
  EXPECT_EQ(find_reply_template("nope"), nullptr);
  EXPECT_EQ(fill_placeholders("{名前}、{受付番号}です", "山田 太郎", "MB-1"), "山田 太郎 様、MB-1です");
  EXPECT_EQ(fill_placeholders("{名前}", "", "MB-1"), "ご投稿いただいた方へ");
  // A name that looks like a placeholder stays as it is.
  EXPECT_EQ(fill_placeholders("{名前} {受付番号}", "{受付番号}", "MB-1"), "{受付番号} 様 MB-1");
}


TEST(MailboxConfig, DefaultsAndBadValues) {
  Config config;
  EXPECT_EQ(config.text("mailbox.urgent_words"), kDefaultUrgentWords);
  config.set("server.base_url", "https://police.example.jp/");
  auto s = settings_from_config(config);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->retention_days, 365);
  EXPECT_EQ(s->max_text_chars, 4000u);
  EXPECT_EQ(s->pr_unit_code, "koho");
  EXPECT_EQ(s->duty_unit_code, "honbu-toku");
  EXPECT_EQ(s->urgent_notify_unit_codes, (std::vector<std::string>{"honbu-toku", "cyber"}));
  EXPECT_EQ(s->base_url, "https://police.example.jp");
  for (auto [key, value] : std::vector<std::pair<const char*, const char*>>{
           {"mailbox.retention_days", "0"}, {"mailbox.urgent_words", " , "}, {"mailbox.duty_unit", "koho"},
           {"mailbox.max_text_chars", "10"}}) {
    Config bad;
    bad.set(key, value);
    EXPECT_FALSE(settings_from_config(bad)) << key;
  }
}

// ---- the service on both backends ----

class MailboxTest : public org::testing::OrgTest {
 protected:
  void SetUp() override {
    OrgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_TRUE(reg.add("store", store::store_migrations()).ok());
    ASSERT_TRUE(reg.add("org", org::org_migrations()).ok());
    ASSERT_TRUE(reg.add("audit", audit::audit_migrations()).ok());
    ASSERT_TRUE(reg.add("mail", mail::outbox_migrations()).ok());
    ASSERT_TRUE(reg.add("mailbox", mailbox_migrations()).ok());
    auto m = store::migrate(*db_, reg, org::testing::kNow);
    ASSERT_TRUE(m.ok()) << m.error().message;
    auto filled = w([&](store::Session& s) -> Result<int> {
      KOBAN_ASSIGN(auto people, org::fill_demo(s, kTuesday10 - std::chrono::hours(24 * 30)));
      return static_cast<int>(people.size());
    });
    ASSERT_TRUE(filled) << filled.error().message;
    auto b = Mailbox::create(kSecret, {.ip_limit_per_hour = 3, .base_url = "https://police.example.jp/"},
                             calendar::BusinessCalendar{});
    ASSERT_TRUE(b) << b.error().message;
    box = std::make_unique<Mailbox>(std::move(*b));
  }

  Result<Receipt> send(Instant at, std::string text = "交番の方に親切にしていただきました。", std::string contact = "",
                       std::string ip = "", std::string name = "山田 太郎", Kind kind = Kind::opinion) {
    return w([&](store::Session& s) {
      return box->submit(s, {.kind = kind, .text = text, .name = name, .contact = contact, .consent = true,
                             .client_ip = ip},
                         at);
    });
  }
  Who who(const std::string& login) {
    Who out;
    auto r = db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
      if (!p) return Error::not_found(login);
      KOBAN_ASSIGN(out.actor, org::load_actor(s, p->id));
      out.unit_name = "x";
      out.address = "192.0.2.7";
      return ok();
    });
    EXPECT_TRUE(r.ok()) << login;
    return out;
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
  Result<Message> open_as(const std::string& login, std::int64_t id) {
    const Who x = who(login);
    return w([&](store::Session& s) { return box->open(s, x, id, kTuesday10); });
  }
  std::vector<mail::OutboxEntry> outbox() {
    mail::MailListQuery q;
    q.limit = 500;
    auto r = mail::list_mail(*db_, q);
    EXPECT_TRUE(r);
    return r.value_or(std::vector<mail::OutboxEntry>{});
  }

  std::unique_ptr<Mailbox> box;
};

TEST_P(MailboxTest, RoutesByTheCalendarAtReceipt) {
  auto office = send(kTuesday10);
  auto night = send(kTuesday22);
  auto holiday = send(kHoliday10);
  ASSERT_TRUE(office && night && holiday);
  EXPECT_EQ(office->queue, Queue::pr);
  EXPECT_EQ(night->queue, Queue::duty);
  EXPECT_EQ(holiday->queue, Queue::duty);
  EXPECT_TRUE(is_receipt_number(office->receipt));
  EXPECT_TRUE(office->receipt.starts_with("MB-20261124-"));
  EXPECT_FALSE(office->urgent);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mailbox_messages WHERE queue = 'pr' AND office_hours = 1"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mailbox_messages WHERE queue = 'duty' AND office_hours = 0"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'mailbox.urgent'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'mailbox.message.receive'"), 3);
}

TEST_P(MailboxTest, UrgentMessagesAreFlaggedAndNotifyDutyDeskAndCyberDivision) {
  auto r = send(kTuesday10, "明日、駅を爆破する。", "", "", "");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->urgent);
  EXPECT_EQ(r->queue, Queue::pr);  // still routed by the calendar; the notice goes to the desk at once
  auto job = db_->read([&](store::Session& s) -> Result<void> { return ok(); });
  ASSERT_TRUE(job);
  auto listed = store::list_jobs(*db_, store::JobState::queued, 10);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].kind, kUrgentNoticeJob);

  auto n = deliver_urgent_notice(*db_, *box, (*listed)[0], kTuesday10);
  ASSERT_TRUE(n) << n.error().message;
  std::set<std::string> to;
  for (const auto& m : outbox()) {
    to.insert(m.recipient);
    auto full = mail::get_mail(*db_, m.id);
    ASSERT_TRUE(full);
    EXPECT_EQ(full->message.find("爆破する"), std::string::npos) << "the resident's text stays out of mail";
    EXPECT_NE(full->message.find(r->receipt), std::string::npos);
    EXPECT_NE(full->message.find("/admin/mailbox/" + std::to_string(r->id)), std::string::npos);
  }
  EXPECT_EQ(static_cast<std::size_t>(*n), to.size());
  EXPECT_TRUE(to.count("honbu.tochoku@police.example.jp"));
  EXPECT_TRUE(to.count("cyber.kacho@police.example.jp"));
  EXPECT_TRUE(to.count("cyber.hosa@police.example.jp"));
  EXPECT_FALSE(to.count("koho.kacho@police.example.jp"));
}

TEST_P(MailboxTest, PersonalDataIsSealedAtRest) {
  auto r = send(kTuesday10, "秘密の本文テキスト", "himitsu@example.jp", "", "秘密 花子");
  ASSERT_TRUE(r);
  const Who kacho = who("koho.kacho");
  ASSERT_TRUE(w([&](store::Session& s) { return box->add_note(s, kacho, r->id, "内部メモの本文", kTuesday10); }));
  auto raw = w([&](store::Session& s) -> Result<std::string> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT sealed, urgent_terms, contact_kind FROM mailbox_messages"));
    KOBAN_ASSIGN(auto ev, s.query("SELECT sealed, detail FROM mailbox_events"));
    std::string all;
    for (const auto& row : rows) all += row.text(0) + row.text(1) + row.text(2);
    for (const auto& row : ev) all += row.text(0) + row.text(1);
    return all;
  });
  ASSERT_TRUE(raw);
  for (const char* plain : {"秘密の本文", "himitsu", "example.jp", "秘密 花子", "内部メモの本文"})
    EXPECT_EQ(raw->find(plain), std::string::npos) << plain;
  auto m = open_as("koho.kacho", r->id);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->text, "秘密の本文テキスト");
  EXPECT_EQ(m->name, "秘密 花子");
  EXPECT_EQ(m->contact, "himitsu@example.jp");
  ASSERT_EQ(m->events.size(), 1u);
  EXPECT_EQ(m->events[0].text, "内部メモの本文");
  // A database copied without the key gives nothing away either.
  auto other = Mailbox::create(std::string(32, 'x'), {}, calendar::BusinessCalendar{});
  ASSERT_TRUE(other);
  auto kacho2 = who("koho.kacho");
  auto wrong = w([&](store::Session& s) { return other->open(s, kacho2, r->id, kTuesday10); });
  EXPECT_FALSE(wrong);
}

TEST_P(MailboxTest, QueuesShowOnlyToTheirMembers) {
  auto pr = send(kTuesday10);
  auto duty = send(kTuesday22);
  ASSERT_TRUE(pr && duty);
  auto page_of = [&](const std::string& login, ListFilter f) {
    const Who x = who(login);
    return w([&](store::Session& s) { return box->list(s, x.actor, f); });
  };
  // The PR division's head holds a force-wide mailbox grant: both queues.
  auto all = page_of("koho.kacho", {});
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->queues.size(), 2u);
  // The HQ duty officer: the duty queue only.
  auto desk = page_of("honbu.tochoku", {});
  ASSERT_TRUE(desk) << desk.error().message;
  ASSERT_EQ(desk->items.size(), 1u);
  EXPECT_EQ(desk->items[0].id, duty->id);
  auto desk_pr = page_of("honbu.tochoku", {.queue = Queue::pr});
  ASSERT_FALSE(desk_pr);
  EXPECT_EQ(desk_pr.error().code, ErrorCode::permission_denied);
  EXPECT_TRUE(open_as("honbu.tochoku", duty->id));
  auto denied = open_as("honbu.tochoku", pr->id);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::permission_denied);
  // A station head, and the system administrator (keeps the system, no say over content).
  for (const char* login : {"chuo.shocho", "system.kanri", "cyber.kacho"}) {
    auto p = page_of(login, {});
    ASSERT_FALSE(p) << login;
    EXPECT_EQ(p.error().code, ErrorCode::permission_denied);
    EXPECT_FALSE(open_as(login, pr->id)) << login;
  }
  // Reading is audited, refusals leave no view record.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'mailbox.message.view'"), 1);
  auto kinds = page_of("koho.kacho", {.kind = Kind::complaint});
  ASSERT_TRUE(kinds);
  EXPECT_TRUE(kinds->items.empty());
}

TEST_P(MailboxTest, KeysetPagingAndFilters) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(send(kTuesday10 + std::chrono::minutes(i)));
  ASSERT_TRUE(send(kTuesday10, "放火してやる", "", "", "", Kind::information));
  const Who x = who("koho.kacho");
  auto first = w([&](store::Session& s) { return box->list(s, x.actor, {.limit = 4}); });
  ASSERT_TRUE(first);
  ASSERT_EQ(first->items.size(), 4u);
  ASSERT_TRUE(first->next_before);
  auto second = w([&](store::Session& s) { return box->list(s, x.actor, {.before = first->next_before, .limit = 4}); });
  ASSERT_TRUE(second);
  EXPECT_EQ(second->items.size(), 2u);
  EXPECT_FALSE(second->next_before);
  EXPECT_LT(second->items[0].id, first->items.back().id);
  auto urgent = w([&](store::Session& s) { return box->list(s, x.actor, {.urgent_only = true}); });
  ASSERT_TRUE(urgent);
  ASSERT_EQ(urgent->items.size(), 1u);
  EXPECT_EQ(urgent->items[0].kind, Kind::information);
  auto fresh = w([&](store::Session& s) { return box->list(s, x.actor, {.state = State::closed}); });
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(fresh->items.empty());
}

TEST_P(MailboxTest, ReceiptMailOnlyForAnEmailAddressAndWithoutTheText) {
  auto with_mail = send(kTuesday10, "本文は載らない", "taro@example.jp");
  auto with_phone = send(kTuesday10, "電話だけ", "090-1234-5678");
  ASSERT_TRUE(with_mail && with_phone);
  EXPECT_TRUE(with_mail->receipt_mail);
  EXPECT_FALSE(with_phone->receipt_mail);
  auto mails = outbox();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].recipient, "taro@example.jp");
  auto full = mail::get_mail(*db_, mails[0].id);
  ASSERT_TRUE(full);
  EXPECT_NE(full->message.find(with_mail->receipt), std::string::npos);
  EXPECT_EQ(full->message.find("本文は載らない"), std::string::npos);
}

TEST_P(MailboxTest, AssignNoteReplyAndClose) {
  auto r = send(kTuesday10, "ご意見です", "taro@example.jp", "", "山田 太郎");
  ASSERT_TRUE(r);
  const Who kacho = who("koho.kacho");
  const Who desk = who("honbu.tochoku");
  auto members = w([&](store::Session& s) { return box->members(s, Queue::pr); });
  ASSERT_TRUE(members);
  ASSERT_FALSE(members->empty());
  const auto desk_id = desk.actor.person;
  for (const auto& m : *members) EXPECT_NE(m.person, desk_id) << "the HQ desk is no member of the PR queue";
  // Someone outside the queue can neither be assigned nor act.
  auto bad = w([&](store::Session& s) { return box->assign(s, kacho, r->id, desk_id, kTuesday10); });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  auto outsider = w([&](store::Session& s) { return box->add_note(s, desk, r->id, "メモ", kTuesday10); });
  ASSERT_FALSE(outsider);
  EXPECT_EQ(outsider.error().code, ErrorCode::permission_denied);
  ASSERT_TRUE(w([&](store::Session& s) { return box->assign(s, kacho, r->id, members->front().person, kTuesday10); }));
  auto reply = w([&](store::Session& s) {
    return box->reply(s, kacho, r->id, "answer", "{名前}\n回答です。受付番号 {受付番号}", kTuesday10);
  });
  ASSERT_TRUE(reply) << reply.error().message;
  std::vector<mail::OutboxEntry> replies;
  for (const auto& m : outbox())
    if (m.recipient == "taro@example.jp") replies.push_back(m);
  ASSERT_EQ(replies.size(), 2u);  // the receipt and the reply
  auto full = mail::get_mail(*db_, replies[0].id);  // newest first
  ASSERT_TRUE(full);
  EXPECT_NE(full->message.find(r->receipt), std::string::npos);
  auto m = open_as("koho.kacho", r->id);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->summary.state, State::answered);
  ASSERT_EQ(m->events.size(), 2u);
  EXPECT_EQ(m->events[1].kind, "reply");
  EXPECT_EQ(m->events[1].text, "山田 太郎 様\n回答です。受付番号 " + r->receipt);
  ASSERT_TRUE(w([&](store::Session& s) { return box->close(s, kacho, r->id, kTuesday10); }));
  auto again = w([&](store::Session& s) { return box->close(s, kacho, r->id, kTuesday10); });
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  auto late = w([&](store::Session& s) { return box->reply(s, kacho, r->id, "thanks", "x", kTuesday10); });
  EXPECT_FALSE(late);
  for (const char* a : {"mailbox.message.assign", "mailbox.message.reply", "mailbox.message.close"})
    EXPECT_EQ(count(std::string("SELECT COUNT(*) FROM audit_log WHERE action = '") + a + "'"), 1) << a;
  // No e-mail address: no reply by mail.
  auto phone = send(kTuesday10, "電話で", "090-1234-5678");
  ASSERT_TRUE(phone);
  auto no_mail = w([&](store::Session& s) { return box->reply(s, kacho, phone->id, "thanks", "x", kTuesday10); });
  ASSERT_FALSE(no_mail);
  EXPECT_EQ(no_mail.error().code, ErrorCode::invalid_argument);
}

TEST_P(MailboxTest, HandOverMovesTheMessageToTheOtherQueue) {
  auto r = send(kTuesday10);
  ASSERT_TRUE(r);
  // A PR-queue-only member.
  auto hosa = who("koho.hosa");
  ASSERT_TRUE(w([&](store::Session& s) {
    return org::grant_role(s, {.person = hosa.actor.person, .purpose = org::Purpose::mailbox, .role = org::Role::staff,
                               .unit = hosa.actor.unit}, kTuesday10);
  }));
  hosa = who("koho.hosa");
  EXPECT_TRUE(open_as("koho.hosa", r->id));
  EXPECT_FALSE(open_as("honbu.tochoku", r->id));
  ASSERT_TRUE(w([&](store::Session& s) { return box->assign(s, hosa, r->id, hosa.actor.person, kTuesday10); }));
  ASSERT_TRUE(w([&](store::Session& s) { return box->hand_over(s, hosa, r->id, "夜間の対応をお願いします", kTuesday10); }));
  EXPECT_FALSE(open_as("koho.hosa", r->id));
  auto m = open_as("honbu.tochoku", r->id);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->summary.queue, Queue::duty);
  EXPECT_EQ(m->summary.state, State::fresh);
  EXPECT_FALSE(m->summary.assignee_name);
  ASSERT_EQ(m->events.size(), 2u);
  EXPECT_EQ(m->events[1].kind, "handover");
  EXPECT_EQ(m->events[1].text, "夜間の対応をお願いします");
  EXPECT_NE(m->events[1].detail.find("広報課 → 本部総合当直"), std::string::npos);
}

TEST_P(MailboxTest, RateLimitPerClientAddressStoresNothing) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(send(kTuesday10 + std::chrono::minutes(i), "a", "", "198.51.100.9"));
  auto fourth = send(kTuesday10 + std::chrono::minutes(5), "a", "", "198.51.100.9");
  ASSERT_FALSE(fourth);
  EXPECT_EQ(fourth.error().code, ErrorCode::rate_limited);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mailbox_messages"), 3);
  EXPECT_TRUE(send(kTuesday10 + std::chrono::minutes(5), "a", "", "198.51.100.10"));
  EXPECT_TRUE(send(kTuesday10 + std::chrono::minutes(61), "a", "", "198.51.100.9"));
  // The client address is kept only as a keyed hash.
  EXPECT_EQ(count("SELECT COUNT(*) FROM mailbox_rate_limits WHERE key LIKE '%198.51%'"), 0);
}

TEST_P(MailboxTest, PurgeRemovesMessagesClosedLongerThanTheRetention) {
  const Instant long_ago = kTuesday10 - std::chrono::hours(24 * 400);
  auto old_closed = send(long_ago);
  auto old_open = send(long_ago);
  auto recent_closed = send(kTuesday10 - std::chrono::hours(24 * 10));
  ASSERT_TRUE(old_closed && old_open && recent_closed);
  const Who kacho = who("koho.kacho");
  ASSERT_TRUE(w([&](store::Session& s) { return box->add_note(s, kacho, old_closed->id, "メモ", long_ago); }));
  ASSERT_TRUE(w([&](store::Session& s) { return box->close(s, kacho, old_closed->id, long_ago); }));
  ASSERT_TRUE(w([&](store::Session& s) { return box->close(s, kacho, recent_closed->id, kTuesday10); }));
  auto r = w([&](store::Session& s) { return box->purge(s, kTuesday10); });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->messages, 1);
  EXPECT_EQ(r->events, 2);  // the note and the close
  EXPECT_EQ(count("SELECT COUNT(*) FROM mailbox_messages WHERE id = " + std::to_string(old_closed->id)), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mailbox_messages"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mailbox_events WHERE message_id = " + std::to_string(old_closed->id)), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'mailbox.message.purge' AND summary LIKE '%1 件%'"), 1);
  auto again = w([&](store::Session& s) { return box->purge(s, kTuesday10); });
  ASSERT_TRUE(again);
  EXPECT_EQ(again->messages, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'mailbox.message.purge'"), 1);
}

TEST_P(MailboxTest, InvalidSubmissionStoresNothing) {
  auto r = w([&](store::Session& s) { return box->submit(s, {.kind = Kind::opinion, .text = "a"}, kTuesday10); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mailbox_messages"), 0);
}

TEST_P(MailboxTest, DemoFillsBothQueuesEveryKindAndState) {
  auto n = w([&](store::Session& s) { return fill_demo_mailbox(s, *box, kTuesday10); });
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_GE(*n, 10);
  for (const char* q : {"pr", "duty"})
    EXPECT_GT(count(std::string("SELECT COUNT(*) FROM mailbox_messages WHERE queue = '") + q + "'"), 0) << q;
  for (auto k : kAllKinds)
    EXPECT_GT(count(std::string("SELECT COUNT(*) FROM mailbox_messages WHERE kind = '") + to_string(k) + "'"), 0);
  for (auto st : kAllStates)
    EXPECT_GT(count(std::string("SELECT COUNT(*) FROM mailbox_messages WHERE state = '") + to_string(st) + "'"), 0)
        << to_string(st);
  EXPECT_GE(count("SELECT COUNT(*) FROM mailbox_messages WHERE urgent = 1"), 2);
  auto again = w([&](store::Session& s) { return fill_demo_mailbox(s, *box, kTuesday10); });
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
}


TEST_P(MailboxTest, WorkerRunsTheUrgentNoticeAndThePurge) {
  ASSERT_TRUE(send(kTuesday22, "自殺します", "", "", ""));
  FixedClock clock(kTuesday22);
  store::Worker worker(*db_, {.worker_id = "test", .threads = 1, .clock = &clock});
  std::shared_ptr<const Mailbox> shared(box.get(), [](const Mailbox*) {});
  register_mailbox_jobs(worker, *db_, shared, clock);
  auto ran = worker.run_once();
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_TRUE(*ran);
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'mailbox.urgent' AND state = 'done'"), 1);
  EXPECT_GE(count("SELECT COUNT(*) FROM mail_outbox"), 3);
  ASSERT_TRUE(w([&](store::Session& s) {
    return store::enqueue(s, {.kind = kPurgeJob, .run_at = kTuesday22}, kTuesday22);
  }));
  ran = worker.run_once();
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'mailbox.purge' AND state = 'done'"), 1);
}

KOBAN_BACKEND_TESTS(MailboxTest);

}  // namespace
}  // namespace koban::mailbox
