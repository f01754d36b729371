// The article Markdown renderer: the subset, the refusals (HTML, unsafe URLs) and the limits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "site/markdown/markdown.h"
#include "site/markdown/url_policy.h"

using namespace koban;
using namespace koban::site::markdown;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

std::string html(std::string_view md, const RenderOptions& o = {}) {
  auto r = render(md, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r->html : "";
}

Rendered rendered(std::string_view md, const RenderOptions& o = {}) {
  auto r = render(md, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Rendered{};
}

// Every '<' in the output starts one of the tags the renderer writes.
void expect_only_our_tags(const std::string& h) {
  static const char* allowed[] = {"<p>", "</p>", "<br>", "<em>", "</em>", "<strong>", "</strong>", "<code>", "</code>",
                                  "<pre>", "</pre>", "<a href=\"", "</a>", "<img src=\"", "<h2 ", "<h3 ", "<h4 ",
                                  "<h5 ", "</h2>", "</h3>", "</h4>", "</h5>", "<ul>", "</ul>", "<ol>", "<ol ", "</ol>",
                                  "<li>", "</li>", "<blockquote>", "</blockquote>", "<hr>", "<table>", "</table>",
                                  "<thead>", "</thead>", "<tbody>", "</tbody>", "<tr>", "</tr>", "<th ", "</th>",
                                  "<td>", "<td ", "</td>"};
  for (std::size_t i = h.find('<'); i != std::string::npos; i = h.find('<', i + 1)) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || h.compare(i, std::strlen(a), a) == 0;
    EXPECT_TRUE(ok) << "unexpected markup at " << i << ": " << h.substr(i, 40);
  }
}

}  // namespace

TEST(Markdown, Paragraphs_and_line_breaks) {
  EXPECT_EQ(html("一行目\n二行目\n\n次の段落"), "<p>一行目<br>\n二行目</p>\n<p>次の段落</p>\n");
}

TEST(Markdown, Headings_are_shifted_one_level_and_listed) {
  auto r = rendered("# 概要\n## 詳細 ##\n#### 最深\n##### 深すぎ\n#no-space");
  EXPECT_THAT(r.html, HasSubstr("<h2 id=\"h-1\">概要</h2>"));
  EXPECT_THAT(r.html, HasSubstr("<h3 id=\"h-2\">詳細</h3>"));
  EXPECT_THAT(r.html, HasSubstr("<h5 id=\"h-3\">最深</h5>"));
  EXPECT_THAT(r.html, HasSubstr("<h5 id=\"h-4\">深すぎ</h5>"));
  EXPECT_THAT(r.html, HasSubstr("<p>#no-space</p>"));
  ASSERT_EQ(r.headings.size(), 4u);
  EXPECT_EQ(r.headings[1].level, 2);
  EXPECT_EQ(r.headings[1].text, "詳細");
  EXPECT_EQ(r.headings[1].line, 2);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].kind, WarningKind::heading_level);
}

TEST(Markdown, Heading_text_is_plain_for_the_toc) {
  auto r = rendered("## **重要** なお知らせ `110`");
  ASSERT_EQ(r.headings.size(), 1u);
  EXPECT_EQ(r.headings[0].text, "重要 なお知らせ 110");
}

TEST(Markdown, Emphasis_and_strong) {
  EXPECT_EQ(html("*a* **b** ***c***"), "<p><em>a</em> <strong>b</strong> <em><strong>c</strong></em></p>\n");
  EXPECT_EQ(html("**「重要」**です"), "<p><strong>「重要」</strong>です</p>\n");
  EXPECT_EQ(html("_a_ snake_case_name"), "<p><em>a</em> snake_case_name</p>\n");
  EXPECT_EQ(html("a * b * c"), "<p>a * b * c</p>\n");
  EXPECT_EQ(html("**unclosed"), "<p>**unclosed</p>\n");
}

TEST(Markdown, Inline_code_is_literal) {
  EXPECT_EQ(html("`<b>*x*</b>`"), "<p><code>&lt;b&gt;*x*&lt;/b&gt;</code></p>\n");
  EXPECT_EQ(html("`` a`b ``"), "<p><code>a`b</code></p>\n");
  EXPECT_EQ(html("`open"), "<p>`open</p>\n");
}

TEST(Markdown, Backslash_escapes) {
  EXPECT_EQ(html("\\*not em\\* \\[x](y)"), "<p>*not em* [x](y)</p>\n");
}

TEST(Markdown, Links) {
  auto r = rendered("[交通安全](/kotsu/ \"交通\") と [メール](mailto:info@example.jp) と [電話](tel:011-000-0110)");
  EXPECT_THAT(r.html, HasSubstr("<a href=\"/kotsu/\" title=\"交通\">交通安全</a>"));
  EXPECT_THAT(r.html, HasSubstr("<a href=\"mailto:info@example.jp\">メール</a>"));
  EXPECT_THAT(r.html, HasSubstr("<a href=\"tel:011-000-0110\">電話</a>"));
  ASSERT_EQ(r.links.size(), 3u);
  EXPECT_EQ(r.links[0].url, "/kotsu/");
  EXPECT_EQ(r.links[0].text, "交通安全");
  EXPECT_TRUE(r.warnings.empty());
}

TEST(Markdown, Link_with_emphasis_and_query) {
  EXPECT_EQ(html("[**重要** 情報](https://example.jp/a?b=1&c=2)"),
            "<p><a href=\"https://example.jp/a?b=1&amp;c=2\"><strong>重要</strong> 情報</a></p>\n");
}

TEST(Markdown, No_links_inside_links_and_emphasis_does_not_cross_brackets) {
  const std::string h = html("[a [b](/b) c](/a)");
  EXPECT_EQ(h, "<p>[a <a href=\"/b\">b</a> c](/a)</p>\n");
  const std::string h2 = html("*a [b* c](/x)");
  EXPECT_EQ(h2, "<p>*a <a href=\"/x\">b* c</a></p>\n");
}

TEST(Markdown, Images) {
  auto r = rendered("![パトカーの写真](img/car.jpg \"中央署\")");
  EXPECT_EQ(r.html, "<p><img src=\"img/car.jpg\" alt=\"パトカーの写真\" title=\"中央署\" loading=\"lazy\"></p>\n");
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(r.images[0].alt, "パトカーの写真");
  EXPECT_EQ(r.images[0].line, 1);
}

TEST(Markdown, Images_through_the_resolver) {
  RenderOptions o;
  o.resolve_image = [](std::string_view u) -> std::optional<std::string> {
    if (u == "car.jpg") return "/media/42/car.jpg";
    return std::nullopt;
  };
  auto r = rendered("![車](car.jpg)\n\n![他](https://evil.example/x.png)", o);
  EXPECT_THAT(r.html, HasSubstr("<img src=\"/media/42/car.jpg\" alt=\"車\""));
  EXPECT_THAT(r.html, Not(HasSubstr("evil")));
  EXPECT_THAT(r.html, HasSubstr("<p>他</p>"));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].kind, WarningKind::refused_image);
  EXPECT_EQ(r.warnings[0].line, 3);
}

TEST(Markdown, Linked_image_text_is_its_alt) {
  auto r = rendered("[![地図](map.png)](/access/)");
  ASSERT_EQ(r.links.size(), 1u);
  EXPECT_EQ(r.links[0].text, "地図");
}

TEST(Markdown, Lists_nested_tight_and_loose) {
  EXPECT_EQ(html("- 一\n- 二\n  - 二の一\n  - 二の二\n- 三"),
            "<ul>\n<li>一\n</li>\n<li>二\n<ul>\n<li>二の一\n</li>\n<li>二の二\n</li>\n</ul>\n</li>\n<li>三\n</li>\n</ul>\n");
  EXPECT_EQ(html("3. c\n4. d"), "<ol start=\"3\">\n<li>c\n</li>\n<li>d\n</li>\n</ol>\n");
  EXPECT_EQ(html("1. a\n\n2. b"), "<ol>\n<li><p>a</p>\n</li>\n<li><p>b</p>\n</li>\n</ol>\n");
  EXPECT_EQ(html("- a\nlazy"), "<ul>\n<li>a<br>\nlazy\n</li>\n</ul>\n");
}

TEST(Markdown, Block_quotes_and_rules) {
  EXPECT_EQ(html("> 引用\n> > 二重\n\n---\n* * *"),
            "<blockquote>\n<p>引用</p>\n<blockquote>\n<p>二重</p>\n</blockquote>\n</blockquote>\n<hr>\n<hr>\n");
}

TEST(Markdown, Fenced_code) {
  EXPECT_EQ(html("```\n<script>\n  x\n```\nafter"), "<pre><code>&lt;script&gt;\n  x</code></pre>\n<p>after</p>\n");
}

TEST(Markdown, Tables_with_header) {
  auto r = rendered("| 署 | 電話 |\n|:---|---:|\n| 中央 | 000 |\n| 北 |");
  EXPECT_EQ(r.html,
            "<table>\n<thead>\n<tr><th scope=\"col\" class=\"align-left\">署</th><th scope=\"col\" class=\"align-right\">電話</th></tr>\n"
            "</thead>\n<tbody>\n<tr><td class=\"align-left\">中央</td><td class=\"align-right\">000</td></tr>\n"
            "<tr><td class=\"align-left\">北</td><td class=\"align-right\"></td></tr>\n</tbody>\n</table>\n");
  ASSERT_EQ(r.tables.size(), 1u);
  EXPECT_TRUE(r.tables[0].has_header);
  EXPECT_EQ(r.tables[0].columns, 2);
}

TEST(Markdown, Tables_without_header) {
  auto r = rendered("| | |\n|---|---|\n| a | b |\n\n|c|d|\n|e|f|");
  ASSERT_EQ(r.tables.size(), 2u);
  EXPECT_FALSE(r.tables[0].has_header);
  EXPECT_FALSE(r.tables[1].has_header);
  EXPECT_EQ(r.tables[1].line, 5);
  EXPECT_THAT(r.html, Not(HasSubstr("<th")));
  EXPECT_THAT(r.html, HasSubstr("<tr><td>c</td><td>d</td></tr>"));
}

TEST(Markdown, Pipe_escape_in_cells) {
  EXPECT_THAT(html("|a|b|\n|-|-|\n|x\\|y|z|"), HasSubstr("<td>x|y</td><td>z</td>"));
}

// --- injection attempts ------------------------------------------------------------------

TEST(MarkdownSafety, Raw_html_is_text) {
  for (const char* md : {"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>",
                         "<a href=\"javascript:alert(1)\">x</a>", "<!-- c -->", "&lt;script&gt;", "<style>*{}</style>"}) {
    const std::string h = html(md);
    EXPECT_THAT(h, Not(HasSubstr("<script"))) << md;
    EXPECT_THAT(h, Not(HasSubstr("<img"))) << md;
    EXPECT_THAT(h, Not(HasSubstr("<svg"))) << md;
    EXPECT_THAT(h, Not(HasSubstr("<a "))) << md;
    expect_only_our_tags(h);
  }
  EXPECT_EQ(html("<b>太字</b> & \"'"), "<p>&lt;b&gt;太字&lt;/b&gt; &amp; &quot;&#39;</p>\n");
  EXPECT_EQ(html("&amp;"), "<p>&amp;amp;</p>\n");
}

TEST(MarkdownSafety, Unsafe_links_keep_the_text_and_lose_the_link) {
  for (const char* url : {"javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:msgbox", "data:text/html;base64,PHNjcmlwdD4=",
                          "jav&#x61;script:alert(1)", "javascript&colon;alert(1)", "//evil.example/", "file:///etc/passwd",
                          "\\\\evil\\x", "http:evil", "https://", "java\u200bscript:alert(1)"}) {
    const std::string md = std::string("前 [リンク](") + url + ") 後";
    auto r = rendered(md);
    EXPECT_EQ(r.html, "<p>前 リンク 後</p>\n") << url;
    ASSERT_EQ(r.warnings.size(), 1u) << url;
    EXPECT_EQ(r.warnings[0].kind, WarningKind::refused_link);
    EXPECT_EQ(r.warnings[0].detail, url);
    EXPECT_FALSE(r.warnings[0].message.empty());
    EXPECT_TRUE(r.links.empty());
  }
}

TEST(MarkdownSafety, Tab_inside_a_url_is_not_a_link) {
  auto r = rendered("[x](java\tscript:alert(1))");
  EXPECT_THAT(r.html, Not(HasSubstr("<a ")));
  EXPECT_THAT(r.html, Not(HasSubstr("href")));
}

TEST(MarkdownSafety, Unsafe_images_are_dropped) {
  for (const char* url : {"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+", "javascript:alert(1)", "DATA:image/png,xx"}) {
    auto r = rendered(std::string("![a](") + url + ")");
    EXPECT_THAT(r.html, Not(HasSubstr("<img"))) << url;
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_EQ(r.warnings[0].kind, WarningKind::refused_image);
  }
}

TEST(MarkdownSafety, Attributes_are_escaped) {
  const std::string h = html("[x](/a\"onmouseover=alert(1)) [y](/b'c) ![\"><script>](/i.png \"t'<\")");
  EXPECT_THAT(h, HasSubstr("<p>x <a href=\"/b&#39;c\">y</a>"));  // the quote: refused
  EXPECT_THAT(h, HasSubstr("alt=\"&quot;&gt;&lt;script&gt;\""));
  EXPECT_THAT(h, HasSubstr("title=\"t&#39;&lt;\""));
  expect_only_our_tags(h);
}

TEST(MarkdownSafety, Url_policy) {
  EXPECT_FALSE(refuse_url("https://www.police.example.jp/a/b?c=d#e").has_value());
  EXPECT_FALSE(refuse_url("/jiken/2024/01.html").has_value());
  EXPECT_FALSE(refuse_url("資料/一覧.pdf").has_value());
  EXPECT_FALSE(refuse_url("#top").has_value());
  EXPECT_FALSE(refuse_url("tel:+81-11-000-0110").has_value());
  EXPECT_TRUE(refuse_url("tel:abc").has_value());
  EXPECT_TRUE(refuse_url("https://ex.example/r?to=JavaScript:alert(1)").has_value());  // found by fuzzing
  EXPECT_TRUE(refuse_url("mailto:").has_value());
  EXPECT_TRUE(refuse_url(" javascript:x").has_value());
  EXPECT_TRUE(refuse_url("javascript:x\x01").has_value());
  EXPECT_TRUE(refuse_url(std::string(3000, 'a')).has_value());
  EXPECT_TRUE(refuse_url("<c>").has_value());
  EXPECT_TRUE(refuse_url("/a\"b").has_value());
}

// --- errors and limits -------------------------------------------------------------------

TEST(MarkdownLimits, Invalid_utf8_is_an_error_with_the_line) {
  auto r = render("一行目\n二行目 \xff\xfe");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_THAT(r.error().message, HasSubstr("2行目"));
  EXPECT_FALSE(render("overlong \xc0\xaf").ok());
  EXPECT_FALSE(render("surrogate \xed\xa0\x80").ok());
  EXPECT_FALSE(render(std::string("nul \0 x", 7)).ok());
}

TEST(MarkdownLimits, Input_size) {
  RenderOptions o;
  o.max_input_bytes = 100;
  auto r = render(std::string(101, 'a'), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::too_large);
  EXPECT_TRUE(render(std::string(100, 'a'), o).ok());
}

TEST(MarkdownLimits, Output_size) {
  RenderOptions o;
  o.max_output_bytes = 1000;
  std::string md = "|a|b|c|d|e|f|g|h|\n|-|-|-|-|-|-|-|-|\n";
  for (int i = 0; i < 100; ++i) md += "|\n";
  auto r = render(md, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::too_large);
}

TEST(MarkdownLimits, Nesting_depth_is_bounded) {
  RenderOptions o;
  o.max_nesting = 3;
  auto r = rendered(std::string(50, '>') + " 深い", o);
  int opened = 0;
  for (std::size_t i = r.html.find("<blockquote>"); i != std::string::npos; i = r.html.find("<blockquote>", i + 1)) ++opened;
  EXPECT_EQ(opened, 3);
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_EQ(r.warnings[0].kind, WarningKind::too_deep);

  std::string list;
  for (int i = 0; i < 40; ++i) list += std::string(static_cast<std::size_t>(i) * 2, ' ') + "- x\n";
  auto l = rendered(list, o);
  int uls = 0;
  for (std::size_t i = l.html.find("<ul>"); i != std::string::npos; i = l.html.find("<ul>", i + 1)) ++uls;
  EXPECT_EQ(uls, 3);
}

// Pathological inputs for a backtracking parser: they must come out with the right shape
// (the suite does not time them; the fuzzer's timeout watches speed).
TEST(MarkdownLimits, Emphasis_bombs) {
  EXPECT_EQ(html(std::string(100000, '*')), "<hr>\n");  // a horizontal rule, as in CommonMark
  const std::string stars = "x" + std::string(100000, '*') + "x";
  EXPECT_TRUE(html(stars) == "<p>" + stars + "</p>\n");
  std::string opens;
  for (int i = 0; i < 30000; ++i) opens += "*a ";
  EXPECT_TRUE(html(opens) == "<p>" + opens.substr(0, opens.size() - 1) + "</p>\n");  // nothing closes
  std::string closes;
  for (int i = 0; i < 30000; ++i) closes += "a* ";
  EXPECT_TRUE(html(closes) == "<p>" + closes.substr(0, closes.size() - 1) + "</p>\n");  // nothing opens
  std::string alternating;
  for (int i = 0; i < 30000; ++i) alternating += "*a";
  const std::string alt_html = html(alternating);
  EXPECT_EQ(alt_html.substr(0, 24), "<p><em>a</em>a<em>a</em>");
  std::string mixed;
  for (int i = 0; i < 20000; ++i) mixed += "_a*";
  EXPECT_THAT(html(mixed), Not(HasSubstr("<em><em>")));
  std::string nested = std::string(20000, '[') + std::string(20000, ']');
  EXPECT_TRUE(html(nested) == "<p>" + nested + "</p>\n");
  std::string links;
  for (int i = 0; i < 20000; ++i) links += "[a](";
  EXPECT_TRUE(html(links) == "<p>" + links + "</p>\n");
  std::string parens = "[a](";
  for (int i = 0; i < 20000; ++i) parens += "()[a](";
  EXPECT_THAT(html(parens), Not(HasSubstr("<a ")));
  std::string ticks;
  for (int i = 1; i < 400; ++i) ticks += std::string(static_cast<std::size_t>(i % 40 + 1), '`') + "x";
  expect_only_our_tags(html(ticks));
}

TEST(MarkdownLimits, Balanced_emphasis_nests_properly) {
  std::string md;
  for (int i = 0; i < 1000; ++i) md += "**a *b ";
  for (int i = 0; i < 1000; ++i) md += "c* d** ";
  const std::string h = html(md);
  std::size_t em_open = 0, em_close = 0;
  for (std::size_t i = h.find("<em>"); i != std::string::npos; i = h.find("<em>", i + 1)) ++em_open;
  for (std::size_t i = h.find("</em>"); i != std::string::npos; i = h.find("</em>", i + 1)) ++em_close;
  EXPECT_EQ(em_open, em_close);
  EXPECT_GT(em_open, 0u);
}

// Found by fuzzing: an escaped backtick before a run used to look up a run that did not exist.
TEST(MarkdownLimits, Escaped_backticks_next_to_code_spans) {
  EXPECT_EQ(html("\\```code```"), "<p>```code```</p>\n");  // runs of 2 and 3 do not match
  EXPECT_EQ(html("\\` `a`"), "<p>` <code>a</code></p>\n");
  expect_only_our_tags(html("\") ![.jpg \"t(i\t```\n|=b:c\\* `` [b]\\* `` [b](/bgpg(i\t```\n<>``b`\n\n\\```\n"));
}

TEST(Markdown, Crlf_and_tabs) {
  EXPECT_EQ(html("一\r\n二\r\n\r\n- a\r\n\t- b"), "<p>一<br>\n二</p>\n<ul>\n<li>a\n<ul>\n<li>b\n</li>\n</ul>\n</li>\n</ul>\n");
  EXPECT_FALSE(render("DEL \x7f").ok());
  EXPECT_FALSE(render("C1 \xc2\x85").ok());
}
