// Absences (不在): a person is away from `from` (inclusive) to `to` (exclusive). The approval
// engine asks is_away() to route around an absent unit head (ALERT-4: the PR lead approves
// and the head is told afterwards).
//
//   KOBAN_ASSIGN(auto id, add_absence(s, head, from_jst({{2026, 12, 1}, 8, 30}),
//                                     from_jst({{2026, 12, 4}, 0, 0}), "出張", now));
//   KOBAN_ASSIGN(bool away, is_away(s, head, clock.now()));
#pragma once

#include <optional>
#include <string>
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

}  // namespace koban::org
