// Personal data in an article (SITE-9): phone numbers, postal addresses with a house number,
// names next to 容疑者/被疑者/被害者, e-mail addresses. Heuristics on one line at a time, tuned
// to miss little: a reviewer overrides the rare false alarm, a leak cannot be taken back.
#include <algorithm>
#include <array>

#include "site/checks/scan.h"

namespace koban::site::checks::detail {
namespace {

std::string digits_of(std::u32string_view s) {
  std::string d;
  for (char32_t c : s)
    if (is_digit(c)) d += static_cast<char>(c);
  return d;
}

std::string digits_of(std::string_view s) {
  return digits_of(make_scan_line(s, 0).norm);
}

// --- phone numbers -------------------------------------------------------------------------
// A run of digits, '-', '(' and ')' that starts with 0 and holds 10 or 11 digits, in one to
// three groups: 011-000-0110, 090-1234-5678, 03(1234)5678, 0312345678 (full-width too).
void phones(const ScanLine& l, Sink& sink) {
  const auto& n = l.norm;
  static const std::array<const char*, 4> business = {"0120", "0570", "0800", "0990"};
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (n[i] != '0' || (i > 0 && (is_digit(n[i - 1]) || n[i - 1] == '-'))) continue;
    std::size_t j = i;
    while (j < n.size() && j - i < 20 && (is_digit(n[j]) || n[j] == '-' || n[j] == '(' || n[j] == ')')) ++j;
    if (j < n.size() && is_digit(n[j])) continue;
    while (j > i && !is_digit(n[j - 1])) --j;
    int digits = 0, groups = 1;
    for (std::size_t k = i; k < j; ++k) {
      if (is_digit(n[k])) ++digits;
      else if (is_digit(n[k - 1])) ++groups;
    }
    if (digits != 10 && digits != 11) { i = j; continue; }
    if (groups > 3) { i = j; continue; }
    const std::string d = digits_of(n.substr(i, j - i));
    bool skip = std::any_of(business.begin(), business.end(), [&](const char* b) { return d.starts_with(b); });
    for (const auto& own : sink.options().own_phone_numbers) skip = skip || digits_of(own) == d;
    if (!skip) {
      const std::string shown = to_utf8(l.text.substr(i, j - i));
      sink.add({"phone_number", "電話番号「" + shown + "」があります。個人の電話番号は載せないでください（当庁の番号なら設定に登録してください）。",
                l.number, Severity::block, shown, ""});
    }
    i = j;
  }
}

// --- postal addresses ----------------------------------------------------------------------
bool is_number_char(char32_t c) {
  static const std::u32string kanji = U"〇一二三四五六七八九十百千";
  return is_digit(c) || kanji.find(c) != std::u32string::npos;
}

std::size_t number_before(const std::u32string& n, std::size_t i) {
  std::size_t k = i;
  while (k > 0 && is_number_char(n[k - 1])) --k;
  return i - k;
}

std::size_t number_at(const std::u32string& n, std::size_t i) {
  std::size_t k = i;
  while (k < n.size() && is_number_char(n[k])) ++k;
  return k - i;
}

bool at(const std::u32string& n, std::size_t i, std::u32string_view w) {
  return i + w.size() <= n.size() && std::u32string_view(n).substr(i, w.size()) == w;
}

void addresses(const ScanLine& l, Sink& sink) {
  const auto& n = l.norm;
  auto report = [&](std::size_t from, std::size_t to) {
    from = from > 8 ? from - 8 : 0;  // show a little of the place name
    const std::string shown = to_utf8(l.text.substr(from, std::min(to, n.size()) - from));
    sink.add({"postal_address", "番地まで含む住所「" + shown + "」があります。個人が特定される住所は「〇丁目付近」までにしてください。",
              l.number, Severity::block, shown, ""});
  };
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::size_t before = number_before(n, i);
    if (before > 0 && at(n, i, U"丁目")) {
      const std::size_t k = i + 2 + (i + 2 < n.size() && n[i + 2] == '-' ? 1 : 0);
      if (const std::size_t house = number_at(n, k)) { report(i - before, k + house); i = k + house; }
    } else if (before > 0 && at(n, i, U"番地")) {
      report(i - before, i + 2);
      i += 1;
    } else if (before > 0 && n[i] == U'番') {
      std::size_t k = i + 1 + (i + 1 < n.size() && n[i + 1] == U'の' ? 1 : 0);
      const std::size_t m = number_at(n, k);
      if (m > 0 && (k > i + 1 || (k + m < n.size() && n[k + m] == U'号'))) { report(i - before, k + m + 1); i = k + m; }
    } else if (is_digit(n[i]) && n[i] != '0' && i > 0 && is_kanji(n[i - 1]) &&
               std::u32string_view(U"第図表別条項号版").find(n[i - 1]) == std::u32string_view::npos) {
      // 本町1-2-3: a place name, then 2 or 3 short groups of digits.
      std::size_t k = i, groups = 0, total = 0;
      while (true) {
        std::size_t g = 0;
        while (k < n.size() && is_digit(n[k]) && g < 5) { ++k; ++g; }
        if (g == 0 || g > 4) { groups = 0; break; }
        ++groups;
        total += g;
        if (k + 1 < n.size() && n[k] == '-' && is_digit(n[k + 1]) && groups < 3) { ++k; continue; }
        break;
      }
      if (groups >= 2 && total <= 9 && !(k < n.size() && (is_digit(n[k]) || n[k] == '-'))) { report(i, k); i = k; }
    }
  }
}

// --- names next to 容疑者 / 被疑者 / 被害者 ------------------------------------------------
// Before the word: 「山田太郎容疑者」 (the usual press form); after it: 「容疑者の山田太郎」.
// A run of kanji counts as a name unless it ends (before) or starts (after) with one of the
// common words police texts put there.
const std::array<std::u32string_view, 48> kNotNameBefore = {
    U"詐欺", U"犯罪", U"事故", U"窃盗", U"殺人", U"強盗", U"暴行", U"傷害", U"事件", U"交通", U"被害", U"加害",
    U"児童", U"高齢", U"女性", U"男性", U"少年", U"少女", U"外国人", U"共犯", U"当該", U"同", U"元", U"各",
    U"全", U"別", U"両", U"性", U"虐待", U"暴力", U"誘拐", U"行為", U"未成年", U"関係", U"逮捕", U"放火",
    U"横領", U"恐喝", U"脅迫", U"過失", U"運転", U"薬物", U"覚醒剤", U"被", U"両名", U"真犯", U"犯人", U"実行"};
const std::array<std::u32string_view, 74> kNotNameAfter = {
    U"市内", U"県内", U"町内", U"村内", U"区内", U"在住", U"当時", U"全員", U"軽傷", U"重傷", U"死亡", U"無事",
    U"病院", U"近所", U"現金", U"金品", U"所持金", U"犯人",
    U"男", U"女", U"自宅", U"家族", U"身柄", U"住所", U"氏名", U"年齢", U"職業", U"供述", U"行方", U"特定",
    U"保護", U"支援", U"救済", U"相談", U"心情", U"安全", U"権利", U"人権", U"名誉", U"遺族", U"方", U"会社",
    U"関係", U"個人", U"情報", U"車", U"所持", U"携帯", U"知人", U"親族", U"同居", U"生命", U"身体", U"財産",
    U"被害", U"回復", U"立場", U"負担", U"精神", U"経済", U"二次", U"実名", U"意向", U"同意", U"要望", U"証言",
    U"事情", U"犯行", U"動機", U"容疑", U"認否", U"子", U"父", U"母"};

bool name_char(char32_t c) { return is_kanji(c) || c == U'ヶ' || c == U'ノ'; }

template <std::size_t N>
bool matches_any(std::u32string_view run, const std::array<std::u32string_view, N>& words, bool suffix) {
  for (auto w : words)
    if (suffix ? run.ends_with(w) : run.starts_with(w)) return true;
  return false;
}

void names(const ScanLine& l, Sink& sink) {
  const auto& t = l.norm;
  static const std::array<std::u32string_view, 3> keywords = {U"容疑者", U"被疑者", U"被害者"};
  for (std::size_t i = 0; i < t.size(); ++i) {
    std::u32string_view key;
    for (auto k : keywords)
      if (at(t, i, k)) key = k;
    if (key.empty()) continue;
    // Before: up to 6 name characters, one space allowed between family and given name.
    std::size_t b = i, chars = 0;
    bool space = false;
    while (b > 0 && chars < 6) {
      if (name_char(t[b - 1])) { --b; ++chars; }
      else if (!space && t[b - 1] == ' ' && chars > 0 && b > 1 && name_char(t[b - 2])) { --b; space = true; }
      else break;
    }
    std::u32string run;
    for (std::size_t k = b; k < i; ++k)
      if (t[k] != ' ') run += t[k];
    const bool too_long = b > 0 && name_char(t[b - 1]);  // a longer compound noun
    if (chars >= 2 && !too_long && !matches_any(run, kNotNameBefore, true)) {
      const std::string shown = to_utf8(l.text.substr(b, i + key.size() - b));
      sink.add({"suspect_or_victim_name", "「" + shown + "」に個人名が含まれているようです。容疑者・被害者の氏名は載せないでください。",
                l.number, Severity::block, shown, ""});
    }
    // After: 「容疑者の山田太郎」, 「被害者、鈴木花子さん」.
    std::size_t a = i + key.size();
    // Not after 「は」: 「容疑者は市内在住の…」 is a sentence, not a name.
    if (a < t.size() && std::u32string_view(U"の、・:, ").find(t[a]) != std::u32string_view::npos) {
      std::size_t e = a + 1;
      chars = 0;
      space = false;
      std::u32string after;
      while (e < t.size() && chars < 7) {
        if (name_char(t[e])) { after += t[e]; ++e; ++chars; }
        else if (!space && t[e] == ' ' && chars > 0 && e + 1 < t.size() && name_char(t[e + 1])) { ++e; space = true; }
        else break;
      }
      if (chars >= 3 && chars <= 6 && !matches_any(after, kNotNameAfter, false)) {
        const std::string shown = to_utf8(l.text.substr(i, e - i));
        sink.add({"suspect_or_victim_name", "「" + shown + "」に個人名が含まれているようです。容疑者・被害者の氏名は載せないでください。",
                  l.number, Severity::block, shown, ""});
      }
    }
    i += key.size() - 1;
  }
}

// --- e-mail addresses ------------------------------------------------------------------------
bool local_char(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' || c == '_' || c == '%' ||
         c == '+' || c == '-';
}
bool domain_char(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' || c == '-'; }

void emails(const ScanLine& l, Sink& sink) {
  const auto& n = l.norm;
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (n[i] != '@') continue;
    std::size_t s = i, e = i + 1;
    while (s > 0 && local_char(n[s - 1]) && i - s < 64) --s;
    while (e < n.size() && domain_char(n[e]) && e - i < 256) ++e;
    while (e > i + 1 && (n[e - 1] == '.' || n[e - 1] == '-')) --e;
    std::string domain;
    for (std::size_t k = i + 1; k < e; ++k) domain += static_cast<char>(n[k] >= 'A' && n[k] <= 'Z' ? n[k] + 32 : n[k]);
    if (s == i || domain.find('.') == std::string::npos || domain.front() == '.') continue;
    bool own = false;
    for (const auto& d : sink.options().own_email_domains) {
      std::string od;
      for (char c : d) od += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      own = own || domain == od || (domain.size() > od.size() && domain.ends_with("." + od));
    }
    if (own) continue;
    const std::string shown = to_utf8(l.text.substr(s, e - s));
    sink.add({"email_address", "メールアドレス「" + shown + "」があります。個人のアドレスは載せないでください（当庁のアドレスなら設定に登録してください）。",
              l.number, Severity::block, shown, ""});
    i = e;
  }
}

}  // namespace

void check_personal_data(const ScanLine& line, Sink& sink) {
  phones(line, sink);
  addresses(line, sink);
  names(line, sink);
  emails(line, sink);
}

}  // namespace koban::site::checks::detail
