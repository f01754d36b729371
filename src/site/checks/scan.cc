#include "site/checks/scan.h"

#include "http/forms/utf8.h"

namespace koban::site::checks::detail {

ScanLine make_scan_line(std::string_view utf8, int number) {
  ScanLine l;
  l.number = number;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = http::forms::decode_utf8(utf8, i);
    l.text.push_back(c.len ? c.code_point : 0xFFFD);
    i += c.len ? c.len : 1;
  }
  l.norm = l.text;
  for (char32_t& c : l.norm) {
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    else if (c == 0x3000) c = ' ';
    else if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0x30FC || c == 0xFF70) c = '-';
  }
  return l;
}

std::string to_utf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) http::forms::append_utf8(out, c);
  return out;
}

void Sink::add(Finding f) {
  if (counts_[f.code]++ >= options_.max_findings_per_code) return;
  if (f.excerpt.size() > 200) {  // cut at a character boundary
    std::size_t cut = 200;
    while (cut > 0 && (static_cast<unsigned char>(f.excerpt[cut]) & 0xC0) == 0x80) --cut;
    f.excerpt.resize(cut);
  }
  out_.push_back(std::move(f));
}

bool is_kanji(char32_t c) { return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || c == 0x3005; }
bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }

}  // namespace koban::site::checks::detail
