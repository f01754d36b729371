// Permission checks, made on the server for every request (ORG-6). Load the Actor once per
// request (one person row, their grants, and the units each grant covers), then ask:
//
//   KOBAN_ASSIGN(auto actor, load_actor(s, session.person_id));
//   KOBAN_TRY(require(actor, Purpose::alerts, Action::approve, draft.unit_id));
//   if (can(actor, Purpose::website, Action::publish, std::nullopt)) ...  // force-wide object
//
// Rules:
// - suspended and retired people can do nothing; restricted people can only view;
// - otherwise an action is allowed when some grant for that purpose has a role whose row in
//   permission_table.cc allows it, and the grant covers the unit: a whole-force grant covers
//   every unit and force-wide objects (unit nullopt); a unit grant covers the unit and its
//   descendants; a grant on a duty desk covers the desk's parent and its descendants.
// - inactive units are still covered (their records stay readable by their managers).
// Time-of-day rules (duty hours, absences) are the approval engine's business, not can()'s.
#pragma once

#include <optional>
#include <vector>

#include "core/result.h"
#include "org/ids.h"
#include "org/people.h"
#include "org/permission_table.h"
#include "org/roles.h"
#include "store/database.h"

namespace koban::org {

struct ScopedGrant {
  Purpose purpose = Purpose::website;
  Role role = Role::staff;
  std::optional<UnitId> unit;  // as granted; nullopt = whole force
  std::vector<UnitId> covers;  // sorted unit ids this grant reaches (empty for whole force)
};

struct Actor {
  PersonId person = 0;
  std::string login_name;
  std::string display_name;
  UnitId unit = 0;  // the person's own unit
  PersonStatus status = PersonStatus::suspended;
  std::vector<ScopedGrant> grants;
};

// not_found when the person does not exist. Loading works for any status: can() refuses.
Result<Actor> load_actor(store::Session& s, PersonId person);

bool can(const Actor& actor, Purpose purpose, Action action, std::optional<UnitId> unit);
// permission_denied with a Japanese message saying what was refused.
Result<void> require(const Actor& actor, Purpose purpose, Action action, std::optional<UnitId> unit);

// Units on which the actor may do `action` for `purpose` (to filter lists): nullopt means every
// unit (a whole-force grant), otherwise the sorted ids.
std::optional<std::vector<UnitId>> units_where_allowed(const Actor& actor, Purpose purpose, Action action);

}  // namespace koban::org
