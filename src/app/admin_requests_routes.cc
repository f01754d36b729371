#include "app/admin_requests_routes.h"
#include "app/staff_refusal.h"
#include "app/page_helpers.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "audit/audit_log.h"
#include "http/forms/urlencoded.h"
#include "org/people.h"
#include "org/units.h"
#include "requests/filing.h"
#include "requests/forms.h"
#include "workflow/engine.h"
#include "workflow/queues.h"

namespace koban::app {
namespace {

using nlohmann::json;

// The largest form has a handful of fields of at most 2000 characters (6000 bytes in UTF-8).
const http::forms::FormLimits kFormLimits{.max_fields = 24, .max_name_bytes = 32, .max_value_bytes = 8192,
                                          .max_total_bytes = 64 * 1024};
const http::forms::FormLimits kQueryLimits{.max_fields = 4, .max_name_bytes = 16, .max_value_bytes = 64,
                                           .max_total_bytes = 256};
constexpr int kMyListLimit = 100;

using pages::parse_id;

using pages::jst_text;

json opt_time(const std::optional<Instant>& t) { return t ? json(jst_text(*t)) : json(); }

const char* decision_label(workflow::Decision d) {
  switch (d) {
    case workflow::Decision::approved: return "承認";
    case workflow::Decision::remanded: return "差戻し";
    case workflow::Decision::withdrawn: return "取下げ";
  }
  return "";
}

const char* acting_label(const std::string& a) {
  if (a == "unit_head") return "所属長";
  if (a == "pr_lead_for_absent_head") return "所属長不在のため広報活動責任者";
  if (a == "duty_officer") return "当直責任者";
  if (a == "hq_reviewer") return "システム総括責任者";
  return "";
}

std::map<std::string, std::string> fields_of(const http::forms::FormFields& form, const requests::FormSpec& spec) {
  std::map<std::string, std::string> in;
  for (const auto& f : spec.fields)
    if (auto v = form.get(f.name)) in[f.name] = *v;
  return in;
}

class RequestPages {
 public:
  RequestPages(store::Database& db, StaffAuth& staff, std::shared_ptr<const workflow::KindRegistry> kinds,
               const Clock& clock)
      : db_(db), staff_(staff), kinds_(std::move(kinds)), clock_(clock) {}

  http::Response list(http::Request& req, StaffContext& who);
  http::Response new_form(http::Request& req, StaffContext& who);
  http::Response create(http::Request& req, StaffContext& who);
  http::Response show(http::Request& req, StaffContext& who) { return details(req, who, false); }
  http::Response print(http::Request& req, StaffContext& who) { return details(req, who, true); }
  http::Response approve(http::Request& req, StaffContext& who) { return decide(req, who, "approve"); }
  http::Response remand(http::Request& req, StaffContext& who) { return decide(req, who, "remand"); }
  http::Response withdraw(http::Request& req, StaffContext& who) { return decide(req, who, "withdraw"); }
  http::Response carry_out(http::Request& req, StaffContext& who) { return decide(req, who, "carry_out"); }
  http::Response resubmit(http::Request& req, StaffContext& who);
  http::Response acknowledge(http::Request& req, StaffContext& who);

 private:
  workflow::By by(const StaffContext& who, const http::Request& req) const {
    return {.person = who.actor.person, .address = req.remote_addr};
  }
  // A refusal: audited in its own transaction (the refused one wrote nothing), then the page.
  http::Response refuse(const StaffContext& who, const http::Request& req, const std::string& verb,
                        std::int64_t id, const Error& e, const std::string& back) {
    return app::refuse(db_, staff_, clock_, who, req, e,
                       {.action = "workflow.request." + verb, .object_type = "request",
                        .object_id = id ? std::to_string(id) : "", .back = back});
  }
  http::Response decide(http::Request& req, StaffContext& who, const std::string& verb);
  http::Response details(http::Request& req, StaffContext& who, bool printable);
  http::Response form_page(const StaffContext& who, const requests::FormSpec& spec, const json& values,
                           const std::string& title, const std::string& error, int status);
  // Who may read a request: its creator, anyone it was ever assigned to, and people who may
  // view its kind's purpose on its unit.
  Result<bool> may_view(store::Session& s, const StaffContext& who, const workflow::Request& r,
                        const std::vector<workflow::Step>& steps) const;
  Result<std::string> name_of(store::Session& s, org::PersonId id, std::map<org::PersonId, std::string>& cache) const {
    if (auto it = cache.find(id); it != cache.end()) return it->second;
    KOBAN_ASSIGN(auto p, org::get_person(s, id));
    cache[id] = p.display_name;
    return p.display_name;
  }
  std::string kind_label(const std::string& kind) const {
    auto k = kinds_->find(kind);
    return k ? (*k)->label : kind;
  }
  json request_row(const workflow::Request& r) const {
    return {{"id", r.id}, {"title", r.title}, {"kind", kind_label(r.kind)}, {"state", workflow::label(r.state)},
            {"updated", jst_text(r.updated_at)}};
  }

  store::Database& db_;
  StaffAuth& staff_;
  std::shared_ptr<const workflow::KindRegistry> kinds_;
  const Clock& clock_;
};

http::Response RequestPages::list(http::Request& req, StaffContext& who) {
  static const std::map<std::string, std::string, std::less<>> kDone = {{"acknowledge", "事後報告を確認しました。"}};
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  const std::string done = query->get("done").value_or("");
  if (!done.empty() && !kDone.count(done)) return http::Response::html(400, "");
  json mine = json::array(), waiting = json::array(), reports = json::array();
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT id FROM requests WHERE created_by = ? ORDER BY id DESC LIMIT ?",
                                    who.actor.person, kMyListLimit));
    for (const auto& row : rows) {
      KOBAN_ASSIGN(auto q, workflow::get_request(s, row.int64(0)));
      mine.push_back(request_row(q));
    }
    std::map<org::PersonId, std::string> names;
    KOBAN_ASSIGN(auto w, workflow::waiting_for(s, who.actor.person));
    for (const auto& x : w) {
      json row = request_row(x.request);
      KOBAN_ASSIGN(row["by"], name_of(s, x.request.created_by, names));
      row["since"] = jst_text(x.step.created_at);
      waiting.push_back(std::move(row));
    }
    KOBAN_ASSIGN(auto p, workflow::pending_post_hoc(s, who.actor.person));
    for (const auto& x : p) {
      json row = request_row(x.request);
      row["step"] = x.step.id;
      KOBAN_ASSIGN(row["actor"], name_of(s, x.step.actor.value_or(0), names));
      row["decided"] = opt_time(x.step.decided_at);
      reports.push_back(std::move(row));
    }
    return ok();
  });
  if (!r) return http::response_for(r.error());
  return staff_.page(who, "admin/requests_list",
                     {{"title", "申請・承認"}, {"flash", done.empty() ? json() : json(kDone.at(done))},
                      {"has_mine", !mine.empty()}, {"mine", mine},
                      {"has_waiting", !waiting.empty()}, {"waiting", waiting},
                      {"has_reports", !reports.empty()}, {"reports", reports}});
}

http::Response RequestPages::form_page(const StaffContext& who, const requests::FormSpec& spec, const json& values,
                                       const std::string& title, const std::string& error, int status) {
  json fields = json::array();
  for (const auto& f : spec.fields) {
    const std::string value = values.contains(f.name) && values[f.name].is_string() ? values[f.name].get<std::string>() : "";
    json options = json::array();
    for (const auto& [v, l] : f.options) options.push_back({{"value", v}, {"label", l}, {"selected", v == value}});
    fields.push_back({{"name", f.name}, {"label", f.label}, {"value", value}, {"required", f.required},
                      {"is_text", f.type == requests::FieldType::text},
                      {"is_textarea", f.type == requests::FieldType::textarea},
                      {"is_date", f.type == requests::FieldType::date},
                      {"is_select", f.type == requests::FieldType::select}, {"options", options},
                      {"max", f.type == requests::FieldType::textarea ? requests::kMaxTextareaChars
                                                                     : requests::kMaxTextChars}});
  }
  json errors = json::array();
  for (std::size_t at = 0; at < error.size();) {
    auto nl = error.find('\n', at);
    if (nl == std::string::npos) nl = error.size();
    if (nl > at) errors.push_back(error.substr(at, nl - at));
    at = nl + 1;
  }
  auto res = staff_.page(who, "admin/requests_new",
                         {{"title", spec.label}, {"kind", spec.kind}, {"label", spec.label},
                          {"form_number", spec.form_number}, {"form_title", spec.form_title},
                          {"request_title", title}, {"fields", fields}, {"chosen", true},
                          {"has_errors", !errors.empty()}, {"errors", errors},
                          {"max_title", workflow::kMaxTitleChars}});
  if (res.status == 200) res.status = status;
  return res;
}

http::Response RequestPages::new_form(http::Request& req, StaffContext& who) {
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  const std::string kind = query->get("kind").value_or("");
  if (kind.empty()) {
    json forms = json::array();
    for (const auto& f : requests::all_forms())
      forms.push_back({{"kind", f.kind}, {"label", f.label}, {"form_number", f.form_number}});
    return staff_.page(who, "admin/requests_new", {{"title", "新しい申請"}, {"chosen", false}, {"forms", forms}});
  }
  const auto* spec = requests::find_form(kind);
  if (!spec) return refuse(who, req, "create", 0, Error::not_found("指定された申請の種類はありません。"), "/admin/requests/new");
  return form_page(who, *spec, json::object(), "", "", 200);
}

http::Response RequestPages::create(http::Request& req, StaffContext& who) {
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return refuse(who, req, "create", 0, Error::invalid("送信内容を読み取れませんでした。"), "/admin/requests");
  const auto* spec = requests::find_form(form->get("kind").value_or(""));
  if (!spec) return refuse(who, req, "create", 0, Error::not_found("指定された申請の種類はありません。"), "/admin/requests/new");
  const auto input = fields_of(*form, *spec);
  const std::string title = form->get("title").value_or("");
  json values = json::object();
  for (const auto& [k, v] : input) values[k] = v;
  workflow::RequestId id = 0;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(id, requests::file_request(s, *kinds_, {.kind = spec->kind, .unit_id = who.actor.unit,
                                                         .title = title, .input = input},
                                            by(who, req), clock_.now()));
    return ok();
  });
  if (!r) {
    if (r.error().code == ErrorCode::invalid_argument) return form_page(who, *spec, values, title, r.error().message, 422);
    return refuse(who, req, "create", 0, r.error(), "/admin/requests");
  }
  return http::Response::redirect("/admin/requests/" + std::to_string(id) + "?done=submit", 303);
}

Result<bool> RequestPages::may_view(store::Session&, const StaffContext& who, const workflow::Request& r,
                                    const std::vector<workflow::Step>& steps) const {
  const auto me = who.actor.person;
  if (r.created_by == me) return true;
  for (const auto& st : steps) {
    if (std::find(st.approvers.begin(), st.approvers.end(), me) != st.approvers.end()) return true;
    if (st.post_hoc_to == me || st.actor == me) return true;
  }
  KOBAN_ASSIGN(const workflow::KindSpec* spec, kinds_->find(r.kind));
  return org::can(who.actor, spec->purpose, org::Action::view, r.unit_id);
}

http::Response RequestPages::details(http::Request& req, StaffContext& who, bool printable) {
  const std::string verb = printable ? "print" : "view";
  const auto id = parse_id(req.param("id"));
  if (!id) return refuse(who, req, verb, 0, Error::not_found("指定された申請は見つかりません。"), "/admin/requests");
  static const std::map<std::string, std::string, std::less<>> kDone = {
      {"submit", "申請を提出しました。"}, {"approve", "承認しました。"}, {"remand", "差し戻しました。"},
      {"withdraw", "申請を取り下げました。"}, {"carry_out", "実施済みにしました。"}, {"resubmit", "修正して再提出しました。"}};
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  const std::string done = query->get("done").value_or("");
  if (!done.empty() && !kDone.count(done)) return http::Response::html(400, "");

  json data;
  bool allowed = false;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto q, workflow::get_request(s, *id));
    KOBAN_ASSIGN(auto steps, workflow::steps_of(s, *id));
    KOBAN_ASSIGN(allowed, may_view(s, who, q, steps));
    if (!allowed) return ok();
    std::map<org::PersonId, std::string> names;
    KOBAN_ASSIGN(auto unit, org::get_unit(s, q.unit_id));
    KOBAN_ASSIGN(auto creator, name_of(s, q.created_by, names));
    // The form (absent for other modules' requests).
    const auto* spec = requests::find_form(q.kind);
    json fields = json::array();
    json values = json::object();
    auto filled = requests::form_fields(s, *id);
    if (!filled && filled.error().code != ErrorCode::not_found) return filled.error();
    if (filled && spec) {
      values = *filled;
      for (const auto& f : spec->fields) {
        const std::string v = filled->contains(f.name) && (*filled)[f.name].is_string() ? (*filled)[f.name].get<std::string>() : "";
        fields.push_back({{"label", f.label}, {"value", f.type == requests::FieldType::select ? requests::option_label(f, v) : v}});
      }
    }
    json rows = json::array();
    const workflow::Step* open = nullptr;
    for (const auto& st : steps) {
      if (q.current_step == st.id) open = &st;
      json approvers = json::array();
      for (auto p : st.approvers) {
        KOBAN_ASSIGN(auto n, name_of(s, p, names));
        approvers.push_back(n);
      }
      std::string approver_text;
      for (const auto& a : approvers) approver_text += (approver_text.empty() ? "" : "、") + a.get<std::string>();
      json actor;
      if (st.actor) {
        KOBAN_ASSIGN(auto n, name_of(s, *st.actor, names));
        actor = n;
      }
      rows.push_back({{"round", st.round}, {"step_no", st.step_no}, {"acting", acting_label(st.acting_as)},
                      {"approvers", approver_text},
                      {"decision", st.decision ? json(decision_label(*st.decision)) : json()},
                      {"pending", !st.decision.has_value()},
                      {"comment", st.comment.empty() ? json() : json(st.comment)}, {"actor", actor},
                      {"decided", opt_time(st.decided_at)}, {"post_hoc", st.post_hoc_to.has_value()},
                      {"acknowledged", opt_time(st.acknowledged_at)}});
    }
    const auto me = who.actor.person;
    const bool is_creator = q.created_by == me;
    const bool may_decide = q.state == workflow::RequestState::submitted && open && !is_creator &&
                            std::find(open->approvers.begin(), open->approvers.end(), me) != open->approvers.end();
    KOBAN_ASSIGN(const workflow::KindSpec* kind, kinds_->find(q.kind));
    const bool may_withdraw = is_creator && (q.state == workflow::RequestState::draft ||
                                             q.state == workflow::RequestState::submitted ||
                                             q.state == workflow::RequestState::remanded);
    const bool may_carry_out = q.state == workflow::RequestState::approved &&
                               org::can(who.actor, kind->purpose, org::Action::publish, q.unit_id);
    const bool may_resubmit = is_creator && q.state == workflow::RequestState::remanded && spec && filled;
    json carried;
    if (q.carried_out_by) {
      KOBAN_ASSIGN(auto n, name_of(s, *q.carried_out_by, names));
      carried = n;
    }
    data = {{"title", q.title},
            {"request", {{"id", q.id}, {"title", q.title}, {"kind", kind->label}, {"state", workflow::label(q.state)},
                         {"unit", unit.name}, {"creator", creator}, {"round", q.round},
                         {"created", jst_text(q.created_at)}, {"submitted", opt_time(q.submitted_at)},
                         {"carried_out", opt_time(q.carried_out_at)}, {"carried_out_by", carried}}},
            {"form_number", spec ? json(requests::form_number(*spec, values)) : json()},
            {"form_title", spec ? json(requests::form_title(*spec, values)) : json()},
            {"has_fields", !fields.empty()}, {"fields", fields},
            {"has_steps", !rows.empty()}, {"steps", rows},
            {"may_decide", may_decide}, {"may_withdraw", may_withdraw}, {"may_carry_out", may_carry_out},
            {"may_resubmit", may_resubmit},
            {"may_act", may_decide || may_withdraw || may_carry_out || may_resubmit},
            {"flash", done.empty() ? json() : json(kDone.at(done))}};
    if (may_resubmit) {
      json inputs = json::array();
      for (const auto& f : spec->fields) {
        const std::string v = values.contains(f.name) && values[f.name].is_string() ? values[f.name].get<std::string>() : "";
        json options = json::array();
        for (const auto& [ov, ol] : f.options) options.push_back({{"value", ov}, {"label", ol}, {"selected", ov == v}});
        inputs.push_back({{"name", f.name}, {"label", f.label}, {"value", v}, {"required", f.required},
                          {"is_text", f.type == requests::FieldType::text},
                          {"is_textarea", f.type == requests::FieldType::textarea},
                          {"is_date", f.type == requests::FieldType::date},
                          {"is_select", f.type == requests::FieldType::select}, {"options", options},
                          {"max", f.type == requests::FieldType::textarea ? requests::kMaxTextareaChars
                                                                         : requests::kMaxTextChars}});
      }
      data["inputs"] = inputs;
    }
    return ok();
  });
  if (!r) {
    if (r.error().code == ErrorCode::not_found)
      return refuse(who, req, verb, *id, Error::not_found("指定された申請は見つかりません。"), "/admin/requests");
    return refuse(who, req, verb, *id, r.error(), "/admin/requests");
  }
  if (!allowed)
    return refuse(who, req, verb, *id, Error::denied("この申請を見る権限がありません。"), "/admin/requests");
  return staff_.page(who, printable ? "admin/requests_print" : "admin/requests_show", std::move(data));
}

http::Response RequestPages::decide(http::Request& req, StaffContext& who, const std::string& verb) {
  const auto id = parse_id(req.param("id"));
  if (!id) return refuse(who, req, verb, 0, Error::not_found("指定された申請は見つかりません。"), "/admin/requests");
  const std::string back = "/admin/requests/" + std::to_string(*id);
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return refuse(who, req, verb, *id, Error::invalid("送信内容を読み取れませんでした。"), back);
  std::string comment = form->get("comment").value_or("");
  if (verb == "remand" && comment.find_first_not_of(" \t\r\n") == std::string::npos)
    return refuse(who, req, verb, *id, Error::invalid("差し戻す理由をコメントに入力してください。"), back);
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    const auto b = by(who, req);
    const auto now = clock_.now();
    if (verb == "approve") return workflow::approve(s, *kinds_, *id, b, comment, now);
    if (verb == "remand") return workflow::remand(s, *kinds_, *id, b, comment, now);
    if (verb == "withdraw") return workflow::withdraw(s, *kinds_, *id, b, now);
    return workflow::carry_out(s, *kinds_, *id, b, now);
  });
  if (!r) return refuse(who, req, verb, *id, r.error(), back);
  return http::Response::redirect(back + "?done=" + verb, 303);
}

http::Response RequestPages::resubmit(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id) return refuse(who, req, "resubmit", 0, Error::not_found("指定された申請は見つかりません。"), "/admin/requests");
  const std::string back = "/admin/requests/" + std::to_string(*id);
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return refuse(who, req, "resubmit", *id, Error::invalid("送信内容を読み取れませんでした。"), back);
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto q, workflow::get_request(s, *id));
    const auto* spec = requests::find_form(q.kind);
    if (!spec) return Error::not_found("この申請には様式がありません。");
    return requests::resubmit(s, *kinds_, *id, fields_of(*form, *spec), by(who, req), clock_.now());
  });
  if (!r) return refuse(who, req, "resubmit", *id, r.error(), back);
  return http::Response::redirect(back + "?done=resubmit", 303);
}

http::Response RequestPages::acknowledge(http::Request& req, StaffContext& who) {
  const auto step = parse_id(req.param("step"));
  if (!step) return refuse(who, req, "acknowledge", 0, Error::not_found("指定された事後報告は見つかりません。"), "/admin/requests");
  std::int64_t request_id = 0;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto st, workflow::get_step(s, *step));
    request_id = st.request_id;
    return workflow::acknowledge(s, who.actor.person, *step, by(who, req), clock_.now());
  });
  if (!r) return refuse(who, req, "acknowledge", request_id, r.error(), "/admin/requests");
  return http::Response::redirect("/admin/requests?done=acknowledge", 303);
}

}  // namespace

void add_requests_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                         std::shared_ptr<const workflow::KindRegistry> kinds, const Clock& clock) {
  auto pages = std::make_shared<RequestPages>(db, staff, std::move(kinds), clock);
  const http::RouteOptions small{.max_body = 64 * 1024};
  // Any logged-in person may ask; the engine refuses whoever may not decide.
  auto on = [&](auto method) {
    return staff.guard([pages, method](http::Request& req, StaffContext& who) { return ((*pages).*method)(req, who); },
                       std::nullopt);
  };
  router.get("/admin/requests", on(&RequestPages::list));
  router.get("/admin/requests/new", on(&RequestPages::new_form));
  router.post("/admin/requests", on(&RequestPages::create), small);
  router.get("/admin/requests/:id", on(&RequestPages::show));
  router.get("/admin/requests/:id/print", on(&RequestPages::print));
  router.post("/admin/requests/:id/approve", on(&RequestPages::approve), small);
  router.post("/admin/requests/:id/remand", on(&RequestPages::remand), small);
  router.post("/admin/requests/:id/withdraw", on(&RequestPages::withdraw), small);
  router.post("/admin/requests/:id/carry-out", on(&RequestPages::carry_out), small);
  router.post("/admin/requests/:id/resubmit", on(&RequestPages::resubmit), small);
  router.post("/admin/requests/steps/:step/acknowledge", on(&RequestPages::acknowledge), small);
}

}  // namespace koban::app
