// Set-Cookie values with safe defaults: HttpOnly, SameSite=Strict, Path=/, Secure when the
// site is served over TLS.
//
//   res.set("set-cookie", http::set_cookie("koban_session", token, {.secure = https}));
//   res.set("set-cookie", http::clear_cookie("koban_session"));
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace koban::http {

struct CookieOptions {
  bool secure = false;
  bool http_only = true;
  std::string same_site = "Strict";
  std::string path = "/";
  std::optional<long> max_age_seconds;  // none: a session cookie
};

// name and value must be cookie-safe tokens (koban's are base64url); others are refused by
// returning an empty string, which callers treat as a bug.
std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& options = {});
std::string clear_cookie(std::string_view name, const CookieOptions& options = {});

}  // namespace koban::http
