#include "mail/address.h"

#include <algorithm>

namespace koban::mail {
namespace {

bool is_atext(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '/': case '=': case '?': case '^': case '_': case '`': case '{':
    case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Error bad(std::string m) { return Error::invalid(std::move(m)); }

}  // namespace

Result<Address> parse_address(std::string_view text) {
  if (text.empty()) return bad("メールアドレスを入力してください。");
  if (text.size() > kMaxAddressLength) return bad("メールアドレスが長すぎます。");
  for (unsigned char c : text) {
    if (c <= 0x20 || c >= 0x7f)
      return bad("メールアドレスに使えない文字（空白、全角文字など）が含まれています。");
  }
  const auto at = text.rfind('@');
  if (at == std::string_view::npos) return bad("メールアドレスに「@」がありません。");
  const std::string_view local = text.substr(0, at);
  const std::string_view domain = text.substr(at + 1);
  if (local.empty()) return bad("メールアドレスの「@」より前が空です。");
  if (domain.empty()) return bad("メールアドレスの「@」より後が空です。");
  if (local.size() > kMaxLocalPartLength) return bad("メールアドレスの「@」より前が長すぎます。");
  // Consecutive dots and a trailing dot are the carrier exception (see header); a leading
  // dot was never issued and is refused.
  if (local.front() == '.') return bad("メールアドレスの先頭にピリオドは使えません。");
  for (unsigned char c : local) {
    if (c != '.' && !is_atext(c)) return bad("メールアドレスに使えない記号が含まれています。");
  }
  if (domain.size() > kMaxDomainLength) return bad("メールアドレスのドメインが長すぎます。");
  std::string d(domain);
  std::transform(d.begin(), d.end(), d.begin(), lower);
  std::size_t labels = 0;
  std::string_view last_label;
  for (std::size_t start = 0;;) {
    const auto dot = d.find('.', start);
    const std::string_view label =
        std::string_view(d).substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!valid_label(label)) return bad("メールアドレスのドメインが正しくありません。");
    ++labels;
    last_label = label;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  // A bare host name ("user@localhost") or a numeric top label (an IP written as a name)
  // cannot be a destination on the Internet.
  if (labels < 2 || std::all_of(last_label.begin(), last_label.end(),
                                [](char c) { return c >= '0' && c <= '9'; }))
    return bad("メールアドレスのドメインが正しくありません。");
  return Address{std::string(local), std::move(d)};
}

bool is_valid_address(std::string_view text) { return parse_address(text).ok(); }

std::string domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string d(address.substr(at + 1));
  std::transform(d.begin(), d.end(), d.begin(), lower);
  return d;
}

}  // namespace koban::mail
