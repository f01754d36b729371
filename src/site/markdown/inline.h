// Internal to the renderer: inline Markdown (emphasis, code, links, images, line breaks) of one
// block, to HTML. Used by render.cc only.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "site/markdown/markdown.h"

namespace koban::site::markdown::detail {

// Which source line each byte offset of the block's text came from: (offset, line) pairs in
// increasing order of offset.
using LineMap = std::vector<std::pair<std::size_t, int>>;

struct InlineResult {
  std::string html;
  std::string plain;  // the text without markup, for headings, alt and link texts
};

// Renders one block's text; links, images and warnings are appended to `out`.
InlineResult render_inline(std::string_view text, const LineMap& lines, const RenderOptions& options,
                           Rendered& out);

}  // namespace koban::site::markdown::detail
