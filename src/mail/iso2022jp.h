// ISO-2022-JP (RFC 1468) for old Japanese phones that cannot read UTF-8 mail.
//
//   KOBAN_ASSIGN(std::string body, mail::to_iso2022jp("本日の防犯情報\r\n"));   // 7bit
//   KOBAN_ASSIGN(auto words, mail::iso2022jp_encoded_words("件名"));   // =?ISO-2022-JP?B?...?=
//   KOBAN_ASSIGN(std::string back, mail::iso2022jp_to_utf8(body));    // round trip via iconv
//
// Conversion goes through glibc iconv one character at a time, so that we control where the
// escape sequences go: every line, and every encoded word, ends in ASCII (ESC ( B).
//
// Characters ISO-2022-JP cannot carry are SUBSTITUTED, never an error (an alert must go out
// even when a name contains 髙):
//   - well-known variants: 髙→高, 﨑→崎, 德→徳, 塚(U+FA10)→塚, 濵→濱, 櫛(U+FA20)... see kVariants
//   - Windows code points of the "wave dash problem": ～→〜, －→−, ∥→‖, ￠→¢, ￡→£, ￢→¬
//   - circled numbers ①..⑳ → (1)..(20), Roman numerals Ⅰ..Ⅹ → I..X, ㈱ → (株), № → No.
//   - half-width katakana → full-width (ｶﾞ → ガ)
//   - anything else → 〓 (U+3013, GETA MARK, the customary Japanese "missing character" sign)
// substitutions() counts them so that a caller can warn staff before sending.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace koban::mail {

struct JisConversion {
  std::string bytes;          // ISO-2022-JP, ends in ASCII
  std::size_t substitutions = 0;
};

// Converts UTF-8 text (fails only on invalid UTF-8). Line breaks (LF or CRLF) become CRLF and
// the text switches back to ASCII before each break.
Result<JisConversion> convert_to_iso2022jp(std::string_view utf8);
inline Result<std::string> to_iso2022jp(std::string_view utf8) {
  KOBAN_ASSIGN(auto c, convert_to_iso2022jp(utf8));
  return std::move(c.bytes);
}

// RFC 2047 words "=?ISO-2022-JP?B?...?=", each at most max_word_len characters and each a
// complete ISO-2022-JP sequence that ends in ASCII. Line breaks in text are refused.
Result<std::vector<std::string>> iso2022jp_encoded_words(std::string_view utf8,
                                                         std::size_t first_word_len = 75,
                                                         std::size_t max_word_len = 75);

// ISO-2022-JP back to UTF-8 (for tests and for reading replies).
Result<std::string> iso2022jp_to_utf8(std::string_view jis);

}  // namespace koban::mail
