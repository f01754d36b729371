// The orchestration: render the body (structure findings come from what the renderer saw), then
// scan the title and every body line for characters, personal data and forbidden words.
#include "site/checks/article_checks.h"

#include "core/text.h"
#include "http/forms/utf8.h"
#include "site/checks/scan.h"

namespace koban::site::checks {
namespace {

using detail::Sink;

// Trimmed of ASCII and ideographic spaces and of trailing punctuation, ASCII lower-cased: the
// form in which link texts and alt texts are compared with the lists.
std::string normalized(std::string_view s) {
  auto l = detail::make_scan_line(s, 0);
  std::u32string t = l.text;
  auto drop = [](char32_t c) {
    return c == ' ' || c == 0x3000 || c == U'。' || c == U'、' || c == '.' || c == '!' || c == U'！' ||
           c == U'：' || c == ':' || c == U'＞' || c == '>' || c == U'→';
  };
  while (!t.empty() && drop(t.back())) t.pop_back();
  std::size_t b = 0;
  while (b < t.size() && drop(t[b])) ++b;
  return text::to_lower(detail::to_utf8(t.substr(b)));
}

std::string strip_number(std::string s) {  // 「写真1」「画像２」 are just as meaningless
  auto l = detail::make_scan_line(s, 0);
  std::u32string t = l.text;
  while (!t.empty() && (detail::is_digit(l.norm[t.size() - 1]) || t.back() == ' ' || t.back() == '_' || t.back() == '-'))
    t.pop_back();
  return detail::to_utf8(t);
}

std::string base_name(std::string_view url) {
  const std::size_t cut = url.find_first_of("?#");
  if (cut != std::string_view::npos) url = url.substr(0, cut);
  const std::size_t slash = url.rfind('/');
  if (slash != std::string_view::npos) url = url.substr(slash + 1);
  return std::string(url);
}

bool looks_like_file_name(const std::string& alt_lower, const std::string& url) {
  const std::string base = text::to_lower(base_name(url));
  const std::size_t dot = base.rfind('.');
  const std::string stem = dot == std::string::npos ? base : base.substr(0, dot);
  if (!base.empty() && (alt_lower == base || alt_lower == stem)) return true;
  for (const char* ext : {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".bmp", ".heic", ".tif", ".tiff"})
    if (alt_lower.ends_with(ext)) return true;
  for (const char* camera : {"img_", "img-", "dsc_", "dscn", "dsc0", "pxl_", "p1", "screenshot"})
    if (alt_lower.starts_with(camera) && alt_lower.find_first_of("0123456789") != std::string::npos &&
        alt_lower.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-. ") == std::string::npos)
      return true;
  return false;
}

bool in_list(const std::string& value, const std::vector<std::string>& list) {
  for (const auto& item : list)
    if (value == normalized(item)) return true;
  return false;
}

void structure(const markdown::Rendered& r, Sink& sink) {
  const auto& o = sink.options();
  for (const auto& w : r.warnings) {
    switch (w.kind) {
      case markdown::WarningKind::refused_link:
        sink.add({"link_refused", "使えないリンク先です: " + w.message, w.line, Severity::block, w.detail, ""});
        break;
      case markdown::WarningKind::refused_image:
        sink.add({"image_refused", "表示できない画像です: " + w.message, w.line, Severity::block, w.detail, ""});
        break;
      default:
        sink.add({"render_warning", w.message, w.line, Severity::warn, w.detail, ""});
    }
  }
  for (const auto& im : r.images) {
    const std::string alt = normalized(im.alt);
    if (alt.empty()) {
      sink.add({"image_alt_missing", "画像に代替テキストがありません。![ ] の中に、画像が伝える内容を書いてください。",
                im.line, Severity::block, im.source_url, ""});
    } else if (in_list(alt, o.meaningless_alts) || in_list(strip_number(alt), o.meaningless_alts)) {
      sink.add({"image_alt_meaningless", "代替テキスト「" + im.alt + "」では画像の内容が伝わりません。何が写っているかを書いてください。",
                im.line, Severity::block, im.alt, ""});
    } else if (looks_like_file_name(alt, im.source_url)) {
      sink.add({"image_alt_filename", "代替テキストがファイル名「" + im.alt + "」になっています。画像の内容を書いてください。",
                im.line, Severity::block, im.alt, ""});
    } else if (http::forms::utf8_length(im.alt) > o.max_alt_chars) {
      sink.add({"image_alt_too_long", "代替テキストが長すぎます（" + std::to_string(o.max_alt_chars) +
                                          "文字まで）。詳しい説明は本文に書いてください。",
                im.line, Severity::warn, im.alt, ""});
    }
  }
  int previous = 0;  // the page title is the h1; the body starts at "#" (h2)
  for (const auto& h : r.headings) {
    if (h.level > previous + 1) {
      sink.add({"heading_skipped",
                "見出し「" + h.text + "」のレベルが飛んでいます（" +
                    (previous == 0 ? std::string("最初の見出しは「#」") : "「" + std::string(previous, '#') + "」の次は「" + std::string(previous + 1, '#') + "」まで") +
                    "にしてください）。",
                h.line, Severity::block, h.text, std::string(previous + 1, '#')});
    }
    previous = h.level;
  }
  for (const auto& l : r.links) {
    const std::string t = normalized(l.text);
    if (t.empty()) {
      sink.add({"link_text_empty", "リンクの文字がありません。リンク先の内容が分かる文字を [ ] の中に書いてください。",
                l.line, Severity::block, l.url, ""});
    } else if (in_list(t, o.vague_link_texts)) {
      sink.add({"link_text_vague", "リンクの文字「" + l.text + "」ではリンク先が分かりません。「交通安全教室の申込み」のように、リンク先の内容を書いてください。",
                l.line, Severity::block, l.text, ""});
    }
  }
  for (const auto& t : r.tables) {
    if (!t.has_header)
      sink.add({"table_no_header", "表に見出し行がありません。1行目に列の見出しを書き、2行目に |---| の区切り行を入れてください。",
                t.line, Severity::block, "", ""});
  }
}

void forbidden_words(std::string_view line, int number, Sink& sink) {
  const std::string lower = text::to_lower(line);
  for (const auto& w : sink.options().forbidden_words) {
    if (w.empty()) continue;
    if (lower.find(text::to_lower(w)) != std::string::npos)
      sink.add({"forbidden_word", "公開できない語「" + w + "」があります。内容を確認してください。", number, Severity::block, w, ""});
  }
}

void scan_text(std::string_view line, int number, Sink& sink) {
  const auto l = detail::make_scan_line(line, number);
  detail::check_characters(l, sink);
  detail::check_personal_data(l, sink);
  forbidden_words(line, number, sink);
}

}  // namespace

std::vector<Finding> check_article(const ArticleText& article, const CheckOptions& options) {
  std::vector<Finding> out;
  Sink sink(options, out);
  if (!http::forms::is_valid_utf8(article.title)) {
    sink.add({"render_error", "題名に文字として読めないバイトがあります。", 0, Severity::block, "", ""});
  } else {
    scan_text(article.title, 0, sink);
  }
  auto r = markdown::render(article.body, options.render);
  if (!r) {
    sink.add({"render_error", r.error().message, 0, Severity::block, "", ""});
    return out;  // the body's lines are not scanned: it may be huge or not text at all
  }
  structure(*r, sink);
  int number = 1;
  std::string_view body = article.body;
  while (!body.empty() || number == 1) {
    const std::size_t nl = body.find('\n');
    scan_text(body.substr(0, nl), number++, sink);
    if (nl == std::string_view::npos) break;
    body.remove_prefix(nl + 1);
  }
  return out;
}

bool blocks_approval(const std::vector<Finding>& findings) {
  for (const auto& f : findings)
    if (f.severity == Severity::block) return true;
  return false;
}

}  // namespace koban::site::checks
