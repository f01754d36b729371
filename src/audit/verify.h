// Checks the audit chain: every row's hash recomputed, every prev_hash link, no seq gaps.
//
//   KOBAN_ASSIGN(auto report, audit::verify(db, [](std::int64_t n) { show(n); }));
//   if (!report.ok) alert(report.bad_seq, report.message_ja);
//
// Rows are read in seq order in pages of page_size inside one read snapshot, so memory stays
// flat for a million rows. The first problem ends the check:
//   edited      — the row's content no longer matches its hash
//   missing     — a seq is absent (a row was deleted); bad_seq is the first missing seq
//   reordered   — the row holds a record written at another seq (rows swapped or moved)
//   broken_link — the row is intact but its prev_hash is not the previous row's hash (the
//                 previous row was rewritten together with its hash)
// Not detectable by the chain alone: deleting rows at the end. Keep report.last_seq and
// last_hash somewhere else (printed by `koban audit verify`) to compare later.
//
// `koban audit verify` calls run_verify_command(db, stdout): exit 0 ok, 1 a bad row was found,
// 2 the log could not be read; progress every 100,000 rows goes to stderr.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "store/database.h"

namespace koban::audit {

enum class Problem { none, edited, missing, reordered, broken_link };
const char* to_string(Problem p);

struct VerifyReport {
  bool ok = true;
  std::int64_t rows_checked = 0;
  std::int64_t last_seq = 0;  // of the last good row
  std::string last_hash;      // of the last good row (64 zeros when the log is empty)
  Problem problem = Problem::none;
  std::optional<std::int64_t> bad_seq;
  std::string message_ja;  // for the operator
  std::string message_en;  // for logs
};

// Called after each page with the number of rows checked so far.
using VerifyProgress = std::function<void(std::int64_t rows_checked)>;

inline constexpr int kVerifyPageSize = 5000;

// Errors only when the log cannot be read (no table, database down); a broken chain is an ok
// Result with report.ok == false.
Result<VerifyReport> verify(store::Database& db, const VerifyProgress& progress = {},
                            int page_size = kVerifyPageSize);

int run_verify_command(store::Database& db, std::FILE* out);

}  // namespace koban::audit
