// Inline parsing in one left-to-right pass, in the spirit of CommonMark's delimiter stack but
// eager: a closing * or _ run is matched at once with the nearest opener of the same character
// that is not below the innermost open '['. Everything between a matched pair leaves the stack,
// and a failed search raises that character's floor (as CommonMark's openers_bottom), so every
// delimiter is looked at a bounded number of times: linear time, and the tags always nest.
// Link destinations and titles are found through next-stop tables computed once per block, and
// code spans through the list of backtick runs of the same length, again without rescanning.
#include "site/markdown/inline.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "http/forms/utf8.h"
#include "site/markdown/html_escape.h"
#include "site/markdown/url_policy.h"

namespace koban::site::markdown::detail {
namespace {

using http::forms::decode_utf8;

constexpr std::size_t kMaxCodeRun = 32;    // longer backtick runs are plain text
constexpr std::size_t kMaxTitleBytes = 512;
constexpr int kMaxParenGroups = 8;     // balanced (...) groups inside one link destination

enum class Kind { text, html, delim, bracket };

struct Node {
  Kind kind = Kind::text;
  std::string text;   // text: the literal; html: safe markup; bracket: "[" or "!["
  std::string plain;  // html: what it reads as in plain text (code content, alt)
  char ch = 0;        // delim: '*' or '_'
  int count = 0;      // delim: characters not used by a match
  bool can_open = false;
  std::string open_tags, close_tags;
};

struct Bracket {
  std::size_t node = 0;        // index of the bracket node
  std::size_t delim_floor = 0; // delimiter stack size when it was opened
  std::size_t src = 0;         // offset just after "[" in the text
  bool image = false;
  bool active = true;
};

bool is_ascii_punct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

bool is_space_cp(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0xA0 ||
         (cp >= 0x2000 && cp <= 0x200A);
}

bool is_punct_cp(char32_t cp) {
  if (cp < 0x80) return is_ascii_punct(static_cast<char>(cp));
  return (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x3001 && cp <= 0x3003) || (cp >= 0x3008 && cp <= 0x3011) ||
         (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
         (cp >= 0xFF5B && cp <= 0xFF65);
}

// The code point that ends just before `pos` (text is valid UTF-8).
char32_t cp_before(std::string_view t, std::size_t pos) {
  if (pos == 0) return '\n';
  std::size_t s = pos - 1;
  while (s > 0 && pos - s < 4 && (static_cast<unsigned char>(t[s]) & 0xC0) == 0x80) --s;
  const auto c = decode_utf8(t, s);
  return c.len ? c.code_point : 0xFFFD;
}

char32_t cp_at(std::string_view t, std::size_t pos) {
  if (pos >= t.size()) return '\n';
  const auto c = decode_utf8(t, pos);
  return c.len ? c.code_point : 0xFFFD;
}

// Backslash escapes removed (for alt texts, which are taken from the source as written).
std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && is_ascii_punct(s[i + 1])) ++i;
    out += s[i] == '\n' ? ' ' : s[i];
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, const LineMap& lines, const RenderOptions& options, Rendered& out)
      : t_(text), lines_(lines), options_(options), out_(out) {}

  InlineResult run() {
    nodes_.reserve(16);
    if (t_.find('`') != std::string_view::npos) prepare_code();
    std::size_t i = 0;
    while (i < t_.size()) {
      const char c = t_[i];
      if (c == '\\' && i + 1 < t_.size() && is_ascii_punct(t_[i + 1])) {
        add_text(t_.substr(i + 1, 1));
        i += 2;
      } else if (c == '\\' && i + 1 < t_.size() && t_[i + 1] == '\n') {
        i += 1;  // "\" before a newline: the newline is a break anyway
      } else if (c == '`') {
        i = code_span(i);
      } else if (c == '*' || c == '_') {
        i = delimiter_run(i);
      } else if (c == '!' && i + 1 < t_.size() && t_[i + 1] == '[') {
        open_bracket(i + 2, true);
        i += 2;
      } else if (c == '[') {
        open_bracket(i + 1, false);
        i += 1;
      } else if (c == ']') {
        i = close_bracket(i);
      } else if (c == '\n') {
        add_html("<br>\n", " ");
        i += 1;
      } else {
        std::size_t j = i + 1;
        while (j < t_.size() && !is_special(t_[j])) ++j;
        add_text(t_.substr(i, j - i));
        i = j;
      }
    }
    InlineResult r;
    for (const Node& n : nodes_) {
      switch (n.kind) {
        case Kind::text: escape_into(r.html, n.text); break;
        case Kind::html: r.html += n.text; break;
        case Kind::bracket: r.html += n.text; break;
        case Kind::delim:
          r.html += n.close_tags;
          r.html.append(static_cast<std::size_t>(n.count), n.ch);
          r.html += n.open_tags;
          break;
      }
    }
    r.plain = plain_of(0, nodes_.size());
    return r;
  }

 private:
  static bool is_special(char c) {
    return c == '\\' || c == '`' || c == '*' || c == '_' || c == '!' || c == '[' || c == ']' || c == '\n';
  }

  // Next-stop tables for link destinations: computed once, when the first "](" is seen.
  void prepare_links() {
    if (links_ready_) return;
    links_ready_ = true;
    const std::size_t n = t_.size();
    stop_.assign(n + 1, n);
    quote_.assign(n + 1, n);
    for (std::size_t i = n; i-- > 0;) {
      const char c = t_[i];
      stop_[i] = (c == ' ' || c == '\t' || c == '\n' || c == '(' || c == ')') ? i : stop_[i + 1];
      quote_[i] = c == '"' ? i : quote_[i + 1];
    }
    // Matching parentheses within each run without spaces, for destinations like
    // https://ja.wikipedia.org/wiki/警察_(日本).
    close_.assign(n, n);
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < n; ++i) {
      const char c = t_[i];
      if (c == '(') open.push_back(i);
      else if (c == ')' && !open.empty()) { close_[open.back()] = i; open.pop_back(); }
      else if (c == ' ' || c == '\t' || c == '\n') open.clear();
    }
  }

  void prepare_code() {
    const std::size_t n = t_.size();
    // Backtick runs by length, so that an opening run finds its closing run in O(1).
    for (std::size_t i = 0; i < n;) {
      if (t_[i] == '\\' && i + 1 < n && is_ascii_punct(t_[i + 1])) { i += 2; continue; }  // as run() does
      if (t_[i] != '`') { ++i; continue; }
      std::size_t j = i;
      while (j < n && t_[j] == '`') ++j;
      const std::size_t len = j - i;
      if (len <= kMaxCodeRun) {
        run_index_[i] = runs_[len].size();
        runs_[len].push_back(i);
      }
      i = j;
    }
  }

  int line_at(std::size_t offset) const {
    auto it = std::upper_bound(lines_.begin(), lines_.end(), std::make_pair(offset, INT32_MAX));
    return it == lines_.begin() ? 0 : std::prev(it)->second;
  }

  void add_text(std::string_view s) {
    if (!nodes_.empty() && nodes_.back().kind == Kind::text) {
      nodes_.back().text += s;
    } else {
      Node n;
      n.text = std::string(s);
      nodes_.push_back(std::move(n));
    }
  }

  void add_html(std::string html, std::string plain) {
    Node n;
    n.kind = Kind::html;
    n.text = std::move(html);
    n.plain = std::move(plain);
    nodes_.push_back(std::move(n));
  }

  std::string plain_of(std::size_t from, std::size_t to) const {
    std::string s;
    for (std::size_t k = from; k < to; ++k) {
      const Node& n = nodes_[k];
      if (n.kind == Kind::text || n.kind == Kind::bracket) s += n.text;
      else if (n.kind == Kind::html) s += n.plain;
      else s.append(static_cast<std::size_t>(n.count), n.ch);
    }
    return s;
  }

  std::size_t code_span(std::size_t i) {
    std::size_t j = i;
    while (j < t_.size() && t_[j] == '`') ++j;
    const std::size_t len = j - i;
    // A run prepare() did not see the same way (after a construct that skipped text) is text.
    const auto known = run_index_.find(i);
    if (len <= kMaxCodeRun && known != run_index_.end()) {
      const auto& list = runs_[len];
      const std::size_t k = known->second + 1;
      if (k < list.size()) {
        const std::size_t close = list[k];
        std::string content(t_.substr(j, close - j));
        std::replace(content.begin(), content.end(), '\n', ' ');
        if (content.size() >= 2 && content.front() == ' ' && content.back() == ' ' &&
            content.find_first_not_of(' ') != std::string::npos)
          content = content.substr(1, content.size() - 2);
        add_html("<code>" + escape(content) + "</code>", content);
        return close + len;
      }
    }
    add_text(t_.substr(i, len));
    return j;
  }

  std::size_t delimiter_run(std::size_t i) {
    const char ch = t_[i];
    std::size_t j = i;
    while (j < t_.size() && t_[j] == ch) ++j;
    const char32_t before = cp_before(t_, i), after = cp_at(t_, j);
    // '*' looks at spaces only (so that **「重要」**です works in Japanese); '_' also refuses
    // to open or close inside a word, as in CommonMark.
    const bool left = !is_space_cp(after);
    const bool right = !is_space_cp(before);
    bool can_open = left, can_close = right;
    if (ch == '_') {
      can_open = left && (is_space_cp(before) || is_punct_cp(before));
      can_close = right && (is_space_cp(after) || is_punct_cp(after));
    }
    Node n;
    n.kind = Kind::delim;
    n.ch = ch;
    n.count = static_cast<int>(j - i);
    nodes_.push_back(std::move(n));
    const std::size_t me = nodes_.size() - 1;
    const int slot = ch == '*' ? 0 : 1;
    if (can_close) {
      const std::size_t floor =
          std::max(bottom_[slot], brackets_.empty() ? std::size_t{0} : brackets_.back().delim_floor);
      while (nodes_[me].count > 0) {
        std::size_t k = delims_.size();
        while (k > floor && nodes_[delims_[k - 1]].ch != ch) --k;
        if (k <= floor) {
          bottom_[slot] = std::max(floor, delims_.size());
          break;
        }
        Node& opener = nodes_[delims_[k - 1]];
        Node& closer = nodes_[me];
        const int use = opener.count >= 2 && closer.count >= 2 ? 2 : 1;
        opener.count -= use;
        closer.count -= use;
        opener.open_tags = (use == 2 ? "<strong>" : "<em>") + opener.open_tags;
        closer.close_tags += use == 2 ? "</strong>" : "</em>";
        delims_.resize(opener.count > 0 ? k : k - 1);
      }
    }
    for (auto& b : bottom_) b = std::min(b, delims_.size());
    if (nodes_[me].count > 0 && can_open) delims_.push_back(me);
    return j;
  }

  void open_bracket(std::size_t src, bool image) {
    Node n;
    n.kind = Kind::bracket;
    n.text = image ? "![" : "[";
    nodes_.push_back(std::move(n));
    brackets_.push_back({nodes_.size() - 1, delims_.size(), src, image, true});
  }

  // "(" destination [ "title" ] ")" right after the "]" at i; returns the offset after ")".
  bool destination(std::size_t i, std::string_view& url, std::string_view& title, std::size_t& end) {
    std::size_t p = i + 1;
    if (p >= t_.size() || t_[p] != '(') return false;
    prepare_links();
    ++p;
    while (p < t_.size() && (t_[p] == ' ' || t_[p] == '\t')) ++p;
    // The destination runs to a space or an unbalanced ')'; balanced groups are skipped through
    // close_, at most kMaxParenGroups of them, so that every attempt costs O(1).
    std::size_t d = stop_[p];
    for (int groups = 0; d < t_.size() && t_[d] == '('; d = stop_[close_[d] + 1])
      if (close_[d] >= t_.size() || ++groups > kMaxParenGroups) return false;
    url = t_.substr(p, d - p);
    p = d;
    while (p < t_.size() && (t_[p] == ' ' || t_[p] == '\t')) ++p;
    title = {};
    if (p < t_.size() && t_[p] == '"' && p > d) {
      const std::size_t q = quote_[p + 1];
      if (q >= t_.size() || q - p - 1 > kMaxTitleBytes) return false;
      title = t_.substr(p + 1, q - p - 1);
      p = q + 1;
      while (p < t_.size() && (t_[p] == ' ' || t_[p] == '\t')) ++p;
    }
    if (p >= t_.size() || t_[p] != ')') return false;
    end = p + 1;
    return true;
  }

  std::size_t close_bracket(std::size_t i) {
    if (brackets_.empty()) {
      add_text("]");
      return i + 1;
    }
    const Bracket b = brackets_.back();
    brackets_.pop_back();
    std::string_view url, title;
    std::size_t end = 0;
    if (!b.active || !destination(i, url, title, end)) {
      add_text("]");  // the "[" stays as text too
      return i + 1;
    }
    // Emphasis inside the brackets is final: unmatched delimiters there stay text.
    delims_.resize(std::min(delims_.size(), b.delim_floor));
    for (auto& f : bottom_) f = std::min(f, delims_.size());
    const int line = line_at(b.src);
    if (b.image) {
      std::string alt = unescape(t_.substr(b.src, i - b.src));
      nodes_.resize(b.node);
      image(std::string(url), std::string(title), std::move(alt), line);
    } else {
      std::string text = plain_of(b.node + 1, nodes_.size());
      Node& open = nodes_[b.node];
      if (auto why = refuse_url(url)) {
        open.kind = Kind::text;
        open.text.clear();
        out_.warnings.push_back({WarningKind::refused_link, *why, std::string(url), line});
      } else {
        open.kind = Kind::html;
        open.text = "<a href=\"" + escape(url) + "\"";
        if (!title.empty()) open.text += " title=\"" + escape(title) + "\"";
        open.text += ">";
        open.plain.clear();
        add_html("</a>", "");
        out_.links.push_back({std::string(url), std::move(text), line});
      }
      for (auto& other : brackets_)
        if (!other.image) other.active = false;  // no links inside links
    }
    return end;
  }

  void image(std::string url, std::string title, std::string alt, int line) {
    std::optional<std::string> published;
    std::string why;
    if (options_.resolve_image) {
      published = options_.resolve_image(url);
      if (!published) why = "この画像は記事に登録されていません。画像を登録してから、そのファイル名を書いてください。";
    } else if (auto r = refuse_url(url)) {
      why = *r;
    } else {
      published = url;
    }
    if (published) {
      if (auto r = refuse_url(*published)) {  // a resolver must not bring an unsafe URL either
        why = *r;
        published.reset();
      }
    }
    if (!published) {
      out_.warnings.push_back({WarningKind::refused_image, why, url, line});
      add_text(alt);
      return;
    }
    std::string html = "<img src=\"" + escape(*published) + "\" alt=\"" + escape(alt) + "\"";
    if (!title.empty()) html += " title=\"" + escape(title) + "\"";
    html += " loading=\"lazy\">";
    out_.images.push_back({*published, url, alt, line});
    add_html(std::move(html), alt);
  }

  std::string_view t_;
  const LineMap& lines_;
  const RenderOptions& options_;
  Rendered& out_;
  std::vector<Node> nodes_;
  std::vector<std::size_t> delims_;    // indices into nodes_ of possible openers
  std::array<std::size_t, 2> bottom_{};  // per character: no opener below this index
  std::vector<Bracket> brackets_;
  bool links_ready_ = false;
  std::vector<std::size_t> stop_, quote_, close_;
  std::array<std::vector<std::size_t>, kMaxCodeRun + 1> runs_;
  std::unordered_map<std::size_t, std::size_t> run_index_;
};

}  // namespace

InlineResult render_inline(std::string_view text, const LineMap& lines, const RenderOptions& options,
                           Rendered& out) {
  // Most table cells and many paragraphs have no markup at all.
  if (text.find_first_of("\\`*_![]\n") == std::string_view::npos) return {escape(text), std::string(text)};
  return Parser(text, lines, options, out).run();
}

}  // namespace koban::site::markdown::detail
