#include "alerts/alert_register.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "alerts/alerts.h"
#include "alerts/categories.h"
#include "audit/audit_log.h"
#include "org/people.h"
#include "org/units.h"
#include "workflow/engine.h"

namespace koban::alerts {
namespace {

using nlohmann::json;

const char* acting_label(const std::string& a) {
  if (a == "unit_head") return "所属長";
  if (a == "pr_lead_for_absent_head") return "所属長不在のため広報活動責任者";
  if (a == "duty_officer") return "当直責任者";
  return "承認者";
}

Result<std::string> name_of(store::Session& s, org::PersonId id) {
  auto p = org::get_person(s, id);
  if (!p) return std::string("（不明）");
  return p->display_name;
}

RegisterEntry from_row(const store::Row& r) {
  RegisterEntry e;
  e.id = r.int64(0);
  e.alert_id = r.int64(1);
  e.approved_at = from_unix(r.int64(2));
  e.category = static_cast<int>(r.int64(3));
  e.unit_name = r.text(4);
  e.areas_text = r.text(5);
  e.title = r.text(6);
  e.body = r.text(7);
  e.follow_kind = r.text(8);
  e.follows_id = r.opt_int64(9);
  e.written_by = r.text(10);
  auto j = json::parse(r.text(11), nullptr, false);
  if (j.is_array())
    for (const auto& a : j)
      e.approvals.push_back({a.value("name", ""), a.value("acting_as", ""), from_unix(a.value("at", std::int64_t{0})),
                             a.value("post_hoc_to", "")});
  e.checklist = r.text(12);
  e.urgent_reason = r.text(13);
  e.send_after = from_unix(r.int64(14));
  return e;
}

constexpr const char* kColumns =
    "id, alert_id, approved_at, category, unit_name, areas_text, title, body, follow_kind, follows_id,"
    " written_by, approvals_json, checklist, urgent_reason, send_after";

std::int64_t year_start(int year) { return to_unix(from_jst({{year, 1, 1}, 0, 0, 0})); }

std::string csv_cell(std::string v) {
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += "\"\"";
    else out += c;
  }
  return out + "\"";
}

std::string jst_minutes(Instant t) {
  const auto j = to_jst(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", j.date.year, j.date.month, j.date.day, j.hour, j.minute);
  return buf;
}

}  // namespace

Result<void> write_register_entry(store::Session& s, std::int64_t alert_id, Instant now) {
  KOBAN_ASSIGN(auto a, get_alert(s, alert_id));
  if (!a.request_id || !a.approved_at) return Error::conflict("承認されていない配信文は配信簿に記載できません");
  KOBAN_ASSIGN(auto unit, org::get_unit(s, a.unit_id));
  std::string areas;
  if (a.whole_prefecture) {
    areas = "県下全域";
  } else {
    for (auto id : a.areas) {
      KOBAN_ASSIGN(auto u, org::get_unit(s, id));
      areas += (areas.empty() ? "" : "、") + u.name + "（" + u.jurisdiction + "）";
    }
  }
  KOBAN_ASSIGN(auto steps, workflow::steps_of(s, *a.request_id));
  json approvals = json::array();
  for (const auto& st : steps) {
    if (st.decision != workflow::Decision::approved || !st.actor || !st.decided_at) continue;
    // Only the round that approved counts: earlier rounds ended in a remand.
    KOBAN_ASSIGN(auto name, name_of(s, *st.actor));
    std::string told;
    if (st.post_hoc_to) {
      KOBAN_ASSIGN(told, name_of(s, *st.post_hoc_to));
    }
    approvals.push_back({{"name", name}, {"acting_as", acting_label(st.acting_as)},
                         {"at", to_unix(*st.decided_at)}, {"post_hoc_to", told}});
  }
  KOBAN_ASSIGN(auto writer, name_of(s, a.created_by));
  std::string checklist;
  for (const char* c : kChecklist) checklist += (checklist.empty() ? "" : "・") + std::string(c);
  std::string urgent;
  if (a.urgent && a.urgent_reason) urgent = std::string(label(*a.urgent_reason)) + "：" + a.urgent_note;
  KOBAN_TRY(s.exec("INSERT INTO alert_register (alert_id, approved_at, category, unit_name, areas_text, title, body,"
                   " follow_kind, follows_id, written_by, approvals_json, checklist, urgent_reason, send_after)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id) DO NOTHING",
                   alert_id, to_unix(*a.approved_at), a.category, unit.name, areas, a.title, a.body,
                   a.follow_kind ? std::string(label(*a.follow_kind)) : std::string(), a.follows_id, writer,
                   approvals.dump(), checklist, urgent, to_unix(a.send_after.value_or(now))));
  return ok();
}

Result<std::vector<RegisterEntry>> register_entries(store::Session& s, const RegisterQuery& q) {
  std::optional<std::int64_t> from, to;
  if (q.year) {
    from = year_start(*q.year);
    to = year_start(*q.year + 1);
  }
  if (q.date) {
    from = to_unix(from_jst({*q.date, 0, 0, 0}));
    to = *from + 86400;
  }
  const int limit = std::clamp(q.limit, 1, 5000);
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns +
                                      " FROM alert_register WHERE (CAST(? AS BIGINT) IS NULL OR approved_at >= ?)"
                                      " AND (CAST(? AS BIGINT) IS NULL OR approved_at < ?) ORDER BY approved_at, id LIMIT ?",
                                  from, from, to, to, limit));
  std::vector<RegisterEntry> out;
  for (const auto& r : rows) out.push_back(from_row(r));
  return out;
}

Result<std::vector<IndexDay>> register_index(store::Session& s, int year) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT approved_at FROM alert_register WHERE approved_at >= ? AND approved_at < ?"
                                  " ORDER BY approved_at LIMIT 100000",
                                  year_start(year), year_start(year + 1)));
  std::vector<IndexDay> out;
  for (const auto& r : rows) {
    const Date d = to_jst(from_unix(r.int64(0))).date;
    if (out.empty() || out.back().date != d) out.push_back({d, 0});
    ++out.back().count;
  }
  return out;
}

Result<std::vector<int>> register_years(store::Session& s) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT MIN(approved_at), MAX(approved_at) FROM alert_register"));
  std::vector<int> out;
  if (rows.empty() || rows[0].is_null(0)) return out;
  const int first = to_jst(from_unix(rows[0].int64(0))).date.year;
  const int last = to_jst(from_unix(rows[0].int64(1))).date.year;
  for (int y = last; y >= first && out.size() < 50; --y) out.push_back(y);
  return out;
}

std::string register_csv(const std::vector<RegisterEntry>& entries) {
  std::string out = "\xEF\xBB\xBF";
  out += "番号,承認日時,種別,続報等,元の配信,配信所属,配信地域,件名,本文,作成者,承認者,確認事項,緊急配信の理由,配信予定\r\n";
  for (const auto& e : entries) {
    std::string approvals;
    for (const auto& a : e.approvals) {
      approvals += (approvals.empty() ? "" : "／") + a.name + "（" + a.acting_as + " " + jst_minutes(a.at) + "）";
      if (!a.post_hoc_to.empty()) approvals += "事後報告: " + a.post_hoc_to;
    }
    const Category* cat = find_category(e.category);
    const std::string c = cat ? std::string(cat->name) : std::string();
    out += std::to_string(e.alert_id) + "," + csv_cell(jst_minutes(e.approved_at)) + "," + csv_cell(c) + "," +
           csv_cell(e.follow_kind) + "," + (e.follows_id ? std::to_string(*e.follows_id) : std::string()) + "," +
           csv_cell(e.unit_name) + "," + csv_cell(e.areas_text) + "," + csv_cell(e.title) + "," + csv_cell(e.body) +
           "," + csv_cell(e.written_by) + "," + csv_cell(approvals) + "," + csv_cell(e.checklist) + "," +
           csv_cell(e.urgent_reason) + "," + csv_cell(jst_minutes(e.send_after)) + "\r\n";
  }
  return out;
}

Result<std::int64_t> purge_register(store::Session& s, int keep_years, Instant now) {
  if (keep_years < 1 || keep_years > 100) return Error::invalid("配信簿の保存年数は1年以上にしてください");
  const int year = to_jst(now).date.year - keep_years;
  KOBAN_ASSIGN(auto n, s.exec("DELETE FROM alert_register WHERE approved_at < ?", year_start(year)));
  if (n > 0) {
    KOBAN_TRY(audit::append(s, {.actor_name = "system", .action = "alerts.register.purge",
                                .object_type = "alert_register",
                                .summary = std::to_string(year) + "年1月1日より前に承認された配信簿 " +
                                           std::to_string(n) + " 件を保存期間満了により削除"},
                            now));
  }
  return n;
}

}  // namespace koban::alerts
