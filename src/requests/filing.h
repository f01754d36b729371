// Filing an administrative request: validates the form's fields (forms.h), creates the workflow
// request, stores the fields in request_forms and submits, all in the caller's transaction.
//
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_ASSIGN(auto id, requests::file_request(s, kinds, {.kind = "org.access_grant",
//                  .unit_id = chuo, .title = "生活安全課員のHP更新権限", .input = form}, by, now));
//     ...
//   });
//   requests::resubmit(s, kinds, id, corrected_form, by, now);   // after a remand, by the creator
//   KOBAN_ASSIGN(nlohmann::json fields, requests::form_fields(s, id));
//
// Refusals (bad fields: invalid_argument; not the creator: permission_denied; wrong state:
// conflict) carry Japanese messages; the caller rolls back, so nothing is written.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/time.h"
#include "store/database.h"
#include "workflow/engine.h"

namespace koban::requests {

struct NewFiled {
  std::string kind{};
  org::UnitId unit_id = 0;
  std::string title{};
  std::map<std::string, std::string> input{};
};

Result<workflow::RequestId> file_request(store::Session& s, const workflow::KindRegistry& kinds,
                                         const NewFiled& r, const workflow::By& by, Instant now);
Result<void> resubmit(store::Session& s, const workflow::KindRegistry& kinds, workflow::RequestId id,
                      const std::map<std::string, std::string>& input, const workflow::By& by, Instant now);
// not_found when the request has no form (another module's request).
Result<nlohmann::json> form_fields(store::Session& s, workflow::RequestId id);

}  // namespace koban::requests
