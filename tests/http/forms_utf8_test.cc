#include "http/forms/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace koban::http::forms {
namespace {

TEST(FormsUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii ~!"));
  EXPECT_TRUE(is_valid_utf8("警察本部 ｶﾅ 𠮷野家"));          // BMP, half-width kana, U+20BB7
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));                     // U+0080, smallest 2-byte
  EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));                 // U+0800, smallest 3-byte
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));                 // U+D7FF, just below surrogates
  EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));                 // U+E000, just above
  EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));             // U+10000
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));             // U+10FFFF, the last one
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));         // NUL is valid UTF-8 (callers decide)
}

TEST(FormsUtf8, RejectsOverlongsSurrogatesAndOutOfRange) {
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong 3-byte
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // overlong 4-byte
  EXPECT_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // U+D800
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xE3\x81"));          // truncated あ
  EXPECT_FALSE(is_valid_utf8("ok\xE3\x81"));
  EXPECT_FALSE(is_valid_utf8("\xE3\x41\x82"));      // bad continuation
  EXPECT_FALSE(is_valid_utf8("\x82\xA0"));          // Shift_JIS あ
}

TEST(FormsUtf8, DecodesAndCounts) {
  const std::string s = "aあ𠮷";
  auto c0 = decode_utf8(s, 0);
  EXPECT_EQ(c0.code_point, U'a');
  EXPECT_EQ(c0.len, 1u);
  auto c1 = decode_utf8(s, 1);
  EXPECT_EQ(c1.code_point, U'あ');
  EXPECT_EQ(c1.len, 3u);
  auto c2 = decode_utf8(s, 4);
  EXPECT_EQ(c2.code_point, U'\U00020BB7');
  EXPECT_EQ(c2.len, 4u);
  EXPECT_EQ(utf8_length(s), 3u);
  EXPECT_EQ(decode_utf8("\xC0\xAF", 0).len, 0u);
}

TEST(FormsUtf8, AppendRoundTripsEveryRange) {
  for (char32_t cp : {U'\x00', U'\x7F', U'\x80', U'\u07FF', U'\u0800', U'\uFFFF', U'\U00010000', U'\U0010FFFF'}) {
    std::string out;
    append_utf8(out, cp);
    ASSERT_TRUE(is_valid_utf8(out)) << static_cast<unsigned>(cp);
    auto c = decode_utf8(out, 0);
    EXPECT_EQ(c.code_point, cp);
    EXPECT_EQ(c.len, out.size());
  }
}

}  // namespace
}  // namespace koban::http::forms
