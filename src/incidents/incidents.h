// Incident and failure reports (ORG-9): anyone logged in reports; the report is routed to the
// people the seeds name and tracked to closure, every step with a note and its actor.
//
//   KOBAN_ASSIGN(IncidentId id, report(s, who, {.kind = Kind::failure, .subsystem = Subsystem::website,
//                                               .title = "...", .what_happened = "...",
//                                               .impact = "...", .noticed_at = t}, now));
//   KOBAN_TRY(transition(s, who, id, State::acknowledged, "確認しました", now));
//   KOBAN_ASSIGN(auto page, list_incidents(s, who.actor, {.state = State::reported}));
//
// Call inside db.write(): the incident, its recipients, one "incidents.notify" job per
// recipient and the audit record commit together. Recipients (incident_recipients.reason):
// the reporter's unit head (unit_head), the business owner of the subsystem's purpose
// (business_owner), the system administrators (system_admin) and the overall manager
// (overall_manager); the reporter is not notified of their own report.
// States: reported → acknowledged → in_progress → resolved → closed (acknowledged may go to
// resolved directly; resolved may go back to in_progress). Only recipients and administrators
// (subsystems.h is_admin) move an incident; the reporter, recipients and administrators see it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "incidents/subsystems.h"
#include "store/database.h"

namespace koban::incidents {

using IncidentId = std::int64_t;
inline constexpr const char* kNotifyJobKind = "incidents.notify";

enum class Kind { failure, security, other };
const char* to_string(Kind k);  // failure | security | other
const char* label(Kind k);      // 障害 | セキュリティ事案 | その他
std::optional<Kind> parse_kind(std::string_view s);

enum class State { reported, acknowledged, in_progress, resolved, closed };
const char* to_string(State s);
const char* label(State s);  // 報告済み, 確認済み, 対応中, 解決済み, 終結
std::optional<State> parse_state(std::string_view s);
// States reachable from `from`, in display order.
std::vector<State> next_states(State from);

inline constexpr std::size_t kMaxTitleBytes = 200;
inline constexpr std::size_t kMaxTextBytes = 4000;
inline constexpr std::size_t kMaxNoteBytes = 2000;

struct NewIncident {
  Kind kind = Kind::failure;
  Subsystem subsystem = Subsystem::platform;
  std::string title{};
  std::string what_happened{};
  std::string impact{};
  Instant noticed_at{};
};

struct Incident {
  IncidentId id = 0;
  Kind kind = Kind::failure;
  Subsystem subsystem = Subsystem::platform;
  std::string title, what_happened, impact;
  Instant noticed_at{};
  State state = State::reported;
  std::int64_t reporter_id = 0;
  std::string reporter_name;
  std::int64_t unit_id = 0;
  std::string unit_name;
  Instant created_at{}, updated_at{};
};

struct TimelineEntry {
  std::optional<State> from;  // nullopt for the report itself
  State to = State::reported;
  std::string note;
  std::int64_t actor_id = 0;
  std::string actor_name;
  Instant at{};
};

struct Recipient {
  std::int64_t person_id = 0;
  std::string name;
  std::string reason;  // unit_head | business_owner | system_admin | overall_manager
};

// invalid_argument (Japanese) for empty or over-long fields or a noticed time after now.
Result<IncidentId> report(store::Session& s, const Who& who, const NewIncident& in, Instant now);
// permission_denied for people who may not move it, conflict for a transition not allowed
// from the current state, invalid_argument for an empty or over-long note.
Result<void> transition(store::Session& s, const Who& who, IncidentId id, State to,
                        const std::string& note, Instant now);

Result<Incident> get_incident(store::Session& s, IncidentId id);
Result<std::vector<TimelineEntry>> timeline(store::Session& s, IncidentId id);
Result<std::vector<Recipient>> recipients(store::Session& s, IncidentId id);
// Reporter, recipient or administrator.
Result<bool> can_view(store::Session& s, const org::Actor& actor, IncidentId id);
// Recipient or administrator (a closed incident still refuses every transition: conflict).
Result<bool> can_move(store::Session& s, const org::Actor& actor, IncidentId id);

struct ListFilter {
  std::optional<State> state{};
  std::optional<Subsystem> subsystem{};
  std::optional<IncidentId> before{};  // keyset paging: ids below this one
  int limit = 50;                      // capped at 200
};
struct IncidentPage {
  std::vector<Incident> items;            // newest first
  std::optional<IncidentId> next_before;  // set when there may be more
};
// Incidents routed to the person (a recipient) that are not resolved or closed yet: the
// dashboard's "waiting for me".
Result<std::int64_t> open_for_recipient(store::Session& s, std::int64_t person);

// What the actor may see (all for administrators), newest first.
Result<IncidentPage> list_incidents(store::Session& s, const org::Actor& actor, const ListFilter& f);

}  // namespace koban::incidents
