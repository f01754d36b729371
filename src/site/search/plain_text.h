// The text of an article body for the search index: the Markdown subset of
// site/markdown/markdown.h with its syntax removed, simply (headings, list and quote markers,
// emphasis, code marks, table pipes, rules, fences; links and images keep their text and alt,
// not their URL). Lines are joined by one space, runs of white space collapse.
//
//   std::string text = search::plain_text("# 概要\n**特殊詐欺**に[注意](/safety/)");  // "概要 特殊詐欺に注意"
#pragma once

#include <string>
#include <string_view>

namespace koban::site::search {

std::string plain_text(std::string_view markdown);

}  // namespace koban::site::search
