#include "org/field_checks.h"

#include <string>

namespace koban::org {
namespace {

// Counts code points of valid UTF-8, or returns npos (overlongs, surrogates, stray bytes, C0/C1
// controls and DEL are all refused: none belongs in a name or an address).
std::size_t utf8_chars(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp;
    std::size_t len;
    if (c < 0x80) { cp = c; len = 1; }
    else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; len = 2; }
    else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; len = 3; }
    else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; len = 4; }
    else return std::string_view::npos;
    if (i + len > s.size()) return std::string_view::npos;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return std::string_view::npos;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::string_view::npos;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return std::string_view::npos;
    i += len;
    ++n;
  }
  return n;
}

std::string field_str(std::string_view f) { return std::string(f); }

}  // namespace

Result<void> check_text(std::string_view field, std::string_view value, std::size_t min_chars,
                        std::size_t max_chars) {
  // Bytes first: a huge value is refused before it is scanned.
  if (value.size() > max_chars * 4)
    return Error::invalid(field_str(field) + "は" + std::to_string(max_chars) + "文字以内で入力してください。");
  std::size_t n = utf8_chars(value);
  if (n == std::string_view::npos)
    return Error::invalid(field_str(field) + "に使えない文字が含まれています。");
  if (n < min_chars)
    return Error::invalid(min_chars == 1 ? field_str(field) + "を入力してください。"
                                         : field_str(field) + "は" + std::to_string(min_chars) +
                                               "文字以上で入力してください。");
  if (n > max_chars)
    return Error::invalid(field_str(field) + "は" + std::to_string(max_chars) + "文字以内で入力してください。");
  return ok();
}

Result<void> check_ascii_code(std::string_view field, std::string_view value, std::size_t min_chars,
                              std::size_t max_chars, bool allow_underscore) {
  if (value.size() < min_chars || value.size() > max_chars)
    return Error::invalid(field_str(field) + "は" + std::to_string(min_chars) + "〜" +
                          std::to_string(max_chars) + "文字で入力してください。");
  for (char c : value) {
    bool good = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                (allow_underscore && c == '_');
    if (!good)
      return Error::invalid(field_str(field) + "に使えるのは半角英小文字・数字・「.」・「-」" +
                            (allow_underscore ? "・「_」" : "") + "だけです。");
  }
  return ok();
}

Result<void> check_email(std::string_view v) {
  if (v.empty()) return ok();
  auto bad = [] { return Error::invalid("メールアドレスの形式が正しくありません。"); };
  if (v.size() > 254) return bad();
  auto at = v.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= v.size() || v.find('@', at + 1) != v.npos)
    return bad();
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == '\\')
      return bad();
  }
  auto domain = v.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.')
    return bad();
  return ok();
}

}  // namespace koban::org
