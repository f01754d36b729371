// libFuzzer target: parse_urlencoded, form_urlencode, is_valid_utf8 and safe_file_name on
// arbitrary bytes. Besides "no crash, no sanitizer report" it checks properties:
//  - a successful parse respects the limits and yields valid UTF-8 without NUL;
//  - encoding the result and parsing it again gives the same fields;
//  - UTF-8 validity agrees with decoding and re-encoding every character;
//  - safe_file_name's output is non-empty, valid, short, without separators or controls, and
//    a fixed point (sanitising twice changes nothing).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/forms/safe_file_name.h"
#include "http/forms/urlencoded.h"
#include "http/forms/utf8.h"

using namespace koban;
using namespace koban::http::forms;

namespace {

void check_utf8(std::string_view in) {
  std::string re;
  std::size_t chars = 0;
  bool valid = true;
  for (std::size_t i = 0; i < in.size();) {
    const Utf8Char c = decode_utf8(in, i);
    if (c.len == 0) { valid = false; break; }
    FUZZ_CHECK(c.code_point <= 0x10FFFF && (c.code_point < 0xD800 || c.code_point > 0xDFFF), "decoded scalar");
    append_utf8(re, c.code_point);
    i += c.len;
    ++chars;
  }
  FUZZ_CHECK(valid == is_valid_utf8(in), "is_valid_utf8 agrees with the decoder");
  if (valid) {
    FUZZ_CHECK(re == in, "decode/encode round trip");   // only shortest forms are accepted
    FUZZ_CHECK(utf8_length(in) == chars, "utf8_length");
  }
}

void check_safe_name(std::string_view in) {
  constexpr std::size_t kMax = 40;
  const std::string name = safe_file_name(in, kMax);
  FUZZ_CHECK(!name.empty(), "non-empty");
  FUZZ_CHECK(is_valid_utf8(name), "valid UTF-8");
  FUZZ_CHECK(utf8_length(name) <= kMax, "length in characters");
  FUZZ_CHECK(name.find_first_of("/\\") == std::string::npos, "no separators");
  for (unsigned char c : name) FUZZ_CHECK(c >= 0x20 && c != 0x7F, "no control characters");
  FUZZ_CHECK(name[0] != '.' && name[0] != ' ', "no leading dot or space");
  FUZZ_CHECK(name.back() != '.' && name.back() != ' ', "no trailing dot or space");
  FUZZ_CHECK(name != "." && name != "..", "not a relative directory");
  FUZZ_CHECK(safe_file_name(name, kMax) == name, "idempotent");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  FormLimits limits;
  limits.max_fields = 32;
  limits.max_name_bytes = 32;
  limits.max_value_bytes = 256;
  limits.max_total_bytes = 4096;

  auto r = parse_urlencoded(in, limits);
  if (r) {
    FUZZ_CHECK(r->size() <= limits.max_fields, "field count");
    for (const auto& [name, value] : *r) {
      FUZZ_CHECK(name.size() <= limits.max_name_bytes && value.size() <= limits.max_value_bytes, "sizes");
      FUZZ_CHECK(is_valid_utf8(name) && is_valid_utf8(value), "UTF-8");
      FUZZ_CHECK(name.find('\0') == std::string::npos && value.find('\0') == std::string::npos, "no NUL");
    }
    FormLimits roomy;
    roomy.max_total_bytes = 1 << 20;
    auto again = parse_urlencoded(form_urlencode(*r), roomy);
    FUZZ_CHECK(again.ok(), "re-encoded form parses");
    FUZZ_CHECK(*again == *r, "re-encoded form gives the same fields");
  } else {
    const ErrorCode c = r.error().code;
    FUZZ_CHECK(c == ErrorCode::too_large || c == ErrorCode::invalid_argument, "error code");
    FUZZ_CHECK(!r.error().message.empty(), "error message");
  }

  check_utf8(in);
  check_safe_name(in);
  return 0;
}
