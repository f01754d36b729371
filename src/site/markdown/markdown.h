// Safe Markdown for articles (issue 5, item 4): our own renderer of a well-defined subset, so
// that nothing a writer types can become markup we did not write ourselves.
//
//   RenderOptions opt;                                   // limits, heading ids, image lookup
//   KOBAN_ASSIGN(Rendered r, render(article.body, opt)); // Error: invalid UTF-8, too large ...
//   page.body_html = r.html;  page.toc = r.headings;      // r.warnings: refused links etc.
//
// The subset: ATX headings "#".."####" (rendered as h2..h5, the page has the h1; deeper levels
// become h5 with a warning), paragraphs (every newline is a line break, as Japanese writers
// expect), *em* / **strong** (also with _), `code`, [text](url), ![alt](url "title"), bullet
// and ordered lists (nested), "> " block quotes, horizontal rules (---, ***, ___), fenced code
// blocks (```), GFM pipe tables (header row -> <th scope="col">; rows of pipes without a
// delimiter row become a table *without* header, which the checks report), backslash escapes.
// A '*' run opens or closes by the spaces around it only (not punctuation, unlike CommonMark),
// so that **「重要」**です works in Japanese; '_' keeps CommonMark's word rule (snake_case).
// Not supported, on purpose: raw HTML (always shown as text), entities (shown as typed),
// setext headings, indented code, reference links, autolinks, link destinations containing
// parentheses or spaces (percent-encode them), emphasis that crosses a '['.
//
// Safety: every character of the source reaches the output through escape_text/escape_attr.
// URLs pass url_policy.h (http, https, mailto, tel, relative paths); a refused link keeps its
// text and loses the link, with a warning. The parser is linear in the input: no backtracking.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace koban::site::markdown {

struct RenderOptions {
  std::size_t max_input_bytes = 200 * 1024;
  std::size_t max_output_bytes = 4 * 1024 * 1024;
  int max_nesting = 8;              // block quotes and lists inside each other
  std::string heading_id_prefix = "h";  // <h2 id="h-1"> ... for the table of contents
  // Maps the URL written in ![alt](url) to the URL to publish (the article's uploaded images);
  // nullopt refuses the image. When unset, images follow the same URL rules as links.
  std::function<std::optional<std::string>(std::string_view)> resolve_image;
};

struct Heading {
  int level = 0;       // 1..4 as written ("#" = 1), rendered as h(level+1)
  std::string text;    // plain text
  std::string id;      // the id attribute of the rendered heading
  int line = 0;        // 1-based line of the source
};

struct Image {
  std::string url;     // as published (after resolve_image)
  std::string source_url;  // as written
  std::string alt;
  int line = 0;
};

struct Link {
  std::string url;
  std::string text;    // plain text; an image inside the link counts with its alt text
  int line = 0;
};

struct Table {
  bool has_header = false;
  int columns = 0;
  int line = 0;
};

enum class WarningKind {
  refused_link,    // a link whose URL is not allowed (javascript:, data:, controls ...)
  refused_image,   // an image whose URL is not allowed or not one of the article's images
  too_deep,        // nesting beyond max_nesting: rendered flat
  heading_level,   // "#####" or deeper: rendered as h5
};

struct Warning {
  WarningKind kind{};
  std::string message;  // Japanese, for the writer
  std::string detail;   // the offending URL or text
  int line = 0;
};

struct Rendered {
  std::string html;
  std::vector<Heading> headings;
  std::vector<Image> images;
  std::vector<Link> links;
  std::vector<Table> tables;
  std::vector<Warning> warnings;
};

// Errors (invalid_argument / too_large, Japanese message with the line): the input is larger
// than max_input_bytes, is not valid UTF-8, contains control characters other than tab, CR and
// LF, or the output would exceed max_output_bytes.
Result<Rendered> render(std::string_view markdown, const RenderOptions& options = {});

}  // namespace koban::site::markdown
