// application/x-www-form-urlencoded bodies and URL query strings.
//
//   FormLimits limits;                       // defaults suit an ordinary HTML form
//   auto fields = parse_urlencoded(body, limits);
//   if (!fields) return fields.error();      // too_large or invalid_argument, Japanese message
//   std::string q = fields->get("q").value_or("");
//
// Pass a query string without its leading '?'. '+' is a space; every '%' must be followed by
// two hex digits (a stray '%' is an error, not a literal, so two parsers cannot disagree);
// every decoded name and value must be valid UTF-8 and free of NUL (PostgreSQL text cannot
// hold NUL, and C-string consumers would cut the value). Empty pieces ("a=1&&b=2") are
// skipped, a piece without '=' is a name with an empty value, as browsers do.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/forms/form_fields.h"

namespace koban::http::forms {

struct FormLimits {
  std::size_t max_fields = 256;             // name/value pairs
  std::size_t max_name_bytes = 256;         // decoded
  std::size_t max_value_bytes = 64 * 1024;  // decoded, per value
  std::size_t max_total_bytes = 1024 * 1024;  // the whole encoded body
};

Result<FormFields> parse_urlencoded(std::string_view body, const FormLimits& limits);

// The inverse: the WHATWG form serializer (space as '+', everything except ALPHA, DIGIT and
// "*-._" percent-encoded). Useful for building query strings and redirect URLs.
std::string form_urlencode(std::string_view text);
std::string form_urlencode(const FormFields& fields);

}  // namespace koban::http::forms
