// A line diff of two texts (the version history's 差分): the longest common subsequence of
// lines, after cutting the common head and tail. Bounded: too many differing lines → too_large.
//
//   KOBAN_ASSIGN(auto lines, articles::diff_lines(old_body, new_body));
//   for (auto& l : lines) print(l.op == DiffOp::added ? "+" : ..., l.text);
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace koban::site::articles {

enum class DiffOp { same, removed, added };

struct DiffLine {
  DiffOp op = DiffOp::same;
  std::string text;
  int old_line = 0;  // 1-based, 0 for added lines
  int new_line = 0;  // 1-based, 0 for removed lines
};

// max_cells bounds the LCS table (differing old lines × differing new lines).
Result<std::vector<DiffLine>> diff_lines(std::string_view a, std::string_view b, std::size_t max_cells = 4'000'000);

}  // namespace koban::site::articles
