#include "http/forms/safe_file_name.h"

#include <algorithm>
#include <array>

namespace koban::http::forms {
namespace {

// Control and invisible formatting characters: dropped entirely.
bool is_dropped(char32_t c) {
  if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) return true;        // C0, DEL, C1
  if (c == 0x00AD) return true;                                                 // soft hyphen
  if (c >= 0x200B && c <= 0x200F) return true;  // zero-width space/joiners, LRM, RLM
  if (c >= 0x2028 && c <= 0x202E) return true;  // line/paragraph separators, bidi embeddings
  if (c >= 0x2060 && c <= 0x206F) return true;  // word joiner, bidi isolates, deprecated format
  if (c == 0xFEFF) return true;                 // BOM / zero-width no-break space
  if (c >= 0xFFF9 && c <= 0xFFFB) return true;  // interlinear annotation
  return false;
}

// Characters Windows does not allow in names: replaced, so that "a:b" stays readable.
bool is_replaced(char32_t c) {
  switch (c) {
    case '<': case '>': case ':': case '"': case '|': case '?': case '*':
      return true;
    default:
      return false;
  }
}

bool is_space(char32_t c) { return c == ' ' || c == 0x3000; }  // ASCII and ideographic space

// Works on a list of code points: trimming and cutting by characters is then trivial.
using Chars = std::u32string;

void trim(Chars& s) {
  std::size_t b = 0;
  while (b < s.size() && (s[b] == '.' || is_space(s[b]))) ++b;
  s.erase(0, b);
  while (!s.empty() && (s.back() == '.' || is_space(s.back()))) s.pop_back();
}

char32_t ascii_upper(char32_t c) { return (c >= 'a' && c <= 'z') ? c - 32 : c; }

// Windows treats "CON", "con.txt" and "CON .txt" alike: compare the part before the first dot.
bool is_reserved_windows_name(const Chars& s) {
  std::size_t end = std::min(s.find(U'.'), s.size());
  while (end > 0 && is_space(s[end - 1])) --end;
  Chars stem;
  for (std::size_t i = 0; i < end; ++i) stem += ascii_upper(s[i]);
  static const std::array<Chars, 4> plain = {U"CON", U"PRN", U"AUX", U"NUL"};
  for (const auto& r : plain) {
    if (stem == r) return true;
  }
  if (stem.size() == 4 && (stem.compare(0, 3, U"COM") == 0 || stem.compare(0, 3, U"LPT") == 0)) {
    const char32_t d = stem[3];
    // Windows also reserves COM¹²³ / LPT¹²³ (superscript digits).
    if ((d >= '0' && d <= '9') || d == 0xB9 || d == 0xB2 || d == 0xB3) return true;
  }
  return false;
}

// Cuts to max_chars, keeping an extension of up to 16 characters when there is room for it.
void cut(Chars& s, std::size_t max_chars) {
  if (s.size() <= max_chars) return;
  const std::size_t dot = s.rfind(U'.');
  constexpr std::size_t kMaxExt = 16;
  if (dot != Chars::npos && dot > 0 && s.size() - dot <= kMaxExt + 1 && s.size() - dot < max_chars) {
    const Chars ext = s.substr(dot);
    Chars stem = s.substr(0, max_chars - ext.size());
    while (!stem.empty() && (stem.back() == '.' || is_space(stem.back()))) stem.pop_back();
    if (!stem.empty()) {
      s = stem + ext;
      return;
    }
  }
  s.resize(max_chars);
  trim(s);
}

}  // namespace

std::string safe_file_name(std::string_view original, std::size_t max_chars) {
  max_chars = std::max<std::size_t>(max_chars, 8);
  // Only the last path component: clients (old IE, scripts) send whole Windows or Unix paths.
  const std::size_t slash = original.find_last_of("/\\");
  if (slash != std::string_view::npos) original.remove_prefix(slash + 1);

  Chars chars;
  for (std::size_t i = 0; i < original.size();) {
    const Utf8Char c = decode_utf8(original, i);
    if (c.len == 0) {  // a byte that is not UTF-8 (say Shift_JIS from an old client)
      chars += U'_';
      ++i;
      continue;
    }
    i += c.len;
    if (is_dropped(c.code_point)) continue;
    chars += is_replaced(c.code_point) ? U'_' : c.code_point;
  }
  trim(chars);
  cut(chars, max_chars);
  if (is_reserved_windows_name(chars)) {
    chars.insert(chars.begin(), U'_');
    cut(chars, max_chars);  // the '_' keeps it unreserved however it is cut
  }
  if (chars.empty()) return "file";

  std::string out;
  for (char32_t c : chars) append_utf8(out, c);
  return out;
}

}  // namespace koban::http::forms
