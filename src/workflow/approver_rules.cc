#include "workflow/approver_rules.h"

#include <algorithm>

#include "org/absences.h"
#include "org/lookups.h"
#include "org/people.h"
#include "org/units.h"

namespace koban::workflow {

namespace {

Result<ApproverChoice> office_hours_choice(store::Session& s, const Request& r, Instant now) {
  KOBAN_ASSIGN(auto head, org::unit_head(s, r.unit_id));
  bool head_away = false;
  if (head) {
    KOBAN_ASSIGN(head_away, org::is_away(s, head->id, now));
    if (!head_away) return ApproverChoice{.people = {head->id}, .acting_as = "unit_head"};
  }
  KOBAN_ASSIGN(auto lead, org::pr_lead(s, r.unit_id));
  if (lead) {
    KOBAN_ASSIGN(bool lead_away, org::is_away(s, lead->id, now));
    if (!lead_away) {
      ApproverChoice c{.people = {lead->id}, .acting_as = "pr_lead_for_absent_head"};
      // The head is told afterwards whenever one exists who was routed around; a post held by
      // a suspended person gives no head here, so there is nobody to tell.
      if (head) c.post_hoc_to = head->id;
      return c;
    }
  }
  return Error::not_found("所属長も広報活動責任者も承認できる状態にありません");
}

}  // namespace

ApproverRule unit_head_or_stand_in(org::Purpose purpose, calendar::BusinessCalendar calendar) {
  return [purpose, calendar = std::move(calendar)](store::Session& s, const Request& r,
                                                    Instant now) -> Result<ApproverChoice> {
    if (calendar.is_duty_hours(now)) {
      KOBAN_ASSIGN(auto officers, org::duty_officers(s, r.unit_id, purpose));
      ApproverChoice c{.acting_as = "duty_officer"};
      for (const auto& p : officers) {
        KOBAN_ASSIGN(bool away, org::is_away(s, p.id, now));
        if (!away) c.people.push_back(p.id);
      }
      if (!c.people.empty()) {
        KOBAN_ASSIGN(auto head, org::unit_head(s, r.unit_id));
        if (head) c.post_hoc_to = head->id;
        return c;
      }
    }
    return office_hours_choice(s, r, now);
  };
}

ApproverRule hq_reviewer(org::Purpose purpose, std::string unit_code) {
  return [purpose, unit_code = std::move(unit_code)](store::Session& s, const Request& r,
                                                      Instant now) -> Result<ApproverChoice> {
    KOBAN_ASSIGN(auto unit, org::find_unit_by_code(s, unit_code));
    if (!unit || !unit->active) return Error::not_found("審査する課が見つかりません: " + unit_code);
    std::vector<org::PersonId> candidates;
    if (unit->head) candidates.push_back(*unit->head);
    KOBAN_ASSIGN(auto on_unit, org::holders(s, org::Role::business_owner, purpose, unit->id));
    KOBAN_ASSIGN(auto force_wide, org::holders(s, org::Role::business_owner, purpose, std::nullopt));
    candidates.insert(candidates.end(), on_unit.begin(), on_unit.end());
    candidates.insert(candidates.end(), force_wide.begin(), force_wide.end());
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    ApproverChoice c{.acting_as = "hq_reviewer"};
    for (auto id : candidates) {
      KOBAN_ASSIGN(auto p, org::get_person(s, id));
      if (p.status == org::PersonStatus::active) c.people.push_back(id);
    }
    if (c.people.empty()) return Error::not_found("審査する課に承認できる人がいません: " + unit->name);
    return c;
  };
}

}  // namespace koban::workflow
