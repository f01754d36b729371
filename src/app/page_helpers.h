// Small helpers shared by the staff pages (src/app/admin_*_routes.cc).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace koban::app::pages {

// A positive database id from a path segment or form field; nullopt for anything else.
inline std::optional<std::int64_t> parse_id(std::string_view s) {
  if (s.empty() || s.size() > 15) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v > 0 ? std::optional(v) : std::nullopt;
}

// A moment as staff read it: "2026-11-21 09:30" (JST).
inline std::string jst_text(Instant t) {
  const auto j = to_jst(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", j.date.year, j.date.month, j.date.day, j.hour, j.minute);
  return buf;
}

}  // namespace koban::app::pages
