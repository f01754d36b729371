#include "site/search/plain_text.h"

#include <cctype>

namespace koban::site::search {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  return s;
}

// "---", "***", "___" (with spaces) and table delimiter rows "|---|:--:|".
bool is_rule_or_delimiter(std::string_view line) {
  bool any = false;
  for (char c : line) {
    if (c == '-' || c == '*' || c == '_' || c == '=') any = true;
    else if (c != ' ' && c != '\t' && c != '|' && c != ':' && c != '\r') return false;
  }
  return any;
}

// Drops the block markers at the start of a line: quotes, headings, list bullets and numbers.
std::string_view strip_block_markers(std::string_view line) {
  for (bool changed = true; changed;) {
    changed = false;
    line = trim_left(line);
    if (!line.empty() && line.front() == '>') {
      line.remove_prefix(1);
      changed = true;
      continue;
    }
    std::size_t hashes = 0;
    while (hashes < line.size() && line[hashes] == '#') ++hashes;
    if (hashes > 0 && (hashes == line.size() || line[hashes] == ' ')) {
      line.remove_prefix(hashes);
      changed = true;
      continue;
    }
    if (line.size() >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ') {
      line.remove_prefix(2);
      changed = true;
      continue;
    }
    std::size_t digits = 0;
    while (digits < line.size() && digits < 9 && std::isdigit(static_cast<unsigned char>(line[digits]))) ++digits;
    if (digits > 0 && digits + 1 < line.size() && (line[digits] == '.' || line[digits] == ')') &&
        line[digits + 1] == ' ') {
      line.remove_prefix(digits + 2);
      changed = true;
    }
  }
  return line;
}

// Inline syntax: [text](url) and ![alt](url) keep text/alt; * ` | and backslash escapes go.
void append_inline(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size() && std::ispunct(static_cast<unsigned char>(s[i + 1]))) {
      out.push_back(s[i + 1]);
      i += 2;
    } else if (c == '!' && i + 1 < s.size() && s[i + 1] == '[') {
      ++i;  // the image's alt text is read like a link's text
    } else if (c == ']' && i + 1 < s.size() && s[i + 1] == '(') {
      const std::size_t close = s.find(')', i + 2);
      if (close == std::string_view::npos) {
        ++i;
      } else {
        i = close + 1;  // the URL (and title) is not text
      }
    } else if (c == '[' || c == ']' || c == '*' || c == '`') {
      ++i;
    } else if (c == '|' || c == '\t') {
      out.push_back(' ');
      ++i;
    } else {
      out.push_back(c);
      ++i;
    }
  }
}

}  // namespace

std::string plain_text(std::string_view markdown) {
  std::string joined;
  joined.reserve(markdown.size());
  bool in_fence = false;
  std::size_t start = 0;
  while (start <= markdown.size()) {
    std::size_t end = markdown.find('\n', start);
    if (end == std::string_view::npos) end = markdown.size();
    std::string_view line = markdown.substr(start, end - start);
    start = end + 1;
    const std::string_view t = trim_left(line);
    if (t.starts_with("```")) {
      in_fence = !in_fence;
      continue;
    }
    if (in_fence) {
      joined.append(line);
    } else {
      if (is_rule_or_delimiter(t)) continue;
      append_inline(joined, strip_block_markers(line));
    }
    joined.push_back(' ');
  }
  // Collapse white space (ASCII; U+3000 is kept: it is text in Japanese).
  std::string out;
  out.reserve(joined.size());
  for (char c : joined) {
    const bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (blank) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace koban::site::search
