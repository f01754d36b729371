#include "mail/mime.h"

#include <gtest/gtest.h>

#include "mail/encoding.h"
#include "mail/iso2022jp.h"

namespace koban::mail {
namespace {

BuildOptions with(Charset cs) {
  BuildOptions o;
  o.charset = cs;
  return o;
}
BuildOptions jis() { return with(Charset::iso2022jp); }
BuildOptions b64() {
  BuildOptions o;
  o.text_encoding = TextEncoding::base64;
  return o;
}
BuildOptions fixed(std::string boundary) {
  BuildOptions o;
  o.boundary = std::move(boundary);
  return o;
}

Message sample() {
  Message m;
  m.from = {"岐阜県警察", "noreply@police.example.jp"};
  m.to = {{"", "a..b@docomo.ne.jp"}};
  m.subject = "【防犯情報】不審者の出没";
  m.date = from_jst({{2026, 11, 21}, 13, 5, 0});
  m.message_id = "<alert-42@police.example.jp>";
  m.text = "本日、不審者が出没しました。\n";
  return m;
}

std::vector<std::string> lines_of(const std::string& raw) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < raw.size()) {
    auto end = raw.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "line without CRLF at " << start;
    if (end == std::string::npos) break;
    lines.push_back(raw.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

TEST(Mime, Utf8TextMessageExactBytes) {
  Message m = sample();
  m.headers = {{"List-Unsubscribe", "<https://police.example.jp/u/abc>"},
               {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
  auto raw = build_message(m);
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(*raw,
            "From: =?UTF-8?B?5bKQ6Zic55yM6K2m5a+f?= <noreply@police.example.jp>\r\n"
            "To: a..b@docomo.ne.jp\r\n"
            "Subject: =?UTF-8?B?44CQ6Ziy54qv5oOF5aCx44CR5LiN5a+p6ICF44Gu5Ye65rKh?=\r\n"
            "Date: Sat, 21 Nov 2026 13:05:00 +0900\r\n"
            "Message-ID: <alert-42@police.example.jp>\r\n"
            "List-Unsubscribe: <https://police.example.jp/u/abc>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n"
            "\r\n"
            "=E6=9C=AC=E6=97=A5=E3=80=81=E4=B8=8D=E5=AF=A9=E8=80=85=E3=81=8C=E5=87=BA=E6=\r\n"
            "=B2=A1=E3=81=97=E3=81=BE=E3=81=97=E3=81=9F=E3=80=82\r\n");
}

TEST(Mime, Iso2022jpMessageExactBytes) {
  Message m = sample();
  m.subject = "件名テスト";
  m.from.display_name = "";
  auto raw = build_message(m, jis());
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(*raw,
            "From: noreply@police.example.jp\r\n"
            "To: a..b@docomo.ne.jp\r\n"
            "Subject: =?ISO-2022-JP?B?GyRCN29MPiVGJTklSBsoQg==?=\r\n"
            "Date: Sat, 21 Nov 2026 13:05:00 +0900\r\n"
            "Message-ID: <alert-42@police.example.jp>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=ISO-2022-JP\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "\x1b$BK\\F|!\"IT?3<T$,=PKW$7$^$7$?!#\x1b(B\r\n");
  for (unsigned char c : *raw) EXPECT_LT(c, 0x80);
}

TEST(Mime, AsciiTextStays7bitAndBase64Option) {
  Message m = sample();
  m.text = "Hello\r\nWorld";
  auto raw = build_message(m);
  ASSERT_TRUE(raw);
  EXPECT_NE(raw->find("Content-Transfer-Encoding: 7bit\r\n\r\nHello\r\nWorld\r\n"), std::string::npos);
  m.text = "本日";
  raw = build_message(m, b64());
  ASSERT_TRUE(raw);
  EXPECT_TRUE(raw->ends_with("Content-Transfer-Encoding: base64\r\n\r\n" + base64_lines("本日\r\n")));
}

TEST(Mime, HtmlAlternativeAndAttachmentExactBytes) {
  Message m = sample();
  m.from.display_name = "Gifu \"Police\"";
  m.text = "text";
  m.html = "<p>html</p>";
  m.attachments = {{"地図.png", "image/png", "PNG"}};
  auto raw = build_message(m, fixed("b"));
  ASSERT_TRUE(raw) << raw.error().message;
  const std::string expected_tail =
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed;\r\n boundary=\"b.2\"\r\n"
      "\r\n"
      "--b.2\r\n"
      "Content-Type: multipart/alternative;\r\n boundary=\"b.1\"\r\n"
      "\r\n"
      "--b.1\r\n"
      "Content-Type: text/plain; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: 7bit\r\n"
      "\r\n"
      "text\r\n"
      "--b.1\r\n"
      "Content-Type: text/html; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: 7bit\r\n"
      "\r\n"
      "<p>html</p>\r\n"
      "--b.1--\r\n"
      "--b.2\r\n"
      "Content-Type: image/png\r\n"
      "Content-Disposition: attachment;\r\n filename*=UTF-8''%E5%9C%B0%E5%9B%B3.png\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "UE5H\r\n"
      "--b.2--\r\n";
  EXPECT_TRUE(raw->starts_with("From: \"Gifu \\\"Police\\\"\" <noreply@police.example.jp>\r\n")) << *raw;
  EXPECT_TRUE(raw->ends_with(expected_tail)) << *raw;
}

TEST(Mime, LongJapaneseSubjectIsFoldedWithin78) {
  for (Charset cs : {Charset::utf8, Charset::iso2022jp}) {
    Message m = sample();
    m.subject = "【防犯情報】岐阜市内で不審者が出没しました。本日午後三時ごろ、公園付近で子どもに声をかける男が目撃されています。";
    auto raw = build_message(m, with(cs));
    ASSERT_TRUE(raw);
    const auto lines = lines_of(*raw);
    std::string decoded;
    bool in_subject = false;
    for (const auto& line : lines) {
      if (line.empty()) break;
      EXPECT_LE(line.size(), 78u) << line;
      if (line.starts_with("Subject: ")) in_subject = true;
      else if (line[0] != ' ') in_subject = false;
      if (!in_subject) continue;
      const std::string word = line.substr(line.find("=?"));
      const std::string prefix = cs == Charset::utf8 ? "=?UTF-8?B?" : "=?ISO-2022-JP?B?";
      ASSERT_TRUE(word.starts_with(prefix)) << word;
      auto bytes = base64_decode(word.substr(prefix.size(), word.size() - prefix.size() - 2));
      ASSERT_TRUE(bytes);
      decoded += cs == Charset::utf8 ? *bytes : *iso2022jp_to_utf8(*bytes);
    }
    EXPECT_EQ(decoded, m.subject);
  }
}

TEST(Mime, LongAsciiHeaderFoldsAtSpaces) {
  auto h = unstructured_header("Subject", std::string(50, 'a') + " " + std::string(50, 'b'));
  ASSERT_TRUE(h);
  EXPECT_EQ(*h, "Subject: " + std::string(50, 'a') + "\r\n " + std::string(50, 'b') + "\r\n");
  auto to = address_header("To", {{"", "x@example.jp"}, {"佐藤", "y@example.jp"}});
  ASSERT_TRUE(to);
  EXPECT_EQ(*to, "To: x@example.jp, =?UTF-8?B?5L2Q6Jek?= <y@example.jp>\r\n");
}

TEST(Mime, HeaderInjectionIsImpossible) {
  Message m = sample();
  m.subject = "hello\r\nBcc: victim@example.jp";
  EXPECT_FALSE(build_message(m));
  m = sample();
  m.headers = {{"X-Test", "a\nb"}};
  EXPECT_FALSE(build_message(m));
  m.headers = {{"X-Te st", "a"}};
  EXPECT_FALSE(build_message(m));
  m.headers = {{"X-Test:", "a"}};
  EXPECT_FALSE(build_message(m));
  m.headers = {{"content-type", "text/html"}};
  EXPECT_FALSE(build_message(m));
  m.headers = {{"BCC", "x@example.jp"}};
  EXPECT_FALSE(build_message(m));
  m = sample();
  m.to = {{"", "x@example.jp>\r\nBcc: y@example.jp"}};
  EXPECT_FALSE(build_message(m));
  m = sample();
  m.from.display_name = "a\rb";
  EXPECT_FALSE(build_message(m));
  m = sample();
  m.message_id = "<a@b>\r\nX: y";
  EXPECT_FALSE(build_message(m));
  m = sample();
  m.attachments = {{"a\r\nb.txt", "text/plain", "x"}};
  EXPECT_FALSE(build_message(m));
  m.attachments = {{"a.txt", "text/plain\r\nX: y", "x"}};
  EXPECT_FALSE(build_message(m));
  m = sample();
  m.text = "\xff\xfe";
  EXPECT_FALSE(build_message(m));
}

TEST(Mime, EveryLineWithinLimitsForLongBodies) {
  Message m = sample();
  m.text = std::string(5000, 'x') + "\n" + std::string(3000, 'y');
  m.attachments = {{std::string(100, 'f') + ".txt", "text/plain", std::string(10000, 'z')}};
  auto raw = build_message(m);
  ASSERT_TRUE(raw);
  for (const auto& line : lines_of(*raw)) EXPECT_LE(line.size(), 78u);
  EXPECT_NE(raw->find("filename*0*=UTF-8''"), std::string::npos);
}

TEST(Mime, GeneratedIdsAndBoundariesDiffer) {
  Message m = sample();
  m.message_id.clear();
  m.html = "<p>x</p>";
  auto a = build_message(m), b = build_message(m);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_NE(a->find("@police.example.jp>\r\n"), std::string::npos);
}

}  // namespace
}  // namespace koban::mail
