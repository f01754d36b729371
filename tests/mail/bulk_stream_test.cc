// Streaming delivery (SmtpDelivery::deliver_stream) and the BulkSender on top of it: the
// SMTP sessions stay open for a whole run instead of being set up again per chunk, the
// per-domain limits still hold, cancel() and an unreachable relay end the stream.
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "bulk_sink.h"
#include "bulk_test_util.h"
#include "smtp_sink.h"

namespace koban::mail::bulk {
namespace {

using namespace std::chrono_literals;
using namespace testing;
using mail::testing::BulkSink;
using mail::testing::SmtpSink;
using store::testing::BackendTest;

SmtpConfig config_for(std::uint16_t port) {
  SmtpConfig cfg;
  cfg.port = port;
  cfg.tls = TlsMode::none;
  cfg.connect_timeout = 2s;
  cfg.command_timeout = 2s;
  cfg.data_timeout = 2s;
  return cfg;
}

std::vector<TaggedEnvelope> batch_of(std::size_t from, std::size_t n, const std::string& domain) {
  std::vector<TaggedEnvelope> b;
  for (std::size_t i = from; i < from + n; ++i) {
    const std::string to = "u" + std::to_string(i) + "@" + domain;
    b.push_back({i, {"noreply@police.example.jp", {to}, "To: " + to + "\r\nSubject: x\r\n\r\nbody\r\n"}});
  }
  return b;
}

// Outcomes collected on the delivery thread; waiters on another thread.
struct Outcomes {
  std::mutex mu;
  std::condition_variable cv;
  std::multiset<std::size_t> tags;
  std::size_t delivered = 0;
  OutcomeCallback callback() {
    return [this](const RecipientOutcome& o) {
      std::lock_guard lock(mu);
      tags.insert(o.message);
      if (o.status == DeliveryStatus::delivered) ++delivered;
      cv.notify_all();
    };
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 20s, [&] { return tags.size() >= n; });
  }
};

TEST(DeliveryStream, SessionsStayOpenWhileTheProducerIsBehind) {
  SmtpSink sink;
  DeliveryPolicy policy;
  policy.max_sessions = 4;
  policy.defaults.max_connections = 4;
  SmtpDelivery smtp(config_for(sink.port()), policy);
  DeliveryStream stream(50);
  Outcomes got;
  std::thread producer([&] {
    // Three batches, each only after the previous one was delivered completely: the
    // sessions have nothing to do in between and must wait, not quit.
    for (std::size_t k = 0; k < 3; ++k) {
      if (!stream.push(batch_of(k * 40, 40, "example.jp"))) return;
      if (!got.wait_for((k + 1) * 40)) return;
    }
    stream.close();
  });
  auto stats = smtp.deliver_stream(stream, got.callback());
  producer.join();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->delivered, 120u);
  EXPECT_FALSE(stats->relay_unreachable);
  ASSERT_EQ(got.tags.size(), 120u);
  for (std::size_t i = 0; i < 120; ++i) EXPECT_EQ(got.tags.count(i), 1u) << i;
  sink.stop();
  // Old behaviour (one deliver() per batch) would have set up about 12 sessions.
  EXPECT_LE(stats->sessions, 4u);
  EXPECT_EQ(sink.sessions().size(), stats->sessions);
  std::size_t transactions = 0;
  for (const auto& s : sink.sessions()) transactions += s.transactions.size();
  EXPECT_EQ(transactions, 120u);
  EXPECT_FALSE(stream.push(batch_of(500, 1, "example.jp")));  // the delivery has ended
}

TEST(DeliveryStream, DocomoSessionsStillEndAfterTheirRecipientLimit) {
  SmtpSink sink;
  DeliveryPolicy policy;
  policy.max_sessions = 6;
  policy.defaults.max_connections = 6;
  policy.domains["docomo.ne.jp"] = {.max_connections = 2, .max_recipients_per_session = 100};
  SmtpDelivery smtp(config_for(sink.port()), policy);
  DeliveryStream stream(64);
  Outcomes got;
  std::thread producer([&] {
    for (std::size_t k = 0; k < 10; ++k) {
      // Every batch: 30 to docomo, 30 elsewhere.
      auto b = batch_of(k * 60, 30, "docomo.ne.jp");
      auto o = batch_of(k * 60 + 30, 30, "example.jp");
      for (auto& e : o) b.push_back(std::move(e));
      if (!stream.push(std::move(b))) return;
    }
    stream.close();
  });
  auto stats = smtp.deliver_stream(stream, got.callback());
  producer.join();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->delivered, 600u);
  ASSERT_EQ(got.tags.size(), 600u);
  EXPECT_EQ(std::set<std::size_t>(got.tags.begin(), got.tags.end()).size(), 600u);
  sink.stop();
  int docomo_sessions = 0, docomo = 0;
  for (const auto& s : sink.sessions()) {
    if (s.transactions.empty() || s.transactions[0].rcpts.empty()) continue;
    if (s.transactions[0].rcpts[0].find("@docomo.ne.jp") == std::string::npos) continue;
    ++docomo_sessions;
    EXPECT_LE(s.rcpt_commands, 100);
    docomo += s.rcpt_commands;
  }
  EXPECT_EQ(docomo, 300);
  EXPECT_GE(docomo_sessions, 3);
}

TEST(DeliveryStream, CancelStopsSoonAndLeavesTheRestWithoutOutcome) {
  BulkSink sink;
  DeliveryPolicy policy;
  policy.max_sessions = 2;
  SmtpDelivery smtp(config_for(sink.port()), policy);
  DeliveryStream stream(100);
  std::size_t seen = 0;
  std::thread producer([&] {
    for (std::size_t k = 0; k < 50; ++k)
      if (!stream.push(batch_of(k * 100, 100, "example.jp"))) return;  // blocks, then false
    stream.close();
  });
  auto stats = smtp.deliver_stream(stream, [&](const RecipientOutcome&) {
    if (++seen == 150) stream.cancel();
  });
  producer.join();
  ASSERT_TRUE(stats.ok());
  EXPECT_GE(seen, 150u);
  EXPECT_LT(seen, 5000u);
  EXPECT_EQ(static_cast<std::size_t>(sink.accepted_total()), stats->delivered);
}

TEST(DeliveryStream, AnUnreachableRelayEndsTheStream) {
  std::uint16_t dead_port = 0;
  {
    BulkSink gone;
    dead_port = gone.port();
  }
  DeliveryPolicy policy;
  policy.max_sessions = 3;
  SmtpDelivery smtp(config_for(dead_port), policy);
  DeliveryStream stream(20);
  Outcomes got;
  std::atomic<bool> refused{false};
  std::thread producer([&] {
    // Never closes: the delivery must end by itself.
    for (std::size_t k = 0; k < 1000; ++k)
      if (!stream.push(batch_of(k * 20, 20, "example.jp"))) {
        refused = true;
        return;
      }
  });
  auto stats = smtp.deliver_stream(stream, got.callback());
  producer.join();
  ASSERT_TRUE(stats.ok());
  EXPECT_TRUE(stats->relay_unreachable);
  EXPECT_EQ(stats->sessions, 0u);
  EXPECT_EQ(stats->delivered, 0u);
  EXPECT_GT(stats->temporary_failures, 0u);
  EXPECT_TRUE(refused);
  EXPECT_LT(got.tags.size(), 20'000u);
}

class BulkStreamTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_OK(store::migrate(*db_, bulk_registry(), from_unix(1'800'000'000)));
  }
};

// The lever of issue 4's figure: a run of N messages in chunks of C over S sessions used to
// set up about N/C·S sessions; now about S.
TEST_P(BulkStreamTest, ARunOpensAboutOneSessionPerSlotAndReportsSuccessesInBatches) {
  constexpr int kItems = 3000, kSessions = 4;
  ASSERT_OK(add_subscribers(*db_, kItems));
  auto run = new_run(*db_);
  ASSERT_OK(run);
  BulkSink sink;
  SmtpConfig cfg = config_for(sink.port());
  DeliveryPolicy policy;
  policy.max_sessions = kSessions;
  policy.defaults.max_connections = kSessions;
  policy.defaults.max_recipients_per_session = 100'000;
  SmtpDelivery smtp(cfg, policy);
  BulkOptions o;
  o.data_dir = dir_;
  o.sender = "noreply@police.example.jp";
  o.node = "test-host";
  o.chunk_size = 64;  // 47 chunks: 188 sessions the old way
  o.fold_interval = 20ms;
  BulkSender sender(*db_, smtp, o);
  std::multiset<std::int64_t> succeeded;
  std::size_t calls = 0;
  Hooks hooks;
  hooks.on_success = [](store::Session&, std::int64_t) -> Result<void> {
    return Error::internal("on_success_many is set: on_success must not be called");
  };
  hooks.on_success_many = [&](store::Session&, std::span<const std::int64_t> ids) -> Result<void> {
    EXPECT_LE(ids.size(), 100u);
    ++calls;
    succeeded.insert(ids.begin(), ids.end());
    return ok();
  };
  auto r = sender.send(*run, simple_renderer(), hooks);
  ASSERT_OK(r);
  EXPECT_TRUE(r->done);
  EXPECT_EQ(r->progress.sent, kItems);
  // Every sent item reported once, in batches.
  ASSERT_EQ(succeeded.size(), static_cast<std::size_t>(kItems));
  for (std::int64_t i = 1; i <= kItems; ++i) EXPECT_EQ(succeeded.count(i), 1u) << i;
  EXPECT_LT(calls, static_cast<std::size_t>(kItems) / 10);
  auto got = sink.accepted();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kItems));
  for (const auto& [rcpt, n] : got) EXPECT_EQ(n, 1) << rcpt;
  EXPECT_EQ(static_cast<long>(r->smtp_sessions), sink.sessions());
  EXPECT_LE(sink.sessions(), 2 * kSessions);
  EXPECT_GE(sink.sessions(), 1);
}

KOBAN_BACKEND_TESTS(BulkStreamTest);

}  // namespace
}  // namespace koban::mail::bulk
