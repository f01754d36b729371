#include "http/forms/urlencoded.h"

#include <gtest/gtest.h>

#include <string>

namespace koban::http::forms {
namespace {

FormFields ok_parse(std::string_view body, const FormLimits& limits = {}) {
  auto r = parse_urlencoded(body, limits);
  EXPECT_TRUE(r.ok()) << body << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : FormFields{};
}

ErrorCode err_code(std::string_view body, const FormLimits& limits = {}) {
  auto r = parse_urlencoded(body, limits);
  EXPECT_FALSE(r.ok()) << body;
  return r.ok() ? ErrorCode::internal : r.error().code;
}

TEST(FormsUrlencoded, KeepsOrderAndRepeatedNames) {
  const FormFields f = ok_parse("tag=a&kind=x&tag=b&tag=c");
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f.get("tag"), "a");
  EXPECT_EQ(f.all("tag"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(f.get("kind"), "x");
  EXPECT_FALSE(f.get("missing").has_value());
  EXPECT_TRUE(f.all("missing").empty());
  EXPECT_EQ(f.entries()[1].first, "kind");
}

TEST(FormsUrlencoded, DecodesPlusAndPercent) {
  const FormFields f = ok_parse("q=a+b%2Bc&%E4%BA%A4%E9%80%9A=%E4%BA%8B%E6%95%85&sp=%20&amp=%26%3D");
  EXPECT_EQ(f.get("q"), "a b+c");
  EXPECT_EQ(f.get("交通"), "事故");
  EXPECT_EQ(f.get("sp"), " ");
  EXPECT_EQ(f.get("amp"), "&=");
  EXPECT_EQ(ok_parse("x=%e3%81%82").get("x"), "あ");  // lower-case hex
}

TEST(FormsUrlencoded, EdgeCasesOfTheSyntax) {
  EXPECT_EQ(ok_parse("").size(), 0u);
  EXPECT_EQ(ok_parse("&&&").size(), 0u);
  const FormFields f = ok_parse("a=1&&b=2&");
  EXPECT_EQ(f.size(), 2u);
  const FormFields g = ok_parse("flag&empty=&=v&x==y");
  ASSERT_EQ(g.size(), 4u);
  EXPECT_EQ(g.get("flag"), "");
  EXPECT_EQ(g.get("empty"), "");
  EXPECT_EQ(g.get(""), "v");
  EXPECT_EQ(g.get("x"), "=y");   // only the first '=' separates
  EXPECT_EQ(ok_parse("k=%E6%9D%B1%E4%BA%AC+%E9%83%BD").get("k"), "東京 都");
  EXPECT_EQ(ok_parse("raw=東京").get("raw"), "東京");   // raw UTF-8 bytes, as some clients send
}

TEST(FormsUrlencoded, RejectsBadPercentEncoding) {
  for (const char* body : {"a=%", "a=%4", "a=%G0", "a=%0G", "%zz=1", "a=100%", "a=%%41"}) {
    auto r = parse_urlencoded(body, {});
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << body;
    EXPECT_NE(r.error().message.find("パーセント"), std::string::npos);
  }
}

TEST(FormsUrlencoded, RejectsInvalidUtf8AndNul) {
  EXPECT_EQ(err_code("a=%C0%AF"), ErrorCode::invalid_argument);          // overlong '/'
  EXPECT_EQ(err_code("a=%ED%A0%80"), ErrorCode::invalid_argument);       // surrogate
  EXPECT_EQ(err_code("a=%F4%90%80%80"), ErrorCode::invalid_argument);    // > U+10FFFF
  EXPECT_EQ(err_code("a=%E3%81"), ErrorCode::invalid_argument);          // truncated
  EXPECT_EQ(err_code("%FF=1"), ErrorCode::invalid_argument);             // in a name
  EXPECT_EQ(err_code("a=\xFF"), ErrorCode::invalid_argument);            // raw byte
  EXPECT_EQ(err_code("a=x%00y"), ErrorCode::invalid_argument);
  EXPECT_EQ(err_code("a%00=1"), ErrorCode::invalid_argument);
  // Split percent-escapes must not combine into a character across '&'.
  EXPECT_EQ(err_code("a=%E3&b=%81%82"), ErrorCode::invalid_argument);
}

TEST(FormsUrlencoded, LimitsGiveTooLarge) {
  FormLimits l;
  l.max_fields = 3;
  l.max_name_bytes = 4;
  l.max_value_bytes = 6;
  l.max_total_bytes = 40;
  EXPECT_EQ(ok_parse("a=1&b=2&c=3", l).size(), 3u);
  EXPECT_EQ(err_code("a=1&b=2&c=3&d=4", l), ErrorCode::too_large);
  EXPECT_EQ(ok_parse("a=1&&&&b=2", l).size(), 2u);  // empty pieces do not count
  EXPECT_EQ(ok_parse("abcd=1", l).size(), 1u);
  EXPECT_EQ(err_code("abcde=1", l), ErrorCode::too_large);
  EXPECT_EQ(ok_parse("a=123456", l).get("a"), "123456");
  EXPECT_EQ(err_code("a=1234567", l), ErrorCode::too_large);
  // Limits apply to decoded bytes: %E3%81%82 is 3 bytes, two of them are 6.
  EXPECT_EQ(ok_parse("a=%E3%81%82%E3%81%82", l).get("a"), "ああ");
  EXPECT_EQ(err_code("a=%E3%81%82%E3%81%82x", l), ErrorCode::too_large);
  EXPECT_EQ(err_code(std::string(41, 'a'), l), ErrorCode::too_large);
  auto r = parse_urlencoded("a=1&b=2&c=3&d=4", l);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("多すぎます"), std::string::npos);
}

TEST(FormsUrlencoded, EncodeRoundTrips) {
  FormFields f;
  f.add("名前", "山田 太郎");
  f.add("q", "a+b&c=d%e");
  f.add("", "");
  f.add("safe", "AZaz09*-._");
  const std::string body = form_urlencode(f);
  EXPECT_EQ(body.find(' '), std::string::npos);
  EXPECT_NE(body.find("safe=AZaz09*-._"), std::string::npos);
  EXPECT_NE(body.find("%E5%90%8D%E5%89%8D=%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E"), std::string::npos);
  EXPECT_EQ(ok_parse(body), f);
}

}  // namespace
}  // namespace koban::http::forms
