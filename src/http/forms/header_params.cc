#include "http/forms/header_params.h"

#include "core/text.h"

#include <cstring>

#include "http/forms/utf8.h"

namespace koban::http::forms {
namespace {

constexpr std::size_t kMaxParams = 32;

bool is_ows(char c) { return c == ' ' || c == '\t'; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string lower(std::string_view s) { return text::to_lower(s); }

using text::iequals;

bool is_ctl(char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F; }

Error malformed() { return Error::invalid("ヘッダーのパラメーターの形式が正しくありません。"); }

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return s_[i_]; }
  void skip_ows() { while (!at_end() && is_ows(s_[i_])) ++i_; }
  bool eat(char c) {
    if (at_end() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  std::string_view token() {
    const std::size_t b = i_;
    while (!at_end() && is_token_char(s_[i_])) ++i_;
    return s_.substr(b, i_ - b);
  }
  // After the opening quote. Returns false when unterminated or holding a control character.
  bool quoted(std::string& out) {
    while (!at_end()) {
      const char c = s_[i_++];
      if (c == '"') return true;
      if (is_ctl(c)) return false;
      if (c == '\\' && !at_end() && (s_[i_] == '"' || s_[i_] == '\\')) {
        out += s_[i_++];
        continue;
      }
      out += c;
    }
    return false;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 8187 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
bool is_attr_char(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$&+-.^_`|~", c) != nullptr;
}

}  // namespace

bool is_token_char(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

const std::string* HeaderValue::param(std::string_view name) const {
  for (const auto& [n, v] : params) {
    if (n == name) return &v;
  }
  return nullptr;
}

Result<HeaderValue> parse_header_value(std::string_view text) {
  HeaderValue out;
  Cursor cur(text);
  cur.skip_ows();
  std::string_view type = cur.token();
  if (type.empty()) return malformed();
  out.value = lower(type);
  if (cur.eat('/')) {  // media types have a subtype; dispositions do not
    const std::string_view sub = cur.token();
    if (sub.empty()) return malformed();
    out.value += '/';
    out.value += lower(sub);
  }
  cur.skip_ows();
  while (!cur.at_end()) {
    if (!cur.eat(';')) return malformed();
    cur.skip_ows();
    if (cur.at_end()) break;   // a trailing ';' is harmless
    if (cur.peek() == ';') continue;
    const std::string_view name = cur.token();
    if (name.empty()) return malformed();
    cur.skip_ows();
    if (!cur.eat('=')) return malformed();
    cur.skip_ows();
    std::string value;
    if (cur.eat('"')) {
      if (!cur.quoted(value)) return malformed();
    } else {
      const std::string_view tok = cur.token();
      if (tok.empty()) return malformed();
      value = tok;
    }
    std::string lname = lower(name);
    // Two "filename" parameters could be read differently by two parsers: refuse.
    if (out.param(lname) != nullptr) {
      return Error::invalid("ヘッダーに同じパラメーターが重複しています。");
    }
    if (out.params.size() >= kMaxParams) return malformed();
    out.params.emplace_back(std::move(lname), std::move(value));
    cur.skip_ows();
  }
  return out;
}

Result<std::string> decode_ext_value(std::string_view text) {
  const std::size_t q1 = text.find('\'');
  const std::size_t q2 = q1 == std::string_view::npos ? q1 : text.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) {
    return Error::invalid("ファイル名（filename*）の形式が正しくありません。");
  }
  const std::string_view charset = text.substr(0, q1);
  const std::string_view encoded = text.substr(q2 + 1);
  const bool utf8 = iequals(charset, "UTF-8");
  if (!utf8 && !iequals(charset, "ISO-8859-1")) {
    return Error::invalid("ファイル名（filename*）の文字コードに対応していません。");
  }
  std::string bytes;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    if (c == '%') {
      const int hi = i + 1 < encoded.size() ? hex_value(encoded[i + 1]) : -1;
      const int lo = i + 2 < encoded.size() ? hex_value(encoded[i + 2]) : -1;
      if (hi < 0 || lo < 0) return Error::invalid("ファイル名（filename*）のエンコードが正しくありません。");
      bytes += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (is_attr_char(c)) {
      bytes += c;
    } else {
      return Error::invalid("ファイル名（filename*）に使えない文字が含まれています。");
    }
  }
  if (utf8) {
    if (!is_valid_utf8(bytes)) {
      return Error::invalid("ファイル名（filename*）が UTF-8 として正しくありません。");
    }
    return bytes;
  }
  std::string out;  // ISO-8859-1: every byte is the code point of the same value
  for (unsigned char b : bytes) append_utf8(out, b);
  return out;
}

}  // namespace koban::http::forms
