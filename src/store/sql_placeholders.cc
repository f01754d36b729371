#include "store/sql_placeholders.h"

#include <cctype>

namespace koban::store {
namespace {

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

Result<RewrittenSql> rewrite_placeholders(std::string_view in) {
  RewrittenSql out;
  out.sql.reserve(in.size() + 16);
  const std::size_t n = in.size();
  std::size_t i = 0;
  auto unterminated = [](const char* what) {
    return Error::invalid(std::string("unterminated ") + what + " in SQL");
  };
  while (i < n) {
    const char c = in[i];
    if (c == '?') {
      out.sql += '$';
      out.sql += std::to_string(++out.count);
      ++i;
    } else if (c == '\'') {
      // E'..' (backslash escapes) when the quote follows an E that starts a token.
      const bool escape = i > 0 && (in[i - 1] == 'E' || in[i - 1] == 'e') &&
                          (i < 2 || !ident_char(in[i - 2]));
      std::size_t j = i + 1;
      for (;;) {
        if (j >= n) return unterminated("string");
        if (escape && in[j] == '\\') {
          j += 2;
          continue;
        }
        if (in[j] == '\'') {
          if (j + 1 < n && in[j + 1] == '\'') {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      out.sql.append(in.substr(i, j + 1 - i));
      i = j + 1;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (;;) {
        if (j >= n) return unterminated("identifier");
        if (in[j] == '"') {
          if (j + 1 < n && in[j + 1] == '"') {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      out.sql.append(in.substr(i, j + 1 - i));
      i = j + 1;
    } else if (c == '-' && i + 1 < n && in[i + 1] == '-') {
      std::size_t j = in.find('\n', i);
      if (j == std::string_view::npos) j = n;
      out.sql.append(in.substr(i, j - i));
      i = j;
    } else if (c == '/' && i + 1 < n && in[i + 1] == '*') {
      int depth = 1;
      std::size_t j = i + 2;
      while (depth > 0) {
        if (j + 1 >= n) return unterminated("comment");
        if (in[j] == '/' && in[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (in[j] == '*' && in[j + 1] == '/') {
          --depth;
          j += 2;
        } else {
          ++j;
        }
      }
      out.sql.append(in.substr(i, j - i));
      i = j;
    } else if (c == '$' && (i == 0 || !ident_char(in[i - 1]))) {
      // $tag$ or $$ starts a dollar quote; $1 (a positional parameter) does not.
      std::size_t j = i + 1;
      while (j < n && ident_char(in[j]) && !std::isdigit(static_cast<unsigned char>(in[i + 1])))
        ++j;
      if (j < n && in[j] == '$') {
        std::string_view tag = in.substr(i, j + 1 - i);
        std::size_t end = in.find(tag, j + 1);
        if (end == std::string_view::npos) return unterminated("dollar-quoted string");
        out.sql.append(in.substr(i, end + tag.size() - i));
        i = end + tag.size();
      } else {
        out.sql += c;
        ++i;
      }
    } else {
      out.sql += c;
      ++i;
    }
  }
  return out;
}

}  // namespace koban::store
