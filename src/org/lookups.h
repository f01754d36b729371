// Who holds a unit's posts, for the approval engine and the alert workflow (ALERT-4):
//
//   KOBAN_ASSIGN(auto head, unit_head(s, station));          // 所属長 (情報配信者)
//   KOBAN_ASSIGN(auto lead, pr_lead(s, station));            // 広報活動責任者
//   KOBAN_ASSIGN(auto duty, duty_officers(s, station));      // 当直責任者 of the station's desk
//
// Only people who can act are returned (status active); a vacant post, or one held by a
// suspended or restricted person, gives nullopt / nothing, so callers route elsewhere.
// Absences are not applied here: ask is_away() (absences.h) for the moment in question.
#pragma once

#include <optional>
#include <vector>

#include "core/result.h"
#include "org/ids.h"
#include "org/people.h"
#include "org/roles.h"
#include "store/database.h"

namespace koban::org {

Result<std::optional<Person>> unit_head(store::Session& s, UnitId unit);
Result<std::optional<Person>> pr_lead(store::Session& s, UnitId unit);
// Duty officers of the desk covering the unit (duty_desk_for in units.h): for a station its
// own desk, for an HQ division the HQ duty desk. With a purpose, only grants for it count.
Result<std::vector<Person>> duty_officers(store::Session& s, UnitId unit,
                                          std::optional<Purpose> purpose = std::nullopt);

}  // namespace koban::org
