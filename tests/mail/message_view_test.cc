#include "mail/message_view.h"

#include <gtest/gtest.h>

#include "mail/mime.h"

namespace koban::mail {
namespace {

Message sample() {
  Message m;
  m.from = {"サンプル県警察", "noreply@police.example.jp"};
  m.to = {{"", "a..b@docomo.ne.jp"}};
  m.subject = "【不審者情報】○○市△△町で声かけ事案が発生しました（長い件名の折り返しを確かめるため）";
  m.date = from_unix(1790000000);
  m.text = "本日午後4時ごろ、下校中の児童が声をかけられました。\n=等号と. ドットも含みます。\n";
  return m;
}

TEST(MessageView, DecodesUtf8SubjectAndQuotedPrintableBody) {
  auto raw = build_message(sample());
  ASSERT_TRUE(raw) << raw.error().message;
  auto v = view_message(*raw);
  EXPECT_EQ(v.subject, sample().subject);
  EXPECT_NE(v.from.find("サンプル県警察"), std::string::npos);
  EXPECT_EQ(v.to, "a..b@docomo.ne.jp");
  EXPECT_TRUE(v.text_decoded);
  EXPECT_NE(v.text.find("下校中の児童が声をかけられました。"), std::string::npos);
  EXPECT_NE(v.text.find("=等号と. ドット"), std::string::npos);
}

TEST(MessageView, DecodesIso2022jpAndListsAttachments) {
  Message m = sample();
  m.attachments.push_back({"地図.pdf", "application/pdf", "%PDF-1.4 test"});
  auto raw = build_message(m, {.charset = Charset::iso2022jp});
  ASSERT_TRUE(raw) << raw.error().message;
  auto v = view_message(*raw);
  EXPECT_EQ(v.subject, m.subject);
  EXPECT_NE(v.text.find("下校中の児童"), std::string::npos);
  ASSERT_EQ(v.attachments.size(), 1u);
  EXPECT_EQ(v.attachments[0], "地図.pdf");
}

TEST(MessageView, LeavesGarbageAsIs) {
  auto v = view_message("no header separator at all");
  EXPECT_TRUE(v.subject.empty());
  EXPECT_EQ(decode_header_value("=?UTF-8?B?broken"), "=?UTF-8?B?broken");
  EXPECT_EQ(decode_header_value("=?UTF-8?Q?a_b=E3=81=82?= x"), "a bあ x");
  EXPECT_EQ(quoted_printable_decode("a=3Db=\r\nc="), "a=bc=");
}

}  // namespace
}  // namespace koban::mail
