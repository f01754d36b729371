// /admin/absences: list, form, enter and cancel (see admin_roster_routes.h for the rules).
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "app/admin_roster_routes.h"
#include "app/page_helpers.h"
#include "audit/audit_log.h"
#include "http/forms/urlencoded.h"
#include "org/absences.h"
#include "org/field_checks.h"
#include "org/people.h"
#include "org/permissions.h"
#include "org/units.h"

namespace koban::app::roster {
namespace {

using nlohmann::json;
using org::Action;
using org::Purpose;
using pages::jst_text;
using pages::parse_id;

constexpr int kPageSize = 50;
constexpr int kMaxAbsentHeads = 100;    // units shown in "who approves instead"
constexpr std::size_t kMaxMarkable = 100;  // units whose head/PR lead the form lists
constexpr auto kMaxAbsence = std::chrono::days{366};

const http::forms::FormLimits kQueryLimits{.max_fields = 8, .max_name_bytes = 16, .max_value_bytes = 64,
                                           .max_total_bytes = 512};
const http::forms::FormLimits kFormLimits{.max_fields = 8, .max_name_bytes = 32, .max_value_bytes = 1024,
                                          .max_total_bytes = 8 * 1024};

// The value of a datetime-local field (JST, minutes).
std::string jst_input(Instant t) {
  const auto j = to_jst(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d", j.date.year, j.date.month, j.date.day, j.hour, j.minute);
  return buf;
}

// May `who` enter or cancel an absence of a person in `unit`? Themselves, or an administrator
// of the person's unit.
bool may_manage(const org::Actor& who, org::PersonId person, org::UnitId unit) {
  return who.person == person || org::can(who, Purpose::administration, Action::administer, unit);
}

const char* state_label(const org::Absence& a, Instant now) {
  if (a.cancelled_at) return "取消済み";
  if (now < a.from) return "予定";
  if (now < a.to) return "不在中";
  return "終了";
}

using UnitNames = std::map<org::UnitId, std::string>;
Result<UnitNames> unit_names(store::Session& s) {
  KOBAN_ASSIGN(auto units, org::list_units(s));
  UnitNames m;
  for (auto& u : units) m.emplace(u.id, std::move(u.name));
  return m;
}
std::string name_of(const UnitNames& m, org::UnitId id) {
  auto it = m.find(id);
  return it == m.end() ? "（不明な所属）" : it->second;
}

// Who entered each absence, from the audit trail (the absences table does not record it).
Result<std::map<org::AbsenceId, std::string>> entered_by(store::Session& s, const std::vector<org::AbsenceId>& ids) {
  std::map<org::AbsenceId, std::string> out;
  if (ids.empty()) return out;
  std::string sql =
      "SELECT object_id, actor_name FROM audit_log WHERE action = 'org.absence.create' AND outcome = 'ok'"
      " AND object_type = 'absence' AND object_id IN (";
  std::vector<store::Value> params;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    sql += i ? ",?" : "?";
    params.emplace_back(std::to_string(ids[i]));
  }
  sql += ")";
  KOBAN_ASSIGN(auto rows, s.query_values(sql, params));
  for (const auto& r : rows)
    if (auto id = parse_id(r.text(0))) out[*id] = r.text(1);
  return out;
}

http::Response bad_request() { return http::Response::html(400, ""); }

// ---- list ----------------------------------------------------------------------------------

http::Response list(const Deps& d, http::Request& req, StaffContext& who) {
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return bad_request();
  std::optional<org::UnitId> unit;
  org::AbsenceTime when = org::AbsenceTime::any;
  std::optional<std::int64_t> before;
  const std::string unit_text = query->get("unit").value_or("");
  const std::string when_text = query->get("when").value_or("");
  const std::string login = query->get("login").value_or("");
  const std::string done = query->get("done").value_or("");
  if (!unit_text.empty() && !(unit = parse_id(unit_text))) return bad_request();
  if (!when_text.empty()) {
    auto w = org::parse_absence_time(when_text);
    if (!w) return bad_request();
    when = *w;
  }
  if (!login.empty() && !org::validate_login_name(login)) return bad_request();
  if (auto b = query->get("before"); b && !b->empty() && !(before = parse_id(*b))) return bad_request();
  if (!done.empty() && done != "create" && done != "cancel") return bad_request();

  const Instant now = d.clock.now();
  const auto allowed = org::units_where_allowed(who.actor, Purpose::administration, Action::view);
  org::AbsenceFilter f{.when = when, .before = before, .limit = kPageSize};
  json data = {{"title", "不在の登録"}, {"login", login}, {"limit", kPageSize}};
  int refused_status = 0;
  auto r = d.db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto names, unit_names(s));
    if (unit) {
      if (!names.count(*unit)) {
        refused_status = 400;
        return ok();
      }
      KOBAN_ASSIGN(auto sub, org::descendants(s, *unit));
      std::vector<org::UnitId> narrowed;
      for (auto id : sub)
        if (!allowed || std::binary_search(allowed->begin(), allowed->end(), id)) narrowed.push_back(id);
      if (narrowed.empty()) {
        refused_status = 403;
        return ok();
      }
      f.units = std::move(narrowed);
    } else if (allowed) {
      f.units = *allowed;  // the units the viewer may view, and their own absences
      f.also_person = who.actor.person;
    }
    if (!login.empty()) {
      KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
      f.person = p ? p->id : 0;  // 0: nobody
    }
    KOBAN_ASSIGN(auto items, org::list_absences(s, f, now));
    std::vector<org::AbsenceId> ids;
    for (const auto& it : items) ids.push_back(it.absence.id);
    KOBAN_ASSIGN(auto by, entered_by(s, ids));
    json rows = json::array();
    for (const auto& it : items) {
      const auto& a = it.absence;
      auto e = by.find(a.id);
      rows.push_back({{"id", a.id},
                      {"person", it.person_name},
                      {"login", it.person_login},
                      {"person_id", a.person},
                      {"person_link", org::can(who.actor, Purpose::administration, Action::view, it.unit_id)},
                      {"unit", name_of(names, it.unit_id)},
                      {"unit_id", it.unit_id},
                      {"from", jst_text(a.from)},
                      {"to", jst_text(a.to)},
                      {"reason", a.reason.empty() ? json() : json(a.reason)},
                      {"entered_by", e == by.end() ? json() : json(e->second)},
                      {"state", state_label(a, now)},
                      {"cancelled_at", a.cancelled_at ? json(jst_text(*a.cancelled_at)) : json()},
                      {"may_cancel", !a.cancelled_at && now < a.to && may_manage(who.actor, a.person, it.unit_id)}});
    }
    data["has_absences"] = !rows.empty();
    data["absences"] = rows;
    // Filters: units the viewer may list, the time choices.
    json units = json::array();
    KOBAN_ASSIGN(auto all_units, org::list_units(s));
    for (const auto& u : all_units) {
      if (!u.active || u.kind == org::UnitKind::duty_desk) continue;
      if (allowed && !std::binary_search(allowed->begin(), allowed->end(), u.id)) continue;
      units.push_back({{"id", u.id}, {"name", u.name}, {"selected", unit && *unit == u.id}});
    }
    data["units"] = units;
    data["has_unit_filter"] = !units.empty();
    json times = json::array();
    for (auto t : {org::AbsenceTime::any, org::AbsenceTime::current, org::AbsenceTime::future,
                   org::AbsenceTime::past, org::AbsenceTime::cancelled})
      times.push_back({{"value", org::to_string(t)}, {"label", org::label(t)}, {"selected", t == when}});
    data["times"] = times;
    // Units whose head is away now, and who approves in their place (the engine's rule).
    KOBAN_ASSIGN(auto heads, s.query("SELECT DISTINCT u.id, u.name, u.sort_order, u.head_person_id FROM units u"
                                     " JOIN absences a ON a.person_id = u.head_person_id"
                                     " WHERE u.active = 1 AND a.cancelled_at IS NULL AND a.starts_at <= ?"
                                     " AND a.ends_at > ? ORDER BY u.sort_order, u.id LIMIT ?",
                                     to_unix(now), to_unix(now), kMaxAbsentHeads));
    json away = json::array();
    for (const auto& h : heads) {
      KOBAN_ASSIGN(auto head, org::get_person(s, h.int64(3)));
      KOBAN_ASSIGN(auto current, org::absences_between(s, head.id, now, now + std::chrono::seconds(1)));
      Instant until = now;
      for (const auto& a : current) until = std::max(until, a.to);
      KOBAN_ASSIGN(auto approvers, approvers_now(s, d, h.int64(0), now));
      away.push_back({{"unit_id", h.int64(0)}, {"unit", h.text(1)}, {"head", head.display_name},
                      {"until", jst_text(until)}, {"approvers", approvers}});
    }
    data["has_absent_heads"] = !away.empty();
    data["absent_heads"] = away;
    data["absent_heads_capped"] = static_cast<int>(heads.size()) == kMaxAbsentHeads;
    data["now"] = jst_text(now);
    return ok();
  });
  if (!r) return http::response_for(r.error());
  if (refused_status == 403) {
    audit_refused(d, who, req, "org.absence.view", "unit", unit_text, "GET " + req.target);
    return error_page(d, who, Error::denied("この所属の不在の登録を見る権限がありません。"), "/admin/absences");
  }
  if (refused_status) return bad_request();

  std::string filters;
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    filters += (filters.empty() ? "" : "&") + std::string(name) + "=" + http::forms::form_urlencode(value);
  };
  add("unit", unit_text);
  add("when", when_text);
  add("login", login);
  const auto& rows = data["absences"];
  if (rows.size() == static_cast<std::size_t>(kPageSize))
    data["next_url"] = "/admin/absences?" + filters + (filters.empty() ? "" : "&") +
                       "before=" + std::to_string(rows.back()["id"].get<std::int64_t>());
  if (before) data["first_url"] = "/admin/absences" + (filters.empty() ? "" : "?" + filters);
  if (done == "create") data["flash"] = "不在を登録しました。";
  if (done == "cancel") data["flash"] = "不在の登録を取り消しました。";
  return d.staff.page(who, "admin/absences", std::move(data));
}

// ---- form ----------------------------------------------------------------------------------

http::Response new_form(const Deps& d, http::Request&, StaffContext& who) {
  const Instant now = d.clock.now();
  const auto allowed = org::units_where_allowed(who.actor, Purpose::administration, Action::administer);
  json markable = json::array();
  bool capped = false;
  auto r = d.db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto units, org::list_units(s));
    std::size_t n = 0;
    for (const auto& u : units) {
      if (!u.active || (!u.head && !u.pr_lead)) continue;
      if (allowed && !std::binary_search(allowed->begin(), allowed->end(), u.id)) continue;
      if (++n > kMaxMarkable) {
        capped = true;
        break;
      }
      for (auto [post, id] : {std::pair{"所属長", u.head}, std::pair{"広報活動責任者", u.pr_lead}}) {
        if (!id) continue;
        KOBAN_ASSIGN(auto p, org::get_person(s, *id));
        if (p.status != org::PersonStatus::active) continue;
        markable.push_back({{"unit", u.name}, {"post", post}, {"name", p.display_name}, {"login", p.login_name}});
      }
    }
    return ok();
  });
  if (!r) return http::response_for(r.error());
  return d.staff.page(who, "admin/absences_new",
                      {{"title", "不在の登録"},
                       {"login", who.actor.login_name},
                       {"from", jst_input(now)},
                       {"has_markable", !markable.empty()},
                       {"markable", markable},
                       {"markable_capped", capped}});
}

// ---- enter ---------------------------------------------------------------------------------

http::Response create(const Deps& d, http::Request& req, StaffContext& who) {
  const std::string back = "/admin/absences/new";
  const std::string action = "org.absence.create";
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return error_page(d, who, Error::invalid("送信内容を読み取れませんでした。"), back);
  const std::string login = form->get("login_name").value_or("");
  const std::string reason = form->get("reason").value_or("");
  auto refuse = [&](const Error& e, const std::string& object) {
    audit_refused(d, who, req, action, "person", object, e.message);
    return error_page(d, who, e, back);
  };
  if (!org::validate_login_name(login)) return refuse(Error::invalid("職員IDを正しく入力してください。"), "");
  const auto from = JstDateTime::parse(form->get("from").value_or(""));
  const auto to = JstDateTime::parse(form->get("to").value_or(""));
  if (!from || !to) return refuse(Error::invalid("開始と終了の日時を正しく入力してください。"), login);

  const Instant now = d.clock.now();
  const Instant start = from_jst(*from), end = from_jst(*to);
  std::optional<Error> refusal;
  org::AbsenceId id = 0;
  auto r = d.db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto found, org::find_person_by_login(s, login));
    if (!found) {
      refusal = Error::not_found("指定された職員が見つかりません。");
      return ok();
    }
    const auto& p = *found;
    if (!may_manage(who.actor, p.id, p.unit_id)) {
      refusal = Error::denied("この職員の不在を登録する権限がありません（本人か、所属の管理者に限ります）。");
    } else if (p.status != org::PersonStatus::active) {
      refusal = Error::invalid("在職中（利用可能）でない職員の不在は登録できません。");
    } else if (!(start < end)) {
      refusal = Error::invalid("不在期間の終了は開始より後にしてください。");
    } else if (end - start > kMaxAbsence) {
      refusal = Error::invalid("不在期間は366日以内で入力してください。");
    } else if (end <= now) {
      refusal = Error::invalid("既に終わった期間の不在は登録できません。");
    } else if (auto check = org::check_text("不在の理由", reason, 0, 200); !check) {
      refusal = check.error();
    }
    if (refusal) return ok();
    KOBAN_ASSIGN(auto overlapping, org::absences_between(s, p.id, start, end));
    if (!overlapping.empty()) {
      refusal = Error::conflict("同じ期間に既に不在が登録されています（" + jst_text(overlapping[0].from) + " 〜 " +
                                jst_text(overlapping[0].to) + "）。");
      return ok();
    }
    KOBAN_ASSIGN(id, org::add_absence(s, p.id, start, end, reason, now));
    KOBAN_TRY(audit::append(s,
                            {.actor_id = who.actor.person, .actor_name = actor_name(who.actor),
                             .unit_id = who.actor.unit, .unit_name = who.unit_name, .action = action,
                             .object_type = "absence", .object_id = std::to_string(id),
                             .summary = p.display_name + "（" + p.login_name + "） 不在登録: " + jst_text(start) +
                                        " 〜 " + jst_text(end) + (reason.empty() ? "" : " 理由: " + reason),
                             .address = req.remote_addr},
                            now));
    return ok();
  });
  if (!r) {
    if (http::status_for(r.error()) < 500) return refuse(r.error(), login);
    return http::response_for(r.error());
  }
  if (refusal) return refuse(*refusal, login);
  return http::Response::redirect("/admin/absences?done=create", 303);
}

// ---- cancel --------------------------------------------------------------------------------

http::Response cancel(const Deps& d, http::Request& req, StaffContext& who) {
  const std::string back = "/admin/absences";
  const std::string action = "org.absence.cancel";
  const auto id = parse_id(req.param("id"));
  if (!id) return error_page(d, who, Error::not_found("指定された不在の登録が見つかりません。"), back);
  const Instant now = d.clock.now();
  std::optional<Error> refusal;
  auto r = d.db.write([&](store::Session& s) -> Result<void> {
    auto a = org::get_absence(s, *id);
    if (!a) {
      refusal = a.error();
      return ok();
    }
    KOBAN_ASSIGN(auto p, org::get_person(s, a->person));
    if (!may_manage(who.actor, p.id, p.unit_id))
      refusal = Error::denied("この不在の登録を取り消す権限がありません（本人か、所属の管理者に限ります）。");
    else if (a->cancelled_at)
      refusal = Error::conflict("この不在の登録は既に取り消されています。");
    else if (a->to <= now)
      refusal = Error::conflict("終了した不在は取り消せません（記録として残します）。");
    if (refusal) return ok();
    KOBAN_TRY(org::cancel_absence(s, *id, now));
    KOBAN_TRY(audit::append(s,
                            {.actor_id = who.actor.person, .actor_name = actor_name(who.actor),
                             .unit_id = who.actor.unit, .unit_name = who.unit_name, .action = action,
                             .object_type = "absence", .object_id = std::to_string(*id),
                             .summary = p.display_name + "（" + p.login_name + "） 不在取消: " + jst_text(a->from) +
                                        " 〜 " + jst_text(a->to),
                             .address = req.remote_addr},
                            now));
    return ok();
  });
  if (!r) return http::response_for(r.error());
  if (refusal) {
    audit_refused(d, who, req, action, "absence", std::to_string(*id), refusal->message);
    return error_page(d, who, *refusal, back);
  }
  return http::Response::redirect("/admin/absences?done=cancel", 303);
}

}  // namespace

void add_absences_routes(http::Router& router, std::shared_ptr<const Deps> deps) {
  const http::RouteOptions small{.max_body = 8 * 1024};
  // Anyone logged in: their own absences at least; the handlers check everything else.
  router.get("/admin/absences", deps->staff.guard([deps](http::Request& req, StaffContext& who) {
    return list(*deps, req, who);
  }, std::nullopt));
  router.get("/admin/absences/new", deps->staff.guard([deps](http::Request& req, StaffContext& who) {
    return new_form(*deps, req, who);
  }, std::nullopt));
  router.post("/admin/absences", deps->staff.guard([deps](http::Request& req, StaffContext& who) {
    return create(*deps, req, who);
  }, std::nullopt), small);
  router.post("/admin/absences/:id/cancel", deps->staff.guard([deps](http::Request& req, StaffContext& who) {
    return cancel(*deps, req, who);
  }, std::nullopt), small);
}

}  // namespace koban::app::roster
