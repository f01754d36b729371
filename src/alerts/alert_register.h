// The register of approved alerts (配信簿, ALERT-7; seed 別添 第10): at approval a frozen copy
// of the text with every approval (who, acting as what, when, post-hoc report), the ALERT-8
// checklist and the urgent reason; an index (目次) by date; CSV; a purge after the calendar
// year plus `keep_years`.
//
//   KOBAN_TRY(alerts::write_register_entry(s, alert_id, now));      // approve_alert does this
//   KOBAN_ASSIGN(auto rows, alerts::register_entries(s, {.year = 2026}));
//   std::string csv = alerts::register_csv(rows);
//   KOBAN_ASSIGN(auto n, alerts::purge_register(s, 1, now));        // audited, e.g. yearly job
//
// Scheduler line (for the app): every day 03:30, kind "alerts.register_purge", handler
//   db.write([&](s){ return alerts::purge_register(s, config keep years, clock.now()); })
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "store/database.h"

namespace koban::alerts {

inline constexpr const char* kPurgeJob = "alerts.register_purge";

struct RegisterApproval {
  std::string name;       // the approver's name at the time
  std::string acting_as;  // 所属長 / 所属長不在のため広報活動責任者 / 当直責任者
  Instant at{};
  std::string post_hoc_to;  // the head told afterwards ("" when none)
};

struct RegisterEntry {
  std::int64_t id = 0;
  std::int64_t alert_id = 0;
  Instant approved_at{};
  int category = 0;
  std::string unit_name;
  std::string areas_text;  // 中央市、北市・北郡一円 / 県下全域
  std::string title;
  std::string body;
  std::string follow_kind;  // "" | 続報 | 訂正 | 解除
  std::optional<std::int64_t> follows_id;
  std::string written_by;
  std::vector<RegisterApproval> approvals;
  std::string checklist;      // the three items ticked, joined with "・"
  std::string urgent_reason;  // "" when not urgent: label and note
  Instant send_after{};
};

// Copies the approved alert with its approvals (the workflow steps of its request).
Result<void> write_register_entry(store::Session& s, std::int64_t alert_id, Instant now);

struct RegisterQuery {
  std::optional<int> year{};      // JST calendar year; nullopt = every year kept
  std::optional<Date> date{};     // one JST day
  int limit = 500;                // 1..5000
};
// Oldest first (the order of the bound register).
Result<std::vector<RegisterEntry>> register_entries(store::Session& s, const RegisterQuery& q);

struct IndexDay {
  Date date;
  int count = 0;
};
// 目次: the days of a year with approved alerts and their counts.
Result<std::vector<IndexDay>> register_index(store::Session& s, int year);
// The years the register holds, newest first.
Result<std::vector<int>> register_years(store::Session& s);

// RFC 4180 CSV (CRLF, quoted fields, a UTF-8 BOM so that Excel opens it as UTF-8). Cells that
// start with = + - @ get a leading ' so that a spreadsheet never runs them as formulas.
std::string register_csv(const std::vector<RegisterEntry>& entries);

// Deletes entries approved before 1 January (JST) of (this year − keep_years): with keep_years
// 1, the current and the previous calendar years stay. Audited (system actor) when anything was
// deleted; returns the count.
Result<std::int64_t> purge_register(store::Session& s, int keep_years, Instant now);

}  // namespace koban::alerts
