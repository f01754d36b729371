#include "org/people.h"

#include <initializer_list>

#include "org/field_checks.h"

namespace koban::org {
namespace {

constexpr const char* kColumns =
    "id, login_name, display_name, kana, unit_id, title, email, status, created_at,"
    " status_changed_at, retired_at";

Person person_from(const store::Row& r) {
  Person p;
  p.id = r.int64(0);
  p.login_name = r.text(1);
  p.display_name = r.text(2);
  p.kana = r.text(3);
  p.unit_id = r.int64(4);
  p.title = r.text(5);
  p.email = r.text(6);
  p.status = parse_person_status(r.text(7)).value_or(PersonStatus::suspended);
  p.created_at = from_unix(r.int64(8));
  p.status_changed_at = from_unix(r.int64(9));
  if (auto t = r.opt_int64(10)) p.retired_at = from_unix(*t);
  return p;
}

Error person_not_found() { return Error::not_found("指定された職員が見つかりません。"); }

Result<void> check_unit_usable(store::Session& s, UnitId unit) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT active FROM units WHERE id = ?", unit));
  if (rows.empty()) return Error::not_found("指定された所属が見つかりません。");
  if (rows[0].int64(0) == 0) return Error::invalid("廃止された所属には配置できません。");
  return ok();
}

// Moves a person from one of `from` to `to`; the message says why a move is impossible.
Result<void> change_status(store::Session& s, PersonId id, std::initializer_list<PersonStatus> from,
                           PersonStatus to, Instant now) {
  KOBAN_ASSIGN(auto person, get_person(s, id));
  bool allowed = false;
  for (auto f : from) allowed = allowed || person.status == f;
  if (!allowed) {
    if (person.status == to)
      return Error::conflict("この職員は既に「" + std::string(label(to)) + "」です。");
    return Error::conflict("「" + std::string(label(person.status)) + "」の職員を「" +
                           std::string(label(to)) + "」にはできません。");
  }
  // The WHERE on the old status makes a concurrent change lose instead of being overwritten.
  KOBAN_ASSIGN(auto n, s.exec("UPDATE people SET status = ?, status_changed_at = ?,"
                              " retired_at = COALESCE(?, retired_at) WHERE id = ? AND status = ?",
                              to_string(to), to_unix(now),
                              to == PersonStatus::retired ? std::optional<std::int64_t>(to_unix(now))
                                                          : std::nullopt,
                              id,
                              to_string(person.status)));
  if (n == 0) return Error::conflict("職員の状態が同時に変更されました。もう一度操作してください。");
  return ok();
}

}  // namespace

const char* to_string(PersonStatus s) {
  switch (s) {
    case PersonStatus::active: return "active";
    case PersonStatus::suspended: return "suspended";
    case PersonStatus::restricted: return "restricted";
    case PersonStatus::retired: return "retired";
  }
  return "suspended";
}

const char* label(PersonStatus s) {
  switch (s) {
    case PersonStatus::active: return "在職";
    case PersonStatus::suspended: return "利用停止";
    case PersonStatus::restricted: return "権限制限";
    case PersonStatus::retired: return "退職";
  }
  return "利用停止";
}

std::optional<PersonStatus> parse_person_status(std::string_view s) {
  for (auto st : {PersonStatus::active, PersonStatus::suspended, PersonStatus::restricted,
                  PersonStatus::retired})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

Result<void> validate_login_name(std::string_view login) {
  return check_ascii_code("ログインID", login, 3, 32);
}

Result<void> validate_new_person(const NewPerson& p) {
  KOBAN_TRY(validate_login_name(p.login_name));
  KOBAN_TRY(check_text("氏名", p.display_name, 1, 100));
  KOBAN_TRY(check_text("ふりがな", p.kana, 0, 100));
  KOBAN_TRY(check_text("職名", p.title, 0, 100));
  KOBAN_TRY(check_email(p.email));
  return ok();
}

Result<PersonId> hire(store::Session& s, const NewPerson& p, Instant now) {
  KOBAN_TRY(validate_new_person(p));
  KOBAN_TRY(check_unit_usable(s, p.unit_id));
  KOBAN_ASSIGN(auto dup, s.query("SELECT 1 FROM people WHERE login_name = ?", p.login_name));
  // Retired people keep their login name: reusing it would make old records ambiguous.
  if (!dup.empty()) return Error::conflict("ログインID「" + p.login_name + "」は既に使われています。");
  KOBAN_ASSIGN(auto rows,
               s.query("INSERT INTO people (login_name, display_name, kana, unit_id, title, email,"
                       " status, created_at, status_changed_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)"
                       " RETURNING id",
                       p.login_name, p.display_name, p.kana, p.unit_id, p.title, p.email,
                       to_unix(now), to_unix(now)));
  return rows.at(0).int64(0);
}

Result<void> suspend(store::Session& s, PersonId id, Instant now) {
  return change_status(s, id, {PersonStatus::active, PersonStatus::restricted}, PersonStatus::suspended, now);
}

Result<void> restrict_person(store::Session& s, PersonId id, Instant now) {
  return change_status(s, id, {PersonStatus::active, PersonStatus::suspended}, PersonStatus::restricted, now);
}

Result<void> reinstate(store::Session& s, PersonId id, Instant now) {
  return change_status(s, id, {PersonStatus::suspended, PersonStatus::restricted}, PersonStatus::active, now);
}

Result<void> retire(store::Session& s, PersonId id, Instant now) {
  KOBAN_TRY(change_status(s, id,
                          {PersonStatus::active, PersonStatus::suspended, PersonStatus::restricted},
                          PersonStatus::retired, now));
  // Grants end (kept as history); posts are vacated so that approvals never route to them.
  KOBAN_TRY(s.exec("UPDATE role_grants SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL",
                   to_unix(now), id));
  KOBAN_TRY(s.exec("UPDATE units SET head_person_id = NULL WHERE head_person_id = ?", id));
  KOBAN_TRY(s.exec("UPDATE units SET pr_lead_person_id = NULL WHERE pr_lead_person_id = ?", id));
  return ok();
}

Result<void> transfer(store::Session& s, PersonId id, UnitId unit) {
  KOBAN_ASSIGN(auto person, get_person(s, id));
  if (person.status == PersonStatus::retired) return Error::conflict("退職した職員は異動できません。");
  KOBAN_TRY(check_unit_usable(s, unit));
  KOBAN_TRY(s.exec("UPDATE people SET unit_id = ? WHERE id = ?", unit, id));
  return ok();
}

Result<Person> get_person(store::Session& s, PersonId id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + " FROM people WHERE id = ?", id));
  if (rows.empty()) return person_not_found();
  return person_from(rows[0]);
}

Result<std::optional<Person>> find_person_by_login(store::Session& s, std::string_view login) {
  // Refuse junk before it reaches SQL: a login name that cannot exist is simply not found.
  if (!validate_login_name(login)) return std::optional<Person>{};
  KOBAN_ASSIGN(auto rows,
               s.query(std::string("SELECT ") + kColumns + " FROM people WHERE login_name = ?", login));
  if (rows.empty()) return std::optional<Person>{};
  return std::optional<Person>{person_from(rows[0])};
}

Result<std::vector<Person>> people_in_unit(store::Session& s, UnitId unit, bool include_retired) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns +
                                      " FROM people WHERE unit_id = ? AND (? = 1 OR status <> 'retired')"
                                      " ORDER BY id",
                                  unit, include_retired));
  std::vector<Person> out;
  for (const auto& r : rows) out.push_back(person_from(r));
  return out;
}

}  // namespace koban::org
