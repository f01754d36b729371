// Pre-publication checks: every check has cases that must be found and ordinary text that
// must not be.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "site/checks/article_checks.h"

using namespace koban::site::checks;

namespace {

CheckOptions force_options() {
  CheckOptions o;
  o.own_phone_numbers = {"000-000-0110", "011-000-0110"};
  o.own_email_domains = {"police.pref.example.jp"};
  return o;
}

std::vector<Finding> check(const std::string& body, const CheckOptions& o = force_options()) {
  return check_article({"お知らせ", body}, o);
}

std::vector<Finding> with_code(const std::vector<Finding>& fs, const std::string& code) {
  std::vector<Finding> out;
  for (const auto& f : fs)
    if (f.code == code) out.push_back(f);
  return out;
}

std::string codes(const std::vector<Finding>& fs) {
  std::string s;
  for (const auto& f : fs) s += f.code + "@" + std::to_string(f.line) + " ";
  return s;
}

void expect_found(const std::string& body, const std::string& code, int line = -1) {
  auto fs = check(body);
  auto hits = with_code(fs, code);
  EXPECT_FALSE(hits.empty()) << code << " not found in: " << body << " (found: " << codes(fs) << ")";
  if (!hits.empty() && line >= 0) {
    EXPECT_EQ(hits[0].line, line) << body;
  }
  for (const auto& h : hits) EXPECT_FALSE(h.message.empty());
}

void expect_clean(const std::string& body) {
  auto fs = check(body);
  EXPECT_TRUE(fs.empty()) << body << " -> " << codes(fs);
}

}  // namespace

TEST(Checks, Ordinary_article_is_clean) {
  expect_clean(
      "# 交通安全教室のご案内\n\n"
      "中央警察署（電話000-000-0110）では、本町三丁目付近の小学校で交通安全教室を開きます。\n"
      "![横断歩道を渡る児童と警察官](kyoshitsu.jpg)\n\n"
      "## 申込み\n\n"
      "[交通安全教室の申込みフォーム](/kotsu/moushikomi/) からお申し込みください。\n"
      "特殊詐欺被害者の方は、相談窓口（#9110）へ。110番通報は緊急時に。\n\n"
      "| 日付 | 会場 |\n|---|---|\n| 2024年5月1日 | 本町小学校 |\n\n"
      "お問い合わせ: info@police.pref.example.jp");
}

TEST(Checks, Image_alt_text) {
  expect_found("![](a.jpg)", "image_alt_missing", 1);
  expect_found("本文\n![　 ](a.jpg)", "image_alt_missing", 2);
  expect_found("![画像](a.jpg)", "image_alt_meaningless");
  expect_found("![写真１](a.jpg)", "image_alt_meaningless");
  expect_found("![Photo](a.jpg)", "image_alt_meaningless");
  expect_found("![IMG_2034.JPG](x/IMG_2034.JPG)", "image_alt_filename");
  expect_found("![kyoshitsu](kyoshitsu.png)", "image_alt_filename");
  expect_found("![DSC01234](a.png)", "image_alt_filename");
  expect_found("![" + std::string(101 * 3, 'a').replace(0, 303, std::string(101, 'x')) + "](a.png)", "image_alt_too_long");
  expect_clean("![写真撮影会で笑顔を見せる署長](a.jpg)");
  expect_clean("![画像診断システムの操作画面](screen.png)");
  auto long_alt = with_code(check("![" + std::string(150, 'x') + "](a.png)"), "image_alt_too_long");
  ASSERT_EQ(long_alt.size(), 1u);
  EXPECT_EQ(long_alt[0].severity, Severity::warn);
}

TEST(Checks, Heading_levels) {
  expect_found("# 一\n### 三", "heading_skipped", 2);
  expect_found("## 最初から二", "heading_skipped", 1);
  expect_clean("# 一\n## 二\n### 三\n# 一\n## 二");
  auto fs = with_code(check("# a\n### b"), "heading_skipped");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].suggestion, "##");
}

TEST(Checks, Link_texts) {
  expect_found("[こちら](/a/)", "link_text_vague", 1);
  expect_found("詳細は[ここ](/a/)", "link_text_vague");
  expect_found("[詳しくはこちら。](/a/)", "link_text_vague");
  expect_found("[Click here](https://example.jp/)", "link_text_vague");
  expect_found("[](/a/)", "link_text_empty");
  expect_clean("[こちらの申請書（PDF）](/a.pdf) と [ここが知りたいQ&A](/qa/)");
}

TEST(Checks, Refused_links_from_the_renderer) {
  auto fs = check("[x](javascript:alert(1))\n[y](JaVaScRiPt:alert(1))\n![a](data:image/svg+xml;base64,PHN2Zz4=)");
  auto links = with_code(fs, "link_refused");
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].line, 1);
  EXPECT_EQ(links[1].line, 2);
  EXPECT_EQ(links[0].excerpt, "javascript:alert(1)");
  EXPECT_EQ(with_code(fs, "image_refused").size(), 1u);
  EXPECT_TRUE(blocks_approval(fs));
}

TEST(Checks, Tables_without_header) {
  expect_found("| | |\n|---|---|\n| a | b |", "table_no_header", 1);
  expect_found("本文\n\n|a|b|\n|c|d|", "table_no_header", 3);
  expect_clean("| 署 | 電話 |\n|---|---|\n| 中央 | 000-000-0110 |");
}

TEST(Checks, Fullwidth_alphanumerics_with_a_fix) {
  auto fs = with_code(check("令和６年の件数はＡ１２件"), "fullwidth_alnum");
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].excerpt, "６");
  EXPECT_EQ(fs[0].suggestion, "6");
  EXPECT_EQ(fs[1].suggestion, "A12");
  EXPECT_EQ(fs[1].severity, Severity::block);
  EXPECT_EQ(fix_fullwidth_alnum("令和６年のＡ１２件（ｘ）"), "令和6年のA12件（x）");
  expect_clean("全角の記号（）と「」、。は問題ありません");
}

TEST(Checks, Halfwidth_katakana) {
  auto fs = with_code(check("ｶﾀｶﾅのお知らせ"), "halfwidth_katakana");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].excerpt, "ｶﾀｶﾅ");
  EXPECT_EQ(fs[0].severity, Severity::warn);
  expect_clean("カタカナのお知らせ");
}

TEST(Checks, Phone_numbers) {
  expect_found("連絡先 090-1234-5678", "phone_number");
  expect_found("連絡先 ０９０－１２３４－５６７８", "phone_number");
  expect_found("自宅 03(1234)5678 まで", "phone_number");
  expect_found("自宅 0312345678", "phone_number");
  expect_found("電話011-123-4567（山田）", "phone_number");
  expect_clean("中央警察署（電話000-000-0110）");
  EXPECT_TRUE(with_code(check("中央警察署（電話０００－０００－０１１０）"), "phone_number").empty());
  expect_clean("相談は0120-000-000、または#9110、110番へ");
  expect_clean("2024-01-15 に実施。件数は1234567890件");
  CheckOptions none;
  EXPECT_FALSE(with_code(check_article({"", "中央警察署（電話000-000-0110）"}, none), "phone_number").empty());
}

TEST(Checks, Postal_addresses) {
  expect_found("中央区本町3丁目5番8号の住宅", "postal_address");
  expect_found("本町三丁目五番八号", "postal_address");
  expect_found("本町3丁目5-8", "postal_address");
  expect_found("字大原123番地", "postal_address");
  expect_found("本町1-2-3の民家", "postal_address");
  expect_found("本町２－１５", "postal_address");
  expect_clean("本町三丁目付近で発生しました");
  expect_clean("110番通報をお願いします。第1-2条、図3-1を参照");
  expect_clean("国道5号を通行止め");
}

TEST(Checks, Names_next_to_suspect_or_victim) {
  expect_found("容疑者の山田太郎（45）を逮捕", "suspect_or_victim_name");
  expect_found("無職山田太郎容疑者（45）を逮捕", "suspect_or_victim_name");
  expect_found("、山田 太郎容疑者を", "suspect_or_victim_name");
  expect_found("被害者の鈴木花子さん", "suspect_or_victim_name");
  expect_found("佐藤被疑者は", "suspect_or_victim_name");
  expect_clean("容疑者の男を逮捕しました。被害者の女性にけがはありません。");
  expect_clean("特殊詐欺被害者の相談窓口。犯罪被害者支援室。交通事故被害者の救済制度");
  expect_clean("被害者の保護者への連絡。同容疑者は否認。容疑者の身柄を送致");
  expect_clean("被害者は市内在住の会社員。容疑者は現金約十万円を奪った。被害者の市内在住の女性");
}

TEST(Checks, Email_addresses) {
  expect_found("連絡は taro.yamada@example.com まで", "email_address");
  expect_found("連絡は ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ まで", "email_address");
  expect_clean("お問い合わせ: kotsu@police.pref.example.jp または info@POLICE.pref.example.jp");
  expect_clean("@マークだけ、または a@b のような書きかけ");
}

TEST(Checks, Forbidden_words) {
  expect_found("本資料は部外秘です", "forbidden_word", 1);
  auto t = check_article({"【取扱注意】会議資料", "本文"}, force_options());
  auto fs = with_code(t, "forbidden_word");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].line, 0);  // the title
  CheckOptions o = force_options();
  o.forbidden_words = {"Draft"};
  EXPECT_EQ(with_code(check("this is a DRAFT", o), "forbidden_word").size(), 1u);
  expect_clean("秘書課のお知らせ");
}

TEST(Checks, Render_errors_block) {
  auto fs = check("ok\n\xff");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].code, "render_error");
  EXPECT_THAT(fs[0].message, ::testing::HasSubstr("2行目"));
  EXPECT_TRUE(blocks_approval(fs));
  EXPECT_FALSE(blocks_approval(check("半角ｶﾅ")));  // a warning only
}

TEST(Checks, Findings_per_code_are_bounded) {
  std::string body;
  for (int i = 0; i < 500; ++i) body += "Ａ ";
  EXPECT_EQ(with_code(check(body), "fullwidth_alnum").size(), 50u);
}
