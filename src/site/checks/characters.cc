// Characters that read badly aloud or look wrong: full-width ASCII letters and digits (a screen
// reader spells "２０２４" digit by digit in some settings; searches miss them) and half-width
// katakana (read wrongly or not at all).
#include "site/checks/scan.h"

namespace koban::site::checks {
namespace detail {
namespace {

bool fullwidth_alnum(char32_t c) {
  return (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A);
}
bool halfwidth_kana(char32_t c) { return c >= 0xFF61 && c <= 0xFF9F; }

}  // namespace

void check_characters(const ScanLine& line, Sink& sink) {
  const auto& t = line.text;
  for (std::size_t i = 0; i < t.size();) {
    if (fullwidth_alnum(t[i])) {
      std::size_t j = i;
      while (j < t.size() && fullwidth_alnum(t[j])) ++j;
      const std::string run = to_utf8(t.substr(i, j - i));
      const std::string fixed = to_utf8(line.norm.substr(i, j - i));
      sink.add({"fullwidth_alnum", "全角の英数字「" + run + "」があります。半角の「" + fixed + "」にしてください。",
                line.number, Severity::block, run, fixed});
      i = j;
    } else if (halfwidth_kana(t[i])) {
      std::size_t j = i;
      while (j < t.size() && halfwidth_kana(t[j])) ++j;
      const std::string run = to_utf8(t.substr(i, j - i));
      sink.add({"halfwidth_katakana",
                "半角カタカナ「" + run + "」があります。読み上げソフトで正しく読まれないため、全角にしてください。",
                line.number, Severity::warn, run, ""});
      i = j;
    } else {
      ++i;
    }
  }
}

}  // namespace detail

std::string fix_fullwidth_alnum(std::string_view text) {
  auto line = detail::make_scan_line(text, 0);
  for (char32_t& c : line.text)
    if (detail::fullwidth_alnum(c)) c -= 0xFEE0;
  return detail::to_utf8(line.text);
}

}  // namespace koban::site::checks
