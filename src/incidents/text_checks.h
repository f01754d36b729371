// Checks on free text typed by staff (titles, notes, notices) before it is stored: valid UTF-8
// (PostgreSQL refuses anything else), no control characters other than newline and tab, not
// blank, not longer than a limit. The message names the field in Japanese.
//
//   KOBAN_ASSIGN(std::string t, checked_text(in.title, "件名", kMaxTitleBytes, false));
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace koban::incidents {

// Returns the text trimmed of surrounding ASCII whitespace; multiline allows '\n' (and "\r\n").
Result<std::string> checked_text(std::string_view text, std::string_view field, std::size_t max_bytes,
                                 bool multiline);

}  // namespace koban::incidents
