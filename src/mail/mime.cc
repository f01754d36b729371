#include "mail/mime.h"

#include "core/text.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>

#include "mail/address.h"
#include "mail/encoding.h"
#include "mail/iso2022jp.h"

namespace koban::mail {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string random_hex(std::size_t bytes) {
  std::array<unsigned char, 32> buf{};
  bytes = std::min(bytes, buf.size());
  RAND_bytes(buf.data(), static_cast<int>(bytes));
  std::string s;
  for (std::size_t i = 0; i < bytes; ++i) {
    s += kHex[buf[i] >> 4];
    s += kHex[buf[i] & 15];
  }
  return s;
}

bool valid_field_name(std::string_view name) {
  if (name.empty() || name.size() > 76) return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return c >= 33 && c <= 126 && c != ':'; });
}

bool has_line_break(std::string_view v) {
  return v.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

using text::iequals;

// Headers the builder owns; extras may not set them (a second From or Content-Type would
// let a template author, or an attacker who controls one, change how the message is read).
bool is_reserved(std::string_view name) {
  static constexpr std::string_view kReserved[] = {
      "From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version",
      "Sender", "Return-Path", "Received"};
  if (name.size() >= 8 && iequals(name.substr(0, 8), "Content-")) return true;
  return std::any_of(std::begin(kReserved), std::end(kReserved),
                     [&](std::string_view r) { return iequals(r, name); });
}

// Packs tokens into header lines: "Name: t1 t2", breaking before a token (CRLF SP) when the
// line would pass 78 characters. A token is never split; one longer than 998 is an error.
Result<std::string> fold(std::string_view name, const std::vector<std::string>& tokens) {
  std::string out(name);
  out += ":";
  std::size_t line_len = out.size();
  for (const auto& t : tokens) {
    if (t.size() + 1 > kMaxLine - 2) return Error::invalid("ヘッダの値が長すぎます。");
    if (line_len + 1 + t.size() > kMaxHeaderLine && line_len > name.size() + 1) {
      out += "\r\n";
      line_len = 0;
    }
    out += ' ';
    out += t;
    line_len += 1 + t.size();
  }
  out += "\r\n";
  return out;
}

std::vector<std::string> split_spaces(std::string_view v) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < v.size() && v[j] != ' ' && v[j] != '\t') ++j;
    if (j > i) words.emplace_back(v.substr(i, j - i));
    i = j;
  }
  return words;
}

Result<std::vector<std::string>> encoded_words(std::string_view text, Charset cs, std::size_t first) {
  first = std::clamp<std::size_t>(first, 24, 75);
  if (cs == Charset::iso2022jp) return iso2022jp_encoded_words(text, first, 75);
  return utf8_encoded_words(text, first, 75);
}

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c == '\t' || (c >= 32 && c < 127); });
}

// A display name as phrase tokens: atoms, a quoted-string, or encoded words.
Result<std::vector<std::string>> display_name_tokens(std::string_view name, Charset cs,
                                                     std::size_t first_budget) {
  if (printable_ascii(name)) {
    constexpr std::string_view kSpecials = "()<>[]:;@\\,.\"";
    if (name.find_first_of(kSpecials) == std::string_view::npos) return split_spaces(name);
    std::string q = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    q += '"';
    return std::vector<std::string>{q};
  }
  return encoded_words(name, cs, first_budget);
}

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

bool lines_fit(std::string_view crlf_text) {
  std::size_t start = 0;
  while (start < crlf_text.size()) {
    auto end = crlf_text.find("\r\n", start);
    if (end == std::string_view::npos) end = crlf_text.size();
    if (end - start > kMaxLine) return false;
    start = end + 2;
  }
  return true;
}

struct Part {
  std::string headers;  // complete header lines
  std::string body;     // ends with CRLF (or is empty)
};

Result<Part> text_part(std::string_view subtype, std::string_view text, const BuildOptions& o) {
  Part p;
  std::string type = "Content-Type: text/" + std::string(subtype);
  if (o.charset == Charset::iso2022jp) {
    KOBAN_ASSIGN(auto jis, to_iso2022jp(text));
    p.headers = type + "; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n";
    p.body = to_crlf(jis);
    return p;
  }
  KOBAN_TRY(split_utf8(text));  // refuse invalid UTF-8 rather than label it UTF-8
  std::string crlf = to_crlf(text);
  if (is_ascii(crlf) && lines_fit(crlf) && crlf.find('\0') == std::string::npos) {
    p.headers = type + "; charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n";
    p.body = std::move(crlf);
  } else if (o.text_encoding == TextEncoding::base64) {
    p.headers = type + "; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n";
    p.body = base64_lines(crlf);
  } else {
    p.headers = type + "; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n";
    p.body = quoted_printable(crlf);
    if (!p.body.empty() && !p.body.ends_with("\r\n")) p.body += "\r\n";
  }
  return p;
}

bool valid_content_type(std::string_view t) {
  const auto slash = t.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == t.size() || t.size() > 100) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const unsigned char c = t[i];
    if (i == slash) continue;
    const bool ok = std::isalnum(c) || std::string_view("!#$&^_.+-").find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// Content-Disposition with the file name: quoted when it is plain ASCII, RFC 2231 otherwise,
// split into numbered continuations (filename*0*=, filename*1*= ...) to keep lines short.
std::string disposition(std::string_view filename) {
  const bool plain = std::all_of(filename.begin(), filename.end(), [](unsigned char c) {
    return c >= 32 && c < 127 && c != '"' && c != '\\';
  });
  if (plain && filename.size() <= 60)
    return "Content-Disposition: attachment; filename=\"" + std::string(filename) + "\"\r\n";
  std::vector<std::string> pieces;
  std::string cur = "UTF-8''";
  for (unsigned char c : filename) {
    std::string enc;
    if (std::isalnum(c) || std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      enc = static_cast<char>(c);
    } else {
      enc = {'%', "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15]};
    }
    if (cur.size() + enc.size() > 54) {
      pieces.push_back(cur);
      cur.clear();
    }
    cur += enc;
  }
  if (!cur.empty()) pieces.push_back(cur);
  std::string out = "Content-Disposition: attachment";
  if (pieces.size() == 1) return out + ";\r\n filename*=" + pieces[0] + "\r\n";
  for (std::size_t i = 0; i < pieces.size(); ++i)
    out += ";\r\n filename*" + std::to_string(i) + "*=" + pieces[i];
  return out + "\r\n";
}

Result<Part> attachment_part(const Attachment& a) {
  if (a.filename.empty() || a.filename.size() > 255) return Error::invalid("添付ファイルの名前が正しくありません。");
  KOBAN_TRY(split_utf8(a.filename));
  for (unsigned char c : a.filename)
    if (c < 32 || c == 127 || c == '/' || c == '\\') return Error::invalid("添付ファイルの名前が正しくありません。");
  if (!valid_content_type(a.content_type)) return Error::invalid("添付ファイルの種類が正しくありません。");
  Part p;
  p.headers = "Content-Type: " + a.content_type + "\r\n" + disposition(a.filename) +
              "Content-Transfer-Encoding: base64\r\n";
  p.body = base64_lines(a.data);
  return p;
}

Result<Part> multipart(std::string_view subtype, const std::vector<Part>& parts, const std::string& boundary) {
  const std::string delim = "--" + boundary;
  for (const auto& p : parts)
    if (p.body.find(delim) != std::string::npos || p.headers.find(delim) != std::string::npos)
      return Error::internal("MIME boundary occurs in a part");
  Part m;
  m.headers = "Content-Type: multipart/" + std::string(subtype) + ";\r\n boundary=\"" + boundary + "\"\r\n";
  for (const auto& p : parts) {
    m.body += delim + "\r\n" + p.headers + "\r\n" + p.body;
  }
  m.body += delim + "--\r\n";
  return m;
}

}  // namespace

std::string generate_message_id(std::string_view domain) {
  return "<" + random_hex(16) + "@" + std::string(domain.empty() ? "localhost" : domain) + ">";
}

Result<std::string> unstructured_header(std::string_view name, std::string_view value, Charset cs) {
  if (!valid_field_name(name)) return Error::invalid("ヘッダ名が正しくありません。");
  if (has_line_break(value)) return Error::invalid("ヘッダに改行は使えません。");
  if (printable_ascii(value)) return fold(name, split_spaces(value));
  KOBAN_ASSIGN(auto words, encoded_words(value, cs, kMaxHeaderLine - name.size() - 2));
  return fold(name, words);
}

Result<std::string> address_header(std::string_view name, const std::vector<Mailbox>& boxes, Charset cs) {
  if (!valid_field_name(name)) return Error::invalid("ヘッダ名が正しくありません。");
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    const auto& b = boxes[i];
    if (has_line_break(b.display_name)) return Error::invalid("表示名に改行は使えません。");
    KOBAN_ASSIGN(auto addr, parse_address(b.address));
    std::string angle = addr.str();
    if (!b.display_name.empty()) {
      const std::size_t budget = tokens.empty() ? kMaxHeaderLine - name.size() - 2 : 75;
      KOBAN_ASSIGN(auto words, display_name_tokens(b.display_name, cs, budget));
      tokens.insert(tokens.end(), words.begin(), words.end());
      angle = "<" + angle + ">";
    }
    if (i + 1 < boxes.size()) angle += ",";
    tokens.push_back(std::move(angle));
  }
  return fold(name, tokens);
}

Result<std::string> build_message(const Message& m, const BuildOptions& o) {
  const Charset cs = o.charset;
  std::string out;
  KOBAN_ASSIGN(auto from, parse_address(m.from.address));
  if (m.to.empty() && m.cc.empty()) return Error::invalid("宛先がありません。");
  if (m.date == Instant{}) return Error::invalid("Date is not set");

  KOBAN_ASSIGN(auto h_from, address_header("From", {m.from}, cs));
  out += h_from;
  if (!m.to.empty()) {
    KOBAN_ASSIGN(auto h, address_header("To", m.to, cs));
    out += h;
  }
  if (!m.cc.empty()) {
    KOBAN_ASSIGN(auto h, address_header("Cc", m.cc, cs));
    out += h;
  }
  if (m.reply_to) {
    KOBAN_ASSIGN(auto h, address_header("Reply-To", {*m.reply_to}, cs));
    out += h;
  }
  KOBAN_ASSIGN(auto h_subject, unstructured_header("Subject", m.subject, cs));
  out += h_subject;
  out += "Date: " + format_rfc5322_date(m.date) + "\r\n";
  std::string id = m.message_id.empty() ? generate_message_id(from.domain) : m.message_id;
  if (id.size() < 5 || id.size() > 250 || id.front() != '<' || id.back() != '>' ||
      id.find('@') == std::string::npos ||
      !std::all_of(id.begin(), id.end(), [](unsigned char c) { return c > 32 && c < 127; }))
    return Error::invalid("Message-ID is malformed");
  out += "Message-ID: " + id + "\r\n";
  for (const auto& [name, value] : m.headers) {
    if (is_reserved(name)) return Error::invalid("ヘッダ「" + name + "」は指定できません。");
    KOBAN_ASSIGN(auto h, unstructured_header(name, value, cs));
    out += h;
  }
  out += "MIME-Version: 1.0\r\n";

  std::string boundary_base = o.boundary.empty() ? "=_koban_" + random_hex(12) : o.boundary;
  for (char c : boundary_base) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("'()+_,-./:=?").find(c) != std::string_view::npos))
      return Error::invalid("MIME boundary has an invalid character");
  }
  if (boundary_base.size() > 60) return Error::invalid("MIME boundary is too long");
  int boundary_no = 0;
  auto next_boundary = [&] { return boundary_base + "." + std::to_string(++boundary_no); };

  KOBAN_ASSIGN(Part body, text_part("plain", m.text, o));
  if (m.html) {
    KOBAN_ASSIGN(Part html, text_part("html", *m.html, o));
    KOBAN_ASSIGN(body, multipart("alternative", {body, html}, next_boundary()));
  }
  if (!m.attachments.empty()) {
    std::vector<Part> parts{std::move(body)};
    for (const auto& a : m.attachments) {
      KOBAN_ASSIGN(Part p, attachment_part(a));
      parts.push_back(std::move(p));
    }
    KOBAN_ASSIGN(body, multipart("mixed", parts, next_boundary()));
  }
  out += body.headers;
  out += "\r\n";
  out += body.body;
  return out;
}

}  // namespace koban::mail
