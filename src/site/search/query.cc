#include "site/search/query.h"

#include <algorithm>

#include "core/text.h"
#include "http/forms/utf8.h"

namespace koban::site::search {

Result<Query> parse_query(std::string_view text) {
  if (!http::forms::is_valid_utf8(text)) return Error::invalid("検索語に使えない文字が含まれています。");
  if (http::forms::utf8_length(text) > kMaxQueryChars)
    return Error::invalid("検索語は" + std::to_string(kMaxQueryChars) + "文字以内で入力してください。");
  Query q;
  std::string current;
  auto flush = [&]() -> Result<void> {
    if (current.empty()) return ok();
    if (std::find(q.terms.begin(), q.terms.end(), current) == q.terms.end()) {
      if (q.terms.size() == kMaxTerms)
        return Error::invalid("検索語は" + std::to_string(kMaxTerms) + "個までにしてください。");
      q.terms.push_back(std::move(current));
    }
    current.clear();
    return ok();
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto c = http::forms::decode_utf8(text, i);
    const bool space = c.code_point <= 0x20 || c.code_point == 0x7f || c.code_point == 0x3000 ||
                       (c.code_point >= 0x80 && c.code_point <= 0x9f);
    if (space) {
      KOBAN_TRY(flush());
    } else {
      current.append(text.substr(i, c.len));
    }
    i += c.len;
  }
  KOBAN_TRY(flush());
  return q;
}

std::string escape_like(std::string_view term) {
  std::string out;
  out.reserve(term.size() + 4);
  for (char c : term) {
    if (c == '\\' || c == '%' || c == '_') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::size_t char_count(std::string_view valid_utf8) { return http::forms::utf8_length(valid_utf8); }

std::size_t find_folded(std::string_view haystack, std::string_view needle, std::size_t from) {
  if (needle.empty() || needle.size() > haystack.size()) return std::string_view::npos;
  for (std::size_t i = from; i + needle.size() <= haystack.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && text::ascii_lower(haystack[i + k]) == text::ascii_lower(needle[k])) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

}  // namespace koban::site::search
