// The inspections pages (SITE-7): progress per unit for 広報課, the 様式2 report per unit with
// the marking form for the unit manager.
#include <algorithm>

#include "app/admin_site_pages.h"
#include "app/page_helpers.h"
#include "http/forms/urlencoded.h"
#include "org/permissions.h"
#include "org/units.h"
#include "site/sections.h"

namespace koban::app::site_pages {
namespace {

using pages::jst_text;
using pages::parse_id;

const http::forms::FormLimits kQueryLimits{.max_fields = 4, .max_name_bytes = 16, .max_value_bytes = 20,
                                           .max_total_bytes = 128};
const http::forms::FormLimits kMarkLimits{.max_fields = 6, .max_name_bytes = 16, .max_value_bytes = 4096,
                                          .max_total_bytes = 8192};

}  // namespace

http::Response SitePages::inspections(http::Request& req, StaffContext& who) {
  auto q = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!q) return http::Response::html(400, "");
  const auto now = clock_.now();
  // Opening the round is idempotent; doing it here means the page never shows a round too late.
  auto opened = db_.write([&](store::Session& s) { return articles::ensure_rounds(s, o_.inspections, now); });
  if (!opened) return http::response_for(opened.error());
  json rounds = json::array(), units = json::array(), overdue = json::array(), stale = json::array();
  Date round = articles::current_round(o_.inspections, to_jst(now).date);
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto all, articles::rounds(s));
    if (auto v = q->get("round"); v && !v->empty()) {
      auto d = Date::parse(*v);
      if (!d) return Error::invalid("点検の回の指定が正しくありません。");
      round = *d;
    } else if (!all.empty() && std::find(all.begin(), all.end(), round) == all.end()) {
      round = all.front();
    }
    for (const auto& d : all) rounds.push_back({{"value", d.iso()}, {"selected", d == round}});
    const auto visible = org::units_where_allowed(who.actor, org::Purpose::website, org::Action::view);
    auto seen = [&](org::UnitId u) { return !visible || std::binary_search(visible->begin(), visible->end(), u); };
    const bool past = round < to_jst(now).date;
    KOBAN_ASSIGN(auto progress, articles::round_progress(s, round));
    for (const auto& p : progress) {
      if (!seen(p.unit_id)) continue;
      KOBAN_ASSIGN(auto u, org::get_unit(s, p.unit_id));
      units.push_back({{"id", u.id}, {"name", u.name}, {"total", p.total}, {"decided", p.decided},
                       {"done", p.decided == p.total}, {"late", past && p.decided < p.total}});
    }
    KOBAN_ASSIGN(auto late, articles::overdue_units(s, o_.inspections, now));
    for (const auto& p : late) {
      if (!seen(p.unit_id)) continue;
      KOBAN_ASSIGN(auto u, org::get_unit(s, p.unit_id));
      overdue.push_back({{"id", u.id}, {"name", u.name}, {"round", p.round.iso()}, {"left", p.total - p.decided}});
    }
    KOBAN_ASSIGN(auto old, articles::stale_articles(s, o_.inspections, std::nullopt, now));
    for (const auto& a : old) {
      if (!seen(a.unit_id)) continue;
      KOBAN_ASSIGN(auto u, org::get_unit(s, a.unit_id));
      stale.push_back({{"id", a.id}, {"title", a.title}, {"unit", u.name}, {"updated", jst_text(a.updated_at)}});
    }
    return ok();
  });
  if (!r) return refuse(who, req, "inspections", 0, r.error(), "/admin/site/inspections");
  return staff_.page(who, "admin/site_inspections",
                     {{"title", "ホームページの点検"}, {"round", round.iso()}, {"rounds", rounds}, {"units", units},
                      {"has_units", !units.empty()}, {"overdue", overdue}, {"has_overdue", !overdue.empty()},
                      {"stale", stale}, {"has_stale", !stale.empty()}, {"stale_days", o_.inspections.stale_days}});
}

http::Response SitePages::inspection_report(http::Request& req, StaffContext& who) {
  auto unit_id = parse_id(req.param("unit"));
  auto q = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!unit_id || !q) return http::Response::html(404, "");
  const auto now = clock_.now();
  Date round = articles::current_round(o_.inspections, to_jst(now).date);
  if (auto v = q->get("round"); v && !v->empty()) {
    auto d = Date::parse(*v);
    if (!d) return http::Response::html(400, "");
    round = *d;
  }
  json data;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto unit, org::get_unit(s, *unit_id));
    KOBAN_TRY(org::require(who.actor, org::Purpose::website, org::Action::view, unit.id));
    const bool may_mark = org::can(who.actor, org::Purpose::website, org::Action::approve, unit.id);
    KOBAN_ASSIGN(auto items, articles::inspection_items(s, o_.inspections, round, unit.id, now));
    std::map<org::PersonId, std::string> names;
    json rows = json::array();
    int keep = 0, update = 0, remove = 0, open = 0;
    for (const auto& it : items) {
      std::string by;
      if (it.decided_by) {
      KOBAN_ASSIGN(by, name_of(s, *it.decided_by, names));
    }
      keep += it.decision == "keep";
      update += it.decision == "update";
      remove += it.decision == "delete";
      open += it.decision.empty();
      json choices = json::array();
      for (const char* d : {"keep", "update", "delete"})
        choices.push_back({{"value", d}, {"label", articles::decision_label(d)}, {"checked", it.decision == d}});
      rows.push_back({{"id", it.id}, {"article_id", it.article_id}, {"title", it.title},
                      {"place", site::label_of(it.section, "")},
                      {"updated", it.last_updated ? jst_text(*it.last_updated) : ""}, {"stale", it.stale},
                      {"decision", articles::decision_label(it.decision)}, {"note", it.note}, {"by", by},
                      {"at", it.decided_at ? jst_text(*it.decided_at) : ""}, {"choices", choices}});
    }
    std::string head;
    if (unit.head) {
      KOBAN_ASSIGN(head, name_of(s, *unit.head, names));
    }
    data = {{"title", "ホームページ点検結果報告書（様式2）"}, {"unit", unit.name}, {"unit_id", unit.id}, {"head", head},
            {"round", round.iso()}, {"rows", rows}, {"has_rows", !rows.empty()}, {"may_mark", may_mark},
            {"total", items.size()}, {"keep", keep}, {"update", update}, {"remove", remove}, {"open", open},
            {"complete", open == 0}};
    return ok();
  });
  if (!r) return refuse(who, req, "inspections", 0, r.error(), "/admin/site/inspections");
  return staff_.page(who, "admin/site_inspection_report", std::move(data));
}

http::Response SitePages::mark(http::Request& req, StaffContext& who) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::Response::html(404, "");
  auto form = http::forms::parse_urlencoded(req.body, kMarkLimits);
  if (!form) return refuse(who, req, "inspected", 0, Error::invalid("送信内容を読み取れませんでした。"), "/admin/site/inspections");
  articles::InspectionItem item;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(item, articles::get_inspection_item(s, *id));
    return articles::mark_inspection(s, *id, form->get("decision").value_or(""), form->get("note").value_or(""),
                                     by(who, req), clock_.now());
  });
  if (!r) return refuse(who, req, "inspected", item.article_id, r.error(), "/admin/site/inspections");
  return http::Response::redirect("/admin/site/inspections/" + std::to_string(item.unit_id) +
                                      "?round=" + item.round.iso() + "#item" + std::to_string(*id),
                                  303);
}

}  // namespace koban::app::site_pages
