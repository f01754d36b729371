#include "app/admin_roster_routes.h"

#include <map>

#include "audit/audit_log.h"
#include "http/message.h"
#include "org/people.h"
#include "workflow/approver_rules.h"

namespace koban::app {
namespace roster {

using nlohmann::json;

std::string actor_name(const org::Actor& a) { return a.display_name + "（" + a.login_name + "）"; }

std::string acting_label(const std::string& acting_as) {
  if (acting_as == "unit_head") return "所属長";
  if (acting_as == "pr_lead_for_absent_head") return "広報活動責任者（所属長の代理）";
  if (acting_as == "duty_officer") return "当直責任者（当直時間帯）";
  return acting_as;
}

Result<json> approvers_now(store::Session& s, const Deps& deps, org::UnitId unit, Instant now) {
  // The engine runs the rule on a request of the unit; nothing else of the request is read.
  const workflow::Request probe{.unit_id = unit};
  struct Group {
    std::vector<std::string> purposes;
    json entry;
  };
  std::vector<Group> groups;
  std::map<std::string, std::size_t> by_answer;  // the answer's text → its group
  for (const auto& [purpose, rule] : deps.rules) {
    auto choice = rule(s, probe, now);
    json entry;
    if (choice) {
      json people = json::array();
      for (auto id : choice->people) {
        KOBAN_ASSIGN(auto p, org::get_person(s, id));
        people.push_back({{"id", p.id}, {"name", p.display_name},
                          {"title", p.title.empty() ? json() : json(p.title)}});
      }
      json post_hoc;
      if (choice->post_hoc_to) {
        KOBAN_ASSIGN(auto p, org::get_person(s, *choice->post_hoc_to));
        post_hoc = p.display_name;
      }
      entry = {{"people", people}, {"acting", acting_label(choice->acting_as)}, {"post_hoc", post_hoc},
               {"error", nullptr}};
    } else if (choice.error().code == ErrorCode::not_found) {
      entry = {{"people", json::array()}, {"acting", nullptr}, {"post_hoc", nullptr},
               {"error", choice.error().message}};
    } else {
      return choice.error();
    }
    const std::string key = entry.dump();
    auto it = by_answer.find(key);
    if (it == by_answer.end()) {
      by_answer.emplace(key, groups.size());
      groups.push_back({{org::label(purpose)}, std::move(entry)});
    } else {
      groups[it->second].purposes.push_back(org::label(purpose));
    }
  }
  json out = json::array();
  for (auto& g : groups) {
    std::string names;
    for (const auto& p : g.purposes) names += (names.empty() ? "" : "・") + p;
    g.entry["purposes"] = names;
    out.push_back(std::move(g.entry));
  }
  return out;
}

http::Response error_page(const Deps& deps, const StaffContext& who, const Error& e, const std::string& back) {
  const int status = http::status_for(e);
  if (status >= 500) return http::response_for(e);
  auto res = deps.staff.page(who, "admin/people_error",
                             {{"title", "操作できません"}, {"message", e.message},
                              {"back", back.empty() ? json() : json(back)}});
  if (res.status == 200) res.status = status;
  return res;
}

void audit_refused(const Deps& deps, const StaffContext& who, const http::Request& req, const std::string& action,
                   const std::string& object_type, const std::string& object_id, const std::string& why) {
  (void)deps.db.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(audit::append(s,
                            {.actor_id = who.actor.person, .actor_name = actor_name(who.actor),
                             .unit_id = who.actor.unit, .unit_name = who.unit_name, .action = action,
                             .object_type = object_type, .object_id = object_id, .summary = why,
                             .address = req.remote_addr, .outcome = audit::Outcome::refused},
                            deps.clock.now()));
    return ok();
  });
}

}  // namespace roster

void add_roster_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                       const calendar::BusinessCalendar& calendar, const Clock& clock) {
  auto deps = std::make_shared<roster::Deps>(roster::Deps{.db = db, .staff = staff, .clock = clock,
                                                          .calendar = calendar, .rules = {}});
  for (auto purpose : org::kAllPurposes)
    deps->rules.emplace_back(purpose, workflow::unit_head_or_stand_in(purpose, calendar));
  roster::add_absences_routes(router, deps);
  roster::add_duty_routes(router, deps);
  roster::add_roles_routes(router, deps);
}

}  // namespace koban::app
