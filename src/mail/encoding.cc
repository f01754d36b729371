#include "mail/encoding.h"

#include <array>
#include <cstdint>

namespace koban::mail {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kHex[] = "0123456789ABCDEF";

// Length in characters of the base64 form of n bytes.
constexpr std::size_t b64_len(std::size_t n) { return (n + 2) / 3 * 4; }

}  // namespace

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

std::string base64(std::string_view in) {
  std::string out;
  out.reserve(b64_len(in.size()));
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (const std::size_t rest = in.size() - i; rest > 0) {
    std::uint32_t v = p[i] << 16;
    if (rest == 2) v |= p[i + 1] << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += rest == 2 ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_lines(std::string_view in) {
  const std::string flat = base64(in);
  std::string out;
  out.reserve(flat.size() + flat.size() / 76 * 2 + 2);
  for (std::size_t i = 0; i < flat.size(); i += 76) {
    out.append(flat, i, 76);
    out += "\r\n";
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::array<int, 256> rev;
  rev.fill(-1);
  for (int i = 0; i < 64; ++i) rev[static_cast<unsigned char>(kB64[i])] = i;
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0, pad = 0;
  for (unsigned char c : text) {
    if (c == '\r' || c == '\n') continue;
    if (c == '=') { ++pad; continue; }
    if (pad > 0 || rev[c] < 0) return Error::invalid("invalid base64");
    acc = (acc << 6) | static_cast<std::uint32_t>(rev[c]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (pad > 2) return Error::invalid("invalid base64 padding");
  return out;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 2);
  std::size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    const bool last = nl == std::string_view::npos;
    std::string_view line = text.substr(start, last ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (last && line.empty()) break;  // text ended with a newline (or was empty)
    std::size_t col = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const unsigned char c = line[i];
      const bool at_end = i + 1 == line.size();
      const bool plain = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
      const std::size_t width = plain ? 1 : 3;
      // Leave room for the "=" of a soft break: a line is at most 76 characters with it.
      const std::size_t limit = at_end ? 76 : 75;
      if (col + width > limit) {
        out += "=\r\n";
        col = 0;
      }
      if (plain) {
        out += static_cast<char>(c);
      } else {
        out += '=';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      col += width;
    }
    if (last) break;
    out += "\r\n";
    start = nl + 1;
  }
  return out;
}

Result<std::vector<std::string_view>> split_utf8(std::string_view s) {
  std::vector<std::string_view> chars;
  chars.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = p[i];
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) { n = 1; cp = c; }
    else if ((c & 0xe0) == 0xc0) { n = 2; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 3; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 4; cp = c & 0x07; }
    else return Error::invalid("文字コードがUTF-8ではありません。");
    if (i + n > s.size()) return Error::invalid("文字コードがUTF-8ではありません。");
    for (std::size_t k = 1; k < n; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return Error::invalid("文字コードがUTF-8ではありません。");
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return Error::invalid("文字コードがUTF-8ではありません。");
    chars.push_back(s.substr(i, n));
    i += n;
  }
  return chars;
}

Result<std::vector<std::string>> utf8_encoded_words(std::string_view text,
                                                    std::size_t first_word_len,
                                                    std::size_t max_word_len) {
  KOBAN_ASSIGN(auto chars, split_utf8(text));
  constexpr std::size_t kOverhead = sizeof("=?UTF-8?B?" "?=") - 1;  // 12
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < chars.size()) {
    const std::size_t budget = words.empty() ? first_word_len : max_word_len;
    // Each word must carry at least one character, even when the budget is tiny.
    std::size_t bytes = chars[i].size();
    std::size_t j = i + 1;
    while (j < chars.size() && kOverhead + b64_len(bytes + chars[j].size()) <= budget) {
      bytes += chars[j].size();
      ++j;
    }
    const std::string_view run(chars[i].data(), bytes);
    words.push_back("=?UTF-8?B?" + base64(run) + "?=");
    i = j;
  }
  return words;
}

}  // namespace koban::mail
