#include "auth/password_policy.h"

#include "auth/password_hash.h"
#include "core/text.h"

namespace koban::auth {
namespace {

// Code points in UTF-8 text: count every byte that does not continue a sequence.
int count_characters(std::string_view s) {
  int n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

std::vector<std::string> PasswordPolicy::check(std::string_view pw, std::string_view login_name,
                                               const std::vector<std::string>& history) const {
  std::vector<std::string> broken;
  const int chars = count_characters(pw);
  if (chars < min_length)
    broken.push_back("パスワードは" + std::to_string(min_length) + "文字以上にしてください。");
  if (max_length > 0 && (chars > max_length || pw.size() > kMaxPasswordBytes)) {
    broken.push_back("パスワードは" + std::to_string(max_length) + "文字以下にしてください。");
    return broken;  // do not spend argon2 time on hostile lengths
  }
  bool upper = false, lower = false, digit = false;
  for (char c : pw) {
    upper |= c >= 'A' && c <= 'Z';
    lower |= c >= 'a' && c <= 'z';
    digit |= c >= '0' && c <= '9';
  }
  if (require_letter && !upper && !lower)
    broken.push_back("パスワードには英字を含めてください。");
  if (require_digit && !digit) broken.push_back("パスワードには数字を含めてください。");
  if (require_mixed_case && !(upper && lower))
    broken.push_back("パスワードには英大文字と英小文字の両方を含めてください。");
  if (forbid_login_name && !login_name.empty() &&
      text::to_lower(pw).find(text::to_lower(login_name)) != std::string::npos)
    broken.push_back("パスワードにログインIDを含めないでください。");
  const std::size_t n = std::min<std::size_t>(history.size(), history_count > 0 ? history_count : 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (verify_password(history[i], pw)) {
      broken.push_back("直近" + std::to_string(history_count) +
                       "回に使ったパスワードは使えません。");
      break;
    }
  }
  return broken;
}

bool PasswordPolicy::expired(Instant changed_at, Instant now) const {
  if (max_age_days <= 0) return false;
  return now >= changed_at + std::chrono::days{max_age_days};
}

}  // namespace koban::auth
