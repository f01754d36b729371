#include "alerts/alert_send_requests.h"

#include <algorithm>

#include "alerts/categories.h"
#include "audit/audit_log.h"
#include "org/permissions.h"
#include "org/units.h"

namespace koban::alerts {
namespace {

std::string join_ids(const std::vector<org::UnitId>& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

std::vector<org::UnitId> split_ids(const std::string& text) {
  std::vector<org::UnitId> out;
  std::int64_t v = 0;
  bool any = false;
  for (char c : text + ",") {
    if (c >= '0' && c <= '9') {
      v = v * 10 + (c - '0');
      any = true;
    } else {
      if (any) out.push_back(v);
      v = 0;
      any = false;
    }
  }
  return out;
}

constexpr const char* kColumns =
    "id, from_unit_id, to_unit_id, category, title, body, whole_prefecture, areas_text, physical_danger,"
    " requested_by, state, alert_id, created_at";

SendRequest from_row(const store::Row& r) {
  return {.id = r.int64(0), .from_unit = r.int64(1), .to_unit = r.int64(2), .category = static_cast<int>(r.int64(3)),
          .title = r.text(4), .body = r.text(5), .whole_prefecture = r.int64(6) != 0, .areas = split_ids(r.text(7)),
          .physical_danger = r.int64(8) != 0, .requested_by = r.int64(9), .state = r.text(10),
          .alert_id = r.opt_int64(11), .created_at = from_unix(r.int64(12))};
}

Result<bool> is_target(store::Session& s, org::UnitId id) {
  auto u = org::get_unit(s, id);
  if (!u || !u->active) return false;
  if (u->kind == org::UnitKind::hq_division) return true;
  if (u->kind != org::UnitKind::duty_desk || !u->parent_id) return false;
  KOBAN_ASSIGN(auto parent, org::get_unit(s, *u->parent_id));
  return !parent.parent_id.has_value();
}

// The units whose requests the person handles.
Result<std::vector<org::UnitId>> handled_units(store::Session& s, org::PersonId person) {
  KOBAN_ASSIGN(auto actor, org::load_actor(s, person));
  std::vector<org::UnitId> out;
  KOBAN_ASSIGN(auto own, org::get_unit(s, actor.unit));
  if (own.kind == org::UnitKind::hq_division && org::can(actor, org::Purpose::alerts, org::Action::write, own.id))
    out.push_back(own.id);
  for (const auto& g : actor.grants) {
    if (g.purpose != org::Purpose::alerts || g.role != org::Role::duty_officer || !g.unit) continue;
    KOBAN_ASSIGN(bool t, is_target(s, *g.unit));
    if (t) out.push_back(*g.unit);
  }
  return out;
}

}  // namespace

Result<std::vector<org::UnitId>> send_request_targets(store::Session& s) {
  KOBAN_ASSIGN(auto units, org::list_units(s));
  std::vector<org::UnitId> out;
  for (const auto& u : units) {
    KOBAN_ASSIGN(bool t, is_target(s, u.id));
    if (t) out.push_back(u.id);
  }
  return out;
}

Result<std::int64_t> file_send_request(store::Session& s, const Settings& st, const NewSendRequest& r0,
                                       const workflow::By& by, Instant now) {
  NewSendRequest r = r0;
  KOBAN_ASSIGN(auto actor, org::load_actor(s, by.person));
  if (!org::can(actor, org::Purpose::alerts, org::Action::write, actor.unit))
    return Error::denied("安全安心メールの配信文を作成する権限がありません。");
  KOBAN_ASSIGN(bool target, is_target(s, r.to_unit));
  if (!target) return Error::invalid("依頼先には本部の課か本部総合当直を選んでください。");
  if (!find_category(r.category)) return Error::invalid("情報の種別を選んでください。");
  KOBAN_TRY(check_text(st, r.title, r.body));
  std::sort(r.areas.begin(), r.areas.end());
  r.areas.erase(std::unique(r.areas.begin(), r.areas.end()), r.areas.end());
  if (r.whole_prefecture) r.areas.clear();
  if (!r.whole_prefecture && r.areas.empty()) return Error::invalid("配信してほしい地域を選んでください。");
  if (r.areas.size() > 200) return Error::invalid("配信地域が多すぎます。");
  for (auto a : r.areas) {
    auto u = org::get_unit(s, a);
    if (!u || u->kind != org::UnitKind::station || !u->active) return Error::invalid("配信地域に警察署ではないものが含まれています。");
  }
  const auto t = to_unix(now);
  KOBAN_ASSIGN(auto rows, s.query("INSERT INTO alert_send_requests (from_unit_id, to_unit_id, category, title, body,"
                                  " whole_prefecture, areas_text, physical_danger, requested_by, state, created_at,"
                                  " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                                  actor.unit, r.to_unit, r.category, r.title, r.body, r.whole_prefecture,
                                  join_ids(r.areas), r.category == 3 && r.physical_danger, by.person, t, t));
  const auto id = rows.at(0).int64(0);
  KOBAN_ASSIGN(auto to, org::get_unit(s, r.to_unit));
  KOBAN_TRY(audit::append(s, {.actor_id = by.person, .actor_name = actor.display_name, .unit_id = actor.unit,
                              .action = "alerts.send_request.create", .object_type = "alert_send_request",
                              .object_id = std::to_string(id), .summary = to.name + "へ送信依頼：" + r.title,
                              .address = by.address},
                          now));
  return id;
}

Result<SendRequest> get_send_request(store::Session& s, std::int64_t id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + " FROM alert_send_requests WHERE id = ?", id));
  if (rows.empty()) return Error::not_found("指定された送信依頼は見つかりません。");
  return from_row(rows[0]);
}

Result<std::vector<SendRequest>> send_requests_for(store::Session& s, org::PersonId person) {
  KOBAN_ASSIGN(auto units, handled_units(s, person));
  std::vector<SendRequest> out;
  for (auto u : units) {
    KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns +
                                        " FROM alert_send_requests WHERE to_unit_id = ? AND state = 'open'"
                                        " ORDER BY id LIMIT 200",
                                    u));
    for (const auto& r : rows) out.push_back(from_row(r));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

Result<std::int64_t> take_send_request(store::Session& s, const workflow::KindRegistry& kinds, const Settings& st,
                                       std::int64_t id, const workflow::By& by, Instant now) {
  KOBAN_ASSIGN(auto r, get_send_request(s, id));
  if (r.state != "open") return Error::conflict("この送信依頼はすでに配信文になっています。");
  KOBAN_ASSIGN(auto units, handled_units(s, by.person));
  if (std::find(units.begin(), units.end(), r.to_unit) == units.end())
    return Error::denied("この送信依頼は、依頼先の所属だけが扱えます。");
  KOBAN_ASSIGN(auto alert_id, create_alert(s, kinds, st, {.category = r.category, .title = r.title, .body = r.body,
                                                         .whole_prefecture = r.whole_prefecture, .areas = r.areas,
                                                         .physical_danger = r.physical_danger},
                                           by, now));
  KOBAN_TRY(s.exec("UPDATE alert_send_requests SET state = 'drafted', alert_id = ?, updated_at = ? WHERE id = ?",
                   alert_id, to_unix(now), id));
  return alert_id;
}

}  // namespace koban::alerts
