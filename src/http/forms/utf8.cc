#include "http/forms/utf8.h"

namespace koban::http::forms {
namespace {

bool in(unsigned char b, unsigned char lo, unsigned char hi) { return b >= lo && b <= hi; }

}  // namespace

Utf8Char decode_utf8(std::string_view s, std::size_t pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + pos;
  const std::size_t left = s.size() - pos;
  const unsigned char b0 = p[0];
  if (b0 < 0x80) return {b0, 1};
  // The second byte's range depends on the lead byte: this is what excludes overlongs
  // (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and values past U+10FFFF (F4 90..).
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  char32_t cp = 0;
  if (in(b0, 0xC2, 0xDF)) {
    len = 2; cp = b0 & 0x1F;
  } else if (in(b0, 0xE0, 0xEF)) {
    len = 3; cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (in(b0, 0xF0, 0xF4)) {
    len = 4; cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {};  // 80..C1 (continuation or overlong lead) and F5..FF never start a character
  }
  if (left < len) return {};
  if (!in(p[1], lo, hi)) return {};
  cp = (cp << 6) | (p[1] & 0x3F);
  for (std::size_t i = 2; i < len; ++i) {
    if (!in(p[i], 0x80, 0xBF)) return {};
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  return {cp, len};
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // ASCII runs are the common case in forms; skip them without the full decoder.
    if (static_cast<unsigned char>(s[i]) < 0x80) { ++i; continue; }
    const Utf8Char c = decode_utf8(s, i);
    if (c.len == 0) return false;
    i += c.len;
  }
  return true;
}

std::size_t utf8_length(std::string_view valid) {
  std::size_t n = 0;
  for (unsigned char b : valid) {
    if ((b & 0xC0) != 0x80) ++n;  // count everything that is not a continuation byte
  }
  return n;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace koban::http::forms
