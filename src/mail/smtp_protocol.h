// The parts of SMTP (RFC 5321) that need no network: the reply parser, EHLO capabilities and
// dot-stuffing. Used by the SMTP client and by test sinks.
//
//   std::size_t used = 0;
//   KOBAN_ASSIGN(auto reply, mail::parse_reply(buffer, used));   // nullopt: need more bytes
//   if (reply) { buffer.erase(0, used); if (reply->code / 100 == 2) ... }
//
//   auto caps = mail::parse_capabilities(ehlo_reply);   // caps.pipelining, caps.size ...
//   std::string wire = mail::dot_stuff(raw_message);    // "..line" and the final ".\r\n"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace koban::mail {

// Hostile-server limits: a reply line longer than this, or a reply with more lines, is an
// error (a well-behaved server stays within 512 bytes per line, RFC 5321 4.5.3.1.5).
inline constexpr std::size_t kMaxReplyLine = 4096;
inline constexpr std::size_t kMaxReplyLines = 200;

struct SmtpReply {
  int code = 0;                    // 200..599
  std::vector<std::string> lines;  // text after "250-" / "250 ", without CRLF
  std::string text() const;        // "250 line1 / line2" for logs and last_error
  bool positive() const { return code >= 200 && code < 400; }
  bool transient() const { return code >= 400 && code < 500; }
  bool permanent() const { return code >= 500; }
};

// Parses one complete (possibly multi-line) reply from the start of buffer. Returns nullopt
// when the buffer holds only part of one; consumed tells how many bytes the reply used.
// Accepts LF as well as CRLF line ends. Fails on a malformed line, a code that changes
// between lines, or the limits above.
Result<std::optional<SmtpReply>> parse_reply(std::string_view buffer, std::size_t& consumed);

struct Capabilities {
  bool esmtp = false;  // EHLO worked
  bool pipelining = false;
  bool starttls = false;
  bool auth_plain = false;
  bool auth_login = false;
  std::uint64_t size = 0;  // SIZE limit; 0 = none announced
};
Capabilities parse_capabilities(const SmtpReply& ehlo);

// The message as sent after DATA: a '.' added before every line that starts with '.', a final
// CRLF if missing, and the terminating ".\r\n". Bare LF and CR are turned into CRLF.
std::string dot_stuff(std::string_view message);
// True when message can be sent as is followed by ".\r\n" (no stuffing, CRLF only, ends CRLF).
bool needs_no_stuffing(std::string_view message);

}  // namespace koban::mail
