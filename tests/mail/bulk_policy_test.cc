// Per-domain policy for bulk sending: the carriers' defaults and the per-domain rate limit
// (a token bucket shared by the domain's sessions and kept across deliver() calls).
#include <gtest/gtest.h>

#include "bulk_sink.h"
#include "mail/bulk/bulk.h"

namespace koban::mail::bulk {
namespace {

using namespace std::chrono_literals;

TEST(BulkPolicyTest, CarrierDefaultsOnTopOfTheBase) {
  DeliveryPolicy base;
  base.defaults.max_connections = 20;
  base.domains["softbank.ne.jp"] = {.max_connections = 2, .max_recipients_per_session = 10};
  auto p = carrier_policy(base, 30, 80);
  EXPECT_EQ(p.for_domain("docomo.ne.jp").max_recipients_per_session, 100);
  EXPECT_EQ(p.for_domain("docomo.ne.jp").max_messages_per_second, 30);
  EXPECT_LE(p.for_domain("docomo.ne.jp").max_connections, 5);
  EXPECT_EQ(p.for_domain("ezweb.ne.jp").max_messages_per_second, 80);
  EXPECT_EQ(p.for_domain("au.com").max_recipients_per_session, 100);
  EXPECT_EQ(p.for_domain("i.softbank.jp").max_messages_per_second, 80);
  EXPECT_EQ(p.for_domain("softbank.ne.jp").max_recipients_per_session, 10);  // the caller's wins
  EXPECT_EQ(p.for_domain("example.jp").max_messages_per_second, 0);
}

TEST(BulkPolicyTest, ARateLimitedDomainWaitsForTokensAcrossDeliverCalls) {
  mail::testing::BulkSink sink;
  SmtpConfig cfg;
  cfg.port = sink.port();
  cfg.tls = TlsMode::none;
  DeliveryPolicy policy;
  policy.max_sessions = 4;
  policy.defaults.max_connections = 4;
  policy.domains["slow.example.jp"] = {.max_connections = 4, .max_recipients_per_session = 100,
                                       .max_messages_per_second = 40};
  SmtpDelivery smtp(cfg, policy);
  auto batch = [](const std::string& domain, int from, int n) {
    std::vector<Envelope> b;
    for (int i = from; i < from + n; ++i)
      b.push_back({"noreply@police.example.jp", {"u" + std::to_string(i) + "@" + domain}, "Subject: x\r\n\r\nx\r\n"});
    return b;
  };
  // The burst (40) goes at once; 20 more need at least half a second at 40/s, also when they
  // come in a second deliver() call. (Only a lower bound: never flaky on a slow machine.)
  const auto start = std::chrono::steady_clock::now();
  auto a = smtp.deliver(batch("slow.example.jp", 0, 40), nullptr);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->delivered, 40u);
  auto b = smtp.deliver(batch("slow.example.jp", 40, 20), nullptr);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->delivered, 20u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 450ms);
  EXPECT_EQ(sink.accepted().size(), 60u);
}

}  // namespace
}  // namespace koban::mail::bulk
