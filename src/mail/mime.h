// Building RFC 5322 / MIME messages, ready for SMTP (CRLF line endings, every line within
// 998 bytes, header lines folded within 78 characters; dot-stuffing is left to the SMTP
// client because it belongs to the transport, not the message).
//
//   mail::Message m;
//   m.from = {"岐阜県警察", "noreply@police.example.jp"};
//   m.to = {{"", "a..b@docomo.ne.jp"}};
//   m.subject = "【防犯情報】不審者の出没";
//   m.date = clock.now();
//   m.text = "本文\n";
//   m.headers = {{"List-Unsubscribe", "<https://example.jp/u/abc>"},
//                {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
//   KOBAN_ASSIGN(std::string raw, mail::build_message(m));            // UTF-8, quoted-printable
//   KOBAN_ASSIGN(raw, mail::build_message(m, {.charset = mail::Charset::iso2022jp}));  // old phones
//
// Header injection is impossible by construction: every header name is checked against the
// RFC 5322 field-name grammar, every value with CR, LF or NUL is refused, addresses go through
// parse_address, and structural headers (Content-*, MIME-Version ...) cannot be set as extras.
// Non-ASCII header text is written as RFC 2047 B-encoded words (UTF-8, or ISO-2022-JP words
// that each end in ASCII); words never split a character.
//
// Charsets: UTF-8 (default; text parts quoted-printable or base64, pure-ASCII text that fits
// stays 7bit) or ISO-2022-JP (7bit; see iso2022jp.h for the characters it substitutes).
// Attachments are base64; non-ASCII file names use RFC 2231 (filename*=UTF-8''...).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace koban::mail {

struct Mailbox {
  std::string display_name;  // may be empty; any Unicode text (no line breaks)
  std::string address;       // validated with parse_address
};

struct Attachment {
  std::string filename;                                   // shown to the reader; no path
  std::string content_type = "application/octet-stream";  // type/subtype, no parameters
  std::string data;                                       // raw bytes
};

struct Message {
  Mailbox from;
  std::vector<Mailbox> to;
  std::vector<Mailbox> cc;
  std::optional<Mailbox> reply_to;
  std::string subject;
  Instant date{};
  std::string message_id;  // "<id@host>"; empty: generated from random bytes and from's domain
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, in this order
  std::string text;                 // the plain text body (LF or CRLF line breaks)
  std::optional<std::string> html;  // an HTML alternative
  std::vector<Attachment> attachments;
};

enum class Charset { utf8, iso2022jp };
enum class TextEncoding { quoted_printable, base64 };  // for UTF-8 text parts

struct BuildOptions {
  Charset charset = Charset::utf8;
  TextEncoding text_encoding = TextEncoding::quoted_printable;
  // MIME boundaries: empty gives random ones; tests set a fixed prefix (".1", ".2" ... are
  // appended per multipart). A boundary that occurs in a part's content is an error.
  std::string boundary;
};

inline constexpr std::size_t kMaxHeaderLine = 78;   // RFC 5322 "SHOULD"
inline constexpr std::size_t kMaxLine = 998;        // RFC 5322 "MUST"

Result<std::string> build_message(const Message& message, const BuildOptions& options = {});

// Building blocks, public for tests and for callers that write their own headers.
// A folded header line "Name: value\r\n"; value is unstructured text (encoded if not ASCII).
Result<std::string> unstructured_header(std::string_view name, std::string_view value,
                                        Charset charset = Charset::utf8);
// A folded address-list header "To: a <x@y>, ...\r\n".
Result<std::string> address_header(std::string_view name, const std::vector<Mailbox>& boxes,
                                   Charset charset = Charset::utf8);
// A new Message-ID "<hex@domain>".
std::string generate_message_id(std::string_view domain);

}  // namespace koban::mail
