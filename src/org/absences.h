// Absences (不在): a person is away from `from` (inclusive) to `to` (exclusive). The approval
// engine asks is_away() to route around an absent unit head (ALERT-4: the PR lead approves
// and the head is told afterwards).
//
//   KOBAN_ASSIGN(auto id, add_absence(s, head, from_jst({{2026, 12, 1}, 8, 30}),
//                                     from_jst({{2026, 12, 4}, 0, 0}), "出張", now));
//   KOBAN_ASSIGN(bool away, is_away(s, head, clock.now()));
//
// For the staff list (/admin/absences), newest entry first, keyset paging on the id:
//
//   KOBAN_ASSIGN(auto page, list_absences(s, {.units = scope, .when = AbsenceTime::current,
//                                             .before = last_id, .limit = 50}, clock.now()));
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "org/ids.h"
#include "store/database.h"

namespace koban::org {

using AbsenceId = std::int64_t;

struct Absence {
  AbsenceId id = 0;
  PersonId person = 0;
  Instant from{};
  Instant to{};
  std::string reason;
  Instant created_at{};
  std::optional<Instant> cancelled_at;
};

// At most one year long; from < to; reason at most 200 characters; not for retired people.
Result<AbsenceId> add_absence(store::Session& s, PersonId person, Instant from, Instant to,
                              std::string reason, Instant now);
// Kept as history; a cancelled absence no longer counts.
Result<void> cancel_absence(store::Session& s, AbsenceId id, Instant now);
Result<bool> is_away(store::Session& s, PersonId person, Instant at);
// Absences (not cancelled) overlapping [from, to), by start.
Result<std::vector<Absence>> absences_between(store::Session& s, PersonId person, Instant from, Instant to);
// One absence, cancelled or not; not_found (Japanese) when there is none.
Result<Absence> get_absence(store::Session& s, AbsenceId id);

// Which absences a list shows, relative to `now`:
//   current   — not cancelled, from <= now < to (the person is away now)
//   future    — not cancelled, now < from
//   past      — ended (to <= now), cancelled or not
//   cancelled — cancelled, whenever it was
enum class AbsenceTime { any, current, future, past, cancelled };
const char* to_string(AbsenceTime t);  // "any", "current" ... (GET parameter values)
const char* label(AbsenceTime t);      // すべて, 不在中, 予定, 終了, 取消済み
std::optional<AbsenceTime> parse_absence_time(std::string_view s);

inline constexpr std::size_t kMaxAbsenceUnitsInFilter = 5000;  // placeholders in one IN (...)
inline constexpr int kMaxAbsencePage = 200;

struct AbsenceFilter {
  // Only people whose own unit is one of these (nullopt: any unit). At most
  // kMaxAbsenceUnitsInFilter ids (too_large otherwise); an empty list matches nobody.
  std::optional<std::vector<UnitId>> units{};
  std::optional<PersonId> person{};
  // Also people listed here whatever their unit (the viewer's own absences in a scoped list).
  std::optional<PersonId> also_person{};
  AbsenceTime when = AbsenceTime::any;
  std::optional<AbsenceId> before{};  // keyset: only ids below this
  int limit = 50;                     // 1..kMaxAbsencePage
};

struct AbsenceListItem {
  Absence absence;
  std::string person_name;   // display name now
  std::string person_login;
  UnitId unit_id = 0;        // the person's unit now
};

// Newest entry (highest id) first, at most filter.limit rows.
Result<std::vector<AbsenceListItem>> list_absences(store::Session& s, const AbsenceFilter& filter, Instant now);

}  // namespace koban::org
