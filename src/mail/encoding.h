// Transfer encodings for mail: base64, quoted-printable and RFC 2047 encoded words (UTF-8).
// All output uses CRLF line endings and keeps every line within RFC 5322 limits.
//
//   std::string b = mail::base64_lines(pdf_bytes);        // 76-char lines, each ending CRLF
//   std::string q = mail::quoted_printable(text_crlf);    // soft breaks at 76
//   auto words = mail::utf8_encoded_words("件名", 75);     // {"=?UTF-8?B?5Lu25ZCN?="}
//
// ISO-2022-JP lives in iso2022jp.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace koban::mail {

// Plain base64 (RFC 4648), no line breaks.
std::string base64(std::string_view bytes);
// Base64 in lines of at most 76 characters, each followed by CRLF (empty input: "").
std::string base64_lines(std::string_view bytes);
// Strict decoder (ignores CR/LF); for tests and AUTH replies.
Result<std::string> base64_decode(std::string_view text);

// Quoted-printable (RFC 2045 6.7). Input lines are split on LF (a CR before it is dropped) and
// written back with CRLF hard breaks; lines are kept within 76 characters with soft breaks,
// never splitting an =XX triplet. Trailing spaces/tabs before a break are encoded.
std::string quoted_printable(std::string_view text);

// The UTF-8 characters of text as a list of complete characters' byte ranges. Fails on
// invalid UTF-8 (overlongs, surrogates, truncated sequences).
Result<std::vector<std::string_view>> split_utf8(std::string_view text);

// RFC 2047 B-encoded words "=?UTF-8?B?...?=" for text, each at most max_word_len characters
// (75 by the RFC; callers pass less for the first word to leave room for the header name).
// Words never split a UTF-8 character. first_word_len applies to the first word only.
Result<std::vector<std::string>> utf8_encoded_words(std::string_view text,
                                                    std::size_t first_word_len = 75,
                                                    std::size_t max_word_len = 75);

bool is_ascii(std::string_view s);

}  // namespace koban::mail
