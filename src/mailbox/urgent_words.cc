#include "mailbox/urgent_words.h"

#include "http/forms/utf8.h"

namespace koban::mailbox {
namespace {

// White space that people and phones put into text: ASCII blanks and line breaks, U+3000.
std::string squeeze(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    if (s.substr(i, 3) == "\xE3\x80\x80") {  // U+3000 IDEOGRAPHIC SPACE
      i += 3;
      continue;
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> parse_urgent_words(std::string_view text) {
  if (!http::forms::is_valid_utf8(text)) return Error::invalid("mailbox.urgent_words: not valid UTF-8");
  std::string unified;
  for (std::size_t i = 0; i < text.size();) {
    if (text.substr(i, 3) == "、" || text.substr(i, 3) == "，") {
      unified.push_back(',');
      i += 3;
    } else {
      unified.push_back(text[i++]);
    }
  }
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= unified.size()) {
    std::size_t end = unified.find(',', start);
    if (end == std::string::npos) end = unified.size();
    std::string word = squeeze(std::string_view(unified).substr(start, end - start));
    if (!word.empty()) {
      if (word.size() > kMaxUrgentWordBytes) return Error::invalid("mailbox.urgent_words: a word is too long: " + word.substr(0, 30));
      if (out.size() >= kMaxUrgentWords) return Error::invalid("mailbox.urgent_words: too many words");
      out.push_back(std::move(word));
    }
    start = end + 1;
  }
  return out;
}

std::vector<std::string> urgent_terms(std::string_view text, const std::vector<std::string>& words) {
  const std::string squeezed = squeeze(text);
  std::vector<std::string> hits;
  for (const auto& w : words) {
    if (w.empty() || squeezed.find(w) == std::string::npos) continue;
    bool seen = false;
    for (const auto& h : hits) seen = seen || h == w;
    if (!seen) hits.push_back(w);
  }
  return hits;
}

}  // namespace koban::mailbox
