// safe_file_name: turns a file name sent by a client into one that is safe to show, to store
// as metadata and to offer again in a Content-Disposition header.
//
//   std::string name = safe_file_name("C:\\Users\\山田\\届出書.pdf");   // "届出書.pdf"
//   safe_file_name("../../etc/passwd")  -> "passwd"
//   safe_file_name("CON.txt")           -> "_CON.txt"
//   safe_file_name("...")               -> "file"
//
// What it does: keeps only the part after the last '/' or '\'; replaces bytes that are not
// valid UTF-8 and the characters Windows forbids (<>:"|?*) with '_'; drops control characters
// (C0, DEL, C1) and invisible formatting characters (zero-width, bidi overrides such as U+202E,
// which can make "txt.exe" look like "exe.txt"); removes leading dots and spaces (no hidden
// files, no "..") and trailing dots and spaces (Windows strips them); prefixes reserved
// Windows device names (CON, PRN, AUX, NUL, COM0-9, LPT0-9, with or without an extension)
// with '_'; and cuts the name to max_chars characters (not bytes), keeping a short extension.
// Japanese (and every other printable) character is kept. The result is never empty: "file".
//
// Never use the result as a path on its own authority: uploads are stored under generated
// names; this name is for display and download headers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http/forms/utf8.h"

namespace koban::http::forms {

inline constexpr std::size_t kDefaultMaxFileNameChars = 100;

std::string safe_file_name(std::string_view original, std::size_t max_chars = kDefaultMaxFileNameChars);

}  // namespace koban::http::forms
