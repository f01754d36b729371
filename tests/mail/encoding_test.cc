#include "mail/encoding.h"

#include <gtest/gtest.h>

#include "mail/iso2022jp.h"

namespace koban::mail {
namespace {

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*base64_decode("Zm9vYmE="), "fooba");
  EXPECT_FALSE(base64_decode("Zm9v!mE="));
}

TEST(Base64, LinesAre76AndCrlf) {
  std::string data(200, '\xff');
  std::string b = base64_lines(data);
  std::size_t start = 0, lines = 0;
  while (start < b.size()) {
    auto end = b.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 76u);
    start = end + 2;
    ++lines;
  }
  EXPECT_EQ(lines, 4u);  // 268 characters
  EXPECT_EQ(*base64_decode(b), data);
}

TEST(QuotedPrintable, ExactBytes) {
  // Expected values from Python's quopri module.
  EXPECT_EQ(quoted_printable("本日、不審者が出没しました。\n"),
            "=E6=9C=AC=E6=97=A5=E3=80=81=E4=B8=8D=E5=AF=A9=E8=80=85=E3=81=8C=E5=87=BA=E6=\r\n"
            "=B2=A1=E3=81=97=E3=81=BE=E3=81=97=E3=81=9F=E3=80=82\r\n");
  EXPECT_EQ(quoted_printable("a=b \r\nc\t\n"), "a=3Db=20\r\nc=09\r\n");
  EXPECT_EQ(quoted_printable("no newline"), "no newline");
  EXPECT_EQ(quoted_printable(""), "");
}

TEST(QuotedPrintable, SoftBreaksKeepLinesWithin76) {
  std::string text(300, 'x');
  text += "\n";
  std::string q = quoted_printable(text);
  std::size_t start = 0;
  std::string joined;
  while (start < q.size()) {
    auto end = q.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 76u);
    std::string line = q.substr(start, end - start);
    if (!line.empty() && line.back() == '=') line.pop_back();
    joined += line;
    start = end + 2;
  }
  EXPECT_EQ(joined, std::string(300, 'x'));
}

TEST(Utf8, SplitRejectsInvalid) {
  EXPECT_EQ(split_utf8("aあ😀")->size(), 3u);
  EXPECT_FALSE(split_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(split_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(split_utf8("\xe3\x81"));          // truncated
  EXPECT_FALSE(split_utf8("\xff"));
}

TEST(EncodedWords, Utf8ExactAndNeverSplitsACharacter) {
  auto w = utf8_encoded_words("岐阜県警察");
  ASSERT_TRUE(w);
  ASSERT_EQ(w->size(), 1u);
  EXPECT_EQ((*w)[0], "=?UTF-8?B?5bKQ6Zic55yM6K2m5a+f?=");

  const std::string text = "【防犯情報】不審者の出没について。本日午後三時ごろ、岐阜市内の公園付近で不審者が目撃されました。";
  auto words = utf8_encoded_words(text, 60, 75);
  ASSERT_TRUE(words);
  ASSERT_GT(words->size(), 2u);
  std::string decoded;
  for (std::size_t i = 0; i < words->size(); ++i) {
    const std::string& word = (*words)[i];
    EXPECT_LE(word.size(), i == 0 ? 60u : 75u);
    ASSERT_TRUE(word.starts_with("=?UTF-8?B?") && word.ends_with("?="));
    auto bytes = base64_decode(word.substr(10, word.size() - 12));
    ASSERT_TRUE(bytes);
    EXPECT_TRUE(split_utf8(*bytes)) << "word " << i << " splits a character";
    decoded += *bytes;
  }
  EXPECT_EQ(decoded, text);
}

TEST(Iso2022jp, ExactBytesAndRoundTrip) {
  // Expected bytes from Python's iso2022_jp codec.
  auto jis = to_iso2022jp("本日、不審者が出没しました。");
  ASSERT_TRUE(jis);
  EXPECT_EQ(*jis, "\x1b$BK\\F|!\"IT?3<T$,=PKW$7$^$7$?!#\x1b(B");
  const std::string text = "件名 Test テスト\n2行目 line two\n\nABC";
  auto body = to_iso2022jp(text);
  ASSERT_TRUE(body);
  for (unsigned char c : *body) EXPECT_LT(c, 0x80);
  // Every line returns to ASCII before its CRLF.
  std::size_t pos = 0;
  while ((pos = body->find("\r\n", pos)) != std::string::npos) {
    std::string before = body->substr(0, pos);
    auto last_esc = before.rfind('\x1b');
    if (last_esc != std::string::npos) {
      EXPECT_EQ(before.substr(last_esc, 3), "\x1b(B");
    }
    pos += 2;
  }
  auto back = iso2022jp_to_utf8(*body);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, "件名 Test テスト\r\n2行目 line two\r\n\r\nABC");
}

TEST(Iso2022jp, SubstitutesWhatItCannotCarry) {
  auto c = convert_to_iso2022jp("髙橋①～ｶﾞｲﾄﾞ㈱\xf0\x9f\x98\x80");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->substitutions, 8u);
  EXPECT_EQ(*iso2022jp_to_utf8(c->bytes), "高橋(1)〜ガイド(株)〓");
}

TEST(Iso2022jp, LongLinesAreBrokenWithin998Bytes) {
  std::string text;
  for (int i = 0; i < 600; ++i) text += "あa";
  auto jis = to_iso2022jp(text);
  ASSERT_TRUE(jis);
  std::size_t start = 0;
  int lines = 0;
  while (start <= jis->size()) {
    auto end = jis->find("\r\n", start);
    if (end == std::string::npos) end = jis->size();
    EXPECT_LE(end - start, 998u);
    ++lines;
    start = end + 2;
  }
  EXPECT_GE(lines, 2);
  std::string back = *iso2022jp_to_utf8(*jis);
  std::erase(back, '\r');
  std::erase(back, '\n');
  EXPECT_EQ(back, text);
}

TEST(Iso2022jp, EncodedWordsEachEndInAscii) {
  auto one = iso2022jp_encoded_words("件名テスト");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0], "=?ISO-2022-JP?B?GyRCN29MPiVGJTklSBsoQg==?=");

  const std::string text = "【防犯情報】不審者の出没について ABC 本日午後三時ごろ、岐阜市内の公園付近で不審者が目撃されました。";
  auto words = iso2022jp_encoded_words(text, 66, 75);
  ASSERT_TRUE(words);
  ASSERT_GT(words->size(), 2u);
  std::string decoded;
  for (std::size_t i = 0; i < words->size(); ++i) {
    const std::string& w = (*words)[i];
    EXPECT_LE(w.size(), i == 0 ? 66u : 75u);
    ASSERT_TRUE(w.starts_with("=?ISO-2022-JP?B?") && w.ends_with("?="));
    auto bytes = base64_decode(w.substr(16, w.size() - 18));
    ASSERT_TRUE(bytes);
    auto last_esc = bytes->rfind('\x1b');
    if (last_esc != std::string::npos) {
      EXPECT_EQ(bytes->substr(last_esc, 3), "\x1b(B") << i;
    }
    auto utf8 = iso2022jp_to_utf8(*bytes);  // each word decodes on its own
    ASSERT_TRUE(utf8) << i;
    decoded += *utf8;
  }
  EXPECT_EQ(decoded, text);
  EXPECT_FALSE(iso2022jp_encoded_words("a\r\nb"));
}

}  // namespace
}  // namespace koban::mail
