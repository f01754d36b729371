#include "http/forms/urlencoded.h"

#include <string>

#include "http/forms/utf8.h"

namespace koban::http::forms {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Error too_large(std::string m) { return {ErrorCode::too_large, std::move(m)}; }

// Decodes one name or value; `limit` bounds the decoded size. `is_name` only picks the message.
Result<std::string> decode_component(std::string_view raw, std::size_t limit, bool is_name) {
  std::string out;
  out.reserve(raw.size() < limit ? raw.size() : limit);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (out.size() >= limit) {
      return too_large(is_name ? "フォームの項目名が長すぎます（上限 " + std::to_string(limit) + " バイト）。"
                               : "入力された値が長すぎます（上限 " + std::to_string(limit) + " バイト）。");
    }
    const char c = raw[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      const int hi = i + 1 < raw.size() ? hex_value(raw[i + 1]) : -1;
      const int lo = i + 2 < raw.size() ? hex_value(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Error::invalid("フォームのデータに不正なパーセントエンコードがあります。");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  if (!is_valid_utf8(out)) {
    return Error::invalid("入力に UTF-8 として正しくない文字が含まれています。");
  }
  if (out.find('\0') != std::string::npos) {
    return Error::invalid("入力にヌル文字が含まれています。");
  }
  return out;
}

}  // namespace

Result<FormFields> parse_urlencoded(std::string_view body, const FormLimits& limits) {
  if (body.size() > limits.max_total_bytes) {
    return too_large("フォームのデータが大きすぎます（上限 " + std::to_string(limits.max_total_bytes) +
                     " バイト）。");
  }
  FormFields fields;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    const std::string_view piece = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (piece.empty()) continue;
    if (fields.size() >= limits.max_fields) {
      return too_large("フォームの項目が多すぎます（上限 " + std::to_string(limits.max_fields) + " 個）。");
    }
    const std::size_t eq = piece.find('=');
    const std::string_view raw_name = piece.substr(0, eq);
    const std::string_view raw_value = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    KOBAN_ASSIGN(std::string name, decode_component(raw_name, limits.max_name_bytes, true));
    KOBAN_ASSIGN(std::string value, decode_component(raw_value, limits.max_value_bytes, false));
    fields.add(std::move(name), std::move(value));
  }
  return fields;
}

std::string form_urlencode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '*' ||
        c == '-' || c == '.' || c == '_') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

std::string form_urlencode(const FormFields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += form_urlencode(name);
    out += '=';
    out += form_urlencode(value);
  }
  return out;
}

}  // namespace koban::http::forms
