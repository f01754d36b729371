// What a visitor typed into the search box, made into AND terms (SITE-1 search).
//
//   KOBAN_ASSIGN(auto q, search::parse_query("特殊詐欺　還付金"));   // {"特殊詐欺", "還付金"}
//   std::string pattern = "%" + search::escape_like(term) + "%";    // with ESCAPE '\'
//
// Terms are split on ASCII white space and the ideographic space U+3000 (Japanese keyboards
// type it); control characters count as spaces; repeated terms count once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace koban::site::search {

inline constexpr std::size_t kMaxQueryChars = 100;
inline constexpr std::size_t kMaxTerms = 10;
// Trigram indexes need at least this many characters in a term; shorter terms are matched
// with LIKE / ILIKE over the table.
inline constexpr std::size_t kTrigramChars = 3;

struct Query {
  std::vector<std::string> terms;  // in the order typed, each valid UTF-8, no spaces
};

// invalid_argument with a Japanese message: invalid UTF-8, more than kMaxQueryChars
// characters, more than kMaxTerms terms. An empty or blank query gives no terms.
Result<Query> parse_query(std::string_view text);

// Escapes '\', '%' and '_' with '\' so that the term matches itself literally in LIKE ... ESCAPE '\'.
std::string escape_like(std::string_view term);

// Characters (code points) of valid UTF-8.
std::size_t char_count(std::string_view valid_utf8);

// Where needle first occurs in haystack at or after from, ASCII letters compared without case
// (like SQLite's LIKE and FTS5's trigram tokenizer); npos if nowhere. Both valid UTF-8, so a
// match always starts on a character boundary.
std::size_t find_folded(std::string_view haystack, std::string_view needle, std::size_t from = 0);

}  // namespace koban::site::search
