#include "app/staff_refusal.h"

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"

namespace koban::app {

void audit_refusal(store::Database& db, const Clock& clock, const StaffContext& who, const http::Request& req,
                   const Error& e, const Refusal& r) {
  // Best effort: a refusal must be answered even when the audit write fails (the database may
  // be the reason); the error itself is what the person needs to see.
  (void)db.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(audit::append(s,
                            {.actor_id = who.actor.person, .actor_name = who.actor.display_name,
                             .unit_id = who.actor.unit, .unit_name = who.unit_name, .action = r.action,
                             .object_type = r.object_type, .object_id = r.object_id,
                             .summary = e.message.substr(0, audit::kMaxSummaryBytes / 2),
                             .address = req.remote_addr, .outcome = audit::Outcome::refused},
                            clock.now()));
    return ok();
  });
}

http::Response staff_error_page(const StaffAuth& staff, const StaffContext& who, int status,
                                const std::string& message, const std::string& back) {
  auto res = staff.page(who, "admin/people_error",
                        {{"title", "操作できません"},
                         {"message", message},
                         {"back", back.empty() ? nlohmann::json() : nlohmann::json(back)}});
  if (res.status == 200) res.status = status;
  return res;
}

http::Response refuse(store::Database& db, const StaffAuth& staff, const Clock& clock, const StaffContext& who,
                      const http::Request& req, const Error& e, const Refusal& r) {
  const int status = http::status_for(e);
  if (status >= 500) return http::response_for(e);
  audit_refusal(db, clock, who, req, e, r);
  return staff_error_page(staff, who, status, e.message, r.back);
}

}  // namespace koban::app
