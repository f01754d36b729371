#include "site/markdown/html_escape.h"

namespace koban::site::markdown {

void escape_into(std::string& out, std::string_view text) {
  // Copies the runs between special characters in one go: most text has none.
  std::size_t from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char* entity = nullptr;
    switch (text[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"': entity = "&quot;"; break;
      case '\'': entity = "&#39;"; break;
      default: continue;
    }
    out.append(text.data() + from, i - from);
    out += entity;
    from = i + 1;
  }
  out.append(text.data() + from, text.size() - from);
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  escape_into(out, text);
  return out;
}

}  // namespace koban::site::markdown
