// Suspension of a subsystem with a public notice (ORG-10). The responsible person (subsystems.h
// is_responsible: the business owner of the subsystem's purpose, the system administrator or
// the overall manager) stops a subsystem for maintenance or trouble and resumes it; each change
// is kept in subsystem_status_history and audited in the same transaction.
//
//   KOBAN_TRY(suspend(s, who, Subsystem::website, "ただいまメンテナンス中です。", now));   // in db.write
//   KOBAN_TRY(resume(s, who, Subsystem::website, now));
//   // public side, per request, before serving the subsystem's pages:
//   if (auto n = suspended(db, Subsystem::website)) return suspended_response(*n);
//
// suspended() is cached per process for kSuspensionCacheTtl so that public pages do not read the
// database on every request; a change made in this process clears the cache when it commits,
// another process's change is seen within the TTL.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "http/message.h"
#include "incidents/subsystems.h"
#include "store/database.h"

namespace koban::incidents {

inline constexpr std::size_t kMaxNoticeBytes = 2000;
inline constexpr std::chrono::seconds kSuspensionCacheTtl{5};

struct Notice {
  Subsystem subsystem = Subsystem::platform;
  std::string text;  // the public notice, Japanese, as the responsible person wrote it
  Instant since{};
};

struct SubsystemStatus {
  Subsystem subsystem = Subsystem::platform;
  bool suspended = false;
  std::string notice;                    // "" when running
  std::optional<std::int64_t> changed_by;
  std::string changed_by_name;
  std::optional<Instant> changed_at;     // nullopt: never changed
};

struct StatusChange {
  Subsystem subsystem = Subsystem::platform;
  std::string action;  // suspend | resume
  std::string notice;
  std::int64_t actor_id = 0;
  std::string actor_name;
  Instant at{};
};

// permission_denied unless is_responsible; conflict when already suspended / not suspended;
// invalid_argument for an empty or over-long notice.
Result<void> suspend(store::Session& s, const Who& who, Subsystem sub, const std::string& notice, Instant now);
Result<void> resume(store::Session& s, const Who& who, Subsystem sub, Instant now);

// Every subsystem in kAllSubsystems order.
Result<std::vector<SubsystemStatus>> statuses(store::Session& s);
// Newest first; limit capped at 200.
Result<std::vector<StatusChange>> status_history(store::Session& s, std::optional<Subsystem> sub, int limit);

// The notice while the subsystem is suspended (cached, see above). A database error answers
// nullopt (pages stay up: a broken status read must not take the public site down) and is not
// cached.
std::optional<Notice> suspended(store::Database& db, Subsystem sub);
void clear_suspension_cache();

// What the public side serves instead of a suspended subsystem's pages: 503 with Retry-After
// and a small self-contained Japanese HTML page carrying the (escaped) notice.
http::Response suspended_response(const Notice& n);

}  // namespace koban::incidents
