// Refused staff actions, the same way on every page: the refusal is audited in its own
// transaction (the refused one wrote nothing) and the person sees the error page with the
// status that fits the error (403, 404, 409, 400 …) and a link back.
//
//   if (!may_edit) return refuse(db_, staff_, clock_, who, req, Error::denied("…"),
//                                {.action = "alerts.alert.create", .object_type = "alert",
//                                 .object_id = "", .back = "/admin/alerts"});
//
// Server errors (5xx) are not refusals: they get the plain error response and no audit row.
#pragma once

#include <string>

#include "app/staff_auth.h"
#include "core/result.h"
#include "core/time.h"
#include "http/message.h"
#include "store/database.h"

namespace koban::app {

struct Refusal {
  std::string action;       // audit action, e.g. "workflow.request.approve"
  std::string object_type;  // "request"
  std::string object_id;    // "" when there is none yet
  std::string back;         // link on the error page; "" for none
};

// Only the audit row (for pages that answer a refusal with their own form, e.g. with errors).
void audit_refusal(store::Database& db, const Clock& clock, const StaffContext& who, const http::Request& req,
                   const Error& e, const Refusal& r);

http::Response refuse(store::Database& db, const StaffAuth& staff, const Clock& clock, const StaffContext& who,
                      const http::Request& req, const Error& e, const Refusal& r);

// The error page alone (no audit): "操作できません" with the message and the link back.
http::Response staff_error_page(const StaffAuth& staff, const StaffContext& who, int status,
                                const std::string& message, const std::string& back);

}  // namespace koban::app
