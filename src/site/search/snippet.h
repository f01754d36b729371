// Result snippets: the text around the first hit with every hit wrapped in <mark>, as HTML.
// Everything else is escaped (site/markdown/html_escape.h), so a title like
// "<script>" shows as text; only the <mark> tags are markup.
//
//   std::string html = search::snippet_html(doc.body, q.terms);   // "…特殊<mark>詐欺</mark>の…"
//   std::string title = search::mark_html(doc.title, q.terms);
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace koban::site::search {

inline constexpr std::size_t kSnippetBefore = 30;  // characters before the first hit
inline constexpr std::size_t kSnippetChars = 120;  // characters in all

// text and terms valid UTF-8. Without a hit: the start of the text. "…" marks a cut.
std::string snippet_html(std::string_view text, const std::vector<std::string>& terms,
                         std::size_t before = kSnippetBefore, std::size_t max_chars = kSnippetChars);

// The whole text, escaped, every hit of any term (the longest at a place) in <mark>.
std::string mark_html(std::string_view text, const std::vector<std::string>& terms);

}  // namespace koban::site::search
