// Searching the audit log for the staff UI, newest first, and exporting it as CSV.
//
//   audit::Filter f{.from = from_jst(...), .actor_id = 42, .action_prefix = "site.article."};
//   KOBAN_ASSIGN(auto page, audit::search(db, f, {.limit = 50}));
//   for (auto& r : page.records) show(r);
//   if (page.next_before_seq) link_to_older(*page.next_before_seq);   // {.before_seq = it}
//
//   KOBAN_TRY(audit::export_csv(db, f, response_stream));   // text/csv; charset=utf-8
//
// Paging is by seq (keyset), not OFFSET, so page 1000 costs the same as page 1 and rows
// appended meanwhile do not shift pages. Every filter value is a bound parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "audit/event.h"
#include "core/result.h"
#include "store/database.h"

namespace koban::audit {

struct Filter {
  std::optional<Instant> from{};  // at >= from
  std::optional<Instant> to{};    // at < to
  std::optional<std::int64_t> actor_id{};
  std::optional<std::int64_t> unit_id{};
  std::string action_prefix{};  // "auth." matches "auth.login", "auth.logout"; case-insensitive
  std::string object_type{};    // exact
  std::string object_id{};      // exact (needs object_type to use the index, works without)
  std::string text{};           // substring of summary, actor name or object id (case-sensitive)
  std::optional<Outcome> outcome{};
};

struct PageRequest {
  std::optional<std::int64_t> before_seq{};  // older than this seq; nullopt = newest
  int limit = 50;                          // clamped to 1..kMaxPageLimit
};

inline constexpr int kMaxPageLimit = 200;
inline constexpr std::size_t kMaxFilterTextBytes = 200;

struct SearchPage {
  std::vector<Record> records;            // newest first
  std::optional<std::int64_t> next_before_seq;  // set when older matching rows exist
};

// invalid_argument (Japanese message) for filter text longer than kMaxFilterTextBytes.
Result<SearchPage> search(store::Database& db, const Filter& filter, const PageRequest& page = {});

// Every matching row, newest first, as CSV: UTF-8 with a BOM (so Excel detects the encoding),
// CRLF line ends, RFC 4180 quoting, and a ' before any cell that starts with = + - @ tab or
// CR so a spreadsheet never runs it as a formula. Times are JST. Reads one snapshot in pages;
// stops with too_large after max_rows rows (the rows so far are written).
inline constexpr std::int64_t kMaxExportRows = 1'000'000;
Result<std::int64_t> export_csv(store::Database& db, const Filter& filter, std::ostream& out,
                                std::int64_t max_rows = kMaxExportRows);

// One CSV cell, quoted when needed and guarded against formula injection.
std::string csv_cell(std::string_view value);

}  // namespace koban::audit
