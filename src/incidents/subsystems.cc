#include "incidents/subsystems.h"

namespace koban::incidents {

const char* to_string(Subsystem s) {
  switch (s) {
    case Subsystem::website: return "website";
    case Subsystem::alerts: return "alerts";
    case Subsystem::procedures: return "procedures";
    case Subsystem::mailbox: return "mailbox";
    case Subsystem::social: return "social";
    case Subsystem::platform: return "platform";
  }
  return "platform";
}

const char* label(Subsystem s) {
  switch (s) {
    case Subsystem::website: return "ホームページ";
    case Subsystem::alerts: return "安全安心メール";
    case Subsystem::procedures: return "電子申請";
    case Subsystem::mailbox: return "メールボックス";
    case Subsystem::social: return "SNS";
    case Subsystem::platform: return "システム基盤";
  }
  return "";
}

std::optional<Subsystem> parse_subsystem(std::string_view s) {
  for (auto x : kAllSubsystems)
    if (s == to_string(x)) return x;
  return std::nullopt;
}

org::Purpose purpose_of(Subsystem s) {
  switch (s) {
    case Subsystem::website: return org::Purpose::website;
    case Subsystem::alerts: return org::Purpose::alerts;
    case Subsystem::procedures: return org::Purpose::procedures;
    case Subsystem::mailbox: return org::Purpose::mailbox;
    case Subsystem::social: return org::Purpose::social;
    case Subsystem::platform: return org::Purpose::administration;
  }
  return org::Purpose::administration;
}

bool is_admin(const org::Actor& actor) {
  if (actor.status != org::PersonStatus::active) return false;
  for (const auto& g : actor.grants)
    if (g.role == org::Role::system_admin || g.role == org::Role::overall_manager) return true;
  return false;
}

bool is_responsible(const org::Actor& actor, Subsystem s) {
  if (is_admin(actor)) return true;
  if (actor.status != org::PersonStatus::active) return false;
  for (const auto& g : actor.grants)
    if (g.role == org::Role::business_owner && g.purpose == purpose_of(s) && !g.unit) return true;
  return false;
}

}  // namespace koban::incidents
