#include "site/articles/line_diff.h"

#include <cstdint>

namespace koban::site::articles {
namespace {

std::vector<std::string_view> split_lines(std::string_view t) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < t.size()) {
    auto nl = t.find('\n', at);
    if (nl == std::string_view::npos) nl = t.size();
    auto line = t.substr(at, nl - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    at = nl + 1;
  }
  return out;
}

}  // namespace

Result<std::vector<DiffLine>> diff_lines(std::string_view a, std::string_view b, std::size_t max_cells) {
  const auto x = split_lines(a), y = split_lines(b);
  std::size_t head = 0;
  while (head < x.size() && head < y.size() && x[head] == y[head]) ++head;
  std::size_t tail = 0;
  while (tail < x.size() - head && tail < y.size() - head && x[x.size() - 1 - tail] == y[y.size() - 1 - tail]) ++tail;
  const std::size_t n = x.size() - head - tail, m = y.size() - head - tail;
  if (n * m > max_cells) return Error{ErrorCode::too_large, "変更が多すぎて差分を表示できません。"};
  // lcs[i][j]: LCS length of x[head+i..] and y[head+j..], filled from the end.
  std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      at(i, j) = x[head + i] == y[head + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
  std::vector<DiffLine> out;
  int ol = 0, nl = 0;
  for (std::size_t k = 0; k < head; ++k) out.push_back({DiffOp::same, std::string(x[k]), ++ol, ++nl});
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[head + i] == y[head + j]) {
      out.push_back({DiffOp::same, std::string(x[head + i]), ++ol, ++nl});
      ++i, ++j;
    } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
      out.push_back({DiffOp::removed, std::string(x[head + i]), ++ol, 0});  // removed before added
      ++i;
    } else {
      out.push_back({DiffOp::added, std::string(y[head + j]), 0, ++nl});
      ++j;
    }
  }
  for (std::size_t k = x.size() - tail; k < x.size(); ++k) out.push_back({DiffOp::same, std::string(x[k]), ++ol, ++nl});
  return out;
}

}  // namespace koban::site::articles
