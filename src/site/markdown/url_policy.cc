#include "site/markdown/url_policy.h"

#include "core/text.h"
#include "http/forms/utf8.h"

namespace koban::site::markdown {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Characters a browser removes or that change how the URL looks: C0/C1 controls, space,
// zero-width and bidi controls, line/paragraph separators, BOM.
bool is_invisible(char32_t cp) {
  return cp <= 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xA0 || cp == 0xAD ||
         (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x3000;
}

// "&#" or "&name;": a character reference.
bool has_char_reference(std::string_view u) {
  for (std::size_t i = 0; i < u.size(); ++i) {
    if (u[i] != '&') continue;
    if (i + 1 < u.size() && u[i + 1] == '#') return true;
    std::size_t j = i + 1;
    while (j < u.size() && j - i <= 32 && (is_alpha(u[j]) || is_digit(u[j]))) ++j;
    if (j > i + 1 && j < u.size() && u[j] == ';') return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> refuse_url(std::string_view url) {
  if (url.empty()) return "リンク先のURLが空です。";
  if (url.size() > kMaxUrlBytes) return "リンク先のURLが長すぎます。";
  for (std::size_t i = 0; i < url.size();) {
    const auto c = http::forms::decode_utf8(url, i);
    if (c.len == 0) return "リンク先のURLに不正な文字があります。";
    if (is_invisible(c.code_point))
      return "リンク先のURLに空白・制御文字・見えない文字があります。";
    i += c.len;
  }
  if (url.find('\\') != std::string_view::npos) return "リンク先のURLに「\\」は使えません。";
  // Never part of a real URL (they would be percent-encoded); here only as attempts to leave
  // the attribute or as the <...> form we do not support.
  if (url.find_first_of("<>\"`") != std::string_view::npos) return "リンク先のURLに < > \" ` は使えません。";
  if (has_char_reference(url)) return "リンク先のURLに文字参照（&#...; など）は使えません。";
  // Also inside an allowed URL ("https://site/redirect?to=javascript:..."): no page of ours
  // needs it, and a redirector elsewhere could turn it into a script.
  const std::string lower = text::to_lower(url);
  if (lower.find("javascript:") != std::string::npos || lower.find("vbscript:") != std::string::npos)
    return "リンク先のURLに javascript: などのスクリプトは使えません。";
  if (url.starts_with("//")) return "他のサイトへのリンクは https:// から書いてください。";

  // A scheme is letters, digits, + - . before the first ':' that comes before any / ? #.
  const std::size_t colon = url.find(':');
  const std::size_t path_start = url.find_first_of("/?#");
  if (colon == std::string_view::npos || (path_start != std::string_view::npos && path_start < colon))
    return std::nullopt;  // a relative path
  const std::string scheme = text::to_lower(url.substr(0, colon));
  const std::string_view rest = url.substr(colon + 1);
  if (scheme == "http" || scheme == "https") {
    if (!rest.starts_with("//") || rest.size() == 2 || rest[2] == '/' || rest[2] == '?' || rest[2] == '#')
      return "http:// または https:// の後にサイト名が必要です。";
    return std::nullopt;
  }
  if (scheme == "mailto") {
    if (rest.find('@') == std::string_view::npos) return "メールアドレスのリンクが正しくありません。";
    return std::nullopt;
  }
  if (scheme == "tel") {
    bool digit = false;
    for (char c : rest) {
      if (is_digit(c)) digit = true;
      else if (c != '+' && c != '-' && c != '(' && c != ')' && c != '.') return "電話番号のリンクが正しくありません。";
    }
    if (!digit) return "電話番号のリンクが正しくありません。";
    return std::nullopt;
  }
  return "このリンク先（" + scheme.substr(0, 32) + ":）は使えません。http://、https://、mailto:、tel: またはサイト内のパスにしてください。";
}

}  // namespace koban::site::markdown
