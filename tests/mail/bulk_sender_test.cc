// BulkSender end to end against a counting sink, on SQLite and PostgreSQL: every message
// exactly once, 4xx retried, 5xx bounced with the hook, dropped and hung sessions lose
// nothing, journal replay after a crash (with a torn record), leases, skipped items.
#include <filesystem>
#include <set>

#include "bulk_sink.h"
#include "bulk_test_util.h"
#include "mail/bulk/journal.h"

namespace koban::mail::bulk {
namespace {

using namespace std::chrono_literals;
using namespace testing;
using mail::testing::BulkSink;
using store::testing::BackendTest;

class BulkSenderTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_OK(store::migrate(*db_, bulk_registry(), from_unix(1'800'000'000)));
  }

  std::unique_ptr<SmtpDelivery> smtp_for(const BulkSink& sink, int sessions = 4) {
    SmtpConfig cfg;
    cfg.port = sink.port();
    cfg.tls = TlsMode::none;
    cfg.connect_timeout = 2s;
    cfg.command_timeout = 300ms;
    cfg.data_timeout = 300ms;
    DeliveryPolicy policy;
    policy.max_sessions = sessions;
    policy.defaults.max_connections = sessions;
    policy.defaults.max_recipients_per_session = 50;
    return std::make_unique<SmtpDelivery>(cfg, policy);
  }

  BulkOptions options() {
    BulkOptions o;
    o.data_dir = dir_;
    o.sender = "noreply@police.example.jp";
    o.node = "test-host";
    o.chunk_size = 64;
    o.retry_base = 20ms;
    o.retry_max = 100ms;
    o.fold_interval = 20ms;
    return o;
  }
};

TEST_P(BulkSenderTest, CreateRunTakesTheItemsFromOneSelect) {
  ASSERT_OK(add_subscribers(*db_, 50, 5));  // 10 unconfirmed
  auto run = new_run(*db_);
  ASSERT_OK(run);
  auto p = run_progress(*db_, *run);
  ASSERT_OK(p);
  EXPECT_EQ(p->total, 40);
  EXPECT_EQ(p->pending, 40);
  EXPECT_EQ(p->state, "queued");
  EXPECT_EQ(p->kind, "test");
  // Duplicate ids in the select: nothing is created.
  std::int64_t dup = 0;
  auto d = db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(dup, create_run(s, "test", "2", from_unix(1'800'000'000),
                                 "SELECT id FROM fake_subscribers WHERE id <= ? UNION ALL SELECT id FROM fake_subscribers WHERE id <= ?",
                                 3, 5));
    return ok();
  });
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::conflict);
  EXPECT_EQ(run_progress(*db_, *run + 1).error().code, ErrorCode::not_found);
  EXPECT_EQ(run_progress(*db_, 999).error().code, ErrorCode::not_found);
  std::int64_t ignored = 0;
  EXPECT_FALSE(db_->write([&](store::Session& s) -> Result<void> {
                    KOBAN_ASSIGN(ignored, create_run(s, "test", "3", from_unix(0), "SELECT 1; DROP TABLE x"));
                    return ok();
                  }).ok());
}

TEST_P(BulkSenderTest, SendsEveryMessageExactlyOnce) {
  ASSERT_OK(add_subscribers(*db_, 500));
  auto run = new_run(*db_);
  ASSERT_OK(run);
  BulkSink sink;
  auto smtp = smtp_for(sink);
  BulkSender sender(*db_, *smtp, options());
  std::set<std::int64_t> succeeded;
  Hooks hooks;
  hooks.on_success = [&](store::Session&, std::int64_t id) -> Result<void> {
    succeeded.insert(id);
    return ok();
  };
  auto r = sender.send(*run, simple_renderer(), hooks);
  ASSERT_OK(r);
  EXPECT_TRUE(r->done);
  EXPECT_EQ(r->progress.sent, 500);
  EXPECT_EQ(r->progress.pending, 0);
  EXPECT_EQ(r->progress.state, "done");
  EXPECT_EQ(succeeded.size(), 500u);
  auto got = sink.accepted();
  ASSERT_EQ(got.size(), 500u);
  for (const auto& [rcpt, n] : got) EXPECT_EQ(n, 1) << rcpt;
  EXPECT_NE(sink.last_data(address_of(17)).find("https://example.jp/u/17"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(sender.journal_path(*run)));  // dropped when done
  // Sending a done run again sends nothing.
  auto again = sender.send(*run, simple_renderer());
  ASSERT_OK(again);
  EXPECT_TRUE(again->done);
  EXPECT_EQ(sink.accepted_total(), 500);
}

TEST_P(BulkSenderTest, TemporaryFailuresAreRetriedThenDelivered) {
  ASSERT_OK(add_subscribers(*db_, 200));
  auto run = new_run(*db_);
  ASSERT_OK(run);
  BulkSink::Options so;
  so.rcpt_reply = [](const std::string& rcpt, int n) -> std::string {
    const int id = std::stoi(rcpt.substr(1));
    return id % 10 == 0 && n == 1 ? "451 4.7.1 greylisted" : "";
  };
  so.after_data = [](const std::string& rcpt, int n) {
    const int id = std::stoi(rcpt.substr(1));
    return id % 10 == 1 && n <= 2 ? BulkSink::After::defer : BulkSink::After::accept;
  };
  BulkSink sink(so);
  auto smtp = smtp_for(sink);
  BulkSender sender(*db_, *smtp, options());
  auto r = sender.send(*run, simple_renderer());
  ASSERT_OK(r);
  EXPECT_TRUE(r->done);
  EXPECT_EQ(r->progress.sent, 200);
  auto got = sink.accepted();
  ASSERT_EQ(got.size(), 200u);
  for (const auto& [rcpt, n] : got) EXPECT_EQ(n, 1) << rcpt;
  auto sent = list_items(*db_, *run, "sent", 1000);
  ASSERT_OK(sent);
  for (const auto& it : *sent) {
    const int expected = it.item_id % 10 == 0 ? 2 : it.item_id % 10 == 1 ? 3 : 1;
    EXPECT_EQ(it.attempts, expected) << it.item_id;
  }
}

TEST_P(BulkSenderTest, PermanentFailuresBounceAndCallTheHook) {
  ASSERT_OK(add_subscribers(*db_, 100));
  auto run = new_run(*db_);
  ASSERT_OK(run);
  BulkSink::Options so;
  so.rcpt_reply = [](const std::string& rcpt, int) -> std::string {
    return std::stoi(rcpt.substr(1)) % 7 == 0 ? "550 5.1.1 no such user" : "";
  };
  BulkSink sink(so);
  auto smtp = smtp_for(sink);
  BulkSender sender(*db_, *smtp, options());
  std::set<std::int64_t> hard;
  Hooks hooks;
  hooks.on_hard_failure = [&](store::Session& s, std::int64_t id) -> Result<void> {
    hard.insert(id);
    return ok();
  };
  auto r = sender.send(*run, simple_renderer(), hooks);
  ASSERT_OK(r);
  EXPECT_TRUE(r->done);
  EXPECT_EQ(r->progress.bounced, 14);
  EXPECT_EQ(r->progress.sent, 86);
  EXPECT_EQ(hard.size(), 14u);
  for (auto id : hard) EXPECT_EQ(id % 7, 0);
  auto bounced = list_items(*db_, *run, "bounced");
  ASSERT_OK(bounced);
  ASSERT_EQ(bounced->size(), 14u);
  EXPECT_EQ((*bounced)[0].last_code, 550);
  EXPECT_NE((*bounced)[0].last_error.find("no such user"), std::string::npos);
  EXPECT_EQ((*bounced)[0].attempts, 1);
  EXPECT_EQ(sink.accepted().size(), 86u);
}

TEST_P(BulkSenderTest, ItemsThatKeepFailingTemporarilyFailAfterMaxAttempts) {
  ASSERT_OK(add_subscribers(*db_, 10));
  auto run = new_run(*db_);
  ASSERT_OK(run);
  BulkSink::Options so;
  so.rcpt_reply = [](const std::string& rcpt, int) -> std::string { return rcpt == "u3@example.jp" ? "452 4.2.2 mailbox full" : ""; };
  BulkSink sink(so);
  auto smtp = smtp_for(sink);
  auto o = options();
  o.max_attempts = 3;
  BulkSender sender(*db_, *smtp, o);
  auto r = sender.send(*run, simple_renderer());
  ASSERT_OK(r);
  EXPECT_TRUE(r->done);
  EXPECT_EQ(r->progress.failed, 1);
  EXPECT_EQ(r->progress.sent, 9);
  auto failed = list_items(*db_, *run, "failed");
  ASSERT_OK(failed);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].item_id, 3);
  EXPECT_EQ((*failed)[0].attempts, 3);
  EXPECT_EQ((*failed)[0].last_code, 452);
}

TEST_P(BulkSenderTest, DroppedAndHungSessionsLoseNoMessage) {
  ASSERT_OK(add_subscribers(*db_, 150));
  auto run = new_run(*db_);
  ASSERT_OK(run);
  BulkSink::Options so;
  so.after_data = [](const std::string& rcpt, int n) {
    const int id = std::stoi(rcpt.substr(1));
    if (n == 1 && id % 13 == 0) return BulkSink::After::drop;
    if (n == 1 && id % 29 == 0) return BulkSink::After::hang;
    return BulkSink::After::accept;
  };
  BulkSink sink(so);
  auto smtp = smtp_for(sink);
  BulkSender sender(*db_, *smtp, options());
  auto r = sender.send(*run, simple_renderer());
  ASSERT_OK(r);
  EXPECT_TRUE(r->done);
  EXPECT_EQ(r->progress.sent, 150);
  auto got = sink.accepted();
  ASSERT_EQ(got.size(), 150u);
  for (const auto& [rcpt, n] : got) EXPECT_EQ(n, 1) << rcpt;
  auto it = list_items(*db_, *run, "sent", 1000);
  ASSERT_OK(it);
  for (const auto& row : *it)
    if (row.item_id % 13 == 0 || row.item_id % 29 == 0) EXPECT_EQ(row.attempts, 2) << row.item_id;
}

TEST_P(BulkSenderTest, LateRetriesEndTheSendWithAResumeTime) {
  ASSERT_OK(add_subscribers(*db_, 5));
  auto run = new_run(*db_);
  ASSERT_OK(run);
  BulkSink::Options so;
  so.rcpt_reply = [](const std::string& rcpt, int n) -> std::string { return rcpt == "u2@example.jp" && n == 1 ? "421 4.7.0 later" : ""; };
  BulkSink sink(so);
  auto smtp = smtp_for(sink);
  auto o = options();
  o.retry_base = 1h;
  o.retry_max = 1h;
  o.max_wait = 1s;
  BulkSender sender(*db_, *smtp, o);
  auto r = sender.send(*run, simple_renderer());
  ASSERT_OK(r);
  EXPECT_FALSE(r->done);
  ASSERT_TRUE(r->resume_at.has_value());
  EXPECT_GT(to_unix(*r->resume_at), to_unix(SystemClock().now()) + 3000);
  EXPECT_EQ(r->progress.deferred, 1);
  EXPECT_EQ(r->progress.sent, 4);
  EXPECT_EQ(r->progress.state, "running");
  // The lease was handed back: another host may pick it up.
  o.node = "other-host";
  BulkSender other(*db_, *smtp, o);
  auto r2 = other.send(*run, simple_renderer());
  ASSERT_OK(r2);
  EXPECT_FALSE(r2->done);
}

TEST_P(BulkSenderTest, ReplaysTheJournalAndIgnoresATornRecord) {
  ASSERT_OK(add_subscribers(*db_, 20));
  auto run = new_run(*db_);
  ASSERT_OK(run);
  BulkSink sink;
  auto smtp = smtp_for(sink);
  BulkSender sender(*db_, *smtp, options());
  // A sender that died after journaling items 1..5 (accepted) and 6 (bounced), in the middle
  // of writing a seventh record.
  std::filesystem::create_directories(dir_ + "/bulk");
  {
    auto j = Journal::open(sender.journal_path(*run));
    ASSERT_OK(j);
    for (int i = 1; i <= 5; ++i) ASSERT_OK(j->append({i, JournalStatus::sent, 250, 0, "ok"}));
    ASSERT_OK(j->append({6, JournalStatus::bounced, 550, 0, "5.1.1 unknown"}));
    const std::string torn = Journal::encode({7, JournalStatus::sent, 250, 0, "ok"});
    std::FILE* f = std::fopen(sender.journal_path(*run).c_str(), "ab");
    std::fwrite(torn.data(), 1, torn.size() - 3, f);
    std::fclose(f);
  }
  std::set<std::int64_t> hard;
  Hooks hooks;
  hooks.on_hard_failure = [&](store::Session&, std::int64_t id) -> Result<void> {
    hard.insert(id);
    return ok();
  };
  auto r = sender.send(*run, simple_renderer(), hooks);
  ASSERT_OK(r);
  EXPECT_TRUE(r->done);
  EXPECT_EQ(r->replayed, 6u);
  EXPECT_EQ(r->progress.sent, 19);
  EXPECT_EQ(r->progress.bounced, 1);
  EXPECT_EQ(hard, std::set<std::int64_t>{6});
  auto got = sink.accepted();
  EXPECT_EQ(got.size(), 14u);  // 7..20
  for (int i = 1; i <= 6; ++i) EXPECT_EQ(got.count(address_of(i)), 0u) << i;
  EXPECT_EQ(got.count(address_of(7)), 1u);
}

TEST_P(BulkSenderTest, ARunHeldByALiveSenderIsRefused) {
  ASSERT_OK(add_subscribers(*db_, 3));
  auto run = new_run(*db_);
  ASSERT_OK(run);
  BulkSink sink;
  auto smtp = smtp_for(sink);
  BulkSender sender(*db_, *smtp, options());
  // Another host's lease, still valid.
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("UPDATE mail_bulk_runs SET lease_owner = 'elsewhere', lease_until = ? WHERE id = ?",
                     to_unix(SystemClock().now()) + 600, *run));
    return ok();
  }));
  auto r = sender.send(*run, simple_renderer());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::conflict);
  // Expired: taken over.
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("UPDATE mail_bulk_runs SET lease_until = ? WHERE id = ?", to_unix(SystemClock().now()) - 1, *run));
    return ok();
  }));
  // Another process of this host holds the journal: refused too.
  std::filesystem::create_directories(dir_ + "/bulk");
  {
    auto held = Journal::open(sender.journal_path(*run));
    ASSERT_OK(held);
    auto r2 = sender.send(*run, simple_renderer());
    ASSERT_FALSE(r2.ok());
    EXPECT_EQ(r2.error().code, ErrorCode::conflict);
  }
  auto r3 = sender.send(*run, simple_renderer());
  ASSERT_OK(r3);
  EXPECT_TRUE(r3->done);
  EXPECT_EQ(sink.accepted_total(), 3);
}

TEST_P(BulkSenderTest, ItemsTheRendererLeavesOutAreSkipped) {
  ASSERT_OK(add_subscribers(*db_, 30));
  auto run = new_run(*db_);
  ASSERT_OK(run);
  BulkSink sink;
  auto smtp = smtp_for(sink);
  BulkSender sender(*db_, *smtp, options());
  auto inner = simple_renderer();
  auto r = sender.send(*run, [&](std::span<const std::int64_t> ids, std::vector<RenderedItem>& out) -> Result<void> {
    std::vector<std::int64_t> keep;
    for (auto id : ids)
      if (id % 5 != 0) keep.push_back(id);
    return inner(keep, out);
  });
  ASSERT_OK(r);
  EXPECT_TRUE(r->done);
  EXPECT_EQ(r->progress.skipped, 6);
  EXPECT_EQ(r->progress.sent, 24);
  EXPECT_EQ(sink.accepted().size(), 24u);
}

TEST_P(BulkSenderTest, ARendererErrorStopsTheSendAndASecondSendFinishesIt) {
  ASSERT_OK(add_subscribers(*db_, 300));
  auto run = new_run(*db_);
  ASSERT_OK(run);
  BulkSink sink;
  auto smtp = smtp_for(sink);
  BulkSender sender(*db_, *smtp, options());
  auto inner = simple_renderer();
  int calls = 0;
  auto r = sender.send(*run, [&](std::span<const std::int64_t> ids, std::vector<RenderedItem>& out) -> Result<void> {
    if (++calls == 3) return Error::unavailable("key store down");
    return inner(ids, out);
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "key store down");
  auto p = run_progress(*db_, *run);
  ASSERT_OK(p);
  EXPECT_EQ(p->sent, 128);  // the two chunks before the error, folded
  auto r2 = sender.send(*run, inner);
  ASSERT_OK(r2);
  EXPECT_TRUE(r2->done);
  auto got = sink.accepted();
  ASSERT_EQ(got.size(), 300u);
  for (const auto& [rcpt, n] : got) EXPECT_EQ(n, 1) << rcpt;
}

TEST_P(BulkSenderTest, AnUnreachableRelayStopsTheSendAndNothingIsLost) {
  ASSERT_OK(add_subscribers(*db_, 200));
  auto run = new_run(*db_);
  ASSERT_OK(run);
  std::uint16_t dead_port = 0;
  {
    BulkSink gone;
    dead_port = gone.port();
  }  // closed: connections are refused
  SmtpConfig cfg;
  cfg.port = dead_port;
  cfg.tls = TlsMode::none;
  cfg.connect_timeout = 500ms;
  SmtpDelivery dead(cfg, DeliveryPolicy{});
  BulkSender failing(*db_, dead, options());
  auto r = failing.send(*run, simple_renderer());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::unavailable);
  auto p = run_progress(*db_, *run);
  ASSERT_OK(p);
  // The items handed to the stream before it ended are deferred (at most the stream's two
  // chunks and the sessions' queue), the rest stay pending; nothing was sent.
  EXPECT_GT(p->deferred, 0);
  EXPECT_LE(p->deferred, 200);
  EXPECT_EQ(p->deferred + p->pending, 200);
  EXPECT_EQ(p->sent, 0);

  BulkSink sink;
  auto smtp = smtp_for(sink);
  BulkSender sender(*db_, *smtp, options());
  auto r2 = sender.send(*run, simple_renderer());
  ASSERT_OK(r2);
  EXPECT_TRUE(r2->done);
  EXPECT_EQ(r2->progress.sent, 200);
  auto got = sink.accepted();
  ASSERT_EQ(got.size(), 200u);
  for (const auto& [rcpt, n] : got) EXPECT_EQ(n, 1) << rcpt;
}

KOBAN_BACKEND_TESTS(BulkSenderTest);

}  // namespace
}  // namespace koban::mail::bulk
