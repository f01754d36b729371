#include "mail/iso2022jp.h"

#include <iconv.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "mail/encoding.h"

namespace koban::mail {
namespace {

constexpr std::string_view kAsciiEscape = "\x1b(B";

// One character in ISO-2022-JP: the escape sequence that selects its character set ("" for
// ASCII) and its bytes in that set.
struct JisChar {
  std::string escape;
  std::string bytes;
};

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};
using IconvHandle = std::unique_ptr<void, IconvCloser>;

IconvHandle open_iconv(const char* to, const char* from) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return nullptr;
  return IconvHandle(cd);
}

// Converts all of in, or returns false when iconv refuses any of it.
bool run_iconv(void* cd_void, std::string_view in, std::string& out) {
  auto cd = static_cast<iconv_t>(cd_void);
  iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  out.clear();
  char buf[256];
  while (true) {
    char* dst = buf;
    std::size_t dst_left = sizeof buf;
    const std::size_t r = src_left > 0 ? iconv(cd, &src, &src_left, &dst, &dst_left)
                                       : iconv(cd, nullptr, nullptr, &dst, &dst_left);
    out.append(buf, static_cast<std::size_t>(dst - buf));
    if (r == static_cast<std::size_t>(-1)) {
      if (errno == E2BIG) continue;
      return false;
    }
    if (src_left == 0) {
      // Flush the final shift back to ASCII.
      dst = buf;
      dst_left = sizeof buf;
      iconv(cd, nullptr, nullptr, &dst, &dst_left);
      out.append(buf, static_cast<std::size_t>(dst - buf));
      return true;
    }
  }
}

std::uint32_t decode(std::string_view ch) {
  const auto* p = reinterpret_cast<const unsigned char*>(ch.data());
  switch (ch.size()) {
    case 1: return p[0];
    case 2: return ((p[0] & 0x1f) << 6) | (p[1] & 0x3f);
    case 3: return ((p[0] & 0x0f) << 12) | ((p[1] & 0x3f) << 6) | (p[2] & 0x3f);
    default: return ((p[0] & 0x07) << 18) | ((p[1] & 0x3f) << 12) | ((p[2] & 0x3f) << 6) | (p[3] & 0x3f);
  }
}

std::string encode(std::uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xc0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xe0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    s += static_cast<char>(0xf0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return s;
}

// Replacements for characters JIS X 0208 lacks (UTF-8 → UTF-8 that iconv accepts).
const std::unordered_map<std::uint32_t, std::string_view>& variants() {
  static const std::unordered_map<std::uint32_t, std::string_view> m = {
      // Itaiji in names.
      {0x9AD9, "高"}, {0xFA11, "崎"}, {0x5FB7, "徳"}, {0xFA10, "塚"}, {0x6FF5, "濱"},
      {0x5F45, "彦"}, {0x7422, "隆"}, {0xFA12, "晴"}, {0x8FBB, "辻"},
      // Wave dash problem: Windows (CP932) code points → JIS X 0208 mapping used by glibc.
      {0xFF5E, "〜"}, {0xFF0D, "−"}, {0x2225, "‖"}, {0xFFE0, "¢"}, {0xFFE1, "£"}, {0xFFE2, "¬"},
      // NEC special characters.
      {0x2116, "No."}, {0x3231, "(株)"}, {0x3232, "(有)"}, {0x2121, "TEL"},
      {0x338F, "kg"}, {0x339C, "mm"}, {0x339D, "cm"}, {0x339E, "km"}, {0x33A1, "m2"},
      {0x2160, "I"}, {0x2161, "II"}, {0x2162, "III"}, {0x2163, "IV"}, {0x2164, "V"},
      {0x2165, "VI"}, {0x2166, "VII"}, {0x2167, "VIII"}, {0x2168, "IX"}, {0x2169, "X"},
  };
  return m;
}

// Half-width katakana U+FF61..U+FF9F as full-width.
constexpr std::u32string_view kHalfKana =
    U"。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜";

// A half-width kana followed by a half-width (semi-)voiced sound mark, as one full-width
// character (ｶﾞ → ガ, ﾊﾟ → パ, ｳﾞ → ヴ); "" when the pair does not combine.
std::string combine_half_kana(std::string_view ch, std::string_view next) {
  if (ch.size() != 3 || next.size() != 3) return {};
  const std::uint32_t a = decode(ch), b = decode(next);
  if (a < 0xFF61 || a > 0xFF9D || (b != 0xFF9E && b != 0xFF9F)) return {};
  const std::uint32_t full = kHalfKana[a - 0xFF61];
  const bool ha_row = full >= 0x30CF && full <= 0x30DB && (full - 0x30CF) % 3 == 0;
  if (b == 0xFF9F) return ha_row ? encode(full + 2) : std::string{};
  if (full == 0x30A6) return encode(0x30F4);  // ヴ
  static constexpr std::uint32_t kVoiceable[] = {0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5,
                                                 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1,
                                                 0x30C4, 0x30C6, 0x30C8};
  for (auto v : kVoiceable)
    if (v == full) return encode(full + 1);
  return ha_row ? encode(full + 1) : std::string{};
}

class JisEncoder {
 public:
  JisEncoder() : cd_(open_iconv("ISO-2022-JP", "UTF-8")) {}

  // Appends the JIS form of chars[i] (possibly substituted) to out and advances i past what
  // it consumed (two characters for a half-width kana with a voiced sound mark).
  void add(const std::vector<std::string_view>& chars, std::size_t& i, std::vector<JisChar>& out,
           std::size_t& substitutions) {
    if (i + 1 < chars.size()) {
      if (std::string full = combine_half_kana(chars[i], chars[i + 1]); !full.empty()) {
        convert_all(full, out);
        ++substitutions;
        i += 2;
        return;
      }
    }
    add(chars[i++], out, substitutions);
  }

  // Appends the JIS form of one UTF-8 character (possibly substituted) to out.
  void add(std::string_view ch, std::vector<JisChar>& out, std::size_t& substitutions) {
    if (ch.size() == 1) {
      out.push_back({"", std::string(ch)});
      return;
    }
    if (auto it = cache_.find(std::string(ch)); it != cache_.end()) {
      if (it->second.substituted) ++substitutions;
      out.insert(out.end(), it->second.chars.begin(), it->second.chars.end());
      return;
    }
    Cached c;
    if (!convert(ch, c.chars)) {
      c.substituted = true;
      c.chars.clear();
      std::string replacement = "〓";
      const std::uint32_t cp = decode(ch);
      if (auto v = variants().find(cp); v != variants().end()) {
        replacement = std::string(v->second);
      } else if (cp >= 0x2460 && cp <= 0x2473) {  // ① .. ⑳
        replacement = "(" + std::to_string(cp - 0x2460 + 1) + ")";
      } else if (cp >= 0xFF61 && cp <= 0xFF9F) {
        replacement = encode(kHalfKana[cp - 0xFF61]);
      }
      if (!convert_all(replacement, c.chars)) convert_all("〓", c.chars);
    }
    if (c.substituted) ++substitutions;
    out.insert(out.end(), c.chars.begin(), c.chars.end());
    if (cache_.size() < 4096) cache_.emplace(std::string(ch), std::move(c));
  }

  bool ok() const { return cd_ != nullptr; }

 private:
  struct Cached {
    std::vector<JisChar> chars;
    bool substituted = false;
  };

  bool convert_all(std::string_view utf8, std::vector<JisChar>& out) {
    auto chars = split_utf8(utf8);
    if (!chars) return false;
    for (auto ch : *chars) {
      if (ch.size() == 1) out.push_back({"", std::string(ch)});
      else if (!convert(ch, out)) return false;
    }
    return true;
  }

  // iconv gives ESC x y <bytes> ESC ( B for one character; split off the escapes.
  bool convert(std::string_view ch, std::vector<JisChar>& out) {
    std::string jis;
    if (!run_iconv(cd_.get(), ch, jis)) return false;
    if (jis.size() >= kAsciiEscape.size() &&
        std::string_view(jis).substr(jis.size() - kAsciiEscape.size()) == kAsciiEscape)
      jis.resize(jis.size() - kAsciiEscape.size());
    JisChar c;
    if (jis.size() >= 3 && jis[0] == '\x1b') {
      c.escape = jis.substr(0, 3);
      c.bytes = jis.substr(3);
    } else {
      c.bytes = jis;
    }
    if (c.bytes.empty() || c.bytes.find('\x1b') != std::string::npos) return false;
    out.push_back(std::move(c));
    return true;
  }

  IconvHandle cd_;
  std::unordered_map<std::string, Cached> cache_;
};

JisEncoder& encoder() {
  thread_local JisEncoder e;
  return e;
}

// Joins characters, emitting an escape when the character set changes and returning to
// ASCII at the end.
void append_run(const std::vector<JisChar>& chars, std::size_t from, std::size_t to, std::string& out) {
  std::string_view current;
  for (std::size_t i = from; i < to; ++i) {
    if (chars[i].escape != current) {
      out += chars[i].escape.empty() ? std::string(kAsciiEscape) : chars[i].escape;
      current = chars[i].escape;
    }
    out += chars[i].bytes;
  }
  if (!current.empty()) out += kAsciiEscape;
}

std::size_t run_length(const std::vector<JisChar>& chars, std::size_t from, std::size_t to) {
  std::string s;
  append_run(chars, from, to, s);
  return s.size();
}

}  // namespace

Result<JisConversion> convert_to_iso2022jp(std::string_view utf8) {
  JisEncoder& enc = encoder();
  if (!enc.ok()) return Error::internal("iconv: ISO-2022-JP is not available");
  KOBAN_ASSIGN(auto chars, split_utf8(utf8));
  JisConversion result;
  result.bytes.reserve(utf8.size() + 16);
  std::vector<JisChar> line, added;
  std::size_t line_bytes = 0;  // bytes of line so far, escapes included
  std::string line_escape;
  auto flush = [&] {
    append_run(line, 0, line.size(), result.bytes);
    line.clear();
    line_bytes = 0;
    line_escape.clear();
  };
  for (std::size_t i = 0; i < chars.size();) {
    const std::string_view ch = chars[i];
    if (ch == "\r" || ch == "\n") {  // LF, CRLF and a bare CR all end a line
      flush();
      result.bytes += "\r\n";
      i += (ch == "\r" && i + 1 < chars.size() && chars[i + 1] == "\n") ? 2 : 1;
      continue;
    }
    added.clear();
    enc.add(chars, i, added, result.substitutions);
    for (auto& c : added) {
      // A line must stay within 998 bytes (RFC 5322) with its closing ESC ( B: break it.
      const std::size_t grow = (c.escape != line_escape ? 3 : 0) + c.bytes.size();
      if (line_bytes + grow + 3 > 998) {
        flush();
        result.bytes += "\r\n";
      }
      line_bytes += (c.escape != line_escape ? 3 : 0) + c.bytes.size();
      line.push_back(std::move(c));
      line_escape = line.back().escape;
    }
  }
  flush();
  return result;
}

Result<std::vector<std::string>> iso2022jp_encoded_words(std::string_view utf8,
                                                         std::size_t first_word_len,
                                                         std::size_t max_word_len) {
  JisEncoder& enc = encoder();
  if (!enc.ok()) return Error::internal("iconv: ISO-2022-JP is not available");
  if (utf8.find_first_of("\r\n") != std::string_view::npos)
    return Error::invalid("ヘッダに改行は使えません。");
  KOBAN_ASSIGN(auto chars, split_utf8(utf8));
  std::vector<JisChar> jis;
  std::size_t substitutions = 0;
  for (std::size_t i = 0; i < chars.size();) enc.add(chars, i, jis, substitutions);

  constexpr std::size_t kOverhead = sizeof("=?ISO-2022-JP?B?" "?=") - 1;  // 18
  auto fits = [&](std::size_t from, std::size_t to, std::size_t budget) {
    return kOverhead + (run_length(jis, from, to) + 2) / 3 * 4 <= budget;
  };
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < jis.size()) {
    const std::size_t budget = words.empty() ? first_word_len : max_word_len;
    std::size_t j = i + 1;  // at least one character per word
    while (j < jis.size() && fits(i, j + 1, budget)) ++j;
    std::string run;
    append_run(jis, i, j, run);
    words.push_back("=?ISO-2022-JP?B?" + base64(run) + "?=");
    i = j;
  }
  return words;
}

Result<std::string> iso2022jp_to_utf8(std::string_view jis) {
  auto cd = open_iconv("UTF-8", "ISO-2022-JP");
  if (!cd) return Error::internal("iconv: ISO-2022-JP is not available");
  std::string out;
  if (!run_iconv(cd.get(), jis, out)) return Error::invalid("ISO-2022-JPとして読めません。");
  return out;
}

}  // namespace koban::mail
