#include "site/articles/inspections.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "http/forms/utf8.h"
#include "org/permissions.h"
#include "org/units.h"
#include "site/articles/article_rows.h"
#include "store/jobs.h"

namespace koban::site::articles {
namespace {

Date due_in(int year, std::pair<int, int> md) {
  const int month = std::clamp(md.first, 1, 12);
  return {year, month, std::clamp(md.second, 1, days_in_month(year, month))};
}

std::vector<Date> dues_around(const InspectionSettings& ins, int year) {
  std::vector<Date> out;
  for (int y = year - 1; y <= year + 1; ++y)
    for (auto md : ins.due_dates) out.push_back(due_in(y, md));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

const char* decision_label(std::string_view d) {
  if (d == "keep") return "継続掲載";
  if (d == "update") return "更新が必要";
  if (d == "delete") return "削除が必要";
  return "未点検";
}

bool valid_decision(std::string_view d) { return d == "keep" || d == "update" || d == "delete"; }

Date current_round(const InspectionSettings& ins, Date today) {
  for (const auto& d : dues_around(ins, today.year))
    if (d >= today) return d;
  return due_in(today.year + 1, ins.due_dates.empty() ? std::pair{1, 31} : ins.due_dates.front());
}

Date previous_round(const InspectionSettings& ins, Date today) {
  Date best = due_in(today.year - 1, {1, 31});
  for (const auto& d : dues_around(ins, today.year))
    if (d < today) best = d;
  return best;
}

Result<int> open_round(store::Session& s, Date due, Instant now) {
  KOBAN_ASSIGN(auto n, s.exec("INSERT INTO site_inspections (round, unit_id, article_id, version_id, created_at)"
                              " SELECT ?, unit_id, id, live_version_id, ? FROM articles"
                              " WHERE pub_state IN ('published', 'scheduled')"
                              " ON CONFLICT (round, article_id) DO NOTHING",
                              due.iso(), to_unix(now)));
  return static_cast<int>(n);
}

Result<void> ensure_rounds(store::Session& s, const InspectionSettings& ins, Instant now) {
  const Date today = to_jst(now).date;
  const Date due = current_round(ins, today);
  if (due.days() - today.days() <= ins.open_days_before) KOBAN_TRY(open_round(s, due, now));
  return ok();
}

Result<std::vector<Date>> rounds(store::Session& s) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT DISTINCT round FROM site_inspections ORDER BY round DESC LIMIT 100"));
  std::vector<Date> out;
  for (const auto& r : rows)
    if (auto d = Date::parse(r.text(0))) out.push_back(*d);
  return out;
}

namespace {
constexpr const char* kItemSelect =
    "SELECT i.id, i.round, i.unit_id, i.article_id, a.title, a.section, v.created_at, i.decision, i.note,"
    " i.decided_by, i.decided_at FROM site_inspections i JOIN articles a ON a.id = i.article_id"
    " LEFT JOIN article_versions v ON v.id = a.live_version_id";

InspectionItem item_from(const store::Row& r, const InspectionSettings* ins, Instant now) {
  InspectionItem it;
  it.id = r.int64(0);
  it.round = Date::parse(r.text(1)).value_or(Date{});
  it.unit_id = r.int64(2);
  it.article_id = r.int64(3);
  it.title = r.text(4);
  it.section = r.text(5);
  it.last_updated = opt_time(r, 6);
  if (ins && it.last_updated) it.stale = now - *it.last_updated > std::chrono::days(ins->stale_days);
  it.decision = r.text(7);
  it.note = r.text(8);
  it.decided_by = r.opt_int64(9);
  it.decided_at = opt_time(r, 10);
  return it;
}
}  // namespace

Result<std::vector<InspectionItem>> inspection_items(store::Session& s, const InspectionSettings& ins, Date round,
                                                     org::UnitId unit, Instant now) {
  KOBAN_ASSIGN(auto rows, s.query(std::string(kItemSelect) + " WHERE i.round = ? AND i.unit_id = ? ORDER BY i.id LIMIT 5000",
                                  round.iso(), unit));
  std::vector<InspectionItem> out;
  for (const auto& r : rows) out.push_back(item_from(r, &ins, now));
  return out;
}

Result<InspectionItem> get_inspection_item(store::Session& s, std::int64_t id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string(kItemSelect) + " WHERE i.id = ?", id));
  if (rows.empty()) return Error::not_found("点検の項目が見つかりません。");
  return item_from(rows[0], nullptr, Instant{});
}

Result<void> mark_inspection(store::Session& s, std::int64_t item, const std::string& decision,
                             const std::string& note, const workflow::By& by, Instant now) {
  KOBAN_ASSIGN(auto it, get_inspection_item(s, item));
  KOBAN_ASSIGN(auto actor, org::load_actor(s, by.person));
  if (!org::can(actor, org::Purpose::website, org::Action::approve, it.unit_id))
    return Error::denied("点検結果を記入できるのは、その所属の運用管理者です。");
  if (!valid_decision(decision)) return Error::invalid("点検結果（継続掲載・更新が必要・削除が必要）を選んでください。");
  const std::string n = strip(note);
  if (!http::forms::is_valid_utf8(n) || http::forms::utf8_length(n) > 500)
    return Error::invalid("備考は500文字以内で入力してください。");
  KOBAN_TRY(s.exec("UPDATE site_inspections SET decision = ?, note = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                   decision, n, by.person, to_unix(now), item));
  return audit_article(s, by, "inspected", it.article_id, it.round.iso() + " 点検: " + decision_label(decision), now);
}

Result<std::vector<UnitProgress>> round_progress(store::Session& s, Date round) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT unit_id, COUNT(*), COUNT(decision) FROM site_inspections WHERE round = ?"
                                  " GROUP BY unit_id ORDER BY unit_id",
                                  round.iso()));
  std::vector<UnitProgress> out;
  for (const auto& r : rows)
    out.push_back({round, r.int64(0), static_cast<int>(r.int64(1)), static_cast<int>(r.int64(2))});
  return out;
}

Result<std::vector<UnitProgress>> overdue_units(store::Session& s, const InspectionSettings& ins, Instant now) {
  const Date today = to_jst(now).date;
  KOBAN_ASSIGN(auto rows, s.query("SELECT round, unit_id, COUNT(*), COUNT(decision) FROM site_inspections"
                                  " WHERE round < ? GROUP BY round, unit_id HAVING COUNT(decision) < COUNT(*)"
                                  " ORDER BY round, unit_id LIMIT 1000",
                                  today.iso()));
  std::vector<UnitProgress> out;
  for (const auto& r : rows)
    out.push_back({Date::parse(r.text(0)).value_or(Date{}), r.int64(1), static_cast<int>(r.int64(2)),
                   static_cast<int>(r.int64(3))});
  return out;
}

Result<int> remind_overdue(store::Session& s, const InspectionSettings& ins, Instant now) {
  KOBAN_ASSIGN(auto late, overdue_units(s, ins, now));
  int queued = 0;
  const std::string today = to_jst(now).date.iso();
  for (const auto& u : late) {
    KOBAN_ASSIGN(auto unit, org::get_unit(s, u.unit_id));
    std::vector<org::PersonId> to;
    if (unit.head) to.push_back(*unit.head);
    if (unit.pr_lead) to.push_back(*unit.pr_lead);
    if (to.empty()) continue;
    nlohmann::json p = {{"unit_id", u.unit_id}, {"round", u.round.iso()}, {"undecided", u.total - u.decided},
                        {"recipients", to}};
    KOBAN_TRY(store::enqueue(s, {.kind = kInspectionRemindJob, .payload = p.dump(), .run_at = now,
                                 .dedupe_key = std::string(kInspectionRemindJob) + ":" + u.round.iso() + ":" +
                                               std::to_string(u.unit_id) + ":" + today},
                             now));
    ++queued;
  }
  return queued;
}

Result<int> inspection_daily(store::Session& s, const InspectionSettings& ins, Instant now) {
  KOBAN_TRY(ensure_rounds(s, ins, now));
  return remind_overdue(s, ins, now);
}

Result<std::vector<Article>> stale_articles(store::Session& s, const InspectionSettings& ins,
                                            std::optional<org::UnitId> unit, Instant now) {
  std::string cols = kArticleColumns;
  std::string sql = "SELECT ";
  // Prefix every column with a. (the join makes names ambiguous).
  for (std::size_t at = 0; at < cols.size();) {
    auto comma = cols.find(',', at);
    if (comma == std::string::npos) comma = cols.size();
    sql += (at ? ", a." : "a.") + std::string(koban::text::trim(std::string_view(cols).substr(at, comma - at)));
    at = comma + 1;
  }
  sql += " FROM articles a JOIN article_versions v ON v.id = a.live_version_id"
         " WHERE a.pub_state = 'published' AND v.created_at < ?";
  const auto cutoff = to_unix(now - std::chrono::days(ins.stale_days));
  store::Rows rows;
  if (unit) {
    KOBAN_ASSIGN(rows, s.query(sql + " AND a.unit_id = ? ORDER BY v.created_at, a.id LIMIT 500", cutoff, *unit));
  } else {
    KOBAN_ASSIGN(rows, s.query(sql + " ORDER BY v.created_at, a.id LIMIT 500", cutoff));
  }
  std::vector<Article> out;
  for (const auto& r : rows) out.push_back(article_from_row(r));
  return out;
}

}  // namespace koban::site::articles
