#include "app/admin_alerts_routes.h"
#include "app/staff_refusal.h"

#include <algorithm>
#include <map>

#include "alerts/alert_preview.h"
#include "alerts/alert_register.h"
#include "alerts/alert_send_requests.h"
#include "alerts/categories.h"
#include "app/page_helpers.h"
#include "audit/audit_log.h"
#include "http/forms/urlencoded.h"
#include "org/people.h"
#include "org/permissions.h"
#include "org/units.h"
#include "workflow/engine.h"

namespace koban::app {
namespace {

using nlohmann::json;
using pages::jst_text;
using pages::parse_id;

// Title 60 and body 1000 characters are at most about 3.2 KB in UTF-8; areas are ids.
const http::forms::FormLimits kFormLimits{.max_fields = 260, .max_name_bytes = 32, .max_value_bytes = 8192,
                                          .max_total_bytes = 32 * 1024};
const http::forms::FormLimits kQueryLimits{.max_fields = 8, .max_name_bytes = 16, .max_value_bytes = 32,
                                           .max_total_bytes = 256};

const char* acting_label(const std::string& a) {
  if (a == "unit_head") return "所属長";
  if (a == "pr_lead_for_absent_head") return "所属長不在のため広報活動責任者";
  if (a == "duty_officer") return "当直責任者";
  return "";
}

std::optional<int> parse_int(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  auto id = parse_id(*s);
  if (!id || *id > 100000000) return std::nullopt;
  return static_cast<int>(*id);
}

class AlertPages {
 public:
  AlertPages(store::Database& db, StaffAuth& staff, std::shared_ptr<const workflow::KindRegistry> kinds,
             alerts::Settings settings, mail::Mailbox from, const Clock& clock)
      : db_(db), staff_(staff), kinds_(std::move(kinds)), st_(std::move(settings)), from_(std::move(from)),
        clock_(clock) {}

  http::Response list(http::Request& req, StaffContext& who);
  http::Response new_form(http::Request& req, StaffContext& who);
  http::Response create(http::Request& req, StaffContext& who);
  http::Response show(http::Request& req, StaffContext& who);
  http::Response approve(http::Request& req, StaffContext& who) { return decide(req, who, "approve"); }
  http::Response remand(http::Request& req, StaffContext& who) { return decide(req, who, "remand"); }
  http::Response withdraw(http::Request& req, StaffContext& who) { return decide(req, who, "withdraw"); }
  http::Response syndicated(http::Request& req, StaffContext& who) { return decide(req, who, "syndicate"); }
  http::Response send_request(http::Request& req, StaffContext& who);
  http::Response take_request(http::Request& req, StaffContext& who);
  http::Response register_page(http::Request& req, StaffContext& who) { return register_view(req, who, "page"); }
  http::Response register_csv(http::Request& req, StaffContext& who) { return register_view(req, who, "csv"); }
  http::Response register_print(http::Request& req, StaffContext& who) { return register_view(req, who, "print"); }

 private:
  workflow::By by(const StaffContext& who, const http::Request& req) const {
    return {.person = who.actor.person, .address = req.remote_addr};
  }
  http::Response refuse(const StaffContext& who, const http::Request& req, const std::string& verb, std::int64_t id,
                        const Error& e, const std::string& back) {
    return app::refuse(db_, staff_, clock_, who, req, e,
                       {.action = "alerts.alert." + verb, .object_type = "alert",
                        .object_id = id ? std::to_string(id) : "", .back = back});
  }
  http::Response decide(http::Request& req, StaffContext& who, const std::string& verb);
  http::Response register_view(http::Request& req, StaffContext& who, const std::string& mode);
  // The compose page: values typed so far, errors, an optional preview.
  http::Response form_page(const StaffContext& who, const alerts::AlertInput& in, const std::vector<std::string>& errors,
                           bool with_preview, int status);
  Result<std::string> areas_text(store::Session& s, bool whole, const std::vector<org::UnitId>& areas) const {
    if (whole) return std::string("県下全域");
    std::string out;
    for (auto id : areas) {
      KOBAN_ASSIGN(auto u, org::get_unit(s, id));
      out += (out.empty() ? "" : "、") + u.jurisdiction;
    }
    return out;
  }
  Result<std::string> name_of(store::Session& s, org::PersonId id, std::map<org::PersonId, std::string>& cache) const {
    if (auto it = cache.find(id); it != cache.end()) return it->second;
    KOBAN_ASSIGN(auto p, org::get_person(s, id));
    cache[id] = p.display_name;
    return p.display_name;
  }
  json row_of(store::Session& s, const alerts::Alert& a) const {
    const auto* c = alerts::find_category(a.category);
    auto unit = org::get_unit(s, a.unit_id);
    return {{"id", a.id}, {"title", a.title}, {"category", c ? std::string(c->name) : ""},
            {"state", alerts::state_label(a.state)}, {"unit", unit ? unit->name : ""},
            {"follow", a.follow_kind ? json(alerts::label(*a.follow_kind)) : json()},
            {"updated", jst_text(a.updated_at)}, {"sent", a.sent_at ? json(jst_text(*a.sent_at)) : json()}};
  }
  alerts::AlertInput input_of(const http::forms::FormFields& f) const {
    alerts::AlertInput in;
    in.category = parse_int(f.get("category")).value_or(0);
    in.title = f.get("title").value_or("");
    in.body = f.get("body").value_or("");
    in.whole_prefecture = f.get("whole").value_or("") == "1";
    for (const auto& a : f.all("area"))
      if (auto id = parse_id(a)) in.areas.push_back(*id);
    in.physical_danger = f.get("physical_danger").value_or("") == "1";
    if (auto id = parse_id(f.get("follows").value_or(""))) in.follows_id = *id;
    if (auto k = f.get("follow_kind")) in.follow_kind = alerts::parse_follow_kind(*k);
    return in;
  }

  store::Database& db_;
  StaffAuth& staff_;
  std::shared_ptr<const workflow::KindRegistry> kinds_;
  alerts::Settings st_;
  mail::Mailbox from_;
  const Clock& clock_;
};

http::Response AlertPages::list(http::Request& req, StaffContext& who) {
  auto q = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!q) return http::Response::html(400, "");
  alerts::ListFilter f;
  if (auto v = q->get("state"); v && !v->empty()) {
    if (!*alerts::state_label(*v)) return http::Response::html(400, "");
    f.state = *v;
  }
  if (q->get("category").value_or("") != "") {
    f.category = parse_int(q->get("category"));
    if (!f.category || !alerts::find_category(*f.category)) return http::Response::html(400, "");
  }
  if (q->get("unit").value_or("") != "") {
    auto u = parse_id(q->get("unit").value_or(""));
    if (!u) return http::Response::html(400, "");
    f.unit = *u;
  }
  if (q->get("before").value_or("") != "") {
    auto b = parse_id(q->get("before").value_or(""));
    if (!b) return http::Response::html(400, "");
    f.before_id = *b;
  }
  f.limit = 50;
  json rows = json::array(), requests = json::array(), syndication = json::array(), unresolved = json::array();
  json units = json::array(), states = json::array(), categories = json::array();
  std::optional<std::int64_t> next;
  bool seian = false;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    const auto visible = org::units_where_allowed(who.actor, org::Purpose::alerts, org::Action::view);
    KOBAN_ASSIGN(auto list, alerts::list_alerts(s, f, visible));
    for (const auto& a : list) rows.push_back(row_of(s, a));
    if (static_cast<int>(list.size()) == f.limit) next = list.back().id;
    KOBAN_ASSIGN(auto reqs, alerts::send_requests_for(s, who.actor.person));
    for (const auto& x : reqs) {
      KOBAN_ASSIGN(auto from, org::get_unit(s, x.from_unit));
      const auto* c = alerts::find_category(x.category);
      requests.push_back({{"id", x.id}, {"title", x.title}, {"from", from.name},
                          {"category", c ? std::string(c->name) : ""}, {"created", jst_text(x.created_at)}});
    }
    KOBAN_ASSIGN(auto unit, org::find_unit_by_code(s, st_.syndication_unit_code));
    seian = unit && org::can(who.actor, org::Purpose::alerts, org::Action::publish, unit->id);
    if (seian) {
      KOBAN_ASSIGN(auto pend, alerts::syndication_pending(s));
      for (const auto& a : pend) syndication.push_back(row_of(s, a));
    }
    KOBAN_ASSIGN(auto open, alerts::unresolved_alerts(s, 7, clock_.now()));
    for (const auto& a : open)
      if (!visible || std::binary_search(visible->begin(), visible->end(), a.unit_id)) unresolved.push_back(row_of(s, a));
    KOBAN_ASSIGN(auto all, org::list_units(s));
    for (const auto& u : all)
      if (u.kind == org::UnitKind::station || u.kind == org::UnitKind::hq_division)
        units.push_back({{"id", u.id}, {"name", u.name}, {"selected", f.unit == u.id}});
    return ok();
  });
  if (!r) return http::response_for(r.error());
  for (const char* st : {"submitted", "remanded", "approved", "sending", "sent", "withdrawn"})
    states.push_back({{"value", st}, {"label", alerts::state_label(st)}, {"selected", f.state == st}});
  for (const auto& c : alerts::categories())
    categories.push_back({{"value", c.number}, {"label", std::string(c.name)}, {"selected", f.category == c.number}});
  std::string next_link;
  if (next) {
    next_link = "/admin/alerts?before=" + std::to_string(*next);
    if (f.state) next_link += "&state=" + *f.state;
    if (f.category) next_link += "&category=" + std::to_string(*f.category);
    if (f.unit) next_link += "&unit=" + std::to_string(*f.unit);
  }
  return staff_.page(who, "admin/alerts_list",
                     {{"title", "安全安心メール"}, {"rows", rows}, {"has_rows", !rows.empty()},
                      {"requests", requests}, {"has_requests", !requests.empty()},
                      {"syndication", syndication}, {"has_syndication", !syndication.empty()},
                      {"unresolved", unresolved}, {"has_unresolved", !unresolved.empty()},
                      {"units", units}, {"states", states}, {"categories", categories},
                      {"next", next_link.empty() ? json() : json(next_link)}});
}

http::Response AlertPages::form_page(const StaffContext& who, const alerts::AlertInput& in,
                                     const std::vector<std::string>& errors, bool with_preview, int status) {
  json data = {{"title", "配信文の作成"}, {"errors", errors}, {"has_errors", !errors.empty()},
               {"subject", in.title}, {"body", in.body}, {"whole", in.whole_prefecture},
               {"physical_danger", in.physical_danger}, {"max_title", st_.max_title_chars},
               {"max_body", st_.max_body_chars}};
  json cats = json::array();
  for (const auto& c : alerts::categories())
    cats.push_back({{"value", c.number}, {"label", std::string(c.name)}, {"definition", std::string(c.definition)},
                    {"selected", in.category == c.number}});
  data["categories"] = cats;
  if (in.follows_id && in.follow_kind) {
    data["follows"] = *in.follows_id;
    data["follow_kind"] = alerts::to_string(*in.follow_kind);
    data["follow_label"] = alerts::label(*in.follow_kind);
  }
  json areas = json::array(), targets = json::array();
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(bool wide, alerts::may_send_wide(s, who.actor.person));
    data["wide"] = wide;
    KOBAN_ASSIGN(auto units, org::list_units(s));
    for (const auto& u : units) {
      if (u.kind != org::UnitKind::station || !u.active) continue;
      const bool checked = std::find(in.areas.begin(), in.areas.end(), u.id) != in.areas.end() ||
                           (in.areas.empty() && !in.whole_prefecture && u.id == who.actor.unit);
      areas.push_back({{"id", u.id}, {"name", u.name}, {"jurisdiction", u.jurisdiction}, {"checked", checked}});
    }
    KOBAN_ASSIGN(auto tg, alerts::send_request_targets(s));
    for (auto id : tg) {
      KOBAN_ASSIGN(auto u, org::get_unit(s, id));
      targets.push_back({{"id", id}, {"name", u.name}});
    }
    if (with_preview && alerts::find_category(in.category)) {
      KOBAN_ASSIGN(auto own, org::get_unit(s, who.actor.unit));
      std::vector<org::UnitId> chosen = in.areas;
      if (chosen.empty() && !in.whole_prefecture) chosen.push_back(who.actor.unit);
      auto text = areas_text(s, in.whole_prefecture, chosen);
      if (!text) return text.error();
      auto p = alerts::preview_alert({.category = in.category,
                                      .follow_label = in.follow_kind ? alerts::label(*in.follow_kind) : "",
                                      .title = in.title, .body = in.body, .unit_name = own.name,
                                      .areas_text = *text},
                                     from_, clock_.now());
      if (p) {
        std::string missing;
        for (const auto& c : p->unsupported) missing += (missing.empty() ? "" : " ") + c;
        data["preview"] = {{"subject", p->subject}, {"utf8", p->utf8_text}, {"iso_subject", p->iso2022jp_subject},
                           {"iso", p->iso2022jp_text}, {"missing", missing.empty() ? json() : json(missing)},
                           {"title_chars", p->title_chars}, {"body_chars", p->body_chars}};
      }
    }
    return ok();
  });
  if (!r) return http::response_for(r.error());
  data["areas"] = areas;
  data["targets"] = targets;
  auto res = staff_.page(who, "admin/alerts_new", std::move(data));
  if (res.status == 200) res.status = status;
  return res;
}

http::Response AlertPages::new_form(http::Request& req, StaffContext& who) {
  auto q = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!q) return http::Response::html(400, "");
  if (!org::can(who.actor, org::Purpose::alerts, org::Action::write, who.actor.unit))
    return refuse(who, req, "create", 0, Error::denied("安全安心メールの配信文を作成する権限がありません。"), "/admin/alerts");
  alerts::AlertInput in;
  in.category = parse_int(q->get("category")).value_or(0);
  if (auto f = parse_id(q->get("follows").value_or(""))) {
    auto k = alerts::parse_follow_kind(q->get("kind").value_or(""));
    if (!k) return http::Response::html(400, "");
    auto r = db_.read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto orig, alerts::get_alert(s, *f));
      in.category = orig.category;
      in.areas = orig.areas;
      in.whole_prefecture = orig.whole_prefecture;
      in.title = orig.title + "（" + alerts::label(*k) + "）";
      return ok();
    });
    if (!r) return refuse(who, req, "create", *f, r.error(), "/admin/alerts");
    in.follows_id = *f;
    in.follow_kind = *k;
  } else if (const auto* c = alerts::find_category(in.category)) {
    // 記載例: the example text of the chosen category to start from.
    in.title = std::string(c->example_title);
    in.body = std::string(c->example_text);
  }
  return form_page(who, in, {}, false, 200);
}

http::Response AlertPages::create(http::Request& req, StaffContext& who) {
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return refuse(who, req, "create", 0, Error::invalid("送信内容を読み取れませんでした。"), "/admin/alerts");
  const auto in = input_of(*form);
  if (form->get("action").value_or("") == "preview") return form_page(who, in, {}, true, 200);
  std::int64_t id = 0;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(id, alerts::create_alert(s, *kinds_, st_, in, by(who, req), clock_.now()));
    return ok();
  });
  if (!r) {
    // Refused input: audited, and the form comes back with what was typed.
    (void)refuse(who, req, "create", 0, r.error(), "");
    if (http::status_for(r.error()) >= 500) return http::response_for(r.error());
    std::vector<std::string> errors;
    const auto& m = r.error().message;
    for (std::size_t at = 0; at < m.size();) {
      auto nl = m.find('\n', at);
      if (nl == std::string::npos) nl = m.size();
      if (nl > at) errors.push_back(m.substr(at, nl - at));
      at = nl + 1;
    }
    return form_page(who, in, errors, true, r.error().code == ErrorCode::invalid_argument ? 422 : http::status_for(r.error()));
  }
  return http::Response::redirect("/admin/alerts/" + std::to_string(id) + "?done=submit", 303);
}

http::Response AlertPages::show(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id) return refuse(who, req, "view", 0, Error::not_found("指定された配信文は見つかりません。"), "/admin/alerts");
  static const std::map<std::string, std::string, std::less<>> kDone = {
      {"submit", "承認を依頼しました。"}, {"approve", "承認しました。"}, {"remand", "差し戻しました。"},
      {"withdraw", "取り下げました。"}, {"syndicate", "Yahoo!防災速報への提供を記録しました。"},
      {"take", "送信依頼から配信文を作成し、承認を依頼しました。"}};
  auto q = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!q) return http::Response::html(400, "");
  const std::string done = q->get("done").value_or("");
  if (!done.empty() && !kDone.count(done)) return http::Response::html(400, "");
  json data;
  bool allowed = false;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, alerts::get_alert(s, *id));
    std::vector<workflow::Step> steps;
    if (a.request_id) {
      KOBAN_ASSIGN(steps, workflow::steps_of(s, *a.request_id));
    }
    const auto me = who.actor.person;
    allowed = a.created_by == me || org::can(who.actor, org::Purpose::alerts, org::Action::view, a.unit_id);
    for (const auto& st : steps)
      if (std::find(st.approvers.begin(), st.approvers.end(), me) != st.approvers.end() || st.post_hoc_to == me)
        allowed = true;
    if (!allowed) return ok();
    std::map<org::PersonId, std::string> names;
    data = row_of(s, a);
    data["body"] = a.body;
    KOBAN_ASSIGN(data["areas"], areas_text(s, a.whole_prefecture, a.areas));
    KOBAN_ASSIGN(data["creator"], name_of(s, a.created_by, names));
    data["created"] = jst_text(a.created_at);
    data["send_after"] = a.send_after ? json(jst_text(*a.send_after)) : json();
    // Approved alerts are being (or have been) delivered: link the progress page.
    data["has_progress"] = a.state == "approved" || a.state == "sending" || a.state == "sent";
    data["urgent"] = a.urgent && a.urgent_reason ? json(std::string(alerts::label(*a.urgent_reason)) + "：" + a.urgent_note) : json();
    data["physical_danger"] = a.physical_danger;
    data["syndicate"] = a.syndicate;
    data["syndicated"] = a.syndication_seen_at ? json(jst_text(*a.syndication_seen_at)) : json();
    json rows = json::array();
    const workflow::Step* open = nullptr;
    std::optional<workflow::Request> request;
    if (a.request_id) {
      KOBAN_ASSIGN(auto rq, workflow::get_request(s, *a.request_id));
      request = rq;
    }
    for (const auto& st : steps) {
      if (request && request->current_step == st.id) open = &st;
      std::string approvers;
      for (auto p : st.approvers) {
        KOBAN_ASSIGN(auto n, name_of(s, p, names));
        approvers += (approvers.empty() ? "" : "、") + n;
      }
      json actor, told;
      if (st.actor) {
        KOBAN_ASSIGN(actor, name_of(s, *st.actor, names));
      }
      if (st.post_hoc_to) {
        KOBAN_ASSIGN(told, name_of(s, *st.post_hoc_to, names));
      }
      rows.push_back({{"round", st.round}, {"acting", acting_label(st.acting_as)}, {"approvers", approvers},
                      {"decision", st.decision ? json(st.decision == workflow::Decision::approved ? "承認"
                                                      : st.decision == workflow::Decision::remanded ? "差戻し" : "取下げ")
                                               : json()},
                      {"actor", actor}, {"decided", st.decided_at ? json(jst_text(*st.decided_at)) : json()},
                      {"comment", st.comment.empty() ? json() : json(st.comment)}, {"post_hoc_to", told},
                      {"acknowledged", st.acknowledged_at ? json(jst_text(*st.acknowledged_at)) : json()}});
    }
    data["steps"] = rows;
    data["has_steps"] = !rows.empty();
    const bool may_decide = a.state == "submitted" && open && a.created_by != me &&
                            std::find(open->approvers.begin(), open->approvers.end(), me) != open->approvers.end();
    data["may_decide"] = may_decide;
    data["outside_hours"] = !st_.calendar.is_alert_sending_hours(clock_.now());
    data["next_start"] = jst_text(st_.calendar.next_alert_sending_start(clock_.now()));
    data["may_withdraw"] = a.created_by == me && (a.state == "submitted" || a.state == "remanded");
    const bool original = !a.follows_id && (a.state == "approved" || a.state == "sending" || a.state == "sent");
    data["may_follow"] = original && org::can(who.actor, org::Purpose::alerts, org::Action::write, a.unit_id);
    KOBAN_ASSIGN(auto unit, org::find_unit_by_code(s, st_.syndication_unit_code));
    data["may_syndicate"] = a.syndicate && !a.syndication_seen_at && unit &&
                            org::can(who.actor, org::Purpose::alerts, org::Action::publish, unit->id);
    json checklist = json::array();
    for (std::size_t i = 0; i < alerts::kChecklist.size(); ++i)
      checklist.push_back({{"n", i + 1}, {"label", alerts::kChecklist[i]}});
    data["checklist"] = checklist;
    json reasons = json::array();
    for (auto rr : {alerts::UrgentReason::serial_violent, alerts::UrgentReason::suspect_at_large,
                    alerts::UrgentReason::harm_spreading})
      reasons.push_back({{"value", alerts::to_string(rr)}, {"label", alerts::label(rr)}});
    data["reasons"] = reasons;
    if (a.follows_id) {
      KOBAN_ASSIGN(auto orig, alerts::get_alert(s, *a.follows_id));
      data["original"] = {{"id", orig.id}, {"title", orig.title}};
    }
    KOBAN_ASSIGN(auto fu, alerts::follow_ups(s, a.id));
    json follows = json::array();
    for (const auto& x : fu) follows.push_back(row_of(s, x));
    data["follow_ups"] = follows;
    data["has_follow_ups"] = !follows.empty();
    KOBAN_ASSIGN(auto own, org::get_unit(s, a.unit_id));
    auto p = alerts::preview_alert({.category = a.category,
                                    .follow_label = a.follow_kind ? alerts::label(*a.follow_kind) : "",
                                    .title = a.title, .body = a.body, .unit_name = own.name,
                                    .areas_text = data["areas"].get<std::string>()},
                                   from_, clock_.now());
    if (p) {
      std::string missing;
      for (const auto& c : p->unsupported) missing += (missing.empty() ? "" : " ") + c;
      data["preview"] = {{"subject", p->subject}, {"utf8", p->utf8_text}, {"iso", p->iso2022jp_text},
                         {"iso_subject", p->iso2022jp_subject}, {"missing", missing.empty() ? json() : json(missing)},
                         {"body_chars", p->body_chars}};
    }
    data["title"] = a.title;
    data["flash"] = done.empty() ? json() : json(kDone.at(done));
    return ok();
  });
  if (!r) return refuse(who, req, "view", *id, r.error(), "/admin/alerts");
  if (!allowed) return refuse(who, req, "view", *id, Error::denied("この配信文を見る権限がありません。"), "/admin/alerts");
  return staff_.page(who, "admin/alerts_show", std::move(data));
}

http::Response AlertPages::decide(http::Request& req, StaffContext& who, const std::string& verb) {
  const auto id = parse_id(req.param("id"));
  if (!id) return refuse(who, req, verb, 0, Error::not_found("指定された配信文は見つかりません。"), "/admin/alerts");
  const std::string back = "/admin/alerts/" + std::to_string(*id);
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return refuse(who, req, verb, *id, Error::invalid("送信内容を読み取れませんでした。"), back);
  const std::string comment = form->get("comment").value_or("");
  if (verb == "remand" && comment.find_first_not_of(" \t\r\n") == std::string::npos)
    return refuse(who, req, verb, *id, Error::invalid("差し戻す理由をコメントに入力してください。"), back);
  alerts::Approval ap;
  for (std::size_t i = 0; i < ap.checklist.size(); ++i) ap.checklist[i] = form->get("check" + std::to_string(i + 1)) == "1";
  ap.urgent = form->get("urgent").value_or("") == "1";
  if (auto v = form->get("urgent_reason")) ap.urgent_reason = alerts::parse_urgent_reason(*v);
  ap.urgent_note = form->get("urgent_note").value_or("");
  ap.comment = comment;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    const auto b = by(who, req);
    const auto now = clock_.now();
    if (verb == "approve") return alerts::approve_alert(s, *kinds_, st_, *id, b, ap, now);
    if (verb == "remand") return alerts::remand_alert(s, *kinds_, *id, b, comment, now);
    if (verb == "withdraw") return alerts::withdraw_alert(s, *kinds_, *id, b, now);
    return alerts::mark_syndicated(s, st_, *id, b, now);
  });
  if (!r) return refuse(who, req, verb, *id, r.error(), back);
  return http::Response::redirect(back + "?done=" + verb, 303);
}

http::Response AlertPages::send_request(http::Request& req, StaffContext& who) {
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return refuse(who, req, "request", 0, Error::invalid("送信内容を読み取れませんでした。"), "/admin/alerts");
  const auto in = input_of(*form);
  const auto to = parse_id(form->get("to_unit").value_or(""));
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(alerts::file_send_request(s, st_, {.to_unit = to.value_or(0), .category = in.category, .title = in.title,
                                                 .body = in.body, .whole_prefecture = in.whole_prefecture,
                                                 .areas = in.areas, .physical_danger = in.physical_danger},
                                        by(who, req), clock_.now()));
    return ok();
  });
  if (!r) return refuse(who, req, "request", 0, r.error(), "/admin/alerts/new");
  auto res = staff_.page(who, "admin/people_error", {{"title", "送信依頼"}, {"message", "送信依頼を本部に送りました。"},
                                                     {"back", "/admin/alerts"}});
  return res;
}

http::Response AlertPages::take_request(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id) return refuse(who, req, "take", 0, Error::not_found("指定された送信依頼は見つかりません。"), "/admin/alerts");
  std::int64_t alert_id = 0;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(alert_id, alerts::take_send_request(s, *kinds_, st_, *id, by(who, req), clock_.now()));
    return ok();
  });
  if (!r) return refuse(who, req, "take", 0, r.error(), "/admin/alerts");
  return http::Response::redirect("/admin/alerts/" + std::to_string(alert_id) + "?done=take", 303);
}

http::Response AlertPages::register_view(http::Request& req, StaffContext& who, const std::string& mode) {
  // The register is the force's record: HQ's business owner for alerts and the overall
  // managers (force-wide view) read all of it.
  if (!org::can(who.actor, org::Purpose::alerts, org::Action::view, std::nullopt))
    return refuse(who, req, "register", 0, Error::denied("配信簿を見る権限がありません（安全安心メールの業務主管課が管理します）。"),
                  "/admin/alerts");
  auto q = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!q) return http::Response::html(400, "");
  int year = to_jst(clock_.now()).date.year;
  if (q->get("year").value_or("") != "") {
    auto y = parse_int(q->get("year"));
    if (!y || *y < 2000 || *y > 2200) return http::Response::html(400, "");
    year = *y;
  }
  std::vector<alerts::RegisterEntry> entries;
  std::vector<alerts::IndexDay> index;
  std::vector<int> years;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(entries, alerts::register_entries(s, {.year = year, .limit = 5000}));
    KOBAN_ASSIGN(index, alerts::register_index(s, year));
    KOBAN_ASSIGN(years, alerts::register_years(s));
    return ok();
  });
  if (!r) return http::response_for(r.error());
  if (mode == "csv") {
    auto res = http::Response::text(200, alerts::register_csv(entries));
    res.set("content-type", "text/csv; charset=utf-8");
    res.set("content-disposition", "attachment; filename=\"alert-register-" + std::to_string(year) + ".csv\"");
    return res;
  }
  json idx = json::array(), rows = json::array(), ys = json::array();
  for (const auto& d : index) idx.push_back({{"date", d.date.iso()}, {"count", d.count}});
  for (int y : years) ys.push_back({{"year", y}, {"selected", y == year}});
  for (const auto& e : entries) {
    json approvals = json::array();
    for (const auto& a : e.approvals)
      approvals.push_back({{"name", a.name}, {"acting", a.acting_as}, {"at", jst_text(a.at)},
                           {"post_hoc_to", a.post_hoc_to.empty() ? json() : json(a.post_hoc_to)}});
    const auto* c = alerts::find_category(e.category);
    rows.push_back({{"alert_id", e.alert_id}, {"date", to_jst(e.approved_at).date.iso()},
                    {"approved", jst_text(e.approved_at)}, {"category", c ? std::string(c->name) : ""},
                    {"follow", e.follow_kind.empty() ? json() : json(e.follow_kind)}, {"unit", e.unit_name},
                    {"areas", e.areas_text}, {"subject", e.title}, {"body", e.body}, {"writer", e.written_by},
                    {"approvals", approvals}, {"checklist", e.checklist},
                    {"urgent", e.urgent_reason.empty() ? json() : json(e.urgent_reason)},
                    {"send_after", jst_text(e.send_after)}});
  }
  return staff_.page(who, mode == "print" ? "admin/alerts_register_print" : "admin/alerts_register",
                     {{"title", "安全安心メール配信簿 " + std::to_string(year) + "年"}, {"year", year},
                      {"index", idx}, {"has_index", !idx.empty()}, {"entries", rows}, {"years", ys}});
}

}  // namespace

void add_alerts_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                       std::shared_ptr<const workflow::KindRegistry> kinds, alerts::Settings settings,
                       mail::Mailbox from, const Clock& clock) {
  auto pages = std::make_shared<AlertPages>(db, staff, std::move(kinds), std::move(settings), std::move(from), clock);
  const http::RouteOptions small{.max_body = 64 * 1024};
  // The pages check alerts permissions per unit themselves (and audit refusals).
  auto on = [&](auto method) {
    return staff.guard([pages, method](http::Request& req, StaffContext& who) { return ((*pages).*method)(req, who); },
                       std::nullopt);
  };
  router.get("/admin/alerts", on(&AlertPages::list));
  router.get("/admin/alerts/new", on(&AlertPages::new_form));
  router.post("/admin/alerts", on(&AlertPages::create), small);
  router.get("/admin/alerts/register", on(&AlertPages::register_page));
  router.get("/admin/alerts/register.csv", on(&AlertPages::register_csv));
  router.get("/admin/alerts/register/print", on(&AlertPages::register_print));
  router.post("/admin/alerts/send-requests", on(&AlertPages::send_request), small);
  router.post("/admin/alerts/send-requests/:id/take", on(&AlertPages::take_request), small);
  router.get("/admin/alerts/:id", on(&AlertPages::show));
  router.post("/admin/alerts/:id/approve", on(&AlertPages::approve), small);
  router.post("/admin/alerts/:id/remand", on(&AlertPages::remand), small);
  router.post("/admin/alerts/:id/withdraw", on(&AlertPages::withdraw), small);
  router.post("/admin/alerts/:id/syndicated", on(&AlertPages::syndicated), small);
}

}  // namespace koban::app
