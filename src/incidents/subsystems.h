// The subsystems an incident can concern and that can be suspended (ORG-9, ORG-10), the purpose
// (org::Purpose) each belongs to, and who answers for each.
//
//   auto sub = parse_subsystem("website");              // Subsystem::website
//   label(Subsystem::alerts)                             // "安全安心メール"
//   purpose_of(Subsystem::platform)                      // Purpose::administration
//   is_responsible(actor, Subsystem::website)            // business owner (website) or admin
//
// "Responsible" follows the seeds: the business owner (業務主管課長) of the subsystem's purpose,
// or the system administrator / overall manager, who answer for every subsystem.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "org/permissions.h"
#include "org/roles.h"

namespace koban::incidents {

enum class Subsystem { website, alerts, procedures, mailbox, social, platform };
inline constexpr std::array<Subsystem, 6> kAllSubsystems = {
    Subsystem::website, Subsystem::alerts, Subsystem::procedures,
    Subsystem::mailbox, Subsystem::social, Subsystem::platform};
const char* to_string(Subsystem s);  // stored form: "website" ...
const char* label(Subsystem s);      // Japanese name shown to people
std::optional<Subsystem> parse_subsystem(std::string_view s);
org::Purpose purpose_of(Subsystem s);

// True for an active person who is system administrator or overall manager (any purpose).
bool is_admin(const org::Actor& actor);
// True for is_admin() or an active business owner of purpose_of(s) over the whole force.
bool is_responsible(const org::Actor& actor, Subsystem s);

// Who is acting, for audit records: the loaded actor, the name of the unit they act for and
// the client address ("" for the system).
struct Who {
  org::Actor actor;
  std::string unit_name;
  std::string address;
};

}  // namespace koban::incidents
