// Internal to the checks: one line of text as code points, with helpers for the scanners of
// personal_data.cc and characters.cc.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "site/checks/article_checks.h"

namespace koban::site::checks::detail {

struct ScanLine {
  std::u32string text;  // as written
  std::u32string norm;  // the same length: full-width ASCII to ASCII, dash-likes to '-'
  int number = 0;
};

ScanLine make_scan_line(std::string_view utf8, int number);  // invalid bytes become U+FFFD
std::string to_utf8(std::u32string_view s);

class Sink {
 public:
  Sink(const CheckOptions& o, std::vector<Finding>& out) : options_(o), out_(out) {}
  void add(Finding f);
  const CheckOptions& options() const { return options_; }

 private:
  const CheckOptions& options_;
  std::vector<Finding>& out_;
  std::map<std::string, std::size_t> counts_;  // findings offered per code
};

bool is_kanji(char32_t c);
bool is_digit(char32_t c);           // ASCII digits (use on norm)

void check_characters(const ScanLine& line, Sink& sink);     // full-width alnum, half-width kana
void check_personal_data(const ScanLine& line, Sink& sink);  // phone, address, names, e-mail

}  // namespace koban::site::checks::detail
