// The transitions of a request (request.h), each run inside the caller's write transaction:
//
//   workflow::By by{.person = session.person_id, .address = peer};
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_ASSIGN(auto id, workflow::create_draft(s, kinds, {.kind = "alert.send",
//                  .object_type = "alert", .object_id = "42", .unit_id = chuo,
//                  .title = "不審者情報"}, by, clock.now()));
//     return workflow::submit(s, kinds, id, by, clock.now());
//   });
//   workflow::approve(s, kinds, id, {.person = head}, "", now);        // next step or approved
//   workflow::remand(s, kinds, id, {.person = head}, "写真を差し替えてください", now);
//   workflow::withdraw(s, kinds, id, by, now);                          // by the creator
//   workflow::carry_out(s, kinds, id, {.person = koho}, now);           // approved → carried_out
//
// Who may do what:
// - create_draft / submit: the creator with org::can(write / submit) on the request's unit;
//   submit works from draft or remanded and starts a new round at step 1;
// - approve / remand: only a person assigned to the open step, never the request's creator,
//   with org::can(approve) on the unit; remand needs a comment;
// - withdraw: the creator, from draft, submitted or remanded;
// - carry_out: anyone with org::can(publish) on the unit, from approved.
// A refusal (wrong state: conflict; wrong person: permission_denied; bad input:
// invalid_argument) has a Japanese message and writes nothing. Every transition appends an
// audit event ("workflow.request.<verb>") and enqueues a "workflow.notify" job, payload
// {"request_id":1,"event":"submitted","recipients":[3,4]}, in the caller's transaction; an
// approval by a stand-in also enqueues event "post_hoc_report" to the absent head.
// Callers audit refusals themselves (the refused transaction is normally rolled back).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "store/database.h"
#include "workflow/kinds.h"
#include "workflow/request.h"

namespace koban::workflow {

inline constexpr const char* kNotifyJobKind = "workflow.notify";

struct By {
  org::PersonId person = 0;
  std::string address{};  // client address for the audit record ("" for the system)
};

struct NewRequest {
  std::string kind{};
  std::string object_type{};
  std::string object_id{};
  org::UnitId unit_id = 0;
  std::string title{};
};

Result<RequestId> create_draft(store::Session& s, const KindRegistry& kinds, const NewRequest& r,
                               const By& by, Instant now);
Result<void> submit(store::Session& s, const KindRegistry& kinds, RequestId id, const By& by,
                    Instant now);
Result<void> approve(store::Session& s, const KindRegistry& kinds, RequestId id, const By& by,
                     std::string comment, Instant now);
Result<void> remand(store::Session& s, const KindRegistry& kinds, RequestId id, const By& by,
                    std::string comment, Instant now);
Result<void> withdraw(store::Session& s, const KindRegistry& kinds, RequestId id, const By& by,
                      Instant now);
Result<void> carry_out(store::Session& s, const KindRegistry& kinds, RequestId id, const By& by,
                       Instant now);

Result<Request> get_request(store::Session& s, RequestId id);
// Every step of every round, oldest first.
Result<std::vector<Step>> steps_of(store::Session& s, RequestId id);
Result<Step> get_step(store::Session& s, StepId id);

}  // namespace koban::workflow
