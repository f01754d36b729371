// HTML escaping for the Markdown renderer. Text and attribute values are escaped the same way
// (& < > " '), so a value is safe in either place and in quoted attributes of any kind.
//
//   escape_into(out, "a < b");   // out += "a &lt; b"
#pragma once

#include <string>
#include <string_view>

namespace koban::site::markdown {

void escape_into(std::string& out, std::string_view text);
std::string escape(std::string_view text);

}  // namespace koban::site::markdown
