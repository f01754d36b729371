// Inspections of published articles (SITE-7, seed 000 第10-1): each unit checks its own
// published articles and reports at the end of January and July (点検結果報告書, 様式2).
// A round is named by its due date; it opens open_days_before the due date with one row per
// published or scheduled article, and the unit manager marks each keep / update / delete.
//
//   InspectionSettings ins;                                   // due 01-31 and 07-31
//   KOBAN_TRY(articles::ensure_rounds(s, ins, now));          // daily job or page visit
//   auto due = articles::current_round(ins, to_jst(now).date);
//   articles::mark_inspection(s, item_id, "keep", "", by, now);
//   articles::overdue_units(s, ins, now);                     // rounds past due, unmarked rows
//   articles::remind_overdue(s, ins, now);                    // enqueues site.inspection_remind
//   articles::stale_articles(s, ins, std::nullopt, now);      // not updated for a year
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "org/ids.h"
#include "site/articles/articles.h"
#include "store/database.h"
#include "workflow/engine.h"

namespace koban::site::articles {

inline constexpr const char* kInspectionRemindJob = "site.inspection_remind";

struct InspectionSettings {
  std::vector<std::pair<int, int>> due_dates = {{1, 31}, {7, 31}};  // (month, day), configurable
  int open_days_before = 31;
  int stale_days = 365;
};

const char* decision_label(std::string_view d);  // keep 継続掲載, update 更新が必要, delete 削除が必要
bool valid_decision(std::string_view d);

// The first due date on or after `today` (a day past the month's end is clamped).
Date current_round(const InspectionSettings& ins, Date today);
// The latest due date before `today`.
Date previous_round(const InspectionSettings& ins, Date today);

// Adds a row for every published or scheduled article not yet in the round; returns how many.
Result<int> open_round(store::Session& s, Date due, Instant now);
// Opens the current round once it is within open_days_before of its due date.
Result<void> ensure_rounds(store::Session& s, const InspectionSettings& ins, Instant now);
// Every round (due dates) that has rows, newest first.
Result<std::vector<Date>> rounds(store::Session& s);

struct InspectionItem {
  std::int64_t id = 0;
  Date round;
  org::UnitId unit_id = 0;
  ArticleId article_id = 0;
  std::string title;
  std::string section;
  std::optional<Instant> last_updated;  // the live version's date
  bool stale = false;                   // not updated for stale_days
  std::string decision;                 // "" until marked
  std::string note;
  std::optional<org::PersonId> decided_by;
  std::optional<Instant> decided_at;
};
Result<std::vector<InspectionItem>> inspection_items(store::Session& s, const InspectionSettings& ins, Date round,
                                                     org::UnitId unit, Instant now);
Result<InspectionItem> get_inspection_item(store::Session& s, std::int64_t id);
// The unit manager (website approve on the article's unit) marks one row.
Result<void> mark_inspection(store::Session& s, std::int64_t item, const std::string& decision,
                             const std::string& note, const workflow::By& by, Instant now);

struct UnitProgress {
  Date round;
  org::UnitId unit_id = 0;
  int total = 0;
  int decided = 0;
};
Result<std::vector<UnitProgress>> round_progress(store::Session& s, Date round);
// Units with unmarked rows in a round whose due date has passed.
Result<std::vector<UnitProgress>> overdue_units(store::Session& s, const InspectionSettings& ins, Instant now);
// For a daily job: one "site.inspection_remind" job per overdue unit and day, payload
// {"unit_id","round","undecided","recipients":[head, pr_lead]}; returns how many were queued.
Result<int> remind_overdue(store::Session& s, const InspectionSettings& ins, Instant now);
// The daily job "site.inspections.daily": ensure_rounds, then remind_overdue; returns the
// number of reminders queued.
inline constexpr const char* kInspectionDailyJob = "site.inspections.daily";
Result<int> inspection_daily(store::Session& s, const InspectionSettings& ins, Instant now);
// Published articles whose live version is older than stale_days, oldest first (at most 500).
Result<std::vector<Article>> stale_articles(store::Session& s, const InspectionSettings& ins,
                                            std::optional<org::UnitId> unit, Instant now);

}  // namespace koban::site::articles
