// /admin/duty: office or duty hours now, the duty desks and their officers, and who would
// approve for a chosen unit right now (see admin_roster_routes.h).
#include <algorithm>
#include <set>

#include "app/admin_roster_routes.h"
#include "app/page_helpers.h"
#include "core/calendar/names.h"
#include "http/forms/urlencoded.h"
#include "org/absences.h"
#include "org/people.h"
#include "org/permissions.h"
#include "org/roles.h"
#include "org/units.h"

namespace koban::app::roster {
namespace {

using nlohmann::json;
using pages::jst_text;
using pages::parse_id;

constexpr int kDesksPerPage = 30;

const http::forms::FormLimits kQueryLimits{.max_fields = 4, .max_name_bytes = 16, .max_value_bytes = 32,
                                           .max_total_bytes = 256};

// Anyone holding a role somewhere may see the desks (every role may view).
bool holds_a_role(const org::Actor& a) {
  for (auto p : org::kAllPurposes) {
    auto units = org::units_where_allowed(a, p, org::Action::view);
    if (!units || !units->empty()) return true;
  }
  return false;
}

std::string moment_text(Instant t) {
  const auto j = to_jst(t);
  return jst_text(t) + "（" + calendar::weekday_ja(j.date.weekday()) + "）";
}

http::Response duty(const Deps& d, http::Request& req, StaffContext& who) {
  if (!holds_a_role(who.actor)) {
    audit_refused(d, who, req, "org.duty.view", "", "", "GET " + req.target);
    return error_page(d, who, Error::denied("当直体制を見る権限がありません（役割が付与されていません）。"), "/admin/");
  }
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  std::optional<org::UnitId> unit, after;
  const std::string unit_text = query->get("unit").value_or("");
  if (!unit_text.empty() && !(unit = parse_id(unit_text))) return http::Response::html(400, "");
  if (auto a = query->get("after"); a && !a->empty() && !(after = parse_id(*a))) return http::Response::html(400, "");
  const org::UnitId chosen = unit.value_or(who.actor.unit);

  const Instant now = d.clock.now();
  const auto info = d.calendar.describe(now);
  json data = {{"title", "当直体制と承認者"}, {"now", moment_text(now)}, {"office_hours", info.office_hours},
               {"office_range", d.calendar.config().office_hours.str()},
               {"holiday", info.holiday_name ? json(*info.holiday_name) : json()},
               {"closure_day", info.closure_day}};
  if (info.office_hours) {
    const auto end = d.calendar.config().office_hours.end;
    data["next_change"] = moment_text(from_jst({info.jst.date, end.hour(), end.minute(), 0}));
  } else {
    data["next_change"] = info.next_office_open ? json(moment_text(*info.next_office_open)) : json();
  }
  bool unknown_unit = false;
  auto r = d.db.read([&](store::Session& s) -> Result<void> {
    // Desks, by id, one page.
    KOBAN_ASSIGN(auto desk_rows, s.query("SELECT id FROM units WHERE kind = 'duty_desk' AND active = 1 AND id > ?"
                                         " ORDER BY id LIMIT ?",
                                         after.value_or(0), kDesksPerPage));
    json desks = json::array();
    for (const auto& row : desk_rows) {
      KOBAN_ASSIGN(auto desk, org::get_unit(s, row.int64(0)));
      std::string covers;
      if (desk.parent_id) {
        KOBAN_ASSIGN(auto parent, org::get_unit(s, *desk.parent_id));
        covers = parent.name;
      }
      KOBAN_ASSIGN(auto ids, org::holders(s, org::Role::duty_officer, std::nullopt, desk.id));
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      json officers = json::array();
      for (auto id : ids) {
        KOBAN_ASSIGN(auto p, org::get_person(s, id));
        KOBAN_ASSIGN(auto grants, org::active_grants(s, id));
        std::string purposes;
        for (const auto& g : grants)
          if (g.role == org::Role::duty_officer && g.unit == desk.id)
            purposes += (purposes.empty() ? "" : "・") + std::string(org::label(g.purpose));
        KOBAN_ASSIGN(bool away, org::is_away(s, id, now));
        officers.push_back({{"name", p.display_name}, {"title", p.title.empty() ? json() : json(p.title)},
                            {"purposes", purposes}, {"status", org::label(p.status)},
                            {"can_act", p.status == org::PersonStatus::active && !away}, {"away", away}});
      }
      desks.push_back({{"id", desk.id}, {"name", desk.name}, {"covers", covers},
                       {"phone", desk.phone.empty() ? json() : json(desk.phone)},
                       {"has_officers", !officers.empty()}, {"officers", officers}});
    }
    data["has_desks"] = !desks.empty();
    data["desks"] = desks;
    if (static_cast<int>(desk_rows.size()) == kDesksPerPage)
      data["next_url"] = "/admin/duty?" + (unit ? "unit=" + std::to_string(*unit) + "&" : std::string()) +
                         "after=" + std::to_string(desk_rows.back().int64(0));
    if (after) data["first_url"] = "/admin/duty" + (unit ? "?unit=" + std::to_string(*unit) : std::string());

    // The chosen unit and who would approve for it now.
    KOBAN_ASSIGN(auto units, org::list_units(s));
    json choices = json::array();
    std::optional<org::Unit> picked;
    for (const auto& u : units) {
      if (u.id == chosen) picked = u;
      if (!u.active || u.kind == org::UnitKind::duty_desk) continue;
      choices.push_back({{"id", u.id}, {"name", u.name}, {"selected", u.id == chosen}});
    }
    data["units"] = choices;
    if (!picked) {
      unknown_unit = true;
      return ok();
    }
    json head, lead;
    if (picked->head) {
      KOBAN_ASSIGN(auto p, org::get_person(s, *picked->head));
      KOBAN_ASSIGN(bool away, org::is_away(s, p.id, now));
      head = {{"name", p.display_name}, {"away", away}, {"status", org::label(p.status)}};
    }
    if (picked->pr_lead) {
      KOBAN_ASSIGN(auto p, org::get_person(s, *picked->pr_lead));
      KOBAN_ASSIGN(bool away, org::is_away(s, p.id, now));
      lead = {{"name", p.display_name}, {"away", away}, {"status", org::label(p.status)}};
    }
    KOBAN_ASSIGN(auto approvers, approvers_now(s, d, picked->id, now));
    data["unit"] = {{"id", picked->id}, {"name", picked->name}, {"head", head}, {"pr_lead", lead}};
    data["approvers"] = approvers;
    return ok();
  });
  if (!r) return http::response_for(r.error());
  if (unknown_unit && unit) return http::Response::html(400, "");
  return d.staff.page(who, "admin/duty", std::move(data));
}

}  // namespace

void add_duty_routes(http::Router& router, std::shared_ptr<const Deps> deps) {
  router.get("/admin/duty", deps->staff.guard([deps](http::Request& req, StaffContext& who) {
    return duty(*deps, req, who);
  }, std::nullopt));
}

}  // namespace koban::app::roster
