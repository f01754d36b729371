#include "requests/filing.h"

#include "audit/audit_log.h"
#include "org/permissions.h"
#include "requests/forms.h"

namespace koban::requests {

Result<workflow::RequestId> file_request(store::Session& s, const workflow::KindRegistry& kinds,
                                         const NewFiled& r, const workflow::By& by, Instant now) {
  const FormSpec* form = find_form(r.kind);
  if (!form) return Error::invalid("申請の種類が正しくありません");
  KOBAN_ASSIGN(auto fields, validate_fields(*form, r.input));
  KOBAN_ASSIGN(auto id, workflow::create_draft(s, kinds, {.kind = r.kind, .object_type = "request_form",
                                                          .object_id = r.kind, .unit_id = r.unit_id,
                                                          .title = r.title}, by, now));
  KOBAN_TRY(s.exec("INSERT INTO request_forms (request_id, kind, fields_json, updated_at) VALUES (?, ?, ?, ?)",
                   id, r.kind, fields.dump(), to_unix(now)));
  KOBAN_TRY(workflow::submit(s, kinds, id, by, now));
  return id;
}

Result<void> resubmit(store::Session& s, const workflow::KindRegistry& kinds, workflow::RequestId id,
                      const std::map<std::string, std::string>& input, const workflow::By& by, Instant now) {
  KOBAN_ASSIGN(auto req, workflow::get_request(s, id));
  const FormSpec* form = find_form(req.kind);
  if (!form) return Error::not_found("この申請は様式のある申請ではありません");
  if (req.created_by != by.person) return Error::denied("申請した本人だけが修正して再申請できます");
  if (req.state != workflow::RequestState::remanded && req.state != workflow::RequestState::draft)
    return Error::conflict(std::string("この申請は「") + workflow::label(req.state) + "」のため修正できません");
  KOBAN_ASSIGN(auto fields, validate_fields(*form, input));
  KOBAN_ASSIGN(auto before, form_fields(s, id));
  KOBAN_TRY(s.exec("UPDATE request_forms SET fields_json = ?, updated_at = ? WHERE request_id = ?", fields.dump(),
                   to_unix(now), id));
  std::string changed;
  for (const auto& f : form->fields)
    if (before.value(f.name, "") != fields.value(f.name, "")) changed += (changed.empty() ? "" : "、") + f.label;
  KOBAN_ASSIGN(auto actor, org::load_actor(s, by.person));
  KOBAN_TRY(audit::append(s, {.actor_id = by.person, .actor_name = actor.display_name + "（" + actor.login_name + "）",
                              .unit_id = actor.unit, .action = "requests.form.update", .object_type = "request",
                              .object_id = std::to_string(id),
                              .summary = changed.empty() ? "修正なし" : "修正した項目: " + changed,
                              .address = by.address}, now));
  return workflow::submit(s, kinds, id, by, now);
}

Result<nlohmann::json> form_fields(store::Session& s, workflow::RequestId id) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT fields_json FROM request_forms WHERE request_id = ?", id));
  if (rows.empty()) return Error::not_found("申請書の内容が見つかりません");
  auto j = nlohmann::json::parse(rows[0].text(0), nullptr, false);
  if (!j.is_object()) return Error::internal("request_forms.fields_json is not an object");
  return j;
}

}  // namespace koban::requests
