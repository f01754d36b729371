#include "mail/outbox.h"

#include "../store/test_db.h"
#include "mail/address.h"
#include "mail/mime.h"
#include "smtp_sink.h"
#include "store/migrations.h"

namespace koban::mail {
namespace {

using namespace std::chrono_literals;
using store::testing::BackendTest;
const Instant kT0 = from_unix(1'800'000'000);

std::string raw_for(const std::string& to) {
  Message m;
  m.from = {"岐阜県警察", "noreply@police.example.jp"};
  m.to = {{"", is_valid_address(to) ? to : "x@example.jp"}};
  m.subject = "防犯情報";
  m.date = kT0;
  m.message_id = "<o@police.example.jp>";
  m.text = "本文\n";
  return *build_message(m);
}

// A transport that answers with a fixed status per recipient (default delivered).
class FakeTransport final : public Transport {
 public:
  explicit FakeTransport(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  Result<void> send(const std::vector<OutboxEntry>& mails, const Report& report) override {
    for (std::size_t i = 0; i < mails.size(); ++i) {
      seen.push_back(mails[i].recipient);
      auto it = status.find(mails[i].recipient);
      report(i, it == status.end() ? DeliveryStatus::delivered : it->second, "fake 451 later");
    }
    return ok();
  }
  std::map<std::string, DeliveryStatus> status;
  std::vector<std::string> seen;

 private:
  std::string name_;
};

class OutboxTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_OK(reg.add("store", store::store_migrations()));
    ASSERT_OK(reg.add("mail", outbox_migrations()));
    ASSERT_OK(store::migrate(*db_, reg, kT0));
  }

  Result<std::int64_t> add(const std::string& to, const std::string& transport = "smtp",
                           std::optional<std::string> batch = std::nullopt) {
    std::int64_t id = 0;
    auto r = db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(id, enqueue(s, {transport, "noreply@police.example.jp", to, raw_for(to), batch}, clock_.now()));
      return ok();
    });
    if (!r) return r.error();
    return id;
  }

  FixedClock clock_{kT0};
};

TEST_P(OutboxTest, EnqueueIsPartOfTheCallersTransaction) {
  auto r = db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(enqueue(s, {"smtp", "", "a..b@docomo.ne.jp", raw_for("a..b@docomo.ne.jp"), std::nullopt}, kT0));
    return Error::invalid("caller fails after enqueue");
  });
  EXPECT_FALSE(r);
  Outbox outbox(*db_, clock_);
  EXPECT_EQ(outbox.counts()->queued, 0);
  ASSERT_OK(add("a..b@DOCOMO.ne.jp"));
  auto c = outbox.counts();
  ASSERT_OK(c);
  EXPECT_EQ(c->queued, 1);
  auto rows = list_mail(*db_, {});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].recipient, "a..b@docomo.ne.jp");
  EXPECT_EQ((*rows)[0].domain, "docomo.ne.jp");
  EXPECT_EQ((*rows)[0].state, OutboxState::queued);

  EXPECT_FALSE(add("not an address"));
  auto bad = db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(enqueue(s, {"smtp", "", "x@example.jp", std::string(kMaxMessageBytes + 1, 'x'), std::nullopt}, kT0));
    return ok();
  });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::too_large);
}

TEST_P(OutboxTest, CatcherMarksSentAndKeepsTheMessageForStaff) {
  CatcherTransport catcher;
  Outbox outbox(*db_, clock_);
  outbox.add_transport(catcher);
  ASSERT_OK(add("a@example.jp", "catcher", "alert:1"));
  ASSERT_OK(add("b@example.jp", "catcher", "alert:1"));
  ASSERT_OK(add("c@example.jp", "catcher", "alert:2"));
  auto smtp_row = add("d@example.jp", "smtp");  // no smtp transport here: stays queued
  ASSERT_OK(smtp_row);
  auto r = outbox.run_once();
  ASSERT_OK(r);
  EXPECT_EQ(r->claimed, 3u);
  EXPECT_EQ(r->sent, 3u);
  auto c = outbox.counts();
  EXPECT_EQ(c->sent, 3);
  EXPECT_EQ(c->queued, 1);
  EXPECT_EQ(outbox.totals().sent, 3u);

  MailListQuery q;
  q.batch_key = "alert:1";
  auto batch = list_mail(*db_, q);
  ASSERT_OK(batch);
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_EQ((*batch)[0].recipient, "b@example.jp");  // newest first
  EXPECT_TRUE((*batch)[0].message.empty());
  EXPECT_EQ((*batch)[0].state, OutboxState::sent);
  ASSERT_TRUE((*batch)[0].sent_at);
  q = {};
  q.state = OutboxState::queued;
  EXPECT_EQ(list_mail(*db_, q)->size(), 1u);
  q = {};
  q.limit = 2;
  auto page1 = list_mail(*db_, q);
  ASSERT_EQ(page1->size(), 2u);
  q.before_id = page1->back().id;
  EXPECT_EQ(list_mail(*db_, q)->size(), 2u);

  auto one = get_mail(*db_, (*batch)[0].id);
  ASSERT_OK(one);
  EXPECT_EQ(one->message, raw_for("b@example.jp"));
  auto missing = get_mail(*db_, 999999);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST_P(OutboxTest, SmtpOutcomesRetryBackoffAndBounce) {
  testing::SinkOptions o;
  o.rcpt_replies["busy@example.jp"] = "450 4.2.0 Mailbox busy";
  o.rcpt_replies["nobody@example.jp"] = "550 5.1.1 User unknown";
  testing::SmtpSink sink(o);
  SmtpConfig cfg;
  cfg.port = sink.port();
  cfg.tls = TlsMode::none;
  SmtpTransport smtp(cfg, {});
  Outbox outbox(*db_, clock_);
  outbox.add_transport(smtp);
  auto ok_id = add("ok@example.jp");
  auto busy_id = add("busy@example.jp");
  auto nobody_id = add("nobody@example.jp");
  ASSERT_OK(ok_id);
  ASSERT_OK(busy_id);
  ASSERT_OK(nobody_id);

  auto r = outbox.run_once();
  ASSERT_OK(r);
  EXPECT_EQ(r->claimed, 3u);
  EXPECT_EQ(r->sent, 1u);
  EXPECT_EQ(r->retried, 1u);
  EXPECT_EQ(r->bounced, 1u);
  auto busy = get_mail(*db_, *busy_id);
  EXPECT_EQ(busy->state, OutboxState::queued);
  EXPECT_EQ(busy->attempts, 1);
  EXPECT_EQ(busy->next_attempt_at, kT0 + 60s);
  EXPECT_NE(busy->last_error.value_or("").find("450"), std::string::npos);
  auto nobody = get_mail(*db_, *nobody_id);
  EXPECT_EQ(nobody->state, OutboxState::bounced);
  EXPECT_NE(nobody->last_error.value_or("").find("User unknown"), std::string::npos);
  EXPECT_EQ(get_mail(*db_, *ok_id)->state, OutboxState::sent);

  // Not due yet.
  clock_.advance(59s);
  EXPECT_EQ(outbox.run_once()->claimed, 0u);
  // Due, and the mailbox is free now.
  clock_.advance(1s);
  sink.set_rcpt_reply("busy@example.jp", std::nullopt);
  r = outbox.run_once();
  ASSERT_OK(r);
  EXPECT_EQ(r->claimed, 1u);
  EXPECT_EQ(r->sent, 1u);
  busy = get_mail(*db_, *busy_id);
  EXPECT_EQ(busy->state, OutboxState::sent);
  EXPECT_EQ(busy->attempts, 2);
  EXPECT_FALSE(busy->last_error);
  sink.stop();
  int delivered = 0;
  for (const auto& s : sink.sessions())
    for (const auto& t : s.transactions) delivered += static_cast<int>(t.rcpts.size());
  EXPECT_EQ(delivered, 2);  // ok@ once, busy@ once: nothing sent twice
}

TEST_P(OutboxTest, TemporaryFailuresGiveUpAfterMaxAttempts) {
  FakeTransport t("smtp");
  t.status["later@example.jp"] = DeliveryStatus::temporary_failure;
  OutboxOptions opt;
  opt.max_attempts = 3;
  opt.base_backoff = 10s;
  Outbox outbox(*db_, clock_, opt);
  outbox.add_transport(t);
  auto id = add("later@example.jp");
  ASSERT_OK(id);
  EXPECT_EQ(outbox.backoff(1), 10s);
  EXPECT_EQ(outbox.backoff(2), 20s);
  EXPECT_EQ(outbox.backoff(3), 40s);
  for (int i = 0; i < 3; ++i) {
    auto r = outbox.run_once();
    ASSERT_OK(r);
    EXPECT_EQ(r->claimed, 1u) << i;
    clock_.advance(outbox.backoff(i + 1));
  }
  auto e = get_mail(*db_, *id);
  EXPECT_EQ(e->state, OutboxState::failed);
  EXPECT_EQ(e->attempts, 3);
  EXPECT_EQ(outbox.run_once()->claimed, 0u);
  EXPECT_EQ(outbox.counts()->failed, 1);
  EXPECT_EQ(outbox.totals().failed, 1u);
  EXPECT_EQ(outbox.totals().retried, 2u);
}

TEST_P(OutboxTest, RowsInFlightWhenAProcessDiedAreSentAfterTheLease) {
  auto id = add("a@example.jp");
  ASSERT_OK(id);
  // Another process claimed the row and died before recording an outcome.
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("UPDATE mail_outbox SET state = 'sending', attempts = 1, lease_until = ? WHERE id = ?",
                     to_unix(kT0 + 600s), *id));
    return ok();
  }));
  FakeTransport t("smtp");
  Outbox outbox(*db_, clock_);
  outbox.add_transport(t);
  EXPECT_EQ(outbox.run_once()->claimed, 0u);  // the lease still holds
  EXPECT_EQ(outbox.counts()->sending, 1);
  clock_.advance(600s);
  auto r = outbox.run_once();
  ASSERT_OK(r);
  EXPECT_EQ(r->sent, 1u);
  auto e = get_mail(*db_, *id);
  EXPECT_EQ(e->state, OutboxState::sent);
  EXPECT_EQ(e->attempts, 2);
  EXPECT_EQ(t.seen, std::vector<std::string>{"a@example.jp"});
}

TEST_P(OutboxTest, TwoOutboxesNeverSendTheSameRowTwice) {
  for (int i = 0; i < 40; ++i) ASSERT_OK(add("u" + std::to_string(i) + "@example.jp"));
  auto other_db = open_another();
  FakeTransport t1("smtp"), t2("smtp");
  OutboxOptions opt;
  opt.batch_size = 15;
  Outbox a(*db_, clock_, opt), b(*other_db, clock_, opt);
  a.add_transport(t1);
  b.add_transport(t2);
  std::thread ta([&] { while (a.run_once().value_or({}).claimed > 0) {} });
  std::thread tb([&] { while (b.run_once().value_or({}).claimed > 0) {} });
  ta.join();
  tb.join();
  std::set<std::string> all(t1.seen.begin(), t1.seen.end());
  all.insert(t2.seen.begin(), t2.seen.end());
  EXPECT_EQ(all.size(), 40u);
  EXPECT_EQ(t1.seen.size() + t2.seen.size(), 40u);
  EXPECT_EQ(a.counts()->sent, 40);
}

KOBAN_BACKEND_TESTS(OutboxTest);

}  // namespace
}  // namespace koban::mail
