// Pre-publication checks of an article (issue 5, item 6; SITE-9 and JIS X 8341-3 / WCAG 2.1):
// what a reviewer must see before approving. Findings with Severity::block stop the approval
// until the writer fixes them or the reviewer overrides them explicitly; warn is advice.
//
//   CheckOptions opt;                                  // defaults: the lists below
//   opt.own_phone_numbers = {"000-000-0110"};          // the force's published numbers
//   auto findings = check_article({title, body_markdown}, opt);
//   if (blocks_approval(findings)) ...                 // show f.message at f.line
//
// Checks (code: severity):
//   render_error: block      the body cannot be rendered (invalid UTF-8, too large ...)
//   link_refused, image_refused: block   javascript:, data: ... or an image not uploaded
//   image_alt_missing, image_alt_meaningless (「画像」「写真」), image_alt_filename: block
//   image_alt_too_long: warn
//   heading_skipped: block   "#" then "###" (the page title is the h1, the body starts at "#")
//   link_text_vague (「こちら」「ここ」「click here」), link_text_empty: block
//   table_no_header: block
//   fullwidth_alnum: block (suggestion holds the half-width text; fix_fullwidth_alnum fixes it)
//   halfwidth_katakana: warn
//   phone_number, postal_address, suspect_or_victim_name, email_address: block (personal data;
//     heuristics, so a reviewer may override)
//   forbidden_word: block    words on the configurable list (部外秘 ...)
//   render_warning: warn     nesting too deep, "#####"
// Line numbers are 1-based lines of the body; 0 means the title.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "site/markdown/markdown.h"

namespace koban::site::checks {

enum class Severity { block, warn };

struct Finding {
  std::string code;        // stable identifier, e.g. "image_alt_missing"
  std::string message;     // Japanese, for the writer
  int line = 0;            // 0: title, else the body's line
  Severity severity = Severity::block;
  std::string excerpt;     // the text concerned (capped), when there is one
  std::string suggestion;  // a replacement, when the check can offer one
};

struct ArticleText {
  std::string title;
  std::string body;  // Markdown
};

struct CheckOptions {
  markdown::RenderOptions render;
  std::vector<std::string> own_phone_numbers;   // compared by their digits
  std::vector<std::string> own_email_domains;   // e.g. "police.pref.example.jp" (and sub-domains)
  std::vector<std::string> forbidden_words = {"部外秘", "極秘", "秘密", "取扱注意", "内部限り", "庁内限り",
                                              "関係者限り", "捜査中の", "未発表", "非公開"};
  std::vector<std::string> vague_link_texts = {"こちら", "ここ", "コチラ", "詳しくはこちら", "詳細はこちら",
                                               "こちらをクリック", "ここをクリック", "クリック", "リンク",
                                               "click here", "here", "click", "more", "link", "詳細", "詳しく"};
  std::vector<std::string> meaningless_alts = {"画像", "写真", "イメージ", "図", "絵", "イラスト", "image",
                                               "img", "photo", "picture", "pic", "figure", "alt"};
  std::size_t max_alt_chars = 100;
  std::size_t max_findings_per_code = 50;  // a bound on hostile input
};

std::vector<Finding> check_article(const ArticleText& article, const CheckOptions& options = {});

// True when a finding blocks the approval.
bool blocks_approval(const std::vector<Finding>& findings);

// Full-width ASCII letters and digits (Ａ１) to half-width (A1); other text unchanged.
std::string fix_fullwidth_alnum(std::string_view text);

}  // namespace koban::site::checks
