#include "app/admin_site_routes.h"

#include <algorithm>

#include "app/admin_site_pages.h"
#include "app/page_helpers.h"
#include "audit/audit_log.h"
#include "http/forms/multipart_parser.h"
#include "http/forms/urlencoded.h"
#include "org/people.h"
#include "org/permissions.h"
#include "org/units.h"
#include "site/articles/line_diff.h"
#include "site/sections.h"
#include "workflow/engine.h"
#include "workflow/queues.h"

namespace koban::app::site_pages {
namespace {

using pages::jst_text;
using pages::parse_id;

// The body is at most 200 KB of Markdown; each field is escaped once more in urlencoding.
const http::forms::FormLimits kFormLimits{.max_fields = 200, .max_name_bytes = 32, .max_value_bytes = 700 * 1024,
                                          .max_total_bytes = 800 * 1024};
const http::forms::FormLimits kQueryLimits{.max_fields = 8, .max_name_bytes = 16, .max_value_bytes = 40,
                                           .max_total_bytes = 256};

const char* acting_label(const std::string& a) {
  if (a == "unit_head") return "運用管理者（所属長）";
  if (a == "pr_lead_for_absent_head") return "所属長不在のため広報活動責任者";
  if (a == "duty_officer") return "当直責任者";
  if (a == "hq_reviewer") return "運用責任者（広報課）";
  return "";
}

std::optional<Instant> parse_local(const std::optional<std::string>& v) {
  if (!v || v->empty()) return std::nullopt;
  auto t = JstDateTime::parse(*v);
  if (!t) return std::nullopt;
  return from_jst(*t);
}

}  // namespace

std::string local_input(Instant t) { auto s = jst_text(t); s[10] = 'T'; return s; }

std::vector<std::string> lines_of(const std::string& m) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < m.size();) {
    auto nl = m.find('\n', at);
    if (nl == std::string::npos) nl = m.size();
    if (nl > at) out.push_back(m.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

http::Response SitePages::refuse(const StaffContext& who, const http::Request& req, const std::string& verb,
                                 std::int64_t id, const Error& e, const std::string& back) {
  const int status = http::status_for(e);
  if (status >= 500) return http::response_for(e);
  (void)db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(audit::append(s,
                            {.actor_id = who.actor.person, .actor_name = who.actor.display_name,
                             .unit_id = who.actor.unit, .unit_name = who.unit_name,
                             .action = "site.article." + verb, .object_type = "article",
                             .object_id = id ? std::to_string(id) : "", .summary = e.message,
                             .address = req.remote_addr, .outcome = audit::Outcome::refused},
                            clock_.now()));
    return ok();
  });
  json lines = lines_of(e.message);
  auto res = staff_.page(who, "admin/site_error",
                         {{"title", "操作できません"}, {"lines", lines}, {"back", back.empty() ? json() : json(back)}});
  if (res.status == 200) res.status = status;
  return res;
}

Result<std::string> SitePages::name_of(store::Session& s, org::PersonId id,
                                       std::map<org::PersonId, std::string>& cache) const {
  if (auto it = cache.find(id); it != cache.end()) return it->second;
  KOBAN_ASSIGN(auto p, org::get_person(s, id));
  cache[id] = p.display_name;
  return p.display_name;
}

Result<json> SitePages::steps_json(store::Session& s, const articles::Article& a,
                                   std::map<org::PersonId, std::string>& names) const {
  json steps = json::array();
  if (!a.request_id) return steps;
  KOBAN_ASSIGN(auto all, workflow::steps_of(s, *a.request_id));
  for (const auto& st : all) {
    std::string approvers;
    for (auto p : st.approvers) {
      KOBAN_ASSIGN(auto n, name_of(s, p, names));
      approvers += (approvers.empty() ? "" : "、") + n;
    }
    std::string actor;
    if (st.actor) {
      KOBAN_ASSIGN(actor, name_of(s, *st.actor, names));
    }
    steps.push_back({{"round", st.round}, {"step", st.step_no}, {"acting", acting_label(st.acting_as)},
                     {"approvers", approvers},
                     {"decision", st.decision ? json(st.decision == workflow::Decision::approved ? "承認"
                                                     : st.decision == workflow::Decision::remanded ? "差戻し"
                                                                                                   : "取下げ")
                                              : json()},
                     {"actor", actor}, {"decided", st.decided_at ? jst_text(*st.decided_at) : ""},
                     {"comment", st.comment}});
  }
  return steps;
}

http::Response SitePages::list(http::Request& req, StaffContext& who) {
  auto q = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!q) return http::Response::html(400, "");
  articles::ListFilter f;
  if (auto v = q->get("state"); v && !v->empty()) {
    if (!articles::valid_list_state(*v)) return http::Response::html(400, "");
    f.state = *v;
  }
  if (auto v = q->get("section"); v && !v->empty()) {
    if (!site::find_section(*v)) return http::Response::html(400, "");
    f.section = *v;
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
  json rows = json::array(), waiting = json::array(), to_publish = json::array(), units = json::array();
  std::optional<std::int64_t> next;
  std::map<org::UnitId, std::string> unit_names;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto all_units, org::list_units(s));
    for (const auto& u : all_units) {
      unit_names[u.id] = u.name;
      if (u.kind == org::UnitKind::station || u.kind == org::UnitKind::hq_division)
        units.push_back({{"id", u.id}, {"name", u.name}, {"selected", f.unit == u.id}});
    }
    auto row_of = [&](const articles::Article& a) -> json {
      return {{"id", a.id}, {"title", a.title}, {"place", site::label_of(a.section, a.topic)},
              {"unit", unit_names[a.unit_id]}, {"pub", articles::pub_state_label(a.pub_state)},
              {"work", articles::work_state_label(a.work_state)}, {"replacement", a.has_replacement()},
              {"updated", jst_text(a.updated_at)}};
    };
    const auto visible = org::units_where_allowed(who.actor, org::Purpose::website, org::Action::view);
    KOBAN_ASSIGN(auto list, articles::list_articles(s, f, visible));
    for (const auto& a : list) rows.push_back(row_of(a));
    if (static_cast<int>(list.size()) == f.limit) next = list.back().id;
    KOBAN_ASSIGN(auto mine, workflow::waiting_for(s, who.actor.person, 100));
    for (const auto& w : mine) {
      if (w.request.kind != articles::kPublishKind && w.request.kind != articles::kDeleteKind) continue;
      auto id = parse_id(w.request.object_id);
      if (!id) continue;
      KOBAN_ASSIGN(auto a, articles::get_article(s, *id));
      auto row = row_of(a);
      row["request"] = w.request.kind == articles::kDeleteKind ? "削除依頼" : "公開依頼";
      waiting.push_back(row);
    }
    KOBAN_ASSIGN(bool koho, articles::may_carry_out(s, o_.settings, who.actor.person));
    if (koho) {
      KOBAN_ASSIGN(auto approved, articles::list_articles(s, {.state = "approved", .limit = 200}, std::nullopt));
      for (const auto& a : approved) to_publish.push_back(row_of(a));
    }
    return ok();
  });
  if (!r) return http::response_for(r.error());
  json states = json::array(), sections = json::array();
  for (const char* st : {"draft", "review", "approved", "scheduled", "published", "closed", "deleted"}) {
    const std::string label = std::string(st) == "draft" || std::string(st) == "review" || std::string(st) == "approved"
                                  ? articles::work_state_label(st)
                                  : articles::pub_state_label(st);
    states.push_back({{"value", st}, {"label", label}, {"selected", f.state == st}});
  }
  for (const auto& s : site::sections())
    sections.push_back({{"value", std::string(s.slug)}, {"label", std::string(s.name)}, {"selected", f.section == s.slug}});
  std::string next_link;
  if (next) {
    next_link = "/admin/site?before=" + std::to_string(*next);
    if (f.state) next_link += "&state=" + *f.state;
    if (f.section) next_link += "&section=" + *f.section;
    if (f.unit) next_link += "&unit=" + std::to_string(*f.unit);
  }
  return staff_.page(who, "admin/site_list",
                     {{"title", "ホームページの記事"}, {"rows", rows}, {"has_rows", !rows.empty()},
                      {"waiting", waiting}, {"has_waiting", !waiting.empty()}, {"to_publish", to_publish},
                      {"has_to_publish", !to_publish.empty()}, {"units", units}, {"states", states},
                      {"sections", sections}, {"next", next_link.empty() ? json() : json(next_link)},
                      {"may_write", org::can(who.actor, org::Purpose::website, org::Action::write, who.actor.unit)}});
}

http::Response SitePages::form_page(const StaffContext& who, const articles::ArticleInput& in,
                                    const std::vector<std::string>& errors, bool preview, int status) {
  const std::string place = in.section == site::kStationsSection ? in.section : in.section + "/" + in.topic;
  json places = json::array(), stations = json::array();
  for (const auto& s : site::sections()) {
    if (s.slug == site::kStationsSection) {
      places.push_back({{"value", std::string(s.slug)}, {"label", std::string(s.name) + "（署のページ）"},
                        {"selected", place == s.slug}});
      continue;
    }
    for (const auto& t : s.topics) {
      const std::string v = std::string(s.slug) + "/" + std::string(t.slug);
      places.push_back({{"value", v}, {"label", site::label_of(s.slug, t.slug)}, {"selected", place == v}});
    }
  }
  json data = {{"title", in.article_id ? "記事の編集" : "記事の作成"}, {"errors", errors},
               {"has_errors", !errors.empty()}, {"article_title", in.title}, {"body", in.body},
               {"contact", in.contact}, {"summary", in.summary}, {"places", places},
               {"start", in.publish_start ? json(local_input(*in.publish_start)) : json("")},
               {"end", in.publish_end ? json(local_input(*in.publish_end)) : json("")},
               {"action", in.article_id ? "/admin/site/" + std::to_string(*in.article_id) : std::string("/admin/site")},
               {"max_title", o_.settings.max_title_chars}};
  if (in.article_id) data["id"] = *in.article_id;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto units, org::list_units(s));
    for (const auto& u : units)
      if (u.kind == org::UnitKind::station && u.active)
        stations.push_back({{"id", u.id}, {"name", u.name}, {"selected", in.station_id == u.id}});
    if (preview) {
      std::vector<articles::File> files;
      if (in.article_id) {
      KOBAN_ASSIGN(files, articles::files_of(s, *in.article_id));
    }
      articles::Version v;
      v.title = in.title;
      v.body = in.body;
      auto html = articles::render_version(o_.settings, v, files);
      json findings = json::array();
      for (const auto& f : articles::check_version(o_.settings, v, files))
        findings.push_back({{"line", f.line ? std::to_string(f.line) + "行目" : std::string("タイトル")},
                            {"message", f.message}, {"excerpt", f.excerpt}, {"suggestion", f.suggestion},
                            {"block", f.severity == site::checks::Severity::block}});
      data["preview"] = {{"html", html ? html->html : ""}, {"error", html ? json() : json(html.error().message)},
                         {"findings", findings}, {"has_findings", !findings.empty()}};
    }
    return ok();
  });
  if (!r) return http::response_for(r.error());
  data["stations"] = stations;
  auto res = staff_.page(who, "admin/site_edit", std::move(data));
  if (res.status == 200) res.status = status;
  return res;
}

namespace {
articles::ArticleInput input_of(const http::forms::FormFields& f) {
  articles::ArticleInput in;
  in.title = f.get("title").value_or("");
  in.body = f.get("body").value_or("");
  in.contact = f.get("contact").value_or("");
  in.summary = f.get("summary").value_or("");
  const std::string place = f.get("place").value_or("");
  const auto slash = place.find('/');
  in.section = place.substr(0, slash);
  in.topic = slash == std::string::npos ? "" : place.substr(slash + 1);
  if (auto id = parse_id(f.get("station").value_or(""))) in.station_id = *id;
  in.publish_start = parse_local(f.get("start"));
  in.publish_end = parse_local(f.get("end"));
  return in;
}
}  // namespace

http::Response SitePages::new_form(http::Request& req, StaffContext& who) {
  if (!org::can(who.actor, org::Purpose::website, org::Action::write, who.actor.unit))
    return refuse(who, req, "create", 0, Error::denied("ホームページの記事を作成する権限がありません。"), "/admin/site");
  articles::ArticleInput in;
  in.section = "safety";
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto u, org::get_unit(s, who.actor.unit));
    in.contact = u.name + (u.phone.empty() ? "" : "（電話 " + u.phone + "）");
    if (u.kind == org::UnitKind::station) {
      in.section = std::string(site::kStationsSection);
      in.station_id = u.id;
    }
    return ok();
  });
  if (!r) return http::response_for(r.error());
  return form_page(who, in, {}, false, 200);
}

http::Response SitePages::create(http::Request& req, StaffContext& who) { return update(req, who); }

http::Response SitePages::update(http::Request& req, StaffContext& who) {
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return refuse(who, req, "save", 0, Error::invalid("送信内容を読み取れませんでした。"), "/admin/site");
  auto in = input_of(*form);
  std::optional<std::int64_t> id;
  if (req.params.count("id")) {
    id = parse_id(req.param("id"));
    if (!id) return http::Response::html(404, "");
    in.article_id = *id;
  }
  // Fields that start/end could not be read are refused, not silently dropped.
  std::vector<std::string> errors;
  if (!form->get("start").value_or("").empty() && !in.publish_start) errors.push_back("公開開始の日時を読み取れません。");
  if (!form->get("end").value_or("").empty() && !in.publish_end) errors.push_back("公開期限の日時を読み取れません。");
  if (!errors.empty()) return form_page(who, in, errors, false, 422);
  if (form->get("action").value_or("") == "preview") return form_page(who, in, {}, true, 200);
  articles::Saved saved;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(saved, articles::save_article(s, o_.settings, in, by(who, req), clock_.now()));
    return ok();
  });
  if (!r) {
    if (r.error().code != ErrorCode::invalid_argument) return refuse(who, req, "save", id.value_or(0), r.error(), "/admin/site");
    (void)refuse(who, req, "save", id.value_or(0), r.error(), "");
    return form_page(who, in, lines_of(r.error().message), true, 422);
  }
  return http::Response::redirect("/admin/site/" + std::to_string(saved.article_id) + "?done=saved", 303);
}

http::Response SitePages::edit_form(http::Request& req, StaffContext& who) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::Response::html(404, "");
  articles::ArticleInput in;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, articles::get_article(s, *id));
    KOBAN_TRY(org::require(who.actor, org::Purpose::website, org::Action::write, a.unit_id));
    KOBAN_ASSIGN(auto v, articles::get_version(s, *a.latest_version_id));
    in = {.article_id = a.id, .title = v.title, .body = v.body, .section = v.section, .topic = v.topic,
          .station_id = v.station_id, .publish_start = v.publish_start, .publish_end = v.publish_end,
          .contact = v.contact, .summary = ""};
    return ok();
  });
  if (!r) return refuse(who, req, "edit", *id, r.error(), "/admin/site/" + std::to_string(*id));
  return form_page(who, in, {}, false, 200);
}

http::Response SitePages::show(http::Request& req, StaffContext& who) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::Response::html(404, "");
  auto q = http::forms::parse_urlencoded(req.query, kQueryLimits);
  json data;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, articles::get_article(s, *id));
    KOBAN_TRY(org::require(who.actor, org::Purpose::website, org::Action::view, a.unit_id));
    KOBAN_ASSIGN(auto v, articles::get_version(s, *a.latest_version_id));
    KOBAN_ASSIGN(auto files, articles::files_of(s, a.id));
    KOBAN_ASSIGN(auto unit, org::get_unit(s, a.unit_id));
    std::map<org::PersonId, std::string> names;
    KOBAN_ASSIGN(auto writer, name_of(s, v.created_by, names));
    std::string station;
    if (v.station_id) {
      KOBAN_ASSIGN(auto u, org::get_unit(s, *v.station_id));
      station = u.name;
    }
    auto html = articles::render_version(o_.settings, v, files);
    // Findings of the version under review (or the newest one).
    articles::Version checked = v;
    if (a.pending_version_id && a.pending_version_id != v.id) {
      KOBAN_ASSIGN(checked, articles::get_version(s, *a.pending_version_id));
    }
    json findings = json::array();
    int n = 0;
    for (const auto& f : articles::check_version(o_.settings, checked, files))
      findings.push_back({{"n", n++}, {"code", f.code}, {"line_no", f.line},
                          {"line", f.line ? std::to_string(f.line) + "行目" : std::string("タイトル")},
                          {"message", f.message}, {"excerpt", f.excerpt}, {"suggestion", f.suggestion},
                          {"block", f.severity == site::checks::Severity::block}});
    json fl = json::array();
    for (const auto& f : files)
      fl.push_back({{"kind", f.kind == "image" ? "画像" : "PDF"}, {"url", f.url()}, {"alt", f.alt},
                    {"name", f.original_name}, {"size_kb", (f.size + 1023) / 1024},
                    {"snippet", (f.kind == "image" ? "![" : "[") + f.alt + "](" + f.url() + ")"}});
    KOBAN_ASSIGN(auto steps, steps_json(s, a, names));
    // What this person may do now.
    bool may_decide = false, review_step = false, may_withdraw = false;
    std::string request_state;
    if (a.request_id) {
      KOBAN_ASSIGN(auto req_, workflow::get_request(s, *a.request_id));
      request_state = workflow::label(req_.state);
      if (req_.current_step && req_.state == workflow::RequestState::submitted) {
        KOBAN_ASSIGN(auto step, workflow::get_step(s, *req_.current_step));
        may_decide = std::binary_search(step.approvers.begin(), step.approvers.end(), who.actor.person);
        review_step = step.rule_name == "hq_review" && req_.kind == articles::kPublishKind;
      }
      may_withdraw = req_.created_by == who.actor.person &&
                     (req_.state == workflow::RequestState::submitted || req_.state == workflow::RequestState::remanded);
    }
    KOBAN_ASSIGN(bool koho, articles::may_carry_out(s, o_.settings, who.actor.person));
    KOBAN_ASSIGN(auto overrides, articles::overrides_of(s, a.id));
    json ov = json::array();
    for (const auto& o : overrides) {
      KOBAN_ASSIGN(auto who_name, name_of(s, o.person, names));
      ov.push_back({{"code", o.code}, {"message", o.message}, {"reason", o.reason}, {"by", who_name},
                    {"at", jst_text(o.at)}, {"line", o.line}});
    }
    const bool busy = a.work_state == "review" || a.work_state == "approved";
    const bool writer_ok = org::can(who.actor, org::Purpose::website, org::Action::write, a.unit_id);
    const bool submit_ok = org::can(who.actor, org::Purpose::website, org::Action::submit, a.unit_id);
    data = {{"title", a.title}, {"id", a.id}, {"place", site::label_of(a.section, a.topic)},
            {"unit", unit.name}, {"station", station}, {"pub", articles::pub_state_label(a.pub_state)},
            {"work", articles::work_state_label(a.work_state)}, {"replacement", a.has_replacement()},
            {"version_no", v.version_no}, {"writer", writer}, {"saved", jst_text(v.created_at)},
            {"start", v.publish_start ? jst_text(*v.publish_start) : "公開と同時"},
            {"end", v.publish_end ? jst_text(*v.publish_end) : "なし"}, {"contact", v.contact},
            {"html", html ? html->html : ""}, {"render_error", html ? json() : json(html.error().message)},
            {"findings", findings}, {"has_findings", !findings.empty()},
            {"blocking", site::checks::blocks_approval(articles::check_version(o_.settings, checked, files))},
            {"files", fl}, {"has_files", !fl.empty()}, {"steps", steps}, {"has_steps", !steps.empty()},
            {"request_state", request_state},
            {"request_kind", a.request_kind == articles::kDeleteKind ? "削除依頼" : "公開依頼"},
            {"overrides", ov}, {"has_overrides", !ov.empty()},
            {"may_edit", writer_ok && !busy && a.pub_state != "deleted"},
            {"may_request", submit_ok && !busy && a.pub_state != "deleted" && a.latest_version_id != a.live_version_id &&
                                a.latest_version_id != a.scheduled_version_id},
            {"may_request_delete", submit_ok && !busy && (a.pub_state == "published" || a.pub_state == "scheduled")},
            {"may_decide", may_decide}, {"review_step", review_step && may_decide},
            {"may_withdraw", may_withdraw && busy}, {"may_publish", koho && a.work_state == "approved"},
            {"may_upload", writer_ok && a.pub_state != "deleted"},
            {"max_image_mb", o_.settings.max_image_bytes / (1024 * 1024)},
            {"max_pdf_mb", o_.settings.max_pdf_bytes / (1024 * 1024)}};
    return ok();
  });
  if (!r) return refuse(who, req, "view", *id, r.error(), "/admin/site");
  static const std::map<std::string, std::string> kDone = {
      {"saved", "保存しました（新しい版）。"}, {"uploaded", "ファイルを追加しました。本文に貼り付ける記述を使ってください。"},
      {"request", "公開を依頼しました。"}, {"request-delete", "削除を依頼しました。"}, {"approve", "承認しました。"},
      {"remand", "差し戻しました。"}, {"withdraw", "依頼を取り下げました。"}, {"publish", "公開（または公開予約・削除）を実施しました。"},
      {"restore", "以前の版を新しい版として復元しました。"}};
  if (q)
    if (auto it = kDone.find(q->get("done").value_or("")); it != kDone.end()) data["flash"] = it->second;
  return staff_.page(who, "admin/site_show", std::move(data));
}

http::Response SitePages::upload(http::Request& req, StaffContext& who) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::Response::html(404, "");
  const std::string back = "/admin/site/" + std::to_string(*id);
  if (!req.upload) return refuse(who, req, "file", *id, Error::invalid("ファイルを選んで送信してください。"), back);
  const http::forms::UploadedFile* file = nullptr;
  for (const auto& f : req.upload->files)
    if (f.field_name == "file") file = &f;
  if (!file || file->size == 0) return refuse(who, req, "file", *id, Error::invalid("ファイルを選んで送信してください。"), back);
  if (req.upload->files.size() > 1) return refuse(who, req, "file", *id, Error::invalid("ファイルは1つずつ送信してください。"), back);
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(articles::add_file(s, o_.settings, *id,
                                 {.path = file->temp_path(), .original_name = file->filename,
                                  .alt = req.upload->fields.get("alt").value_or("")},
                                 by(who, req), clock_.now()));
    return ok();
  });
  if (!r) return refuse(who, req, "file", *id, r.error(), back);
  return http::Response::redirect(back + "?done=uploaded", 303);
}

http::Response SitePages::history(http::Request& req, StaffContext& who) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::Response::html(404, "");
  json rows = json::array(), data;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, articles::get_article(s, *id));
    KOBAN_TRY(org::require(who.actor, org::Purpose::website, org::Action::view, a.unit_id));
    KOBAN_ASSIGN(auto vs, articles::versions_of(s, a.id));
    std::map<org::PersonId, std::string> names;
    const bool busy = a.work_state == "review" || a.work_state == "approved";
    const bool may_restore = !busy && a.pub_state != "deleted" &&
                             org::can(who.actor, org::Purpose::website, org::Action::write, a.unit_id);
    for (std::size_t i = 0; i < vs.size(); ++i) {
      const auto& v = vs[i];
      KOBAN_ASSIGN(auto n, name_of(s, v.created_by, names));
      rows.push_back({{"id", v.id}, {"no", v.version_no}, {"by", n}, {"at", jst_text(v.created_at)},
                      {"summary", v.summary}, {"live", a.live_version_id == v.id},
                      {"scheduled", a.scheduled_version_id == v.id}, {"latest", i == 0},
                      {"from_checked", i == 1 || (vs.size() == 1)}, {"to_checked", i == 0},
                      {"may_restore", may_restore && i > 0}});
    }
    data = {{"title", "版の履歴: " + a.title}, {"id", a.id}, {"article_id", a.id}, {"rows", rows}};
    return ok();
  });
  if (!r) return refuse(who, req, "view", *id, r.error(), "/admin/site");
  return staff_.page(who, "admin/site_history", std::move(data));
}

http::Response SitePages::diff(http::Request& req, StaffContext& who) {
  auto id = parse_id(req.param("id"));
  auto q = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!id || !q) return http::Response::html(404, "");
  auto from = parse_id(q->get("from").value_or("")), to = parse_id(q->get("to").value_or(""));
  if (!from || !to) return http::Response::html(400, "");
  json data;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, articles::get_article(s, *id));
    KOBAN_TRY(org::require(who.actor, org::Purpose::website, org::Action::view, a.unit_id));
    KOBAN_ASSIGN(auto va, articles::get_version(s, *from));
    KOBAN_ASSIGN(auto vb, articles::get_version(s, *to));
    if (va.article_id != a.id || vb.article_id != a.id) return Error::not_found("この記事の版ではありません。");
    auto text = [](const articles::Version& v) {
      return "タイトル: " + v.title + "\n問い合わせ先: " + v.contact + "\n公開開始: " +
             (v.publish_start ? jst_text(*v.publish_start) : "") + "\n公開期限: " +
             (v.publish_end ? jst_text(*v.publish_end) : "") + "\n----\n" + v.body;
    };
    KOBAN_ASSIGN(auto lines, articles::diff_lines(text(va), text(vb)));
    json out = json::array();
    int added = 0, removed = 0;
    for (const auto& l : lines) {
      const bool add = l.op == articles::DiffOp::added, del = l.op == articles::DiffOp::removed;
      added += add;
      removed += del;
      out.push_back({{"mark", add ? "追加" : del ? "削除" : ""}, {"cls", add ? "added" : del ? "removed" : "same"},
                     {"old", l.old_line ? json(l.old_line) : json("")}, {"new", l.new_line ? json(l.new_line) : json("")},
                     {"text", l.text}});
    }
    data = {{"title", "差分: " + a.title}, {"id", a.id}, {"from", va.version_no}, {"to", vb.version_no},
            {"lines", out}, {"added", added}, {"removed", removed}};
    return ok();
  });
  if (!r) return refuse(who, req, "diff", *id, r.error(), "/admin/site/" + std::to_string(*id) + "/history");
  return staff_.page(who, "admin/site_diff", std::move(data));
}

http::Response SitePages::restore(http::Request& req, StaffContext& who) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::Response::html(404, "");
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  auto version = form ? parse_id(form->get("version").value_or("")) : std::nullopt;
  const std::string back = "/admin/site/" + std::to_string(*id) + "/history";
  if (!version) return refuse(who, req, "restore", *id, Error::invalid("復元する版を選んでください。"), back);
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(articles::restore_version(s, o_.settings, *id, *version, by(who, req), clock_.now()));
    return ok();
  });
  if (!r) return refuse(who, req, "restore", *id, r.error(), back);
  return http::Response::redirect("/admin/site/" + std::to_string(*id) + "?done=restore", 303);
}

http::Response SitePages::act(http::Request& req, StaffContext& who, const std::string& verb) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::Response::html(404, "");
  const std::string back = "/admin/site/" + std::to_string(*id);
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return refuse(who, req, verb, *id, Error::invalid("送信内容を読み取れませんでした。"), back);
  const std::string comment = form->get("comment").value_or("");
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    const auto b = by(who, req);
    const auto now = clock_.now();
    if (verb == "request") {
      KOBAN_TRY(articles::request_publication(s, *kinds_, o_.settings, *id, b, now));
      return ok();
    }
    if (verb == "request-delete") {
      KOBAN_TRY(articles::request_deletion(s, *kinds_, *id, b, form->get("reason").value_or(""), now));
      return ok();
    }
    if (verb == "approve") {
      articles::Review review{.comment = comment};
      for (int i = 0; i < 200; ++i) {
        const std::string n = std::to_string(i);
        auto reason = form->get("reason_" + n);
        if (!reason) continue;
        auto line = form->get("line_" + n).value_or("0");
        int line_no = 0;
        for (char c : line)
          if (c >= '0' && c <= '9' && line_no < 1000000) line_no = line_no * 10 + (c - '0');
        review.overrides.push_back({form->get("code_" + n).value_or(""), line_no, *reason});
      }
      return articles::approve_article(s, *kinds_, o_.settings, *id, b, review, now);
    }
    if (verb == "remand") return articles::remand_article(s, *kinds_, *id, b, comment, now);
    if (verb == "withdraw") return articles::withdraw_article(s, *kinds_, *id, b, now);
    if (verb == "publish") return articles::carry_out_article(s, *kinds_, o_.settings, o_.hooks, *id, b, now);
    return Error::not_found("unknown action");
  });
  if (!r) return refuse(who, req, verb, *id, r.error(), back);
  return http::Response::redirect(back + "?done=" + verb, 303);
}

http::Response SitePages::form1(http::Request& req, StaffContext& who) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::Response::html(404, "");
  json data;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, articles::get_article(s, *id));
    KOBAN_TRY(org::require(who.actor, org::Purpose::website, org::Action::view, a.unit_id));
    if (!a.request_id) return Error::not_found("この記事には公開・削除の依頼がありません。");
    KOBAN_ASSIGN(auto req_, workflow::get_request(s, *a.request_id));
    const auto vid = a.pending_version_id ? a.pending_version_id : a.request_kind == articles::kDeleteKind ? a.live_version_id : a.latest_version_id;
    KOBAN_ASSIGN(auto v, articles::get_version(s, vid.value_or(*a.latest_version_id)));
    KOBAN_ASSIGN(auto unit, org::get_unit(s, a.unit_id));
    std::map<org::PersonId, std::string> names;
    KOBAN_ASSIGN(auto requester, name_of(s, req_.created_by, names));
    std::string head;
    if (unit.head) {
      KOBAN_ASSIGN(head, name_of(s, *unit.head, names));
    }
    KOBAN_ASSIGN(auto steps, steps_json(s, a, names));
    KOBAN_ASSIGN(auto files, articles::files_of(s, a.id));
    data = {{"title", "記事公開・削除依頼書（様式1）"}, {"kind", a.request_kind == articles::kDeleteKind ? "削除" : "公開"},
            {"date", jst_text(req_.submitted_at.value_or(req_.created_at)).substr(0, 10)}, {"unit", unit.name},
            {"head", head}, {"requester", requester}, {"article_title", v.title},
            {"place", site::label_of(v.section, v.topic)},
            {"start", v.publish_start ? jst_text(*v.publish_start) : "承認後すみやかに"},
            {"end", v.publish_end ? jst_text(*v.publish_end) : "定めなし"}, {"contact", v.contact},
            {"version_no", v.version_no}, {"files", files.size()}, {"state", workflow::label(req_.state)},
            {"request_title", req_.title}, {"steps", steps}, {"id", a.id}};
    return ok();
  });
  if (!r) return refuse(who, req, "form1", *id, r.error(), "/admin/site/" + std::to_string(*id));
  return staff_.page(who, "admin/site_form1", std::move(data));
}

}  // namespace koban::app::site_pages

namespace koban::app {

void add_site_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                     std::shared_ptr<const workflow::KindRegistry> kinds, SiteRoutesOptions options,
                     const Clock& clock) {
  using site_pages::SitePages;
  const std::uint64_t max_file = std::max(options.settings.max_image_bytes, options.settings.max_pdf_bytes);
  auto pages = std::make_shared<SitePages>(db, staff, std::move(kinds), std::move(options), clock);
  const http::RouteOptions small{.max_body = 64 * 1024};
  const http::RouteOptions article{.max_body = 1024 * 1024};
  auto on = [&](auto method) {
    return staff.guard([pages, method](http::Request& req, StaffContext& who) { return ((*pages).*method)(req, who); },
                       std::nullopt);
  };
  auto verb = [&](const char* v) {
    return staff.guard([pages, v = std::string(v)](http::Request& req, StaffContext& who) { return pages->act(req, who, v); },
                       std::nullopt);
  };
  router.get("/admin/site", on(&SitePages::list));
  router.get("/admin/site/new", on(&SitePages::new_form));
  router.post("/admin/site", on(&SitePages::create), article);
  router.get("/admin/site/inspections", on(&SitePages::inspections));
  router.get("/admin/site/inspections/:unit", on(&SitePages::inspection_report));
  router.post("/admin/site/inspections/items/:id", on(&SitePages::mark), small);
  router.get("/admin/site/:id", on(&SitePages::show));
  router.post("/admin/site/:id", on(&SitePages::update), article);
  router.get("/admin/site/:id/edit", on(&SitePages::edit_form));
  router.get("/admin/site/:id/history", on(&SitePages::history));
  router.get("/admin/site/:id/diff", on(&SitePages::diff));
  router.post("/admin/site/:id/restore", on(&SitePages::restore), small);
  router.get("/admin/site/:id/form1", on(&SitePages::form1));
  for (const char* v : {"request", "request-delete", "approve", "remand", "withdraw", "publish"})
    router.post(std::string("/admin/site/:id/") + v, verb(v), small);
  // Uploads stream into temp files. The staff guard reads the CSRF token from an urlencoded
  // body, which a streamed multipart request does not have: hand it the multipart field.
  auto upload = on(&SitePages::upload);
  router.post("/admin/site/:id/files",
              [upload](http::Request& req) {
                if (req.upload) req.body = "csrf=" + http::forms::form_urlencode(req.upload->fields.get("csrf").value_or(""));
                return upload(req);
              },
              {.max_body = static_cast<std::size_t>(max_file + 64 * 1024), .multipart = true});
}

}  // namespace koban::app
