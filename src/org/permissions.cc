#include "org/permissions.h"

#include <algorithm>
#include <map>

#include "org/units.h"

namespace koban::org {
namespace {

bool status_allows(PersonStatus st, Action action) {
  switch (st) {
    case PersonStatus::active: return true;
    case PersonStatus::restricted: return action == Action::view;
    case PersonStatus::suspended:
    case PersonStatus::retired: return false;
  }
  return false;
}

bool grant_covers(const ScopedGrant& g, std::optional<UnitId> unit) {
  if (!g.unit) return true;
  if (!unit) return false;  // a unit grant never reaches force-wide objects
  return std::binary_search(g.covers.begin(), g.covers.end(), *unit);
}

}  // namespace

Result<Actor> load_actor(store::Session& s, PersonId person) {
  KOBAN_ASSIGN(auto p, get_person(s, person));
  Actor a;
  a.person = p.id;
  a.login_name = p.login_name;
  a.display_name = p.display_name;
  a.unit = p.unit_id;
  a.status = p.status;
  if (p.status == PersonStatus::retired || p.status == PersonStatus::suspended) return a;
  KOBAN_ASSIGN(auto grants, active_grants(s, person));
  std::map<UnitId, std::vector<UnitId>> cache;  // one tree walk per distinct granted unit
  for (const auto& g : grants) {
    ScopedGrant sg{g.purpose, g.role, g.unit, {}};
    if (g.unit) {
      auto it = cache.find(*g.unit);
      if (it == cache.end()) {
        KOBAN_ASSIGN(auto unit, get_unit(s, *g.unit));
        UnitId root = unit.kind == UnitKind::duty_desk && unit.parent_id ? *unit.parent_id : unit.id;
        KOBAN_ASSIGN(auto ids, descendants(s, root));
        std::sort(ids.begin(), ids.end());
        it = cache.emplace(*g.unit, std::move(ids)).first;
      }
      sg.covers = it->second;
    }
    a.grants.push_back(std::move(sg));
  }
  return a;
}

bool can(const Actor& actor, Purpose purpose, Action action, std::optional<UnitId> unit) {
  if (!status_allows(actor.status, action)) return false;
  for (const auto& g : actor.grants)
    if (g.purpose == purpose && role_allows(g.role, action) && grant_covers(g, unit)) return true;
  return false;
}

Result<void> require(const Actor& actor, Purpose purpose, Action action, std::optional<UnitId> unit) {
  if (can(actor, purpose, action, unit)) return ok();
  switch (actor.status) {
    case PersonStatus::suspended:
      return Error::denied("このアカウントは利用停止中のため操作できません。");
    case PersonStatus::retired:
      return Error::denied("このアカウントは退職済みのため操作できません。");
    case PersonStatus::restricted:
      if (action != Action::view)
        return Error::denied("このアカウントは権限が制限されているため、閲覧以外の操作はできません。");
      break;
    case PersonStatus::active: break;
  }
  return Error::denied(std::string(label(purpose)) + "の「" + label(action) +
                       "」を行う権限がありません。");
}

std::optional<std::vector<UnitId>> units_where_allowed(const Actor& actor, Purpose purpose, Action action) {
  std::vector<UnitId> out;
  if (!status_allows(actor.status, action)) return out;
  for (const auto& g : actor.grants) {
    if (g.purpose != purpose || !role_allows(g.role, action)) continue;
    if (!g.unit) return std::nullopt;
    out.insert(out.end(), g.covers.begin(), g.covers.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace koban::org
