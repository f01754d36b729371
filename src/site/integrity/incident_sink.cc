#include "site/integrity/incident_sink.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "incidents/incidents.h"
#include "org/lookups.h"
#include "org/people.h"
#include "org/permissions.h"
#include "org/roles.h"
#include "org/units.h"
#include "store/jobs.h"

namespace koban::site::integrity {
namespace {

// The person in whose name the automatic check reports: an incident needs a reporter.
Result<org::PersonId> reporter(store::Session& s, const IncidentSinkSettings& st) {
  if (!st.reporter_login.empty()) {
    KOBAN_ASSIGN(auto p, org::find_person_by_login(s, st.reporter_login));
    if (!p || p->status != org::PersonStatus::active)
      return Error::invalid("site.integrity_reporter " + st.reporter_login + " is not an active person");
    return p->id;
  }
  KOBAN_ASSIGN(auto admins, org::holders(s, org::Role::system_admin, std::nullopt, std::nullopt));
  std::sort(admins.begin(), admins.end());
  for (auto id : admins) {
    KOBAN_ASSIGN(auto p, org::get_person(s, id));
    if (p.status == org::PersonStatus::active) return id;
  }
  KOBAN_ASSIGN(auto unit, org::find_unit_by_code(s, st.responsible_unit_code));
  if (unit) {
    KOBAN_ASSIGN(auto head, org::unit_head(s, unit->id));
    if (head) return head->id;
  }
  return Error::unavailable("no active system administrator to report the website tampering in the name of");
}

}  // namespace

IncidentSink incident_sink(IncidentSinkSettings settings) {
  IncidentSink sink;
  sink.raise = [settings](store::Session& s, const TamperReport& r, Instant now) -> Result<std::int64_t> {
    KOBAN_ASSIGN(org::PersonId who_id, reporter(s, settings));
    KOBAN_ASSIGN(auto actor, org::load_actor(s, who_id));
    KOBAN_ASSIGN(auto unit, org::get_unit(s, actor.unit));
    incidents::Who who{actor, unit.name, ""};
    KOBAN_ASSIGN(incidents::IncidentId id,
                 incidents::report(s, who,
                                   {.kind = incidents::Kind::security, .subsystem = incidents::Subsystem::website,
                                    .title = r.title, .what_happened = r.summary, .impact = r.impact,
                                    .noticed_at = now},
                                   now));
    // 広報課 answers for the site (SITE-8 "reported at once"): make sure its head hears of it,
    // and the person it was reported for, whom report() leaves out as the reporter.
    KOBAN_ASSIGN(auto routed, incidents::recipients(s, id));
    std::vector<std::pair<org::PersonId, const char*>> extra{{who_id, "reporter"}};
    KOBAN_ASSIGN(auto koho, org::find_unit_by_code(s, settings.responsible_unit_code));
    if (koho) {
      KOBAN_ASSIGN(auto head, org::unit_head(s, koho->id));
      if (head) extra.emplace_back(head->id, "responsible_officer");
    }
    std::vector<org::PersonId> done;
    for (auto [person, reason] : extra) {
      bool already = std::any_of(routed.begin(), routed.end(), [&](const auto& x) { return x.person_id == person; }) ||
                     std::find(done.begin(), done.end(), person) != done.end();
      if (already) continue;
      done.push_back(person);
      nlohmann::json j{{"incident_id", id}, {"event", "reported"}, {"person_id", person}, {"reason", reason},
                       {"kind", "security"}, {"subsystem", "website"}, {"title", r.title}};
      KOBAN_TRY(store::enqueue(s, {.kind = incidents::kNotifyJobKind, .payload = j.dump(), .run_at = now}, now));
    }
    return id;
  };
  sink.is_open = [](store::Session& s, std::int64_t id) -> Result<bool> {
    auto in = incidents::get_incident(s, id);
    if (!in) {
      if (in.error().code == ErrorCode::not_found) return false;
      return in.error();
    }
    return in->state != incidents::State::resolved && in->state != incidents::State::closed;
  };
  return sink;
}

}  // namespace koban::site::integrity
