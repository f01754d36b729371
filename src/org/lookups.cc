#include "org/lookups.h"

#include "org/units.h"

namespace koban::org {
namespace {

Result<std::optional<Person>> active_or_none(store::Session& s, std::optional<PersonId> id) {
  if (!id) return std::optional<Person>{};
  KOBAN_ASSIGN(auto p, get_person(s, *id));
  if (p.status != PersonStatus::active) return std::optional<Person>{};
  return std::optional<Person>{std::move(p)};
}

}  // namespace

Result<std::optional<Person>> unit_head(store::Session& s, UnitId unit) {
  KOBAN_ASSIGN(auto u, get_unit(s, unit));
  return active_or_none(s, u.head);
}

Result<std::optional<Person>> pr_lead(store::Session& s, UnitId unit) {
  KOBAN_ASSIGN(auto u, get_unit(s, unit));
  return active_or_none(s, u.pr_lead);
}

Result<std::vector<Person>> duty_officers(store::Session& s, UnitId unit, std::optional<Purpose> purpose) {
  std::vector<Person> out;
  KOBAN_ASSIGN(auto desk, duty_desk_for(s, unit));
  if (!desk) return out;
  KOBAN_ASSIGN(auto ids, holders(s, Role::duty_officer, purpose, *desk));
  for (auto id : ids) {
    KOBAN_ASSIGN(auto p, active_or_none(s, id));
    if (p) out.push_back(std::move(*p));
  }
  return out;
}

}  // namespace koban::org
