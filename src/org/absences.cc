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

namespace {

constexpr const char* kColumns = "a.id, a.person_id, a.starts_at, a.ends_at, a.reason, a.created_at, a.cancelled_at";

Absence absence_from_row(const store::Row& r) {
  Absence a;
  a.id = r.int64(0);
  a.person = r.int64(1);
  a.from = from_unix(r.int64(2));
  a.to = from_unix(r.int64(3));
  a.reason = r.text(4);
  a.created_at = from_unix(r.int64(5));
  if (auto t = r.opt_int64(6)) a.cancelled_at = from_unix(*t);
  return a;
}

}  // namespace

Result<std::vector<Absence>> absences_between(store::Session& s, PersonId person, Instant from, Instant to) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns +
                                      " FROM absences a WHERE a.person_id = ? AND a.cancelled_at IS NULL"
                                      " AND a.starts_at < ? AND a.ends_at > ? ORDER BY a.starts_at, a.id LIMIT 1000",
                                  person, to_unix(to), to_unix(from)));
  std::vector<Absence> out;
  for (const auto& r : rows) out.push_back(absence_from_row(r));
  return out;
}

Result<Absence> get_absence(store::Session& s, AbsenceId id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + " FROM absences a WHERE a.id = ?", id));
  if (rows.empty()) return Error::not_found("指定された不在の登録が見つかりません。");
  return absence_from_row(rows[0]);
}

const char* to_string(AbsenceTime t) {
  switch (t) {
    case AbsenceTime::any: return "any";
    case AbsenceTime::current: return "current";
    case AbsenceTime::future: return "future";
    case AbsenceTime::past: return "past";
    case AbsenceTime::cancelled: return "cancelled";
  }
  return "any";
}

const char* label(AbsenceTime t) {
  switch (t) {
    case AbsenceTime::any: return "すべて";
    case AbsenceTime::current: return "不在中";
    case AbsenceTime::future: return "予定";
    case AbsenceTime::past: return "終了";
    case AbsenceTime::cancelled: return "取消済み";
  }
  return "";
}

std::optional<AbsenceTime> parse_absence_time(std::string_view s) {
  for (auto t : {AbsenceTime::any, AbsenceTime::current, AbsenceTime::future, AbsenceTime::past,
                 AbsenceTime::cancelled})
    if (s == to_string(t)) return t;
  return std::nullopt;
}

Result<std::vector<AbsenceListItem>> list_absences(store::Session& s, const AbsenceFilter& f, Instant now) {
  if (f.limit < 1 || f.limit > kMaxAbsencePage) return Error::invalid("一覧の件数が正しくありません。");
  std::vector<AbsenceListItem> out;
  if (f.units && f.units->size() > kMaxAbsenceUnitsInFilter)
    return Error{ErrorCode::too_large, "所属が多すぎます。絞り込んでください。"};
  if (f.units && f.units->empty() && !f.also_person) return out;

  std::string sql = std::string("SELECT ") + kColumns +
                    ", p.display_name, p.login_name, p.unit_id FROM absences a JOIN people p ON p.id = a.person_id"
                    " WHERE a.id < ?";
  std::vector<store::Value> params{f.before.value_or(INT64_MAX)};
  if (f.units) {
    sql += " AND (";
    if (!f.units->empty()) {
      sql += "p.unit_id IN (";
      for (std::size_t i = 0; i < f.units->size(); ++i) {
        sql += i ? ",?" : "?";
        params.emplace_back((*f.units)[i]);
      }
      sql += ")";
    }
    if (f.also_person) {
      sql += f.units->empty() ? "a.person_id = ?" : " OR a.person_id = ?";
      params.emplace_back(*f.also_person);
    }
    sql += ")";
  }
  if (f.person) {
    sql += " AND a.person_id = ?";
    params.emplace_back(*f.person);
  }
  const std::int64_t t = to_unix(now);
  switch (f.when) {
    case AbsenceTime::any: break;
    case AbsenceTime::current:
      sql += " AND a.cancelled_at IS NULL AND a.starts_at <= ? AND a.ends_at > ?";
      params.emplace_back(t);
      params.emplace_back(t);
      break;
    case AbsenceTime::future:
      sql += " AND a.cancelled_at IS NULL AND a.starts_at > ?";
      params.emplace_back(t);
      break;
    case AbsenceTime::past:
      sql += " AND a.ends_at <= ?";
      params.emplace_back(t);
      break;
    case AbsenceTime::cancelled: sql += " AND a.cancelled_at IS NOT NULL"; break;
  }
  sql += " ORDER BY a.id DESC LIMIT ?";
  params.emplace_back(std::int64_t{f.limit});
  KOBAN_ASSIGN(auto rows, s.query_values(sql, params));
  for (const auto& r : rows) {
    AbsenceListItem item{.absence = absence_from_row(r), .person_name = r.text(7), .person_login = r.text(8),
                         .unit_id = r.int64(9)};
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace koban::org
