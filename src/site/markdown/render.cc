// Block structure: a line-based pass (no backtracking); block quotes and list items are parsed
// again on their own lines, one level deeper, up to max_nesting, so the work is bounded by
// (input size) x (max_nesting). Inline content goes to inline.cc.
#include <algorithm>
#include <string>
#include <vector>

#include "http/forms/utf8.h"
#include "site/markdown/html_escape.h"
#include "site/markdown/inline.h"
#include "site/markdown/markdown.h"

namespace koban::site::markdown {
namespace {

using detail::LineMap;

constexpr std::size_t kMaxColumns = 64;

struct Line {
  std::string text;
  int number = 0;
};

bool blank(const std::string& s) { return s.find_first_not_of(" \t") == std::string::npos; }

std::size_t indent(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Fence {
  char ch = 0;
  std::size_t len = 0, indent = 0;
};

bool fence(const std::string& s, Fence& f) {
  const std::size_t in = indent(s);
  if (in > 3 || in >= s.size() || (s[in] != '`' && s[in] != '~')) return false;
  std::size_t j = in;
  while (j < s.size() && s[j] == s[in]) ++j;
  if (j - in < 3) return false;
  if (s[in] == '`' && s.find('`', j) != std::string::npos) return false;
  f = {s[in], j - in, in};
  return true;
}

bool closes_fence(const std::string& s, const Fence& f) {
  const std::size_t in = indent(s);
  if (in > 3) return false;
  std::size_t j = in;
  while (j < s.size() && s[j] == f.ch) ++j;
  return j - in >= f.len && blank(s.substr(j));
}

// "#" .. "######" then a space or the end: the level, else 0.
int atx_level(const std::string& s) {
  const std::size_t in = indent(s);
  if (in > 3) return 0;
  std::size_t j = in;
  while (j < s.size() && s[j] == '#') ++j;
  const std::size_t n = j - in;
  if (n == 0 || n > 6) return 0;
  if (j < s.size() && s[j] != ' ' && s[j] != '\t') return 0;
  return static_cast<int>(n);
}

std::string_view atx_text(const std::string& s) {
  std::string_view t = trim(s);
  while (!t.empty() && t.front() == '#') t.remove_prefix(1);
  t = trim(t);
  // Closing #s, when separated by a space.
  std::size_t e = t.size();
  while (e > 0 && t[e - 1] == '#') --e;
  if (e < t.size() && (e == 0 || t[e - 1] == ' ' || t[e - 1] == '\t')) t = trim(t.substr(0, e));
  return t;
}

bool hr(const std::string& s) {
  if (indent(s) > 3) return false;
  char ch = 0;
  int n = 0;
  for (char c : s) {
    if (c == ' ' || c == '\t') continue;
    if (c != '-' && c != '*' && c != '_') return false;
    if (ch && c != ch) return false;
    ch = c;
    ++n;
  }
  return n >= 3;
}

bool quote_start(const std::string& s) {
  const std::size_t in = indent(s);
  return in <= 3 && in < s.size() && s[in] == '>';
}

struct Marker {
  bool ordered = false;
  char ch = 0;            // '-', '*', '+' or the ordered delimiter '.' / ')'
  long start = 1;
  std::size_t content = 0;  // column where the item's content starts
  bool empty = false;       // nothing after the marker
};

bool list_marker(const std::string& s, Marker& m) {
  const std::size_t in = indent(s);
  if (in > 3 || in >= s.size()) return false;
  std::size_t j = in;
  if (s[j] == '-' || s[j] == '*' || s[j] == '+') {
    m.ordered = false;
    m.ch = s[j];
    ++j;
  } else {
    long v = 0;
    while (j < s.size() && j - in < 9 && s[j] >= '0' && s[j] <= '9') v = v * 10 + (s[j++] - '0');
    if (j == in || j >= s.size() || (s[j] != '.' && s[j] != ')')) return false;
    m.ordered = true;
    m.ch = s[j];
    m.start = v;
    ++j;
  }
  if (j < s.size() && s[j] != ' ' && s[j] != '\t') return false;
  std::size_t k = j;
  while (k < s.size() && s[k] == ' ') ++k;
  m.empty = k >= s.size();
  m.content = (m.empty || k - j > 4) ? j + 1 : k;
  return true;
}

// Cells of a pipe row: outer pipes dropped, split on pipes not escaped with a backslash.
std::vector<std::string_view> cells(std::string_view row) {
  row = trim(row);
  if (row.starts_with('|')) row.remove_prefix(1);
  if (row.ends_with('|') && !(row.size() >= 2 && row[row.size() - 2] == '\\')) row.remove_suffix(1);
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < row.size() && out.size() <= kMaxColumns; ++i) {
    if (row[i] == '\\') { ++i; continue; }
    if (row[i] == '|') {
      out.push_back(trim(row.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(trim(row.substr(std::min(start, row.size()))));
  return out;
}

// ---|:--:|--: with at least one pipe; fills the alignments.
bool delimiter_row(const std::string& s, std::vector<char>& align) {
  if (s.find('|') == std::string::npos || indent(s) > 3) return false;
  align.clear();
  for (std::string_view c : cells(s)) {
    if (c.empty()) return false;
    const bool l = c.front() == ':', r = c.size() > 1 && c.back() == ':';
    std::string_view dashes = c.substr(l ? 1 : 0, c.size() - (l ? 1 : 0) - (r ? 1 : 0));
    if (dashes.empty() || dashes.find_first_not_of('-') != std::string_view::npos) return false;
    align.push_back(l && r ? 'c' : r ? 'r' : l ? 'l' : 0);
  }
  return align.size() <= kMaxColumns;
}

bool pipe_row(const std::string& s) {
  const std::string_view t = trim(s);
  return t.size() >= 2 && t.front() == '|' && t.back() == '|' && indent(s) <= 3;
}

class BlockRenderer {
 public:
  BlockRenderer(const RenderOptions& o, Rendered& r) : opt_(o), r_(r) {}

  bool overflow() const { return r_.html.size() > opt_.max_output_bytes; }

  void blocks(const std::vector<Line>& lines, int depth, bool tight) {
    std::size_t i = 0;
    const std::size_t n = lines.size();
    while (i < n && !overflow()) {
      const Line& l = lines[i];
      Fence f;
      Marker m;
      std::vector<char> align;
      const bool can_nest = depth < opt_.max_nesting;
      if (blank(l.text)) {
        ++i;
      } else if (fence(l.text, f)) {
        i = code_block(lines, i, f);
      } else if (int level = atx_level(l.text)) {
        heading(level, atx_text(l.text), l.number);
        ++i;
      } else if (hr(l.text)) {
        r_.html += "<hr>\n";
        ++i;
      } else if (quote_start(l.text) && can_nest) {
        i = block_quote(lines, i, depth);
      } else if (list_marker(l.text, m) && can_nest) {
        i = list(lines, i, depth);
      } else if (i + 1 < n && l.text.find('|') != std::string::npos && delimiter_row(lines[i + 1].text, align) &&
                 cells(l.text).size() == align.size()) {
        i = table(lines, i, align);
      } else if (i + 1 < n && pipe_row(l.text) && pipe_row(lines[i + 1].text) &&
                 cells(l.text).size() <= kMaxColumns) {
        i = headerless_table(lines, i);
      } else {
        if ((quote_start(l.text) || list_marker(l.text, m)) && !can_nest && !warned_depth_) {
          warned_depth_ = true;
          r_.warnings.push_back({WarningKind::too_deep, "引用や箇条書きの入れ子が深すぎるため、それより深い部分は本文として表示します。", "", l.number});
        }
        i = paragraph(lines, i, tight, can_nest);
      }
    }
  }

 private:
  // True when the line ends a paragraph by starting another block.
  bool interrupts(const std::vector<Line>& lines, std::size_t i, bool can_nest) const {
    const std::string& s = lines[i].text;
    Fence f;
    Marker m;
    std::vector<char> align;
    if (blank(s) || fence(s, f) || atx_level(s) || hr(s)) return true;
    if (can_nest && quote_start(s)) return true;
    if (can_nest && list_marker(s, m) && !m.empty && (!m.ordered || m.start == 1)) return true;
    return i + 1 < lines.size() && s.find('|') != std::string::npos && delimiter_row(lines[i + 1].text, align) &&
           cells(s).size() == align.size();
  }

  detail::InlineResult inline_text(const std::vector<Line>& lines, std::size_t from, std::size_t to) {
    std::string text;
    LineMap map;
    for (std::size_t k = from; k < to; ++k) {
      if (k > from) text += '\n';
      map.emplace_back(text.size(), lines[k].number);
      text += trim(lines[k].text);
    }
    return detail::render_inline(text, map, opt_, r_);
  }

  detail::InlineResult inline_one(std::string_view s, int line) {
    LineMap map{{0, line}};
    return detail::render_inline(s, map, opt_, r_);
  }

  std::size_t paragraph(const std::vector<Line>& lines, std::size_t i, bool tight, bool can_nest) {
    std::size_t j = i + 1;
    while (j < lines.size() && !interrupts(lines, j, can_nest)) ++j;
    const auto in = inline_text(lines, i, j);
    if (tight) {
      r_.html += in.html;
      r_.html += '\n';
    } else {
      r_.html += "<p>" + in.html + "</p>\n";
    }
    return j;
  }

  void heading(int level, std::string_view text, int line) {
    if (level > 4) {
      r_.warnings.push_back({WarningKind::heading_level, "見出しは「#」から「####」までです。「" + std::string(level, '#') + "」は「####」として表示します。", "", line});
      level = 4;
    }
    const auto in = inline_one(text, line);
    std::string id = opt_.heading_id_prefix + "-" + std::to_string(r_.headings.size() + 1);
    const std::string tag = "h" + std::to_string(level + 1);
    r_.html += "<" + tag + " id=\"" + escape(id) + "\">" + in.html + "</" + tag + ">\n";
    r_.headings.push_back({level, in.plain, std::move(id), line});
  }

  std::size_t code_block(const std::vector<Line>& lines, std::size_t i, const Fence& f) {
    r_.html += "<pre><code>";
    std::size_t j = i + 1;
    bool first = true;
    for (; j < lines.size() && !closes_fence(lines[j].text, f); ++j) {
      if (!first) r_.html += '\n';
      first = false;
      const std::string& s = lines[j].text;
      escape_into(r_.html, std::string_view(s).substr(std::min(indent(s), f.indent)));
    }
    r_.html += "</code></pre>\n";
    return j < lines.size() ? j + 1 : j;
  }

  std::size_t block_quote(const std::vector<Line>& lines, std::size_t i, int depth) {
    std::vector<Line> inner;
    std::size_t j = i;
    for (; j < lines.size() && quote_start(lines[j].text); ++j) {
      const std::string& s = lines[j].text;
      std::size_t k = indent(s) + 1;
      if (k < s.size() && s[k] == ' ') ++k;
      inner.push_back({s.substr(k), lines[j].number});
    }
    r_.html += "<blockquote>\n";
    blocks(inner, depth + 1, false);
    r_.html += "</blockquote>\n";
    return j;
  }

  std::size_t list(const std::vector<Line>& lines, std::size_t i, int depth) {
    Marker first;
    list_marker(lines[i].text, first);
    std::vector<std::vector<Line>> items;
    bool loose = false;
    std::size_t j = i;
    while (j < lines.size()) {
      Marker m;
      if (hr(lines[j].text) || !list_marker(lines[j].text, m) || m.ordered != first.ordered || m.ch != first.ch) break;
      std::vector<Line> item;
      const std::string& s = lines[j].text;
      item.push_back({m.content < s.size() ? s.substr(m.content) : std::string(), lines[j].number});
      std::size_t blanks = 0;
      ++j;
      while (j < lines.size()) {
        const std::string& t = lines[j].text;
        if (blank(t)) { ++blanks; ++j; continue; }
        if (indent(t) >= m.content) {
          if (blanks) loose = true;
          for (; blanks; --blanks) item.push_back({"", lines[j].number});
          item.push_back({t.substr(m.content), lines[j].number});
          ++j;
          continue;
        }
        Marker other;
        if (blanks == 0 && !interrupts(lines, j, true) && !list_marker(t, other)) {  // lazy continuation of the paragraph
          item.push_back({std::string(trim(t)), lines[j].number});
          ++j;
          continue;
        }
        break;
      }
      items.push_back(std::move(item));
      if (blanks > 0) {
        Marker next;
        if (j < lines.size() && list_marker(lines[j].text, next) && next.ordered == first.ordered && next.ch == first.ch && !hr(lines[j].text))
          loose = true;
        else
          break;
      }
    }
    const char* tag = first.ordered ? "ol" : "ul";
    r_.html += std::string("<") + tag;
    if (first.ordered && first.start != 1) r_.html += " start=\"" + std::to_string(first.start) + "\"";
    r_.html += ">\n";
    for (const auto& item : items) {
      r_.html += "<li>";
      blocks(item, depth + 1, !loose);
      r_.html += "</li>\n";
    }
    r_.html += std::string("</") + tag + ">\n";
    return j;
  }

  void cell(const char* tag, std::string_view text, char align, int line, bool scope) {
    r_.html += std::string("<") + tag;
    if (scope) r_.html += " scope=\"col\"";
    if (align == 'l') r_.html += " class=\"align-left\"";
    if (align == 'c') r_.html += " class=\"align-center\"";
    if (align == 'r') r_.html += " class=\"align-right\"";
    r_.html += ">" + inline_one(text, line).html + "</" + tag + ">";
  }

  void row(const std::string& s, const std::vector<char>& align, int line) {
    auto cs = cells(s);
    r_.html += "<tr>";
    for (std::size_t c = 0; c < align.size(); ++c) cell("td", c < cs.size() ? cs[c] : "", align[c], line, false);
    r_.html += "</tr>\n";
  }

  std::size_t table(const std::vector<Line>& lines, std::size_t i, const std::vector<char>& align) {
    const auto head = cells(lines[i].text);
    const bool has_header = std::any_of(head.begin(), head.end(), [](std::string_view c) { return !c.empty(); });
    r_.tables.push_back({has_header, static_cast<int>(align.size()), lines[i].number});
    r_.html += "<table>\n";
    if (has_header) {
      r_.html += "<thead>\n<tr>";
      for (std::size_t c = 0; c < align.size(); ++c) cell("th", head[c], align[c], lines[i].number, true);
      r_.html += "</tr>\n</thead>\n";
    }
    r_.html += "<tbody>\n";
    std::size_t j = i + 2;
    for (; j < lines.size() && !overflow() && lines[j].text.find('|') != std::string::npos &&
           !interrupts(lines, j, true);
         ++j)
      row(lines[j].text, align, lines[j].number);
    r_.html += "</tbody>\n</table>\n";
    return j;
  }

  std::size_t headerless_table(const std::vector<Line>& lines, std::size_t i) {
    const std::vector<char> align(cells(lines[i].text).size(), 0);
    r_.tables.push_back({false, static_cast<int>(align.size()), lines[i].number});
    r_.html += "<table>\n<tbody>\n";
    std::size_t j = i;
    for (; j < lines.size() && !overflow() && pipe_row(lines[j].text); ++j) row(lines[j].text, align, lines[j].number);
    r_.html += "</tbody>\n</table>\n";
    return j;
  }

  const RenderOptions& opt_;
  Rendered& r_;
  bool warned_depth_ = false;
};

std::string line_error(const char* what, int line) {
  return std::to_string(line) + "行目に" + what;
}

}  // namespace

Result<Rendered> render(std::string_view markdown, const RenderOptions& options) {
  if (markdown.size() > options.max_input_bytes)
    return Error{ErrorCode::too_large, "本文が長すぎます（" + std::to_string(options.max_input_bytes / 1024) + " KB まで）。"};
  std::vector<Line> lines;
  int number = 1;
  std::string current;
  // Ordinary characters (printable ASCII, valid UTF-8 without C1 controls) are copied in runs.
  std::size_t run = 0;
  auto flush = [&](std::size_t upto) { current.append(markdown.data() + run, upto - run); };
  std::size_t i = 0;
  while (i < markdown.size()) {
    const unsigned char b = static_cast<unsigned char>(markdown[i]);
    if (b >= 0x20 && b < 0x7F) { ++i; continue; }
    if (b >= 0x80) {
      const auto c = http::forms::decode_utf8(markdown, i);
      if (c.len == 0) return Error::invalid(line_error("文字として読めないバイトがあります。UTF-8 で保存し直してください。", number));
      if (c.code_point <= 0x9F) return Error::invalid(line_error("制御文字があります。削除してください。", number));
      i += c.len;
      continue;
    }
    flush(i);
    if (b == '\n') {
      lines.push_back({std::move(current), number++});
      current.clear();
    } else if (b == '\t') {
      current.append(4 - current.size() % 4, ' ');  // tab stops every 4 columns
    } else if (b == '\r') {
      // CRLF or a lone CR: dropped (a lone CR is not a line break here)
    } else {
      return Error::invalid(line_error("制御文字があります。削除してください。", number));
    }
    run = ++i;
  }
  flush(i);
  if (!current.empty()) lines.push_back({std::move(current), number});

  Rendered r;
  BlockRenderer br(options, r);
  br.blocks(lines, 0, false);
  if (br.overflow())
    return Error{ErrorCode::too_large, "本文を表示用に変換すると大きくなりすぎます。表や書式を減らしてください。"};
  return r;
}

}  // namespace koban::site::markdown
