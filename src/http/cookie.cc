#include "http/cookie.h"

namespace koban::http {
namespace {

bool is_token(std::string_view s, bool allow_empty) {
  if (s.empty()) return allow_empty;
  for (unsigned char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& o) {
  if (!is_token(name, false) || !is_token(value, true)) return {};
  std::string out(name);
  out += '=';
  out += value;
  out += "; Path=" + o.path;
  if (o.max_age_seconds) out += "; Max-Age=" + std::to_string(*o.max_age_seconds);
  if (o.http_only) out += "; HttpOnly";
  if (o.secure) out += "; Secure";
  if (!o.same_site.empty()) out += "; SameSite=" + o.same_site;
  return out;
}

std::string clear_cookie(std::string_view name, const CookieOptions& options) {
  CookieOptions o = options;
  o.max_age_seconds = 0;
  return set_cookie(name, "", o);
}

}  // namespace koban::http
