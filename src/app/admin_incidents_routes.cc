#include "app/admin_incidents_routes.h"
#include "app/staff_refusal.h"
#include "app/page_helpers.h"

#include <cstdio>
#include <map>
#include <memory>

#include "audit/audit_log.h"
#include "http/forms/urlencoded.h"
#include "incidents/incidents.h"
#include "incidents/suspension.h"
#include "incidents/text_checks.h"

namespace koban::app {
namespace {

using nlohmann::json;
namespace inc = incidents;

const http::forms::FormLimits kFormLimits{.max_fields = 12, .max_name_bytes = 32, .max_value_bytes = 16 * 1024,
                                          .max_total_bytes = 32 * 1024};
const http::forms::FormLimits kQueryLimits{.max_fields = 4, .max_name_bytes = 16, .max_value_bytes = 32,
                                           .max_total_bytes = 256};
constexpr int kPageSize = 50;
constexpr int kHistoryPerSubsystem = 10;

using pages::parse_id;

using pages::jst_text;

// The value of a datetime-local field (JST, minutes).
std::string jst_input(Instant t) {
  const auto j = to_jst(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d", j.date.year, j.date.month, j.date.day, j.hour, j.minute);
  return buf;
}

json null_if_empty(const std::string& s) { return s.empty() ? json() : json(s); }

const char* reason_label(std::string_view reason) {
  if (reason == "unit_head") return "報告者の所属長";
  if (reason == "business_owner") return "業務主管課長";
  if (reason == "system_admin") return "システム管理者";
  if (reason == "overall_manager") return "総括管理者";
  return "その他";
}

class IncidentPages {
 public:
  IncidentPages(store::Database& db, StaffAuth& staff) : db_(db), staff_(staff) {}

  http::Response list(http::Request& req, StaffContext& who);
  http::Response new_form(http::Request& req, StaffContext& who);
  http::Response create(http::Request& req, StaffContext& who);
  http::Response show(http::Request& req, StaffContext& who);
  http::Response move(http::Request& req, StaffContext& who);
  http::Response subsystems(http::Request& req, StaffContext& who);
  http::Response suspend(http::Request& req, StaffContext& who);
  http::Response resume(http::Request& req, StaffContext& who);

 private:
  inc::Who who_of(const StaffContext& c, const http::Request& req) const {
    return {.actor = c.actor, .unit_name = c.unit_name, .address = req.remote_addr};
  }
  // A refusal: audited in its own transaction (the refused one wrote nothing), then the page.
  http::Response refuse(const StaffContext& who, const http::Request& req, const std::string& action,
                        const std::string& object_type, const std::string& object_id, const Error& e,
                        const std::string& back) {
    return app::refuse(db_, staff_, clock_, who, req, e,
                       {.action = action, .object_type = object_type, .object_id = object_id, .back = back});
  }
  void audit_refused(const StaffContext& who, const http::Request& req, const std::string& action,
                     const std::string& object_type, const std::string& object_id, const Error& e) {
    audit_refusal(db_, clock_, who, req, e, {.action = action, .object_type = object_type, .object_id = object_id});
  }
  http::Response new_page(const StaffContext& who, const json& values, const std::string& error, int status);

  store::Database& db_;
  StaffAuth& staff_;
  SystemClock clock_;
};

http::Response IncidentPages::list(http::Request& req, StaffContext& who) {
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  inc::ListFilter f{.limit = kPageSize};
  std::string filters;  // the filters as a query string, kept across pages
  if (auto v = query->get("state"); v && !v->empty()) {
    f.state = inc::parse_state(*v);
    if (!f.state) return http::Response::html(400, "");
    filters = "state=" + *v;
  }
  if (auto v = query->get("subsystem"); v && !v->empty()) {
    f.subsystem = inc::parse_subsystem(*v);
    if (!f.subsystem) return http::Response::html(400, "");
    filters += (filters.empty() ? "" : "&") + ("subsystem=" + *v);
  }
  if (auto v = query->get("before"); v && !v->empty()) {
    f.before = parse_id(*v);
    if (!f.before) return http::Response::html(400, "");
  }
  inc::IncidentPage page;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(page, inc::list_incidents(s, who.actor, f));
    return ok();
  });
  if (!r) return http::response_for(r.error());
  json rows = json::array();
  for (const auto& i : page.items)
    rows.push_back({{"id", i.id}, {"title", i.title}, {"kind", inc::label(i.kind)},
                    {"subsystem", inc::label(i.subsystem)}, {"state", inc::label(i.state)},
                    {"reporter", i.reporter_name}, {"unit", i.unit_name}, {"reported", jst_text(i.created_at)}});
  json states = json::array();
  for (auto st : {inc::State::reported, inc::State::acknowledged, inc::State::in_progress, inc::State::resolved,
                  inc::State::closed})
    states.push_back({{"value", inc::to_string(st)}, {"label", inc::label(st)}, {"selected", f.state == st}});
  json subs = json::array();
  for (auto sub : inc::kAllSubsystems)
    subs.push_back({{"value", inc::to_string(sub)}, {"label", inc::label(sub)}, {"selected", f.subsystem == sub}});
  json data = {{"title", "障害・事案の報告"}, {"has_incidents", !rows.empty()}, {"incidents", rows},
               {"states", states}, {"subsystems", subs}, {"limit", kPageSize},
               {"next_url", json()}, {"first_url", json()}};
  if (page.next_before)
    data["next_url"] = "/admin/incidents?" + filters + (filters.empty() ? "" : "&") + "before=" +
                       std::to_string(*page.next_before);
  if (f.before) data["first_url"] = "/admin/incidents" + (filters.empty() ? "" : "?" + filters);
  return staff_.page(who, "admin/incidents_list", std::move(data));
}

http::Response IncidentPages::new_page(const StaffContext& who, const json& values, const std::string& error,
                                       int status) {
  json data = values;
  data["title"] = "障害・事案を報告する";
  data["error"] = null_if_empty(error);
  const std::string kind = values.value("kind", "failure");
  const std::string sub = values.value("subsystem", "");
  json kinds = json::array();
  for (auto k : {inc::Kind::failure, inc::Kind::security, inc::Kind::other})
    kinds.push_back({{"value", inc::to_string(k)}, {"label", inc::label(k)}, {"selected", kind == inc::to_string(k)}});
  json subs = json::array();
  for (auto s : inc::kAllSubsystems)
    subs.push_back({{"value", inc::to_string(s)}, {"label", inc::label(s)}, {"selected", sub == inc::to_string(s)}});
  data["kinds"] = kinds;
  data["subsystem_options"] = subs;
  data["max_title"] = inc::kMaxTitleBytes;
  auto res = staff_.page(who, "admin/incidents_new", std::move(data));
  if (res.status == 200) res.status = status;
  return res;
}

http::Response IncidentPages::new_form(http::Request&, StaffContext& who) {
  return new_page(who, {{"noticed_at", jst_input(clock_.now())}}, "", 200);
}

http::Response IncidentPages::create(http::Request& req, StaffContext& who) {
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form)
    return refuse(who, req, "incidents.incident.report", "incident", "", Error::invalid("送信内容を読み取れませんでした。"),
                  "/admin/incidents/new");
  const json values = {{"kind", form->get("kind").value_or("")}, {"subsystem", form->get("subsystem").value_or("")},
                       {"incident_title", form->get("title").value_or("")},
                       {"what_happened", form->get("what_happened").value_or("")},
                       {"impact", form->get("impact").value_or("")},
                       {"noticed_at", form->get("noticed_at").value_or("")}};
  // Wrong input: the form again with what was typed, and the refusal in the audit trail.
  auto invalid = [&](const std::string& message) {
    const Error e = Error::invalid(message);
    audit_refused(who, req, "incidents.incident.report", "incident", "", e);
    return new_page(who, values, message, http::status_for(e));
  };
  const auto kind = inc::parse_kind(values["kind"].get<std::string>());
  if (!kind) return invalid("種別を選んでください。");
  const auto sub = inc::parse_subsystem(values["subsystem"].get<std::string>());
  if (!sub) return invalid("対象のシステムを選んでください。");
  const Instant now = clock_.now();
  Instant noticed = now;
  if (const std::string t = values["noticed_at"].get<std::string>(); !t.empty()) {
    const auto j = JstDateTime::parse(t);
    if (!j) return invalid("発見日時は「2026-04-01T09:30」の形で入力してください。");
    noticed = from_jst(*j);
  }
  inc::NewIncident in{.kind = *kind, .subsystem = *sub, .title = values["incident_title"].get<std::string>(),
                      .what_happened = values["what_happened"].get<std::string>(),
                      .impact = values["impact"].get<std::string>(), .noticed_at = noticed};
  inc::IncidentId id = 0;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(id, inc::report(s, who_of(who, req), in, now));
    return ok();
  });
  if (!r) {
    if (r.error().code == ErrorCode::invalid_argument) return invalid(r.error().message);
    return refuse(who, req, "incidents.incident.report", "incident", "", r.error(), "/admin/incidents");
  }
  return http::Response::redirect("/admin/incidents/" + std::to_string(id) + "?done=report", 303);
}

http::Response IncidentPages::show(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id)
    return refuse(who, req, "incidents.incident.view", "incident", "",
                  Error::not_found("指定された報告は見つかりません。"), "/admin/incidents");
  static const std::map<std::string, std::string, std::less<>> kDone = {
      {"report", "報告しました。関係者に通知されます。"}, {"move", "状態を変更しました。"}};
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  const std::string done = query->get("done").value_or("");
  if (!done.empty() && !kDone.count(done)) return http::Response::html(400, "");
  inc::Incident i;
  std::vector<inc::TimelineEntry> steps;
  std::vector<inc::Recipient> recipients;
  bool may_move = false;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(bool visible, inc::can_view(s, who.actor, *id));
    if (!visible) return Error::denied("この報告を見る権限がありません（報告者・通知先・システム管理者だけが見られます）。");
    KOBAN_ASSIGN(i, inc::get_incident(s, *id));
    KOBAN_ASSIGN(steps, inc::timeline(s, *id));
    KOBAN_ASSIGN(recipients, inc::recipients(s, *id));
    KOBAN_ASSIGN(may_move, inc::can_move(s, who.actor, *id));
    return ok();
  });
  if (!r) return refuse(who, req, "incidents.incident.view", "incident", std::to_string(*id), r.error(), "/admin/incidents");
  json timeline = json::array();
  for (const auto& t : steps)
    timeline.push_back({{"from", t.from ? json(inc::label(*t.from)) : json()}, {"to", inc::label(t.to)},
                        {"note", t.note}, {"actor", t.actor_name}, {"at", jst_text(t.at)}});
  json people = json::array();
  for (const auto& p : recipients) people.push_back({{"name", p.name}, {"reason", reason_label(p.reason)}});
  json moves = json::array();
  if (may_move)
    for (auto to : inc::next_states(i.state)) moves.push_back({{"value", inc::to_string(to)}, {"label", inc::label(to)}});
  return staff_.page(who, "admin/incidents_show",
                     {{"title", "報告 #" + std::to_string(i.id) + " " + i.title},
                      {"incident", {{"id", i.id}, {"title", i.title}, {"kind", inc::label(i.kind)},
                                    {"subsystem", inc::label(i.subsystem)}, {"state", inc::label(i.state)},
                                    {"what_happened", i.what_happened}, {"impact", null_if_empty(i.impact)},
                                    {"noticed", jst_text(i.noticed_at)}, {"reporter", i.reporter_name},
                                    {"unit", i.unit_name}, {"reported", jst_text(i.created_at)},
                                    {"updated", jst_text(i.updated_at)}}},
                      {"has_timeline", !timeline.empty()}, {"timeline", timeline},
                      {"has_recipients", !people.empty()}, {"recipients", people},
                      {"has_moves", !moves.empty()}, {"moves", moves}, {"max_note", inc::kMaxNoteBytes},
                      {"flash", done.empty() ? json() : json(kDone.at(done))}});
}

http::Response IncidentPages::move(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id)
    return refuse(who, req, "incidents.incident.transition", "incident", "",
                  Error::not_found("指定された報告は見つかりません。"), "/admin/incidents");
  const std::string back = "/admin/incidents/" + std::to_string(*id);
  const std::string object = std::to_string(*id);
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form)
    return refuse(who, req, "incidents.incident.transition", "incident", object,
                  Error::invalid("送信内容を読み取れませんでした。"), back);
  const auto to = inc::parse_state(form->get("to").value_or(""));
  if (!to)
    return refuse(who, req, "incidents.incident.transition", "incident", object,
                  Error::invalid("変更後の状態を選んでください。"), back);
  const std::string note = form->get("note").value_or("");
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    // A person who may not even see the report learns nothing about it beyond "not yours".
    KOBAN_ASSIGN(bool visible, inc::can_view(s, who.actor, *id));
    if (!visible) return Error::denied("この報告の状態を変更する権限がありません。");
    return inc::transition(s, who_of(who, req), *id, *to, note, clock_.now());
  });
  if (!r) return refuse(who, req, "incidents.incident.transition", "incident", object, r.error(), back);
  return http::Response::redirect(back + "?done=move", 303);
}

http::Response IncidentPages::subsystems(http::Request& req, StaffContext& who) {
  static const std::map<std::string, std::string, std::less<>> kDone = {
      {"suspend", "停止しました。公開側には告知文が表示されます。"}, {"resume", "再開しました。"}};
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  const std::string done = query->get("done").value_or("");
  if (!done.empty() && !kDone.count(done)) return http::Response::html(400, "");
  std::vector<inc::SubsystemStatus> all;
  std::map<inc::Subsystem, std::vector<inc::StatusChange>> history;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(all, inc::statuses(s));
    for (auto sub : inc::kAllSubsystems) {
      KOBAN_ASSIGN(history[sub], inc::status_history(s, sub, kHistoryPerSubsystem));
    }
    return ok();
  });
  if (!r) return http::response_for(r.error());
  json rows = json::array();
  for (const auto& st : all) {
    json changes = json::array();
    for (const auto& c : history[st.subsystem])
      changes.push_back({{"action", c.action == "suspend" ? "停止" : "再開"}, {"notice", null_if_empty(c.notice)},
                         {"actor", c.actor_name}, {"at", jst_text(c.at)}});
    const bool responsible = inc::is_responsible(who.actor, st.subsystem);
    rows.push_back({{"name", inc::to_string(st.subsystem)}, {"label", inc::label(st.subsystem)},
                    {"suspended", st.suspended}, {"notice", null_if_empty(st.notice)},
                    {"changed_by", null_if_empty(st.changed_by_name)},
                    {"changed_at", st.changed_at ? json(jst_text(*st.changed_at)) : json()},
                    {"may_suspend", responsible && !st.suspended}, {"may_resume", responsible && st.suspended},
                    {"has_history", !changes.empty()}, {"history", changes}});
  }
  return staff_.page(who, "admin/subsystems",
                     {{"title", "システムの稼働状況"}, {"subsystems", rows}, {"max_notice", inc::kMaxNoticeBytes},
                      {"flash", done.empty() ? json() : json(kDone.at(done))}});
}

http::Response IncidentPages::suspend(http::Request& req, StaffContext& who) {
  const auto sub = inc::parse_subsystem(req.param("name"));
  const std::string object(req.param("name").substr(0, 32));
  if (!sub)
    return refuse(who, req, "incidents.subsystem.suspend", "subsystem", object,
                  Error::not_found("指定されたシステムは見つかりません。"), "/admin/subsystems");
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form)
    return refuse(who, req, "incidents.subsystem.suspend", "subsystem", object,
                  Error::invalid("送信内容を読み取れませんでした。"), "/admin/subsystems");
  const std::string notice = form->get("notice").value_or("");
  if (form->get("confirm").value_or("") != "yes") {
    // The confirmation page: only for someone who may, with a notice that would be accepted.
    if (!inc::is_responsible(who.actor, *sub))
      return refuse(who, req, "incidents.subsystem.suspend", "subsystem", object,
                    Error::denied(std::string(inc::label(*sub)) + "を停止する権限がありません。"), "/admin/subsystems");
    auto text = inc::checked_text(notice, "告知文", inc::kMaxNoticeBytes, true);
    if (!text) return refuse(who, req, "incidents.subsystem.suspend", "subsystem", object, text.error(), "/admin/subsystems");
    return staff_.page(who, "admin/subsystems_confirm",
                       {{"title", std::string(inc::label(*sub)) + "の停止の確認"}, {"label", inc::label(*sub)},
                        {"name", inc::to_string(*sub)}, {"is_suspend", true}, {"notice", *text}});
  }
  auto r = db_.write([&](store::Session& s) { return inc::suspend(s, who_of(who, req), *sub, notice, clock_.now()); });
  if (!r) return refuse(who, req, "incidents.subsystem.suspend", "subsystem", object, r.error(), "/admin/subsystems");
  return http::Response::redirect("/admin/subsystems?done=suspend", 303);
}

http::Response IncidentPages::resume(http::Request& req, StaffContext& who) {
  const auto sub = inc::parse_subsystem(req.param("name"));
  const std::string object(req.param("name").substr(0, 32));
  if (!sub)
    return refuse(who, req, "incidents.subsystem.resume", "subsystem", object,
                  Error::not_found("指定されたシステムは見つかりません。"), "/admin/subsystems");
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form)
    return refuse(who, req, "incidents.subsystem.resume", "subsystem", object,
                  Error::invalid("送信内容を読み取れませんでした。"), "/admin/subsystems");
  if (form->get("confirm").value_or("") != "yes") {
    if (!inc::is_responsible(who.actor, *sub))
      return refuse(who, req, "incidents.subsystem.resume", "subsystem", object,
                    Error::denied(std::string(inc::label(*sub)) + "を再開する権限がありません。"), "/admin/subsystems");
    return staff_.page(who, "admin/subsystems_confirm",
                       {{"title", std::string(inc::label(*sub)) + "の再開の確認"}, {"label", inc::label(*sub)},
                        {"name", inc::to_string(*sub)}, {"is_suspend", false}, {"notice", json()}});
  }
  auto r = db_.write([&](store::Session& s) { return inc::resume(s, who_of(who, req), *sub, clock_.now()); });
  if (!r) return refuse(who, req, "incidents.subsystem.resume", "subsystem", object, r.error(), "/admin/subsystems");
  return http::Response::redirect("/admin/subsystems?done=resume", 303);
}

}  // namespace

void add_incidents_routes(http::Router& router, store::Database& db, StaffAuth& staff) {
  auto pages = std::make_shared<IncidentPages>(db, staff);
  const http::RouteOptions small{.max_body = 32 * 1024};
  // Anyone logged in may report; the incidents service refuses whoever may not see or act.
  auto on = [&](auto method) {
    return staff.guard([pages, method](http::Request& req, StaffContext& who) { return ((*pages).*method)(req, who); },
                       std::nullopt);
  };
  router.get("/admin/incidents", on(&IncidentPages::list));
  router.get("/admin/incidents/new", on(&IncidentPages::new_form));
  router.post("/admin/incidents/new", on(&IncidentPages::create), small);
  router.get("/admin/incidents/:id", on(&IncidentPages::show));
  router.post("/admin/incidents/:id/transition", on(&IncidentPages::move), small);
  router.get("/admin/subsystems", on(&IncidentPages::subsystems));
  router.post("/admin/subsystems/:name/suspend", on(&IncidentPages::suspend), small);
  router.post("/admin/subsystems/:name/resume", on(&IncidentPages::resume), small);
}

}  // namespace koban::app
