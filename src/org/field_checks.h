// Checks on text fields typed by staff (names, phone numbers, addresses ...), shared by
// units.cc and people.cc. Each returns invalid_argument with a Japanese message naming the
// field, so that a form can show it as is:
//
//   KOBAN_TRY(check_text("氏名", p.display_name, 1, 100));
#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.h"

namespace koban::org {

// Valid UTF-8 with no control characters, min_chars..max_chars code points.
Result<void> check_text(std::string_view field, std::string_view value, std::size_t min_chars,
                        std::size_t max_chars);

// Lower-case ASCII letters, digits, '.', '-' (and '_' when allow_underscore), min..max chars.
Result<void> check_ascii_code(std::string_view field, std::string_view value, std::size_t min_chars,
                              std::size_t max_chars, bool allow_underscore = false);

// Empty, or one plain ASCII address "local@domain" of at most 254 characters.
Result<void> check_email(std::string_view value);

}  // namespace koban::org
