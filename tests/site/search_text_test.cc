// The search module's text helpers without a database: query parsing, LIKE escaping, the
// plain text of Markdown bodies, snippets and <mark>.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "site/search/plain_text.h"
#include "site/search/query.h"
#include "site/search/search.h"
#include "site/search/snippet.h"

namespace koban::site::search {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(SearchQuery, SplitsOnAsciiAndIdeographicSpaces) {
  auto q = parse_query("  特殊詐欺　還付金\tATM  特殊詐欺 ");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_THAT(q->terms, ElementsAre("特殊詐欺", "還付金", "ATM"));
  auto blank = parse_query("　 　");
  ASSERT_TRUE(blank.ok());
  EXPECT_TRUE(blank->terms.empty());
}

TEST(SearchQuery, RefusesTooLongTooManyAndInvalidUtf8) {
  std::string long_q;
  for (int i = 0; i < 101; ++i) long_q += "詐";
  auto r = parse_query(long_q);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_THAT(r.error().message, HasSubstr("100文字"));
  std::string exactly(100, 'a');
  EXPECT_TRUE(parse_query(exactly).ok());

  EXPECT_TRUE(parse_query("a b c d e f g h i j").ok());
  auto many = parse_query("a b c d e f g h i j k");
  ASSERT_FALSE(many.ok());
  EXPECT_THAT(many.error().message, HasSubstr("10個"));

  EXPECT_FALSE(parse_query(std::string("\xff\xfe")).ok());
}

TEST(SearchQuery, EscapesLikeWildcards) {
  EXPECT_EQ(escape_like("100%_a\\b"), "100\\%\\_a\\\\b");
  EXPECT_EQ(escape_like("詐欺"), "詐欺");
}

TEST(SearchQuery, FindsAsciiWithoutCase) {
  EXPECT_EQ(find_folded("電話でATMへ", "atm"), std::string("電話で").size());
  EXPECT_EQ(find_folded("abc", "abcd"), std::string_view::npos);
}

TEST(SearchPlainText, StripsMarkdownSyntax) {
  const std::string md =
      "# 概要\n"
      "**特殊詐欺**に[ご注意](/safety/prevention/)ください。\n"
      "\n"
      "- 還付金の*電話*\n"
      "1. `ATM`へ誘導\n"
      "> 引用の文\n"
      "---\n"
      "| 項目 | 件数 |\n"
      "|---|---:|\n"
      "| 詐欺 | 12 |\n"
      "![警察署の写真](photo.png)\n"
      "```\n"
      "code *kept*\n"
      "```\n"
      "\\*印";
  const std::string t = plain_text(md);
  EXPECT_EQ(t,
            "概要 特殊詐欺にご注意ください。 還付金の電話 ATMへ誘導 引用の文 項目 件数 詐欺 12 警察署の写真 "
            "code *kept* *印");
  EXPECT_THAT(t, Not(HasSubstr("/safety/")));
  EXPECT_THAT(t, Not(HasSubstr("photo.png")));
}

TEST(SearchSnippet, MarksHitsAndEscapesEverythingElse) {
  const std::vector<std::string> terms = {"詐欺", "<b>"};
  EXPECT_EQ(mark_html("<script>alert(1)</script>詐欺と<b>", terms),
            "&lt;script&gt;alert(1)&lt;/script&gt;<mark>詐欺</mark>と<mark>&lt;b&gt;</mark>");
  // Longer text: cut around the first hit, marked with "…".
  std::string text;
  for (int i = 0; i < 100; ++i) text += "あ";
  text += "特殊詐欺";
  for (int i = 0; i < 100; ++i) text += "い";
  const std::string s = snippet_html(text, {"詐欺"}, 5, 20);
  // 5 characters before the hit, 20 in all: 3 + 2 + 2 + 13.
  std::string tail;
  for (int i = 0; i < 13; ++i) tail += "い";
  EXPECT_EQ(s, "…あああ特殊<mark>詐欺</mark>" + tail + "…");
  // No hit in the text: its start.
  EXPECT_EQ(snippet_html("短い本文", {"無関係"}), "短い本文");
  // ASCII without case, the text's own spelling kept.
  EXPECT_EQ(mark_html("ATMで", {"atm"}), "<mark>ATM</mark>で");
}

TEST(SearchPaths, SectionTopicOrStation) {
  EXPECT_EQ(article_path("safety", "prevention", "", 12), "/safety/prevention/12.html");
  EXPECT_EQ(article_path("stations", "", "chuo", 7), "/stations/chuo/7.html");
}

}  // namespace
}  // namespace koban::site::search
