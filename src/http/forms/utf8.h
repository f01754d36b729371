// Strict UTF-8 checks for form input.
//
//   if (!is_valid_utf8(value)) return Error::invalid("...");
//   auto c = decode_utf8(s, i);   // c.len == 0: the bytes at i are not valid UTF-8
//   std::size_t n = utf8_length(valid_text);   // characters, not bytes
//
// "Valid" follows Unicode Table 3-7 (well-formed byte sequences): overlong forms,
// surrogates (U+D800..U+DFFF) and code points above U+10FFFF are all rejected, so that no
// decoder further down (SQLite, PostgreSQL, a browser) sees a second meaning in the bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace koban::http::forms {

struct Utf8Char {
  char32_t code_point = 0;
  std::size_t len = 0;  // bytes taken; 0 when the sequence at the position is invalid
};

// Decodes the character starting at s[pos] (pos < s.size()).
Utf8Char decode_utf8(std::string_view s, std::size_t pos);

bool is_valid_utf8(std::string_view s);

// Number of characters in text that is already known to be valid UTF-8.
std::size_t utf8_length(std::string_view valid);

// Appends the UTF-8 form of a code point (assumed to be a Unicode scalar value).
void append_utf8(std::string& out, char32_t cp);

}  // namespace koban::http::forms
