#include "app/admin_org_routes.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "audit/audit_log.h"
#include "http/forms/urlencoded.h"
#include "http/forms/utf8.h"
#include "org/absences.h"
#include "org/people.h"
#include "org/permissions.h"
#include "org/roles.h"
#include "org/units.h"

namespace koban::app {
namespace {

using nlohmann::json;
using org::Action;
using org::Purpose;

constexpr int kPageSize = 50;
constexpr std::size_t kMaxQueryBytes = 100;     // the name/login search text
constexpr std::size_t kMaxUnitsInFilter = 5000;  // placeholders in one IN (...)
constexpr std::size_t kMaxTreeDepth = 20;

const http::forms::FormLimits kQueryLimits{.max_fields = 16, .max_name_bytes = 32, .max_value_bytes = 512,
                                           .max_total_bytes = 4096};
const http::forms::FormLimits kFormLimits{.max_fields = 16, .max_name_bytes = 32, .max_value_bytes = 1024,
                                          .max_total_bytes = 16 * 1024};

// A positive decimal id of at most 15 digits; anything else is no id.
std::optional<std::int64_t> parse_id(std::string_view s) {
  if (s.empty() || s.size() > 15) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v <= 0) return std::nullopt;
  return v;
}

json opt(const std::optional<std::string>& s) { return s ? json(*s) : json(); }

std::string jst_text(Instant t) {
  const auto j = to_jst(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", j.date.year, j.date.month, j.date.day, j.hour,
                j.minute);
  return buf;
}

std::string actor_name(const org::Actor& a) { return a.display_name + "（" + a.login_name + "）"; }

// Units by id, for names in grants and lists (a force has at most a few hundred units).
using UnitMap = std::map<org::UnitId, org::Unit>;
Result<UnitMap> unit_map(store::Session& s) {
  KOBAN_ASSIGN(auto units, org::list_units(s));
  UnitMap m;
  for (auto& u : units) m.emplace(u.id, std::move(u));
  return m;
}
std::string unit_name(const UnitMap& m, std::optional<org::UnitId> id) {
  if (!id) return "全体";
  auto it = m.find(*id);
  return it == m.end() ? "（不明な所属 " + std::to_string(*id) + "）" : it->second.name;
}

json grant_json(const org::Grant& g, const UnitMap& units) {
  return {{"id", g.id},
          {"purpose", org::label(g.purpose)},
          {"role", org::label(g.role)},
          {"unit", unit_name(units, g.unit)},
          {"granted_at", jst_text(g.granted_at)},
          {"revoked_at", g.revoked_at ? json(jst_text(*g.revoked_at)) : json()}};
}

int status_for(const Error& e) {
  switch (e.code) {
    case ErrorCode::invalid_argument: return 422;
    case ErrorCode::not_found: return 404;
    case ErrorCode::conflict: return 409;
    case ErrorCode::permission_denied: return 403;
    default: return 0;
  }
}

// People pages, with the login and the view check done by StaffAuth::guard.
class OrgPages {
 public:
  OrgPages(store::Database& db, StaffAuth& staff) : db_(db), staff_(staff) {}

  http::Response error_page(const StaffContext& who, int status, const std::string& message,
                            const std::string& back = "") {
    auto res = staff_.page(who, "admin/people_error",
                           {{"title", "操作できません"}, {"message", message},
                            {"back", back.empty() ? json() : json(back)}});
    if (res.status == 200) res.status = status;
    return res;
  }
  http::Response error_page(const StaffContext& who, const Error& e, const std::string& back = "") {
    const int status = status_for(e);
    if (status == 0) return http::response_for(e);
    return error_page(who, status, e.message, back);
  }

  // Records a refused attempt (its own transaction: the refused change itself wrote nothing).
  void audit_refused(const StaffContext& who, const http::Request& req, const std::string& action,
                     std::int64_t person, const std::string& why) {
    audit::Event e{.actor_id = who.actor.person, .actor_name = actor_name(who.actor), .unit_id = who.actor.unit,
                   .unit_name = who.unit_name, .action = action, .object_type = "person",
                   .object_id = std::to_string(person), .summary = why, .address = req.remote_addr,
                   .outcome = audit::Outcome::refused};
    (void)db_.write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(audit::append(s, e, clock_.now()));
      return ok();
    });
  }

  http::Response units_tree(http::Request& req, StaffContext& who);
  http::Response unit_show(http::Request& req, StaffContext& who);
  http::Response people_list(http::Request& req, StaffContext& who);
  http::Response person_show(http::Request& req, StaffContext& who);
  http::Response change_status(http::Request& req, StaffContext& who, org::PersonStatus to);
  http::Response grant(http::Request& req, StaffContext& who);
  http::Response revoke(http::Request& req, StaffContext& who);

 private:
  store::Database& db_;
  StaffAuth& staff_;
  SystemClock clock_;
};

bool can_view_some_people(const StaffContext& who) {
  const auto allowed = org::units_where_allowed(who.actor, Purpose::administration, Action::view);
  return !allowed || !allowed->empty();  // nullopt: the whole force
}

// ---- units -------------------------------------------------------------------------------

http::Response OrgPages::units_tree(http::Request&, StaffContext& who) {
  UnitMap units;
  std::map<org::PersonId, std::string> names;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(units, unit_map(s));
    KOBAN_ASSIGN(auto rows, s.query("SELECT id, display_name FROM people WHERE id IN "
                                    "(SELECT head_person_id FROM units UNION SELECT pr_lead_person_id FROM units)"));
    for (const auto& row : rows) names[row.int64(0)] = row.text(1);
    return ok();
  });
  if (!r) return http::response_for(r.error());
  // Children in list_units order (sort_order, id); roots are units without a known parent.
  std::map<std::optional<org::UnitId>, std::vector<const org::Unit*>> children;
  std::vector<const org::Unit*> all;
  for (const auto& [id, u] : units) all.push_back(&u);
  std::stable_sort(all.begin(), all.end(), [](const org::Unit* a, const org::Unit* b) {
    return a->sort_order != b->sort_order ? a->sort_order < b->sort_order : a->id < b->id;
  });
  for (const auto* u : all) {
    std::optional<org::UnitId> parent = u->parent_id && units.count(*u->parent_id) ? u->parent_id : std::nullopt;
    children[parent].push_back(u);
  }
  json rows = json::array();
  std::set<org::UnitId> seen;
  auto name_of = [&](std::optional<org::PersonId> p) -> json {
    if (!p) return json();
    auto it = names.find(*p);
    return it == names.end() ? json() : json(it->second);
  };
  std::function<void(std::optional<org::UnitId>, std::size_t)> walk = [&](std::optional<org::UnitId> parent,
                                                                           std::size_t depth) {
    if (depth > kMaxTreeDepth) return;
    auto it = children.find(parent);
    if (it == children.end()) return;
    for (const auto* u : it->second) {
      if (!seen.insert(u->id).second) continue;
      rows.push_back({{"id", u->id},
                      {"name", u->name},
                      {"code", u->code},
                      {"indent", depth * 1.5},
                      {"depth", depth + 1},
                      {"kind", org::label(u->kind)},
                      {"jurisdiction", u->jurisdiction.empty() ? json() : json(u->jurisdiction)},
                      {"head", name_of(u->head)},
                      {"pr_lead", name_of(u->pr_lead)},
                      {"phone", u->phone.empty() ? json() : json(u->phone)},
                      {"inactive", !u->active}});
      walk(u->id, depth + 1);
    }
  };
  walk(std::nullopt, 0);
  return staff_.page(who, "admin/units_tree",
                     {{"title", "所属一覧"}, {"has_units", !rows.empty()}, {"units", rows},
                      {"can_view_people", can_view_some_people(who)}});
}

http::Response OrgPages::unit_show(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id) return error_page(who, 404, "指定された所属は見つかりません。", "/admin/units");
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  std::optional<std::int64_t> before;
  if (auto b = query->get("before"); b && !b->empty()) {
    before = parse_id(*b);
    if (!before) return http::Response::html(400, "");
  }
  const bool may_view_people = org::can(who.actor, Purpose::administration, Action::view, *id);
  json data;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto u, org::get_unit(s, *id));
    KOBAN_ASSIGN(auto units, unit_map(s));
    auto person_name = [&](std::optional<org::PersonId> p) -> Result<json> {
      if (!p) return json();
      KOBAN_ASSIGN(auto person, org::get_person(s, *p));
      return json{{"id", person.id}, {"name", person.display_name}, {"title", person.title},
                  {"link", may_view_people}};
    };
    json children = json::array();
    KOBAN_ASSIGN(auto kids, org::child_units(s, u.id));
    for (const auto& c : kids) children.push_back({{"id", c.id}, {"name", c.name}, {"kind", org::label(c.kind)}});
    KOBAN_ASSIGN(auto desk, org::duty_desk_for(s, u.id));
    KOBAN_ASSIGN(json head, person_name(u.head));
    KOBAN_ASSIGN(json lead, person_name(u.pr_lead));
    data = {{"title", u.name},
            {"unit", {{"id", u.id}, {"name", u.name}, {"code", u.code}, {"kind", org::label(u.kind)},
                      {"jurisdiction", u.jurisdiction.empty() ? json() : json(u.jurisdiction)},
                      {"phone", u.phone.empty() ? json() : json(u.phone)},
                      {"address", u.address.empty() ? json() : json(u.address)}, {"inactive", !u.active}}},
            {"parent", u.parent_id ? json{{"id", *u.parent_id}, {"name", unit_name(units, u.parent_id)}} : json()},
            {"desk", desk && *desk != u.id ? json{{"id", *desk}, {"name", unit_name(units, desk)}} : json()},
            {"head", head},
            {"pr_lead", lead},
            {"has_children", !children.empty()},
            {"children", children},
            {"may_view_people", may_view_people}};
    if (!may_view_people) return ok();
    // Direct members, newest id first, one page.
    KOBAN_ASSIGN(auto rows, s.query("SELECT id FROM people WHERE unit_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                                    u.id, before.value_or(INT64_MAX), kPageSize));
    json people = json::array();
    for (const auto& row : rows) {
      KOBAN_ASSIGN(auto p, org::get_person(s, row.int64(0)));
      KOBAN_ASSIGN(auto grants, org::active_grants(s, p.id));
      json roles = json::array();
      for (const auto& g : grants) roles.push_back(grant_json(g, units));
      people.push_back({{"id", p.id}, {"name", p.display_name}, {"login", p.login_name}, {"title", p.title},
                        {"status", org::label(p.status)}, {"has_roles", !roles.empty()}, {"roles", roles}});
    }
    data["has_people"] = !people.empty();
    data["people"] = people;
    data["limit"] = kPageSize;
    const std::string base = "/admin/units/" + std::to_string(u.id);
    if (static_cast<int>(rows.size()) == kPageSize) data["next_url"] = base + "?before=" + std::to_string(rows.back().int64(0));
    if (before) data["first_url"] = base;
    return ok();
  });
  if (!r) return error_page(who, r.error(), "/admin/units");
  return staff_.page(who, "admin/units_show", std::move(data));
}

// ---- people --------------------------------------------------------------------------------

http::Response OrgPages::people_list(http::Request& req, StaffContext& who) {
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  std::optional<org::UnitId> unit;
  std::optional<org::PersonStatus> status;
  std::optional<std::int64_t> before;
  const std::string unit_text = query->get("unit").value_or("");
  const std::string status_text = query->get("status").value_or("");
  const std::string q = query->get("q").value_or("");
  if (!unit_text.empty() && !(unit = parse_id(unit_text))) return http::Response::html(400, "");
  if (!status_text.empty() && !(status = org::parse_person_status(status_text))) return http::Response::html(400, "");
  if (q.size() > kMaxQueryBytes || !http::forms::is_valid_utf8(q)) return http::Response::html(400, "");
  if (auto b = query->get("before"); b && !b->empty()) {
    before = parse_id(*b);
    if (!before) return http::Response::html(400, "");
  }
  // Which units may be listed: those the viewer may view, narrowed to the filter's subtree.
  const auto allowed = org::units_where_allowed(who.actor, Purpose::administration, Action::view);
  json data = {{"title", "職員一覧"}, {"q", q}, {"limit", kPageSize}};
  int bad_status = 0;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto units, unit_map(s));
    std::optional<std::vector<org::UnitId>> scope = allowed;
    if (unit) {
      auto sub = org::descendants(s, *unit);
      if (!sub) {
        bad_status = 400;
        return ok();
      }
      std::vector<org::UnitId> narrowed;
      for (auto id : *sub)
        if (!allowed || std::binary_search(allowed->begin(), allowed->end(), id)) narrowed.push_back(id);
      if (narrowed.empty()) {
        bad_status = 403;
        return ok();
      }
      scope = std::move(narrowed);
    }
    if (scope && scope->size() > kMaxUnitsInFilter) return Error{ErrorCode::too_large, "所属が多すぎます。"};

    std::string sql = "SELECT id, login_name, display_name, unit_id, title, status FROM people WHERE id < ?";
    std::vector<store::Value> params{before.value_or(INT64_MAX)};
    if (scope) {
      sql += " AND unit_id IN (";
      for (std::size_t i = 0; i < scope->size(); ++i) {
        sql += i ? ",?" : "?";
        params.emplace_back((*scope)[i]);
      }
      sql += ")";
    }
    if (status) {
      sql += " AND status = ?";
      params.emplace_back(std::string(org::to_string(*status)));
    }
    if (!q.empty()) {
      std::string pattern = "%";
      for (char c : q) {
        if (c == '%' || c == '_' || c == '!') pattern += '!';
        pattern += c;
      }
      pattern += "%";
      sql += " AND (display_name LIKE ? ESCAPE '!' OR login_name LIKE ? ESCAPE '!' OR kana LIKE ? ESCAPE '!')";
      for (int i = 0; i < 3; ++i) params.emplace_back(pattern);
    }
    sql += " ORDER BY id DESC LIMIT ?";
    params.emplace_back(std::int64_t{kPageSize});
    KOBAN_ASSIGN(auto rows, s.query_values(sql, params));
    json people = json::array();
    for (const auto& row : rows) {
      const auto st = org::parse_person_status(row.text(5)).value_or(org::PersonStatus::suspended);
      people.push_back({{"id", row.int64(0)}, {"login", row.text(1)}, {"name", row.text(2)},
                        {"unit", unit_name(units, row.int64(3))}, {"unit_id", row.int64(3)},
                        {"title", row.text(4)}, {"status", org::label(st)}});
    }
    data["people"] = people;
    data["has_people"] = !people.empty();
    // The unit filter offers only units the viewer may list.
    json options = json::array();
    for (const auto& [id, u] : units)
      if (!allowed || std::binary_search(allowed->begin(), allowed->end(), id))
        options.push_back({{"id", id}, {"name", u.name}, {"selected", unit && *unit == id}});
    data["units"] = options;
    json statuses = json::array();
    for (auto st : {org::PersonStatus::active, org::PersonStatus::suspended, org::PersonStatus::restricted,
                    org::PersonStatus::retired})
      statuses.push_back({{"value", org::to_string(st)}, {"label", org::label(st)}, {"selected", status == st}});
    data["statuses"] = statuses;
    // Paging links keep the filters.
    std::string filters;
    auto add = [&](const char* name, const std::string& v) {
      if (v.empty()) return;
      filters += std::string(filters.empty() ? "" : "&") + name + "=" + http::forms::form_urlencode(v);
    };
    add("unit", unit_text);
    add("status", status_text);
    add("q", q);
    if (static_cast<int>(rows.size()) == kPageSize)
      data["next_url"] = "/admin/people?" + filters + (filters.empty() ? "" : "&") + "before=" +
                         std::to_string(rows.back().int64(0));
    if (before) data["first_url"] = "/admin/people" + (filters.empty() ? "" : "?" + filters);
    return ok();
  });
  if (!r) return http::response_for(r.error());
  if (bad_status == 400) return http::Response::html(400, "");
  if (bad_status == 403) {
    audit_refused(who, req, "org.person.list", 0, "GET " + req.target);
    return error_page(who, 403, "この所属の職員一覧を見る権限がありません。", "/admin/people");
  }
  return staff_.page(who, "admin/people_list", std::move(data));
}

http::Response OrgPages::person_show(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id) return error_page(who, 404, "指定された職員は見つかりません。", "/admin/people");
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  // After a change the page says what was done; only known words are accepted.
  static const std::map<std::string, std::string, std::less<>> kDone = {
      {"suspend", "利用を停止しました。"}, {"reinstate", "利用を再開しました。"},
      {"retire", "退職にしました。"}, {"grant", "役割を付与しました。"}, {"revoke", "役割を取り消しました。"}};
  const std::string done = query->get("done").value_or("");
  if (!done.empty() && !kDone.count(done)) return http::Response::html(400, "");

  json data;
  bool refused = false;
  const Instant now = clock_.now();
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto p, org::get_person(s, *id));
    if (!org::can(who.actor, Purpose::administration, Action::view, p.unit_id)) {
      refused = true;
      return ok();
    }
    KOBAN_ASSIGN(auto units, unit_map(s));
    KOBAN_ASSIGN(auto history, org::grant_history(s, p.id));
    json active = json::array(), revoked = json::array();
    const bool may_administer = org::can(who.actor, Purpose::administration, Action::administer, p.unit_id) &&
                                p.id != who.actor.person;
    for (const auto& g : history) {
      json j = grant_json(g, units);
      j["may_revoke"] = may_administer && !g.revoked_at &&
                        org::can(who.actor, Purpose::administration, Action::administer, g.unit);
      (g.revoked_at ? revoked : active).push_back(std::move(j));
    }
    KOBAN_ASSIGN(auto absences, org::absences_between(s, p.id, now - std::chrono::days(366), now + std::chrono::days(366)));
    json away = json::array();
    for (const auto& a : absences)
      away.push_back({{"from", jst_text(a.from)}, {"to", jst_text(a.to)}, {"reason", a.reason},
                      {"current", a.from <= now && now < a.to}});
    // Grant form: purposes, roles and the units the viewer may administer.
    json purposes = json::array(), roles = json::array(), grant_units = json::array();
    for (auto pu : org::kAllPurposes) purposes.push_back({{"value", org::to_string(pu)}, {"label", org::label(pu)}});
    for (auto ro : org::kAllRoles) roles.push_back({{"value", org::to_string(ro)}, {"label", org::label(ro)}});
    for (const auto& [uid, u] : units)
      if (u.active && org::can(who.actor, Purpose::administration, Action::administer, uid))
        grant_units.push_back({{"id", uid}, {"name", u.name}});
    const bool active_person = p.status != org::PersonStatus::retired;
    data = {{"title", p.display_name},
            {"person", {{"id", p.id}, {"name", p.display_name}, {"login", p.login_name},
                        {"kana", p.kana.empty() ? json() : json(p.kana)}, {"title", p.title.empty() ? json() : json(p.title)},
                        {"email", p.email.empty() ? json() : json(p.email)}, {"unit", unit_name(units, p.unit_id)},
                        {"unit_id", p.unit_id}, {"status", org::label(p.status)},
                        {"created", jst_text(p.created_at)}, {"status_changed", jst_text(p.status_changed_at)},
                        {"retired", p.retired_at ? json(jst_text(*p.retired_at)) : json()}}},
            {"has_active", !active.empty()}, {"active", active},
            {"has_revoked", !revoked.empty()}, {"revoked", revoked},
            {"has_absences", !away.empty()}, {"absences", away},
            {"may_administer", may_administer && active_person},
            {"may_suspend", may_administer && (p.status == org::PersonStatus::active || p.status == org::PersonStatus::restricted)},
            {"may_reinstate", may_administer && (p.status == org::PersonStatus::suspended || p.status == org::PersonStatus::restricted)},
            {"may_retire", may_administer && active_person},
            {"may_whole_force", org::can(who.actor, Purpose::administration, Action::administer, std::nullopt)},
            {"purposes", purposes}, {"roles", roles}, {"grant_units", grant_units}};
    if (!done.empty()) data["flash"] = kDone.at(done);
    return ok();
  });
  if (!r) return error_page(who, r.error(), "/admin/people");
  if (refused) {
    audit_refused(who, req, "org.person.view", *id, "GET " + req.target);
    return error_page(who, 403, "この職員の情報を見る権限がありません。", "/admin/people");
  }
  return staff_.page(who, "admin/people_show", std::move(data));
}

// ---- state changes ---------------------------------------------------------------------------

const char* verb(org::PersonStatus to) {
  switch (to) {
    case org::PersonStatus::suspended: return "suspend";
    case org::PersonStatus::active: return "reinstate";
    case org::PersonStatus::retired: return "retire";
    default: return "";
  }
}
const char* verb_label(org::PersonStatus to) {
  switch (to) {
    case org::PersonStatus::suspended: return "利用停止";
    case org::PersonStatus::active: return "利用再開";
    case org::PersonStatus::retired: return "退職";
    default: return "";
  }
}

// The checks every change to a person shares; empty when allowed.
std::optional<Error> may_change(const StaffContext& who, const org::Person& p) {
  if (!org::can(who.actor, Purpose::administration, Action::administer, p.unit_id))
    return Error::denied("この職員の所属を管理する権限がありません。");
  if (p.id == who.actor.person) return Error::conflict("自分自身の状態や役割は変更できません。");
  if (p.status == org::PersonStatus::retired) return Error::conflict("退職した職員は変更できません。");
  return std::nullopt;
}

http::Response OrgPages::change_status(http::Request& req, StaffContext& who, org::PersonStatus to) {
  const std::string action = std::string("org.person.") + verb(to);
  const auto id = parse_id(req.param("id"));
  if (!id) return error_page(who, 404, "指定された職員は見つかりません。", "/admin/people");
  const std::string back = "/admin/people/" + std::to_string(*id);
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return error_page(who, 400, "送信内容を読み取れませんでした。", back);
  const std::string confirm = form->get("confirm").value_or("");
  if (!confirm.empty() && confirm != "yes") return error_page(who, 400, "送信内容が正しくありません。", back);

  std::optional<Error> refusal;
  std::string summary;
  org::Person before{};
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(before, org::get_person(s, *id));
    if ((refusal = may_change(who, before))) return ok();
    if (confirm != "yes") return ok();  // first POST: only the confirmation page
    const Instant now = clock_.now();
    switch (to) {
      case org::PersonStatus::suspended: KOBAN_TRY(org::suspend(s, *id, now)); break;
      case org::PersonStatus::active: KOBAN_TRY(org::reinstate(s, *id, now)); break;
      case org::PersonStatus::retired: KOBAN_TRY(org::retire(s, *id, now)); break;
      default: return Error::internal("unknown target status");
    }
    summary = std::string("状態: ") + org::label(before.status) + " → " + org::label(to);
    KOBAN_TRY(audit::append(s,
                            {.actor_id = who.actor.person, .actor_name = actor_name(who.actor),
                             .unit_id = who.actor.unit, .unit_name = who.unit_name, .action = action,
                             .object_type = "person", .object_id = std::to_string(*id),
                             .summary = before.display_name + "（" + before.login_name + "） " + summary,
                             .address = req.remote_addr},
                            now));
    return ok();
  });
  if (!r) {
    if (r.error().code == ErrorCode::conflict || r.error().code == ErrorCode::invalid_argument)
      audit_refused(who, req, action, *id, r.error().message);
    return error_page(who, r.error(), back);
  }
  if (refusal) {
    audit_refused(who, req, action, *id, refusal->message);
    return error_page(who, *refusal, back);
  }
  if (confirm != "yes") {
    return staff_.page(who, "admin/people_confirm",
                       {{"title", std::string(verb_label(to)) + "の確認"},
                        {"person", {{"id", before.id}, {"name", before.display_name}, {"login", before.login_name},
                                    {"status", org::label(before.status)}}},
                        {"action_label", verb_label(to)}, {"action_url", back + "/" + verb(to)},
                        {"to_status", org::label(to)}, {"is_retire", to == org::PersonStatus::retired}});
  }
  return http::Response::redirect(back + "?done=" + verb(to), 303);
}

http::Response OrgPages::grant(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id) return error_page(who, 404, "指定された職員は見つかりません。", "/admin/people");
  const std::string back = "/admin/people/" + std::to_string(*id);
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return error_page(who, 400, "送信内容を読み取れませんでした。", back);
  const auto purpose = org::parse_purpose(form->get("purpose").value_or(""));
  const auto role = org::parse_role(form->get("role").value_or(""));
  const std::string unit_text = form->get("unit").value_or("");
  std::optional<org::UnitId> unit;
  if (!unit_text.empty() && !(unit = parse_id(unit_text)))
    return error_page(who, 400, "所属の指定が正しくありません。", back);
  if (!purpose || !role) return error_page(who, 400, "業務と役割を選んでください。", back);

  std::optional<Error> refusal;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto p, org::get_person(s, *id));
    refusal = may_change(who, p);
    if (!refusal && !org::can(who.actor, Purpose::administration, Action::administer, unit))
      refusal = Error::denied(unit ? "その所属の役割を付与する権限がありません。" : "全体の役割を付与する権限がありません。");
    if (refusal) return ok();
    KOBAN_ASSIGN(auto units, unit_map(s));
    const Instant now = clock_.now();
    KOBAN_ASSIGN(auto gid, org::grant_role(s, {.person = *id, .purpose = *purpose, .role = *role, .unit = unit,
                                               .granted_by = who.actor.person},
                                           now));
    KOBAN_TRY(audit::append(s,
                            {.actor_id = who.actor.person, .actor_name = actor_name(who.actor),
                             .unit_id = who.actor.unit, .unit_name = who.unit_name, .action = "org.grant.create",
                             .object_type = "person", .object_id = std::to_string(*id),
                             .summary = p.display_name + "（" + p.login_name + "） 役割付与: " +
                                        org::label(*purpose) + " " + org::label(*role) + "（" +
                                        unit_name(units, unit) + "） 付与番号 " + std::to_string(gid),
                             .address = req.remote_addr},
                            now));
    return ok();
  });
  if (!r) {
    if (r.error().code != ErrorCode::internal && r.error().code != ErrorCode::unavailable)
      audit_refused(who, req, "org.grant.create", *id, r.error().message);
    return error_page(who, r.error(), back);
  }
  if (refusal) {
    audit_refused(who, req, "org.grant.create", *id, refusal->message);
    return error_page(who, *refusal, back);
  }
  return http::Response::redirect(back + "?done=grant", 303);
}

http::Response OrgPages::revoke(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  const auto gid = parse_id(req.param("grant"));
  if (!id || !gid) return error_page(who, 404, "指定された役割は見つかりません。", "/admin/people");
  const std::string back = "/admin/people/" + std::to_string(*id);
  std::optional<Error> refusal;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto p, org::get_person(s, *id));
    if ((refusal = may_change(who, p))) return ok();
    KOBAN_ASSIGN(auto history, org::grant_history(s, p.id));
    auto g = std::find_if(history.begin(), history.end(), [&](const org::Grant& x) { return x.id == *gid; });
    if (g == history.end()) return Error::not_found("指定された役割は見つかりません。");
    if (g->revoked_at) return Error::conflict("この役割は既に取り消されています。");
    if (!org::can(who.actor, Purpose::administration, Action::administer, g->unit)) {
      refusal = Error::denied("この役割を取り消す権限がありません。");
      return ok();
    }
    KOBAN_ASSIGN(auto units, unit_map(s));
    const Instant now = clock_.now();
    KOBAN_TRY(org::revoke_grant(s, *gid, who.actor.person, now));
    KOBAN_TRY(audit::append(s,
                            {.actor_id = who.actor.person, .actor_name = actor_name(who.actor),
                             .unit_id = who.actor.unit, .unit_name = who.unit_name, .action = "org.grant.revoke",
                             .object_type = "person", .object_id = std::to_string(*id),
                             .summary = p.display_name + "（" + p.login_name + "） 役割取消: " +
                                        org::label(g->purpose) + " " + org::label(g->role) + "（" +
                                        unit_name(units, g->unit) + "） 付与番号 " + std::to_string(*gid),
                             .address = req.remote_addr},
                            now));
    return ok();
  });
  if (!r) return error_page(who, r.error(), back);
  if (refusal) {
    audit_refused(who, req, "org.grant.revoke", *id, refusal->message);
    return error_page(who, *refusal, back);
  }
  return http::Response::redirect(back + "?done=revoke", 303);
}

}  // namespace

void add_org_routes(http::Router& router, store::Database& db, StaffAuth& staff) {
  // Lives as long as the router's handlers (the app's lifetime).
  auto pages = std::make_shared<OrgPages>(db, staff);
  const Permission view{Purpose::administration, Action::view};
  const Permission administer{Purpose::administration, Action::administer};
  const http::RouteOptions small{.max_body = 16 * 1024};

  // Anyone logged in may see the units (no permission asked); people are checked per unit.
  router.get("/admin/units", staff.guard([pages](http::Request& req, StaffContext& who) {
    return pages->units_tree(req, who);
  }, std::nullopt));
  router.get("/admin/units/:id", staff.guard([pages](http::Request& req, StaffContext& who) {
    return pages->unit_show(req, who);
  }, std::nullopt));
  router.get("/admin/people", staff.guard([pages](http::Request& req, StaffContext& who) {
    return pages->people_list(req, who);
  }, view));
  router.get("/admin/people/:id", staff.guard([pages](http::Request& req, StaffContext& who) {
    return pages->person_show(req, who);
  }, view));
  const std::pair<const char*, org::PersonStatus> changes[] = {
      {"suspend", org::PersonStatus::suspended}, {"reinstate", org::PersonStatus::active},
      {"retire", org::PersonStatus::retired}};
  for (const auto& [name, to] : changes) {
    router.post(std::string("/admin/people/:id/") + name,
                staff.guard([pages, to = to](http::Request& req, StaffContext& who) {
                  return pages->change_status(req, who, to);
                }, administer), small);
  }
  router.post("/admin/people/:id/grants", staff.guard([pages](http::Request& req, StaffContext& who) {
    return pages->grant(req, who);
  }, administer), small);
  router.post("/admin/people/:id/grants/:grant/revoke", staff.guard([pages](http::Request& req, StaffContext& who) {
    return pages->revoke(req, who);
  }, administer), small);
}

}  // namespace koban::app
