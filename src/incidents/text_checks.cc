#include "incidents/text_checks.h"

#include <cstdint>

namespace koban::incidents {
namespace {

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (n < 0 || (n == 1 && c < 0xC2) || (n == 3 && c > 0xF4)) return false;
    if (i + static_cast<std::size_t>(n) >= s.size()) return false;  // truncated sequence
    std::uint32_t cp = n == 0 ? c : (c & (0x3F >> n));
    for (int k = 1; k <= n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += n + 1;
  }
  return true;
}

}  // namespace

Result<std::string> checked_text(std::string_view input, std::string_view field, std::size_t max_bytes,
                                 bool multiline) {
  std::string_view t = input;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!t.empty() && space(t.front())) t.remove_prefix(1);
  while (!t.empty() && space(t.back())) t.remove_suffix(1);
  if (t.empty()) return Error::invalid(std::string(field) + "を入力してください。");
  if (t.size() > max_bytes)
    return Error::invalid(std::string(field) + "が長すぎます（" + std::to_string(max_bytes) + "バイトまで）。");
  if (!valid_utf8(t)) return Error::invalid(std::string(field) + "に使えない文字が含まれています。");
  for (char ch : t) {
    auto c = static_cast<unsigned char>(ch);
    bool allowed_ctl = c == '\t' || (multiline && (c == '\n' || c == '\r'));
    if ((c < 0x20 && !allowed_ctl) || c == 0x7F)
      return Error::invalid(std::string(field) + "に使えない文字が含まれています。");
  }
  return std::string(t);
}

}  // namespace koban::incidents
