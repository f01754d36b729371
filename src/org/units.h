// Units of the force in one tree: HQ divisions (本部の課), police stations (警察署), duty desks
// and other units (学校, 隊, the force itself as the root).
//
// Duty desks are units of kind duty_desk whose parent is the unit they stand for: one under
// each station (当直) and the HQ duty desk (本部総合当直) under the root. A duty_officer grant
// is given on the desk, and permissions.h treats it as covering the desk's parent and all
// its descendants (outside office hours the desk acts for that unit).
//
//   KOBAN_ASSIGN(UnitId hq, create_unit(s, {.kind = UnitKind::other, .code = "pref",
//                                           .name = "サンプル県警察"}));
//   KOBAN_ASSIGN(UnitId chuo, create_unit(s, {.parent_id = hq, .kind = UnitKind::station,
//                                             .code = "chuo", .name = "中央警察署",
//                                             .jurisdiction = "中央市"}));
//   KOBAN_ASSIGN(auto ids, descendants(s, hq));      // hq, chuo, ... (hq first)
//
// Units are never deleted (people and history point at them); set_unit_active(false) retires
// one. All functions run inside the caller's store session (read or write).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "org/ids.h"
#include "store/database.h"

namespace koban::org {

enum class UnitKind { hq_division, station, duty_desk, other };
const char* to_string(UnitKind k);               // "hq_division" ... (stored in units.kind)
const char* label(UnitKind k);                   // "本部の課", "警察署", "当直", "その他"
std::optional<UnitKind> parse_unit_kind(std::string_view s);

struct Unit {
  UnitId id = 0;
  std::optional<UnitId> parent_id;  // nullopt only for roots
  UnitKind kind = UnitKind::other;
  std::string code;                 // short ASCII key: "koho", "chuo", "chuo-duty"
  std::string name;                 // 広報課, 中央警察署
  std::optional<PersonId> head;     // 所属長 (運用管理者)
  std::optional<PersonId> pr_lead;  // 広報活動責任者 (次席/副署長/次長)
  std::string phone, address;
  std::string jurisdiction;         // stations: the area name alerts use ("中央市全域")
  int sort_order = 0;
  bool active = true;
};

struct NewUnit {
  std::optional<UnitId> parent_id{};
  UnitKind kind = UnitKind::other;
  std::string code{};
  std::string name{};
  std::string phone{};
  std::string address{};
  std::string jurisdiction{};  // required for stations, refused for other kinds
  int sort_order = 0;
};

// Validates and inserts. A duty desk needs a parent; codes are unique (conflict).
Result<UnitId> create_unit(store::Session& s, const NewUnit& u);
Result<Unit> get_unit(store::Session& s, UnitId id);
Result<std::optional<Unit>> find_unit_by_code(store::Session& s, std::string_view code);
// Every unit (active or not), by sort_order then id.
Result<std::vector<Unit>> list_units(store::Session& s);
Result<std::vector<Unit>> child_units(store::Session& s, UnitId parent);
// The unit and everything below it, the unit first; not_found if the unit does not exist.
Result<std::vector<UnitId>> descendants(store::Session& s, UnitId id);
// The unit, its parent, ... up to the root.
Result<std::vector<UnitId>> ancestors(store::Session& s, UnitId id);
// True when `unit` is `scope` or lies below it.
Result<bool> is_within(store::Session& s, UnitId unit, UnitId scope);

// The head and PR lead must be people who are not retired; nullopt clears.
Result<void> set_unit_head(store::Session& s, UnitId unit, std::optional<PersonId> person);
Result<void> set_pr_lead(store::Session& s, UnitId unit, std::optional<PersonId> person);
Result<void> set_unit_contact(store::Session& s, UnitId unit, std::string phone, std::string address);
Result<void> set_unit_active(store::Session& s, UnitId unit, bool active);

// The duty desk covering a unit: the unit itself if it is a desk, else the nearest desk that
// is a child of the unit or of one of its ancestors (an HQ division → 本部総合当直).
Result<std::optional<UnitId>> duty_desk_for(store::Session& s, UnitId unit);

}  // namespace koban::org
