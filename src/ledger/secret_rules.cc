#include "ledger/secret_rules.h"

#include "http/forms/utf8.h"

namespace koban::ledger {

std::vector<std::string> SecretRules::check(std::string_view secret) const {
  std::vector<std::string> broken;
  if (!http::forms::is_valid_utf8(secret)) {
    broken.push_back("パスワードに使えない文字が含まれています。");
    return broken;
  }
  int chars = 0;
  bool upper = false, lower = false, digit = false, symbol = false, control = false;
  for (unsigned char c : secret) {
    if ((c & 0xC0) != 0x80) ++chars;  // count code points, not bytes
    if (c < 0x20 || c == 0x7F) control = true;
    else if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= '0' && c <= '9') digit = true;
    else if (c > 0x20 && c < 0x7F) symbol = true;
  }
  if (control) broken.push_back("パスワードに制御文字は使えません。");
  if (chars < min_length) broken.push_back("パスワードは" + std::to_string(min_length) + "文字以上にしてください。");
  if (chars > max_length) broken.push_back("パスワードは" + std::to_string(max_length) + "文字以下にしてください。");
  if (require_letter && !upper && !lower) broken.push_back("英字を含めてください。");
  if (require_mixed_case && !(upper && lower)) broken.push_back("英字の大文字と小文字を両方含めてください。");
  if (require_digit && !digit) broken.push_back("数字を含めてください。");
  if (require_symbol && !symbol) broken.push_back("記号を含めてください。");
  return broken;
}

}  // namespace koban::ledger
