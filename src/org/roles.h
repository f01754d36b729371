// Roles per purpose and per unit (ORG-2, ORG-3). A grant says: this person holds this role for
// this purpose, over this unit and everything below it (unit nullopt = the whole force).
// Grants are revoked, never deleted, so that "who could do what on that day" stays answerable.
// What each role may do is in permission_table.cc; checks are in permissions.h.
//
//   KOBAN_ASSIGN(GrantId g, grant_role(s, {.person = p, .purpose = Purpose::alerts,
//                                          .role = Role::unit_manager, .unit = chuo,
//                                          .granted_by = admin}, now));
//   KOBAN_TRY(revoke_grant(s, g, admin, now));
//   label(Role::duty_officer)  → "当直責任者"
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "org/ids.h"
#include "store/database.h"

namespace koban::org {

enum class Purpose { website, alerts, procedures, mailbox, social, administration };
inline constexpr std::array<Purpose, 6> kAllPurposes = {
    Purpose::website, Purpose::alerts, Purpose::procedures,
    Purpose::mailbox, Purpose::social, Purpose::administration};
const char* to_string(Purpose p);  // "website" ... (stored in role_grants.purpose)
const char* label(Purpose p);      // "ホームページ", "安全安心メール" ...
std::optional<Purpose> parse_purpose(std::string_view s);

enum class Role {
  overall_manager,  // 総括運用責任者
  system_admin,     // システム管理者
  business_owner,   // 業務主管課長
  unit_manager,     // 運用管理者 (the unit head)
  assistant,        // 運用副管理者・補助者 (PR lead, 情報配信補助者, 運用管理補助者)
  duty_officer,     // 当直責任者 (granted on a duty desk unit)
  staff,            // 担当者
};
inline constexpr std::array<Role, 7> kAllRoles = {
    Role::overall_manager, Role::system_admin, Role::business_owner, Role::unit_manager,
    Role::assistant,       Role::duty_officer, Role::staff};
const char* to_string(Role r);
const char* label(Role r);
std::optional<Role> parse_role(std::string_view s);

struct Grant {
  GrantId id = 0;
  PersonId person = 0;
  Purpose purpose = Purpose::website;
  Role role = Role::staff;
  std::optional<UnitId> unit;  // nullopt = whole force
  Instant granted_at{};
  std::optional<PersonId> granted_by;
  std::optional<Instant> revoked_at;
  std::optional<PersonId> revoked_by;
};

struct NewGrant {
  PersonId person = 0;
  Purpose purpose = Purpose::website;
  Role role = Role::staff;
  std::optional<UnitId> unit{};
  std::optional<PersonId> granted_by{};
};

// Refuses retired people, unknown or inactive units, and an identical grant still in force
// (conflict). Duty officers are granted on a duty desk, and only there.
Result<GrantId> grant_role(store::Session& s, const NewGrant& g, Instant now);
Result<void> revoke_grant(store::Session& s, GrantId id, std::optional<PersonId> by, Instant now);
// Grants in force for a person, by id.
Result<std::vector<Grant>> active_grants(store::Session& s, PersonId person);
// Every grant the person ever held, revoked ones included, by id.
Result<std::vector<Grant>> grant_history(store::Session& s, PersonId person);
// People holding `role` for `purpose` (any purpose when nullopt) granted exactly on `unit`.
Result<std::vector<PersonId>> holders(store::Session& s, Role role, std::optional<Purpose> purpose,
                                      std::optional<UnitId> unit);

}  // namespace koban::org
