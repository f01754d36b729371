// Reading a message koban built, for the staff page /admin/mail: the main headers with their
// encoded words decoded (UTF-8 and ISO-2022-JP) and the plain-text body decoded from
// quoted-printable or base64. Display only: anything it cannot decode is shown as sent.
//
//   mail::MessageView v = mail::view_message(raw);
//   v.subject, v.from, v.to, v.text, v.headers (name, decoded value)
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace koban::mail {

struct MessageView {
  std::vector<std::pair<std::string, std::string>> headers;  // top-level, unfolded, decoded
  std::string subject, from, to, date;
  std::string text;            // the first text/plain part, decoded to UTF-8
  bool text_decoded = false;   // false: text is the raw body
  std::vector<std::string> attachments;  // file names of other parts
};

MessageView view_message(std::string_view raw);
// "=?UTF-8?B?...?=" and "=?ISO-2022-JP?B?...?=" (B and Q) words in a header value → UTF-8.
std::string decode_header_value(std::string_view value);
std::string quoted_printable_decode(std::string_view text);

}  // namespace koban::mail
