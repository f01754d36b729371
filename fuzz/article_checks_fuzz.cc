// libFuzzer target: the pre-publication checks (src/site/checks) on an arbitrary title and
// body (the input split at the first NUL byte). Besides "no crash, no sanitizer report" it
// checks that every finding has a code and a message, a line inside the text, valid UTF-8 in
// everything shown to people, and that the number of findings stays bounded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/forms/utf8.h"
#include "site/checks/article_checks.h"

using namespace koban::site::checks;
using koban::http::forms::is_valid_utf8;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = in.find('\0');
  ArticleText a;
  a.title = std::string(in.substr(0, nul == std::string_view::npos ? 0 : nul));
  a.body = std::string(nul == std::string_view::npos ? in : in.substr(nul + 1));
  CheckOptions o;
  o.own_phone_numbers = {"000-000-0110"};
  o.own_email_domains = {"police.example.jp"};
  o.render.max_input_bytes = 64 * 1024;
  const auto findings = check_article(a, o);
  std::size_t lines = 1;
  for (char c : a.body) lines += c == '\n';
  FUZZ_CHECK(findings.size() <= 20 * o.max_findings_per_code, "bounded findings");
  for (const auto& f : findings) {
    FUZZ_CHECK(!f.code.empty() && !f.message.empty(), "code and message");
    FUZZ_CHECK(f.line >= 0 && static_cast<std::size_t>(f.line) <= lines, "line inside the text");
    FUZZ_CHECK(is_valid_utf8(f.message) && is_valid_utf8(f.excerpt) && is_valid_utf8(f.suggestion), "UTF-8");
  }
  const std::string fixed = fix_fullwidth_alnum(a.body);
  if (is_valid_utf8(a.body)) FUZZ_CHECK(is_valid_utf8(fixed), "fix keeps UTF-8");
  return 0;
}
