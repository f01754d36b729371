// libFuzzer target: the article Markdown renderer (src/site/markdown) on arbitrary bytes.
// Besides "no crash, no sanitizer report, no timeout" it checks that the output is safe:
//  - every '<' starts a tag the renderer writes itself (so nothing from the input is markup,
//    and there is never "<script"), and the tags nest properly (well-formed);
//  - every attribute value is double-quoted and holds neither '"' nor '<';
//  - every href and src passes the URL policy after unescaping (no javascript:, data: ...);
//  - failures are invalid_argument or too_large with a message.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "site/markdown/markdown.h"
#include "site/markdown/url_policy.h"

using namespace koban;
using namespace koban::site::markdown;

namespace {

bool is_void(std::string_view name) { return name == "br" || name == "hr" || name == "img"; }

bool known(std::string_view name) {
  static const char* names[] = {"p", "br", "em", "strong", "code", "pre", "a", "img", "h2", "h3", "h4", "h5",
                                "ul", "ol", "li", "blockquote", "hr", "table", "thead", "tbody", "tr", "th", "td"};
  for (const char* n : names)
    if (name == n) return true;
  return false;
}

std::string unescape_attr(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '&') { out += v[i]; continue; }
    const std::size_t semi = v.find(';', i);
    FUZZ_CHECK(semi != std::string_view::npos, "entity terminated");
    const std::string_view e = v.substr(i, semi - i + 1);
    if (e == "&amp;") out += '&';
    else if (e == "&lt;") out += '<';
    else if (e == "&gt;") out += '>';
    else if (e == "&quot;") out += '"';
    else if (e == "&#39;") out += '\'';
    else FUZZ_CHECK(false, "only the five entities the renderer writes");
    i = semi;
  }
  return out;
}

void check_html(const std::string& h) {
  std::vector<std::string> open;
  std::size_t i = 0;
  while ((i = h.find('<', i)) != std::string::npos) {
    const std::size_t close = h.find('>', i);
    FUZZ_CHECK(close != std::string::npos, "tag closed");
    const std::string_view tag(h.data() + i + 1, close - i - 1);
    const bool end = !tag.empty() && tag[0] == '/';
    std::string_view rest = end ? tag.substr(1) : tag;
    const std::size_t name_end = std::min(rest.find(' '), rest.size());
    const std::string_view name = rest.substr(0, name_end);
    FUZZ_CHECK(known(name), "a tag the renderer writes");
    rest.remove_prefix(name_end);
    // Attributes: name="value" pairs, values without '"' or '<'.
    while (!rest.empty()) {
      FUZZ_CHECK(rest[0] == ' ' && !end, "attribute separated by a space, on an opening tag");
      rest.remove_prefix(1);
      const std::size_t eq = rest.find("=\"");
      FUZZ_CHECK(eq != std::string_view::npos, "attribute quoted");
      const std::string_view attr = rest.substr(0, eq);
      for (char c : attr) FUZZ_CHECK((c >= 'a' && c <= 'z'), "attribute name");
      const std::size_t vend = rest.find('"', eq + 2);
      FUZZ_CHECK(vend != std::string_view::npos, "attribute value closed");
      const std::string_view value = rest.substr(eq + 2, vend - eq - 2);
      FUZZ_CHECK(value.find('<') == std::string_view::npos, "no '<' in a value");
      if (attr == "href" || attr == "src") {
        const std::string url = unescape_attr(value);
        FUZZ_CHECK(!refuse_url(url).has_value(), "href/src passes the URL policy");
        std::string lower;
        for (char c : url) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        FUZZ_CHECK(lower.find("javascript:") == std::string::npos, "no javascript: URL");
      } else {
        unescape_attr(value);
      }
      rest.remove_prefix(vend + 1);
    }
    if (end) {
      FUZZ_CHECK(!open.empty() && open.back() == name, "closing tag matches");
      open.pop_back();
    } else if (!is_void(name)) {
      open.emplace_back(name);
      FUZZ_CHECK(open.size() < 100000, "bounded nesting");
    }
    i = close + 1;
  }
  FUZZ_CHECK(open.empty(), "every tag closed");
  // Text between tags: no raw '>' or '"' from the input either.
  FUZZ_CHECK(h.find("<script") == std::string::npos, "no <script");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  RenderOptions opt;
  opt.max_input_bytes = 64 * 1024;
  opt.max_output_bytes = 1024 * 1024;
  opt.max_nesting = 6;
  if (size > 0 && data[0] == '!') {  // half the inputs go through an image resolver
    opt.resolve_image = [](std::string_view u) -> std::optional<std::string> {
      if (u.size() > 64) return std::nullopt;
      return "/media/1/" + std::string(u);
    };
  }
  auto r = render(in, opt);
  if (!r) {
    const ErrorCode c = r.error().code;
    FUZZ_CHECK(c == ErrorCode::invalid_argument || c == ErrorCode::too_large, "error code");
    FUZZ_CHECK(!r.error().message.empty(), "error message");
    return 0;
  }
  FUZZ_CHECK(r->html.size() <= opt.max_output_bytes, "output limit");
  check_html(r->html);
  for (const auto& l : r->links) FUZZ_CHECK(!refuse_url(l.url).has_value(), "listed link allowed");
  for (const auto& im : r->images) FUZZ_CHECK(!refuse_url(im.url).has_value(), "listed image allowed");
  for (const auto& hd : r->headings) FUZZ_CHECK(hd.level >= 1 && hd.level <= 4, "heading level");
  return 0;
}
