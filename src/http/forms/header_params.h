// Parsing of parameterised header values, as in Content-Type and Content-Disposition:
//
//   auto v = parse_header_value("form-data; name=\"file\"; filename=\"a.txt\"");
//   v->value                 -> "form-data"           (lower-cased)
//   v->param("filename")     -> pointer to "a.txt"    (names lower-cased, quotes removed)
//   auto name = decode_ext_value("UTF-8''%E5%B1%8A.pdf");   // RFC 8187 (ex RFC 5987): "届.pdf"
//
// Strict where ambiguity could be abused (duplicate parameters, unterminated quotes, control
// characters are errors), lenient where browsers differ from the RFC: bytes >= 0x80 are allowed
// in quoted strings (browsers send file names as raw UTF-8), and a backslash escapes only '"'
// and '\' (old browsers send "C:\Users\a.txt" unescaped; this keeps its backslashes, so that
// safe_file_name can strip the directories).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace koban::http::forms {

struct HeaderValue {
  std::string value;  // "multipart/form-data", "form-data": lower-cased
  std::vector<std::pair<std::string, std::string>> params;  // name lower-cased, value as sent

  const std::string* param(std::string_view name) const;  // nullptr when absent
};

Result<HeaderValue> parse_header_value(std::string_view text);

// charset'language'percent-encoded (RFC 8187). UTF-8 and ISO-8859-1 are accepted (the result
// is UTF-8); anything else, bad percent-encoding or invalid UTF-8 is invalid_argument.
Result<std::string> decode_ext_value(std::string_view text);

bool is_token_char(char c);  // RFC 9110 tchar

}  // namespace koban::http::forms
