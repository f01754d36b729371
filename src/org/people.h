// People: one personal account per member of staff (never one shared ID per unit, ORG-5),
// with a lifecycle instead of deletion (ORG-4): hired → (suspended | restricted) ⇄ active →
// retired. Retired is final; the row stays so that history (audit, approvals) keeps its names.
//
//   KOBAN_ASSIGN(PersonId p, hire(s, {.login_name = "koho.kacho", .display_name = "広報 一郎",
//                                     .unit_id = koho}, clock.now()));
//   KOBAN_TRY(suspend(s, p, clock.now()));      // can do nothing (permissions.h)
//   KOBAN_TRY(reinstate(s, p, clock.now()));
//   KOBAN_TRY(retire(s, p, clock.now()));       // also revokes grants, clears head/PR-lead posts
//
// Every check fails with a Japanese message fit to show on the form (invalid_argument,
// conflict for a taken login name or an impossible transition, not_found).
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

enum class PersonStatus { active, suspended, restricted, retired };
const char* to_string(PersonStatus s);  // stored in people.status
const char* label(PersonStatus s);      // 在職, 利用停止, 権限制限, 退職
std::optional<PersonStatus> parse_person_status(std::string_view s);

struct Person {
  PersonId id = 0;
  std::string login_name;
  std::string display_name;
  std::string kana;
  UnitId unit_id = 0;
  std::string title;  // 職名: 課長, 副署長 ...
  std::string email;
  PersonStatus status = PersonStatus::active;
  Instant created_at{};
  Instant status_changed_at{};
  std::optional<Instant> retired_at;
};

struct NewPerson {
  std::string login_name{};
  std::string display_name{};
  std::string kana{};
  UnitId unit_id = 0;
  std::string title{};
  std::string email{};
};

// Lower-case ASCII letters, digits, '.', '-'; 3 to 32 characters.
Result<void> validate_login_name(std::string_view login);
Result<void> validate_new_person(const NewPerson& p);

Result<PersonId> hire(store::Session& s, const NewPerson& p, Instant now);
Result<void> suspend(store::Session& s, PersonId id, Instant now);    // active|restricted → suspended
Result<void> restrict_person(store::Session& s, PersonId id, Instant now);  // active|suspended → restricted
Result<void> reinstate(store::Session& s, PersonId id, Instant now);  // suspended|restricted → active
Result<void> retire(store::Session& s, PersonId id, Instant now);     // any but retired → retired
// 異動: moves a person who is not retired to another active unit (grants are left as they are).
Result<void> transfer(store::Session& s, PersonId id, UnitId unit);

Result<Person> get_person(store::Session& s, PersonId id);
Result<std::optional<Person>> find_person_by_login(store::Session& s, std::string_view login);
// The unit's people (not below it), by id; retired ones only when asked.
Result<std::vector<Person>> people_in_unit(store::Session& s, UnitId unit, bool include_retired = false);

}  // namespace koban::org
