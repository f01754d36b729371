#include "audit/chain_hash.h"

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "audit/search.h"

namespace koban::audit {
namespace {

Record sample() {
  Record r;
  r.seq = 7;
  r.at = from_unix(1'800'000'000);
  r.event.actor_id = 12;
  r.event.actor_name = "山田 太郎";
  r.event.unit_id = 3;
  r.event.unit_name = "広報課";
  r.event.action = "site.article.approve";
  r.event.object_type = "article";
  r.event.object_id = "44";
  r.event.summary = "状態: 承認待ち → 承認済み";
  r.event.address = "192.0.2.1";
  r.prev_hash = std::string(kGenesisHash);
  return r;
}

TEST(ChainHash, Sha256MatchesTheFips180Vector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ChainHash, IsHexOf64AndStable) {
  const auto h = record_hash(sample());
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(record_hash(sample()), h);
  std::string bytes;
  encode_canonical(sample(), bytes);
  EXPECT_EQ(sha256_hex(bytes), h);
}

TEST(ChainHash, EveryFieldChangesTheHash) {
  const auto base = record_hash(sample());
  std::vector<std::function<void(Record&)>> edits = {
      [](Record& r) { r.seq = 8; },
      [](Record& r) { r.at += std::chrono::seconds(1); },
      [](Record& r) { r.event.actor_id = 13; },
      [](Record& r) { r.event.actor_name += "x"; },
      [](Record& r) { r.event.unit_id.reset(); },
      [](Record& r) { r.event.unit_name = "警務課"; },
      [](Record& r) { r.event.action = "site.article.remand"; },
      [](Record& r) { r.event.object_type = "page"; },
      [](Record& r) { r.event.object_id = "45"; },
      [](Record& r) { r.event.summary = ""; },
      [](Record& r) { r.event.address = "192.0.2.2"; },
      [](Record& r) { r.event.outcome = Outcome::refused; },
      [](Record& r) { r.prev_hash[0] = '1'; },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    Record r = sample();
    edits[i](r);
    EXPECT_NE(record_hash(r), base) << "edit " << i;
  }
}

TEST(ChainHash, LengthPrefixesKeepFieldBoundaries) {
  Record a = sample(), b = sample();
  a.event.object_type = "ab";
  a.event.object_id = "c";
  b.event.object_type = "a";
  b.event.object_id = "bc";
  EXPECT_NE(record_hash(a), record_hash(b));
  // A missing id is not the id 0.
  Record n = sample(), z = sample();
  n.event.actor_id.reset();
  z.event.actor_id = 0;
  EXPECT_NE(record_hash(n), record_hash(z));
}

TEST(Sanitize, RefusesBadActionNames) {
  Event e;
  for (const std::string& bad : std::vector<std::string>{"", "Auth.Login", "auth login", "auth;drop", std::string(101, 'a')}) {
    e.action = bad;
    auto r = sanitize_event(e);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  }
  e.action = "auth.login_2fa-totp";
  EXPECT_TRUE(sanitize_event(e).ok());
}

TEST(Sanitize, MakesTextValidAndBounded) {
  Event e;
  e.action = "x.y";
  e.actor_name = std::string("a\x00" "b\x1b" "c", 5) + "\xff\xc0\x80" + "d";
  e.summary = "行1\n行2\t\r";
  e.address = std::string(100, '1');
  auto r = sanitize_event(e);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->actor_name, "a b c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "d");
  EXPECT_EQ(r->summary, "行1\n行2\t ");
  EXPECT_LE(r->address.size(), kMaxAddressBytes);

  std::string long_text;
  for (int i = 0; i < 1000; ++i) long_text += "あ";  // 3 bytes each
  e.summary = long_text;
  r = sanitize_event(e);
  ASSERT_TRUE(r.ok());
  EXPECT_LE(r->summary.size(), kMaxSummaryBytes);
  EXPECT_GT(r->summary.size(), kMaxSummaryBytes - 6);
  EXPECT_EQ(r->summary.substr(r->summary.size() - 3), "\xE2\x80\xA6");  // "…"
  EXPECT_EQ(r->summary.substr(0, 3), "あ");
  EXPECT_EQ((r->summary.size() - 3) % 3, 0u);  // no character was split
}

TEST(CsvCell, QuotesAndGuardsFormulas) {
  EXPECT_EQ(csv_cell("plain"), "plain");
  EXPECT_EQ(csv_cell(""), "");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(csv_cell("+1"), "'+1");
  EXPECT_EQ(csv_cell("-1"), "'-1");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_cell("a=b"), "a=b");
}

}  // namespace
}  // namespace koban::audit
