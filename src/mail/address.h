// E-mail addresses for sending: parse, validate, normalise.
//
//   KOBAN_ASSIGN(auto a, mail::parse_address("a..b@DoCoMo.ne.jp"));
//   a.str();            // "a..b@docomo.ne.jp" (domain lower-cased, local part kept as is)
//   mail::domain_of("x@Example.JP");   // "example.jp" ("" when there is no @)
//
// The check is a practical RFC 5321 subset: an unquoted local part of RFC 5322 atext
// characters and dots, and a DNS host name. Quoted local parts, address literals
// ([192.0.2.1]) and non-ASCII addresses (SMTPUTF8) are refused: no recipient of koban needs
// them and each one widens what a hostile form field can smuggle into an SMTP command.
//
// Japanese carrier exception: docomo, au (ezweb) and SoftBank issued addresses such as
// "a..b@docomo.ne.jp" and "abc.@ezweb.ne.jp" for years. RFC 5322 forbids consecutive dots and
// a dot before "@", but the carriers' servers deliver them, so they are accepted for every
// domain (relays pass such local parts through unchanged). A leading dot is still refused.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace koban::mail {

inline constexpr std::size_t kMaxAddressLength = 254;  // RFC 5321 path limit minus "<>"
inline constexpr std::size_t kMaxLocalPartLength = 64;
inline constexpr std::size_t kMaxDomainLength = 253;

struct Address {
  std::string local;   // as given
  std::string domain;  // lower-case ASCII
  std::string str() const { return local + "@" + domain; }
  bool operator==(const Address&) const = default;
};

// Errors are ErrorCode::invalid_argument with a Japanese message fit for a form.
Result<Address> parse_address(std::string_view text);

// Convenience: true when parse_address would succeed.
bool is_valid_address(std::string_view text);

// The lower-cased part after the last '@', or "" when there is none. Does not validate.
std::string domain_of(std::string_view address);

}  // namespace koban::mail
