#include "mail/message_view.h"

#include "core/text.h"

#include <algorithm>

#include "mail/encoding.h"
#include "mail/iso2022jp.h"

namespace koban::mail {
namespace {

std::string lower(std::string_view s) { return text::to_lower(s); }

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string to_utf8(std::string_view bytes, std::string_view charset) {
  const auto cs = lower(charset);
  if (cs == "iso-2022-jp") {
    auto r = iso2022jp_to_utf8(bytes);
    if (r) return *r;
  }
  return std::string(bytes);
}

// Splits a header block into (name, raw unfolded value) pairs.
std::vector<std::pair<std::string, std::string>> parse_headers(std::string_view block) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos < block.size()) {
    auto end = block.find("\r\n", pos);
    if (end == std::string_view::npos) end = block.size();
    std::string_view line = block.substr(pos, end - pos);
    pos = end + 2;
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !out.empty()) {
      out.back().second += std::string(line);
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    out.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return out;
}

std::string header(const std::vector<std::pair<std::string, std::string>>& hs, std::string_view name) {
  for (const auto& [k, v] : hs)
    if (lower(k) == lower(name)) return v;
  return {};
}

// A parameter of a header value: charset="utf-8" → utf-8.
std::string param(std::string_view value, std::string_view name) {
  const auto lv = lower(value);
  const auto key = lower(name) + "=";
  auto p = lv.find(key);
  if (p == std::string::npos) return {};
  std::string_view rest = value.substr(p + key.size());
  if (!rest.empty() && rest.front() == '"') {
    rest.remove_prefix(1);
    return std::string(rest.substr(0, rest.find('"')));
  }
  return std::string(rest.substr(0, rest.find_first_of("; \t")));
}

// filename*=UTF-8''%E5%9C%B0.pdf, its continuations filename*0*=, filename*1*= ..., or filename=.
std::string rfc2231_filename(std::string_view disposition) {
  std::string encoded = param(disposition, "filename*");
  for (int i = 0; encoded.empty() || i > 0; ++i) {
    auto piece = param(disposition, "filename*" + std::to_string(i) + "*");
    if (piece.empty()) piece = param(disposition, "filename*" + std::to_string(i));
    if (piece.empty()) break;
    encoded += piece;
  }
  if (encoded.empty()) return decode_header_value(param(disposition, "filename"));
  std::string charset;
  if (auto q = encoded.find("''"); q != std::string::npos) {
    charset = encoded.substr(0, q);
    encoded = encoded.substr(q + 2);
  }
  std::string bytes;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size() && hex(encoded[i + 1]) >= 0 && hex(encoded[i + 2]) >= 0) {
      bytes.push_back(static_cast<char>(hex(encoded[i + 1]) * 16 + hex(encoded[i + 2])));
      i += 2;
    } else {
      bytes.push_back(encoded[i]);
    }
  }
  return to_utf8(bytes, charset);
}

std::string decode_body(std::string_view body, std::string_view cte, std::string_view charset, bool& ok) {
  const auto enc = lower(cte);
  std::string bytes;
  ok = true;
  if (enc == "base64") {
    std::string compact;
    for (char c : body)
      if (c != '\r' && c != '\n') compact.push_back(c);
    auto r = base64_decode(compact);
    if (!r) {
      ok = false;
      return std::string(body);
    }
    bytes = *r;
  } else if (enc == "quoted-printable") {
    bytes = quoted_printable_decode(body);
  } else {
    bytes = std::string(body);
  }
  return to_utf8(bytes, charset.empty() ? "us-ascii" : charset);
}

}  // namespace

std::string quoted_printable_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out.push_back(text[i]);
      continue;
    }
    if (text.substr(i + 1, 2) == "\r\n") {
      i += 2;  // soft line break
      continue;
    }
    if (i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
      continue;
    }
    out.push_back('=');
  }
  return out;
}

std::string decode_header_value(std::string_view value) {
  std::string out;
  std::size_t pos = 0;
  bool last_was_word = false;
  while (pos < value.size()) {
    const auto start = value.find("=?", pos);
    if (start == std::string_view::npos) {
      out += std::string(value.substr(pos));
      break;
    }
    // Whitespace between two encoded words is dropped (RFC 2047 §6.2).
    std::string_view between = value.substr(pos, start - pos);
    if (!(last_was_word && between.find_first_not_of(" \t") == std::string_view::npos)) out += std::string(between);
    const auto q1 = value.find('?', start + 2);
    const auto q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
    const auto end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string_view::npos) {
      out += std::string(value.substr(start));
      break;
    }
    const auto charset = value.substr(start + 2, q1 - start - 2);
    const auto encoding = lower(value.substr(q1 + 1, q2 - q1 - 1));
    const auto payload = value.substr(q2 + 1, end - q2 - 1);
    std::string bytes;
    if (encoding == "b") {
      auto r = base64_decode(payload);
      bytes = r ? *r : std::string(payload);
    } else {
      std::string q(payload);
      std::replace(q.begin(), q.end(), '_', ' ');
      bytes = quoted_printable_decode(q);
    }
    out += to_utf8(bytes, charset);
    pos = end + 2;
    last_was_word = true;
  }
  return out;
}

MessageView view_message(std::string_view raw) {
  MessageView v;
  const auto split = raw.find("\r\n\r\n");
  const auto head = raw.substr(0, split == std::string_view::npos ? raw.size() : split + 2);
  std::string_view body = split == std::string_view::npos ? std::string_view{} : raw.substr(split + 4);
  auto hs = parse_headers(head);
  for (auto& [k, val] : hs) v.headers.emplace_back(k, decode_header_value(val));
  v.subject = decode_header_value(header(hs, "subject"));
  v.from = decode_header_value(header(hs, "from"));
  v.to = decode_header_value(header(hs, "to"));
  v.date = header(hs, "date");

  std::string ctype = header(hs, "content-type");
  std::string cte = header(hs, "content-transfer-encoding");
  if (lower(ctype).starts_with("multipart/")) {
    const std::string boundary = "--" + param(ctype, "boundary");
    bool found = false;
    std::size_t p = body.find(boundary);
    while (p != std::string_view::npos && boundary.size() > 2) {
      std::size_t part_start = p + boundary.size();
      if (body.substr(part_start, 2) == "--") break;
      part_start += 2;
      std::size_t next = body.find("\r\n" + boundary, part_start);
      if (next == std::string_view::npos) break;
      std::string_view part = body.substr(part_start, next - part_start);
      auto psplit = part.find("\r\n\r\n");
      auto ph = parse_headers(part.substr(0, psplit == std::string_view::npos ? part.size() : psplit + 2));
      std::string_view pbody = psplit == std::string_view::npos ? std::string_view{} : part.substr(psplit + 4);
      const auto pctype = header(ph, "content-type");
      const auto disposition = header(ph, "content-disposition");
      if (!found && lower(pctype).starts_with("text/plain") && lower(disposition).find("attachment") == std::string::npos) {
        v.text = decode_body(pbody, header(ph, "content-transfer-encoding"), param(pctype, "charset"), v.text_decoded);
        found = true;
      } else if (lower(pctype).starts_with("multipart/alternative") && !found) {
        auto inner = view_message(std::string(part));
        v.text = inner.text;
        v.text_decoded = inner.text_decoded;
        found = true;
      } else if (!disposition.empty() && lower(disposition).find("attachment") != std::string::npos) {
        auto name = rfc2231_filename(disposition);
        v.attachments.push_back(name.empty() ? "(添付ファイル)" : name);
      }
      p = next + 2;
    }
    if (!found) v.text = std::string(body);
  } else {
    v.text = decode_body(body, cte, param(ctype, "charset"), v.text_decoded);
  }
  return v;
}

}  // namespace koban::mail
