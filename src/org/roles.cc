#include "org/roles.h"

namespace koban::org {
namespace {

constexpr const char* kColumns =
    "id, person_id, purpose, role, unit_id, granted_at, granted_by, revoked_at, revoked_by";

Grant grant_from(const store::Row& r) {
  Grant g;
  g.id = r.int64(0);
  g.person = r.int64(1);
  g.purpose = parse_purpose(r.text(2)).value_or(Purpose::website);
  g.role = parse_role(r.text(3)).value_or(Role::staff);
  g.unit = r.opt_int64(4);
  g.granted_at = from_unix(r.int64(5));
  g.granted_by = r.opt_int64(6);
  if (auto t = r.opt_int64(7)) g.revoked_at = from_unix(*t);
  g.revoked_by = r.opt_int64(8);
  return g;
}

Result<std::vector<Grant>> grants_where(store::Session& s, const char* where, PersonId person) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + " FROM role_grants WHERE " +
                                      where + " ORDER BY id",
                                  person));
  std::vector<Grant> out;
  for (const auto& r : rows) {
    // A row this program cannot read (written by a newer version) is skipped, never widened.
    if (!parse_purpose(r.text(2)) || !parse_role(r.text(3))) continue;
    out.push_back(grant_from(r));
  }
  return out;
}

}  // namespace

const char* to_string(Purpose p) {
  switch (p) {
    case Purpose::website: return "website";
    case Purpose::alerts: return "alerts";
    case Purpose::procedures: return "procedures";
    case Purpose::mailbox: return "mailbox";
    case Purpose::social: return "social";
    case Purpose::administration: return "administration";
  }
  return "website";
}

const char* label(Purpose p) {
  switch (p) {
    case Purpose::website: return "ホームページ";
    case Purpose::alerts: return "安全安心メール";
    case Purpose::procedures: return "電子申請";
    case Purpose::mailbox: return "メールボックス";
    case Purpose::social: return "公式SNS";
    case Purpose::administration: return "システム運用管理";
  }
  return "";
}

std::optional<Purpose> parse_purpose(std::string_view s) {
  for (auto p : kAllPurposes)
    if (s == to_string(p)) return p;
  return std::nullopt;
}

const char* to_string(Role r) {
  switch (r) {
    case Role::overall_manager: return "overall_manager";
    case Role::system_admin: return "system_admin";
    case Role::business_owner: return "business_owner";
    case Role::unit_manager: return "unit_manager";
    case Role::assistant: return "assistant";
    case Role::duty_officer: return "duty_officer";
    case Role::staff: return "staff";
  }
  return "staff";
}

const char* label(Role r) {
  switch (r) {
    case Role::overall_manager: return "総括運用責任者";
    case Role::system_admin: return "システム管理者";
    case Role::business_owner: return "業務主管課長";
    case Role::unit_manager: return "運用管理者";
    case Role::assistant: return "運用副管理者・補助者";
    case Role::duty_officer: return "当直責任者";
    case Role::staff: return "担当者";
  }
  return "";
}

std::optional<Role> parse_role(std::string_view s) {
  for (auto r : kAllRoles)
    if (s == to_string(r)) return r;
  return std::nullopt;
}

Result<GrantId> grant_role(store::Session& s, const NewGrant& g, Instant now) {
  KOBAN_ASSIGN(auto person, s.query("SELECT status FROM people WHERE id = ?", g.person));
  if (person.empty()) return Error::not_found("指定された職員が見つかりません。");
  if (person[0].text(0) == "retired") return Error::invalid("退職した職員には権限を付与できません。");
  if (g.unit) {
    KOBAN_ASSIGN(auto unit, s.query("SELECT kind, active FROM units WHERE id = ?", *g.unit));
    if (unit.empty()) return Error::not_found("指定された所属が見つかりません。");
    if (unit[0].int64(1) == 0) return Error::invalid("廃止された所属の権限は付与できません。");
    bool desk = unit[0].text(0) == "duty_desk";
    if (g.role == Role::duty_officer && !desk)
      return Error::invalid("当直責任者の権限は当直（所属区分「当直」）に付与してください。");
    if (g.role != Role::duty_officer && desk)
      return Error::invalid("当直に付与できるのは当直責任者の権限だけです。");
  } else if (g.role == Role::duty_officer) {
    return Error::invalid("当直責任者の権限は当直（所属区分「当直」）に付与してください。");
  }
  KOBAN_ASSIGN(auto dup, s.query("SELECT 1 FROM role_grants WHERE person_id = ? AND purpose = ? AND role = ?"
                                 " AND ((unit_id IS NULL AND ? = 1) OR unit_id = ?) AND revoked_at IS NULL",
                                 g.person, to_string(g.purpose), to_string(g.role), !g.unit.has_value(),
                                 g.unit));
  if (!dup.empty()) return Error::conflict("同じ権限が既に付与されています。");
  KOBAN_ASSIGN(auto rows, s.query("INSERT INTO role_grants (person_id, purpose, role, unit_id, granted_at,"
                                  " granted_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                  g.person, to_string(g.purpose), to_string(g.role), g.unit,
                                  to_unix(now), g.granted_by));
  return rows.at(0).int64(0);
}

Result<void> revoke_grant(store::Session& s, GrantId id, std::optional<PersonId> by, Instant now) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT revoked_at FROM role_grants WHERE id = ?", id));
  if (rows.empty()) return Error::not_found("指定された権限が見つかりません。");
  if (!rows[0].is_null(0)) return Error::conflict("この権限は既に取り消されています。");
  KOBAN_TRY(s.exec("UPDATE role_grants SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
                   to_unix(now), by, id));
  return ok();
}

Result<std::vector<Grant>> active_grants(store::Session& s, PersonId person) {
  return grants_where(s, "person_id = ? AND revoked_at IS NULL", person);
}

Result<std::vector<Grant>> grant_history(store::Session& s, PersonId person) {
  return grants_where(s, "person_id = ?", person);
}

Result<std::vector<PersonId>> holders(store::Session& s, Role role, std::optional<Purpose> purpose,
                                      std::optional<UnitId> unit) {
  KOBAN_ASSIGN(auto rows,
               s.query("SELECT DISTINCT person_id FROM role_grants WHERE role = ? AND revoked_at IS NULL"
                       " AND (? = 1 OR purpose = ?) AND ((unit_id IS NULL AND ? = 1) OR unit_id = ?)"
                       " ORDER BY person_id",
                       to_string(role), !purpose.has_value(),
                       purpose ? to_string(*purpose) : "", !unit.has_value(), unit));
  std::vector<PersonId> out;
  for (const auto& r : rows) out.push_back(r.int64(0));
  return out;
}

}  // namespace koban::org
