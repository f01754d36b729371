#include "site/search/snippet.h"

#include "site/markdown/html_escape.h"
#include "site/search/query.h"

namespace koban::site::search {
namespace {

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Moves back n characters from byte position pos.
std::size_t back_chars(std::string_view s, std::size_t pos, std::size_t n) {
  while (pos > 0 && n > 0) {
    --pos;
    while (pos > 0 && continuation(s[pos])) --pos;
    --n;
  }
  return pos;
}

// Moves forward n characters from byte position pos.
std::size_t forward_chars(std::string_view s, std::size_t pos, std::size_t n) {
  while (pos < s.size() && n > 0) {
    ++pos;
    while (pos < s.size() && continuation(s[pos])) ++pos;
    --n;
  }
  return pos;
}

}  // namespace

std::string mark_html(std::string_view text, const std::vector<std::string>& terms) {
  std::string out;
  std::size_t plain_from = 0;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t hit = 0;
    for (const auto& t : terms)
      if (t.size() > hit && find_folded(text.substr(i, t.size()), t) == 0) hit = t.size();
    if (hit == 0) {
      i = forward_chars(text, i, 1);
      continue;
    }
    markdown::escape_into(out, text.substr(plain_from, i - plain_from));
    out += "<mark>";
    markdown::escape_into(out, text.substr(i, hit));
    out += "</mark>";
    i += hit;
    plain_from = i;
  }
  markdown::escape_into(out, text.substr(plain_from));
  return out;
}

std::string snippet_html(std::string_view text, const std::vector<std::string>& terms, std::size_t before,
                         std::size_t max_chars) {
  std::size_t first = std::string_view::npos;
  for (const auto& t : terms) {
    const std::size_t at = find_folded(text, t);
    if (at < first) first = at;
  }
  const std::size_t start = first == std::string_view::npos ? 0 : back_chars(text, first, before);
  const std::size_t end = forward_chars(text, start, max_chars);
  std::string out;
  if (start > 0) out += "…";
  out += mark_html(text.substr(start, end - start), terms);
  if (end < text.size()) out += "…";
  return out;
}

}  // namespace koban::site::search
