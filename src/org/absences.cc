#include "org/absences.h"

#include "org/field_checks.h"

namespace koban::org {

Result<AbsenceId> add_absence(store::Session& s, PersonId person, Instant from, Instant to,
                              std::string reason, Instant now) {
  if (!(from < to)) return Error::invalid("不在期間の終了は開始より後にしてください。");
  if (to - from > std::chrono::days{366}) return Error::invalid("不在期間は1年以内で入力してください。");
  KOBAN_TRY(check_text("不在の理由", reason, 0, 200));
  KOBAN_ASSIGN(auto rows, s.query("SELECT status FROM people WHERE id = ?", person));
  if (rows.empty()) return Error::not_found("指定された職員が見つかりません。");
  if (rows[0].text(0) == "retired") return Error::invalid("退職した職員の不在は登録できません。");
  KOBAN_ASSIGN(auto ins, s.query("INSERT INTO absences (person_id, starts_at, ends_at, reason, created_at)"
                                 " VALUES (?, ?, ?, ?, ?) RETURNING id",
                                 person, to_unix(from), to_unix(to), reason, to_unix(now)));
  return ins.at(0).int64(0);
}

Result<void> cancel_absence(store::Session& s, AbsenceId id, Instant now) {
  KOBAN_ASSIGN(auto n, s.exec("UPDATE absences SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
                              to_unix(now), id));
  if (n == 0) return Error::not_found("取り消せる不在の登録が見つかりません。");
  return ok();
}

Result<bool> is_away(store::Session& s, PersonId person, Instant at) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT 1 FROM absences WHERE person_id = ? AND cancelled_at IS NULL"
                                  " AND starts_at <= ? AND ends_at > ? LIMIT 1",
                                  person, to_unix(at), to_unix(at)));
  return !rows.empty();
}

Result<std::vector<Absence>> absences_between(store::Session& s, PersonId person, Instant from, Instant to) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT id, person_id, starts_at, ends_at, reason, created_at, cancelled_at"
                                  " FROM absences WHERE person_id = ? AND cancelled_at IS NULL"
                                  " AND starts_at < ? AND ends_at > ? ORDER BY starts_at, id LIMIT 1000",
                                  person, to_unix(to), to_unix(from)));
  std::vector<Absence> out;
  for (const auto& r : rows) {
    Absence a;
    a.id = r.int64(0);
    a.person = r.int64(1);
    a.from = from_unix(r.int64(2));
    a.to = from_unix(r.int64(3));
    a.reason = r.text(4);
    a.created_at = from_unix(r.int64(5));
    if (auto t = r.opt_int64(6)) a.cancelled_at = from_unix(*t);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace koban::org
