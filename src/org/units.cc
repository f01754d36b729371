#include "org/units.h"

#include "org/field_checks.h"

namespace koban::org {
namespace {

constexpr const char* kColumns =
    "id, parent_id, kind, code, name, head_person_id, pr_lead_person_id, phone, address,"
    " jurisdiction, sort_order, active";

Unit unit_from(const store::Row& r) {
  Unit u;
  u.id = r.int64(0);
  u.parent_id = r.opt_int64(1);
  u.kind = parse_unit_kind(r.text(2)).value_or(UnitKind::other);
  u.code = r.text(3);
  u.name = r.text(4);
  u.head = r.opt_int64(5);
  u.pr_lead = r.opt_int64(6);
  u.phone = r.text(7);
  u.address = r.text(8);
  u.jurisdiction = r.text(9);
  u.sort_order = static_cast<int>(r.int64(10));
  u.active = r.int64(11) != 0;
  return u;
}

Error unit_not_found() { return Error::not_found("指定された所属が見つかりません。"); }

// The people a unit may point at as head or PR lead: existing and not retired.
Result<void> check_assignable(store::Session& s, PersonId p) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT status FROM people WHERE id = ?", p));
  if (rows.empty()) return Error::not_found("指定された職員が見つかりません。");
  if (rows[0].text(0) == "retired") return Error::invalid("退職した職員は指定できません。");
  return ok();
}

Result<void> set_person_column(store::Session& s, const char* sql, UnitId unit,
                               std::optional<PersonId> person) {
  if (person) KOBAN_TRY(check_assignable(s, *person));
  KOBAN_ASSIGN(auto n, s.exec(sql, person, unit));
  if (n == 0) return unit_not_found();
  return ok();
}

}  // namespace

const char* to_string(UnitKind k) {
  switch (k) {
    case UnitKind::hq_division: return "hq_division";
    case UnitKind::station: return "station";
    case UnitKind::duty_desk: return "duty_desk";
    case UnitKind::other: return "other";
  }
  return "other";
}

const char* label(UnitKind k) {
  switch (k) {
    case UnitKind::hq_division: return "本部の課";
    case UnitKind::station: return "警察署";
    case UnitKind::duty_desk: return "当直";
    case UnitKind::other: return "その他";
  }
  return "その他";
}

std::optional<UnitKind> parse_unit_kind(std::string_view s) {
  for (auto k : {UnitKind::hq_division, UnitKind::station, UnitKind::duty_desk, UnitKind::other})
    if (s == to_string(k)) return k;
  return std::nullopt;
}

Result<UnitId> create_unit(store::Session& s, const NewUnit& u) {
  KOBAN_TRY(check_ascii_code("所属コード", u.code, 2, 32, true));
  KOBAN_TRY(check_text("所属名", u.name, 1, 100));
  KOBAN_TRY(check_text("電話番号", u.phone, 0, 40));
  KOBAN_TRY(check_text("所在地", u.address, 0, 200));
  KOBAN_TRY(check_text("管轄区域", u.jurisdiction, 0, 200));
  if (u.kind == UnitKind::station && u.jurisdiction.empty())
    return Error::invalid("警察署には管轄区域を入力してください。");
  if (u.kind != UnitKind::station && !u.jurisdiction.empty())
    return Error::invalid("管轄区域は警察署にだけ設定できます。");
  if (u.kind == UnitKind::duty_desk && !u.parent_id)
    return Error::invalid("当直には上位の所属を指定してください。");
  if (u.parent_id) {
    KOBAN_ASSIGN(auto parent, s.query("SELECT kind FROM units WHERE id = ?", *u.parent_id));
    if (parent.empty()) return Error::not_found("上位の所属が見つかりません。");
    if (parent[0].text(0) == "duty_desk") return Error::invalid("当直の下に所属は作れません。");
  }
  KOBAN_ASSIGN(auto dup, s.query("SELECT 1 FROM units WHERE code = ?", u.code));
  if (!dup.empty()) return Error::conflict("所属コード「" + u.code + "」は既に使われています。");
  KOBAN_ASSIGN(auto rows,
               s.query("INSERT INTO units (parent_id, kind, code, name, phone, address, jurisdiction,"
                       " sort_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       u.parent_id, to_string(u.kind), u.code, u.name, u.phone, u.address,
                       u.jurisdiction, u.sort_order));
  return rows.at(0).int64(0);
}

Result<Unit> get_unit(store::Session& s, UnitId id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + " FROM units WHERE id = ?", id));
  if (rows.empty()) return unit_not_found();
  return unit_from(rows[0]);
}

Result<std::optional<Unit>> find_unit_by_code(store::Session& s, std::string_view code) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + " FROM units WHERE code = ?", code));
  if (rows.empty()) return std::optional<Unit>{};
  return std::optional<Unit>{unit_from(rows[0])};
}

Result<std::vector<Unit>> list_units(store::Session& s) {
  KOBAN_ASSIGN(auto rows,
               s.query(std::string("SELECT ") + kColumns + " FROM units ORDER BY sort_order, id"));
  std::vector<Unit> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(unit_from(r));
  return out;
}

Result<std::vector<Unit>> child_units(store::Session& s, UnitId parent) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns +
                                      " FROM units WHERE parent_id = ? ORDER BY sort_order, id",
                                  parent));
  std::vector<Unit> out;
  for (const auto& r : rows) out.push_back(unit_from(r));
  return out;
}

Result<std::vector<UnitId>> descendants(store::Session& s, UnitId id) {
  // UNION (not UNION ALL) stops on a cycle, should one ever be written by hand.
  KOBAN_ASSIGN(auto rows, s.query("WITH RECURSIVE sub(id, depth) AS ("
                                  " SELECT id, 0 FROM units WHERE id = ?"
                                  " UNION SELECT u.id, sub.depth + 1 FROM units u"
                                  "  JOIN sub ON u.parent_id = sub.id WHERE sub.depth < 64)"
                                  " SELECT id FROM sub GROUP BY id ORDER BY MIN(depth), id",
                                  id));
  if (rows.empty()) return unit_not_found();
  std::vector<UnitId> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r.int64(0));
  return out;
}

Result<std::vector<UnitId>> ancestors(store::Session& s, UnitId id) {
  KOBAN_ASSIGN(auto rows, s.query("WITH RECURSIVE up(id, parent_id, depth) AS ("
                                  " SELECT id, parent_id, 0 FROM units WHERE id = ?"
                                  " UNION SELECT u.id, u.parent_id, up.depth + 1 FROM units u"
                                  "  JOIN up ON u.id = up.parent_id WHERE up.depth < 64)"
                                  " SELECT id FROM up ORDER BY depth",
                                  id));
  if (rows.empty()) return unit_not_found();
  std::vector<UnitId> out;
  for (const auto& r : rows) out.push_back(r.int64(0));
  return out;
}

Result<bool> is_within(store::Session& s, UnitId unit, UnitId scope) {
  KOBAN_ASSIGN(auto up, ancestors(s, unit));
  for (auto id : up)
    if (id == scope) return true;
  return false;
}

Result<void> set_unit_head(store::Session& s, UnitId unit, std::optional<PersonId> person) {
  return set_person_column(s, "UPDATE units SET head_person_id = ? WHERE id = ?", unit, person);
}

Result<void> set_pr_lead(store::Session& s, UnitId unit, std::optional<PersonId> person) {
  return set_person_column(s, "UPDATE units SET pr_lead_person_id = ? WHERE id = ?", unit, person);
}

Result<void> set_unit_contact(store::Session& s, UnitId unit, std::string phone, std::string address) {
  KOBAN_TRY(check_text("電話番号", phone, 0, 40));
  KOBAN_TRY(check_text("所在地", address, 0, 200));
  KOBAN_ASSIGN(auto n, s.exec("UPDATE units SET phone = ?, address = ? WHERE id = ?", phone, address, unit));
  if (n == 0) return unit_not_found();
  return ok();
}

Result<void> set_unit_active(store::Session& s, UnitId unit, bool active) {
  KOBAN_ASSIGN(auto n, s.exec("UPDATE units SET active = ? WHERE id = ?", active, unit));
  if (n == 0) return unit_not_found();
  return ok();
}

Result<std::optional<UnitId>> duty_desk_for(store::Session& s, UnitId unit) {
  KOBAN_ASSIGN(auto up, ancestors(s, unit));
  for (auto id : up) {
    KOBAN_ASSIGN(auto rows, s.query("SELECT id, kind FROM units WHERE (id = ? AND kind = 'duty_desk')"
                                    " OR (parent_id = ? AND kind = 'duty_desk' AND active = 1)"
                                    " ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END, sort_order, id",
                                    id, id, id));
    if (!rows.empty()) return std::optional<UnitId>{rows[0].int64(0)};
  }
  return std::optional<UnitId>{};
}

}  // namespace koban::org
