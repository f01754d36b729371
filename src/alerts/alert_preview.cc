#include "alerts/alert_preview.h"

#include <algorithm>
#include <cstring>

#include "alerts/categories.h"
#include "http/forms/utf8.h"
#include "mail/iso2022jp.h"

namespace koban::alerts {
namespace {

// "=?ISO-2022-JP?B?...?=" words of a folded Subject: header back to text.
Result<std::string> decode_iso_subject(const std::string& raw) {
  const auto at = raw.find("\r\nSubject: ");
  if (at == std::string::npos) return std::string();
  std::string out;
  std::size_t p = at + 11;
  for (;;) {
    const auto b = raw.find("=?ISO-2022-JP?B?", p);
    const auto eol = raw.find("\r\n", p);
    if (b == std::string::npos || b > eol) {
      // a folded continuation line starts with a space
      if (eol != std::string::npos && eol + 2 < raw.size() && raw[eol + 2] == ' ') {
        p = eol + 2;
        continue;
      }
      break;
    }
    const auto e = raw.find("?=", b + 16);
    if (e == std::string::npos) break;
    std::string b64 = raw.substr(b + 16, e - b - 16);
    // base64 decode
    std::string bytes;
    int val = 0, bits = -8;
    for (char c : b64) {
      const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      const char* f = c ? std::strchr(tbl, c) : nullptr;
      if (!f) break;
      val = (val << 6) + static_cast<int>(f - tbl);
      bits += 6;
      if (bits >= 0) {
        bytes.push_back(static_cast<char>((val >> bits) & 0xff));
        bits -= 8;
      }
    }
    KOBAN_ASSIGN(auto text, mail::iso2022jp_to_utf8(bytes));
    out += text;
    p = e + 2;
  }
  return out;
}

}  // namespace

MailText alert_mail_text(const MailTextInput& in) {
  const Category* c = find_category(in.category);
  MailText m;
  m.subject = "【" + std::string(c ? c->name : "") + "】";
  if (!in.follow_label.empty()) m.subject += "【" + in.follow_label + "】";
  m.subject += in.title;
  std::string body = in.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  m.text = in.title + "\n\n" + body + "\n\n" + "発信：" + in.unit_name + "\n" + "対象地域：" + in.areas_text +
           "\n\n----\n登録内容の変更・配信停止はこちら\n" + in.personal_link + "\n";
  return m;
}

Result<Preview> preview_alert(const MailTextInput& in, const mail::Mailbox& from, Instant now) {
  const auto text = alert_mail_text(in);
  Preview p;
  p.subject = text.subject;
  p.utf8_text = text.text;
  mail::Message m;
  m.from = from;
  m.to = {{"", "subscriber@example.jp"}};
  m.subject = text.subject;
  m.date = now;
  m.message_id = "<preview@example.jp>";
  m.text = text.text;
  KOBAN_ASSIGN(p.utf8_raw, mail::build_message(m));
  KOBAN_ASSIGN(p.iso2022jp_raw, mail::build_message(m, {.charset = mail::Charset::iso2022jp, .text_encoding = mail::TextEncoding::quoted_printable, .boundary = ""}));
  KOBAN_ASSIGN(auto conv, mail::convert_to_iso2022jp(text.text));
  p.substitutions = conv.substitutions;
  KOBAN_ASSIGN(p.iso2022jp_text, mail::iso2022jp_to_utf8(conv.bytes));
  std::erase(p.iso2022jp_text, '\r');
  KOBAN_ASSIGN(p.iso2022jp_subject, decode_iso_subject(p.iso2022jp_raw));
  // Which characters were substituted: each distinct non-ASCII character of subject and text.
  const std::string all = text.subject + text.text;
  for (std::size_t i = 0; i < all.size();) {
    const auto c = http::forms::decode_utf8(all, i);
    if (c.len == 0) return Error::invalid("文字として読み取れない内容が含まれています。");
    const std::string ch = all.substr(i, c.len);
    i += c.len;
    if (c.code_point < 0x80 || std::find(p.unsupported.begin(), p.unsupported.end(), ch) != p.unsupported.end()) continue;
    KOBAN_ASSIGN(auto one, mail::convert_to_iso2022jp(ch));
    if (one.substitutions > 0) p.unsupported.push_back(ch);
    if (p.unsupported.size() >= 100) break;
  }
  if (http::forms::is_valid_utf8(in.title)) p.title_chars = http::forms::utf8_length(in.title);
  if (http::forms::is_valid_utf8(in.body)) p.body_chars = http::forms::utf8_length(in.body);
  return p;
}

}  // namespace koban::alerts
