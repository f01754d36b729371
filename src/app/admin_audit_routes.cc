#include "app/admin_audit_routes.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <variant>

#include "audit/audit_log.h"
#include "audit/search.h"
#include "core/text.h"
#include "http/forms/urlencoded.h"
#include "org/people.h"
#include "org/units.h"

namespace koban::app {
namespace {

constexpr int kPageSize = 50;
// The CSV is built in memory before it is sent, so one download is capped well below
// audit::kMaxExportRows; a wider export is refused with a request to narrow the filter.
constexpr std::int64_t kMaxHttpExportRows = 100'000;

// A search form has a handful of short fields; anything bigger is not from our form.
const http::forms::FormLimits kQueryLimits{.max_fields = 16, .max_name_bytes = 32, .max_value_bytes = 400,
                                           .max_total_bytes = 4096};

const Permission kView{org::Purpose::administration, org::Action::view};

// The validated filter, plus the parameters in canonical form for the form and the links.
struct AuditQuery {
  audit::Filter filter;
  std::optional<std::int64_t> before;
  std::optional<org::UnitId> unit;  // as asked (nullopt: any unit the viewer may see)
  std::string from, to, actor, action, object_type, object_id, text, outcome;
};

// What the viewer may see: every unit, or one unit at a time out of `allowed`.
struct Scope {
  bool whole_force = false;
  std::vector<org::UnitId> allowed;
};

std::optional<std::int64_t> parse_id(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v <= 0) return std::nullopt;
  return v;
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool valid_action_prefix(std::string_view s) {
  if (s.size() > audit::kMaxActionBytes) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// invalid_argument (Japanese) for any value our own form could not have sent.
Result<AuditQuery> parse_query(std::string_view query_string) {
  auto fields = http::forms::parse_urlencoded(query_string, kQueryLimits);
  if (!fields) return Error::invalid(fields.error().message);
  auto field = [&](std::string_view name) { return std::string(text::trim(fields->get(name).value_or(""))); };
  AuditQuery q;

  q.from = field("from");
  q.to = field("to");
  std::optional<Date> from, to;
  if (!q.from.empty() && !(from = Date::parse(q.from))) return Error::invalid("開始日は YYYY-MM-DD の形式で指定してください。");
  if (!q.to.empty() && !(to = Date::parse(q.to))) return Error::invalid("終了日は YYYY-MM-DD の形式で指定してください。");
  if (from && to && *to < *from) return Error::invalid("終了日が開始日より前になっています。");
  if (from) q.filter.from = from_jst({.date = *from});
  if (to) q.filter.to = from_jst({.date = to->plus_days(1)});  // the whole last day

  q.actor = field("actor");
  if (!q.actor.empty() && !org::validate_login_name(q.actor)) return Error::invalid("職員IDの形式が正しくありません。");

  if (const auto unit = field("unit"); !unit.empty()) {
    q.unit = parse_id(unit);
    if (!q.unit) return Error::invalid("所属の指定が正しくありません。");
    q.filter.unit_id = q.unit;
  }

  q.action = text::to_lower(field("action"));
  if (!valid_action_prefix(q.action)) return Error::invalid("操作は半角英小文字・数字と . _ - で指定してください。");
  q.filter.action_prefix = q.action;

  q.object_type = field("object_type");
  q.object_id = field("object_id");
  q.text = field("q");
  for (const auto* s : {&q.object_type, &q.object_id})
    if (s->size() > audit::kMaxObjectBytes || has_control(*s)) return Error::invalid("対象の指定が正しくありません。");
  if (q.text.size() > audit::kMaxFilterTextBytes || has_control(q.text))
    return Error::invalid("検索語が長すぎるか、使えない文字を含んでいます。");
  q.filter.object_type = q.object_type;
  q.filter.object_id = q.object_id;
  q.filter.text = q.text;

  q.outcome = field("outcome");
  if (q.outcome == "ok") q.filter.outcome = audit::Outcome::ok;
  else if (q.outcome == "refused") q.filter.outcome = audit::Outcome::refused;
  else if (!q.outcome.empty()) return Error::invalid("結果は ok または refused で指定してください。");

  if (const auto before = field("before"); !before.empty()) {
    q.before = parse_id(before);
    if (!q.before) return Error::invalid("ページの指定が正しくありません。");
  }
  return q;
}

// The parameters of q (without paging) as a query string, for links that keep the filter.
std::string filter_params(const AuditQuery& q) {
  http::forms::FormFields f;
  auto put = [&](const char* name, const std::string& v) {
    if (!v.empty()) f.add(name, v);
  };
  put("from", q.from);
  put("to", q.to);
  put("actor", q.actor);
  if (q.unit) f.add("unit", std::to_string(*q.unit));
  put("action", q.action);
  put("object_type", q.object_type);
  put("object_id", q.object_id);
  put("q", q.text);
  put("outcome", q.outcome);
  return http::forms::form_urlencode(f);
}

std::string jst_text(Instant t) {
  const auto j = to_jst(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", j.date.year, j.date.month, j.date.day, j.hour,
                j.minute, j.second);
  return buf;
}

std::string actor_label(const org::Actor& a) { return a.display_name + "（" + a.login_name + "）"; }

void append_audit(store::Database& db, const StaffContext& who, const http::Request& req, std::string action,
                  std::string summary, audit::Outcome outcome) {
  audit::Event e{.actor_id = who.actor.person, .actor_name = actor_label(who.actor), .unit_id = who.actor.unit,
                 .unit_name = who.unit_name, .action = std::move(action), .object_type = "audit_log",
                 .summary = std::move(summary), .address = req.remote_addr, .outcome = outcome};
  auto r = db.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(audit::append(s, e, SystemClock{}.now()));
    return ok();
  });
  if (!r) std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"audit append failed\",\"error\":\"%s\"}\n",
                       http::json_escape(r.error().message).c_str());
}

// Narrows q to what the viewer may see. permission_denied when they asked for a unit outside
// their scope (the caller audits the refusal).
Result<Scope> apply_scope(const StaffContext& who, AuditQuery& q) {
  Scope scope;
  if (org::can(who.actor, kView.purpose, kView.action, std::nullopt)) {
    scope.whole_force = true;
    return scope;
  }
  auto allowed = org::units_where_allowed(who.actor, kView.purpose, kView.action);
  if (!allowed) {  // a whole-force grant that can() did not accept: trust can()
    return Error::denied("監査ログを閲覧する権限がありません。");
  }
  if (allowed->empty()) return Error::denied("監査ログを閲覧する権限がありません。");
  scope.allowed = *allowed;
  if (q.unit) {
    if (!std::binary_search(scope.allowed.begin(), scope.allowed.end(), *q.unit))
      return Error::denied("指定した所属の監査ログを閲覧する権限がありません。");
  } else {
    // One unit at a time: the person's own unit when they may see it, else the first one.
    const bool own = std::binary_search(scope.allowed.begin(), scope.allowed.end(), who.actor.unit);
    q.unit = own ? who.actor.unit : scope.allowed.front();
  }
  q.filter.unit_id = q.unit;
  return scope;
}

// Parses and scopes the request; on failure returns the response to send instead.
struct Prepared {
  AuditQuery query;
  Scope scope;
  bool unknown_actor = false;  // the login name matches nobody: the answer is empty
};

std::variant<Prepared, http::Response> prepare(store::Database& db, StaffAuth& staff, const http::Request& req,
                                               const StaffContext& who) {
  auto q = parse_query(req.query);
  if (!q) {
    // The reason, in the staff layout, so the person can correct the value.
    auto res = staff.page(who, "admin/audit_error", {{"title", "監査ログ"}, {"message", q.error().message}});
    if (res.status == 200) res.status = 400;
    return res;
  }
  auto scope = apply_scope(who, *q);
  if (!scope) {
    append_audit(db, who, req, "auth.permission.refused",
                 req.method + " " + req.path + "（所属 " + std::to_string(q->unit.value_or(0)) + " は権限外）",
                 audit::Outcome::refused);
    return http::response_for(scope.error());
  }
  Prepared p{std::move(*q), std::move(*scope)};
  if (!p.query.actor.empty()) {
    std::optional<org::Person> person;
    auto r = db.read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(person, org::find_person_by_login(s, p.query.actor));
      return ok();
    });
    if (!r) return http::response_for(r.error());
    if (person) p.query.filter.actor_id = person->id;
    else p.unknown_actor = true;
  }
  return p;
}

nlohmann::json unit_options(store::Database& db, const Prepared& p) {
  nlohmann::json out = nlohmann::json::array();
  (void)db.read([&](store::Session& s) -> Result<void> {
    std::vector<org::Unit> units;
    if (p.scope.whole_force) {
      KOBAN_ASSIGN(units, org::list_units(s));
    } else {
      for (auto id : p.scope.allowed) {
        auto u = org::get_unit(s, id);
        if (u) units.push_back(std::move(*u));
      }
    }
    for (const auto& u : units)
      out.push_back({{"id", u.id}, {"name", u.name}, {"selected", p.query.unit == u.id}});
    return ok();
  });
  return out;
}

http::Response list_page(store::Database& db, StaffAuth& staff, http::Request& req, StaffContext& who) {
  auto prepared = prepare(db, staff, req, who);
  if (auto* res = std::get_if<http::Response>(&prepared)) return std::move(*res);
  auto& p = std::get<Prepared>(prepared);

  audit::SearchPage page;
  if (!p.unknown_actor) {
    auto found = audit::search(db, p.query.filter, {.before_seq = p.query.before, .limit = kPageSize});
    if (!found) return http::response_for(found.error());
    page = std::move(*found);
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : page.records) {
    const auto& e = r.event;
    rows.push_back({{"seq", r.seq},
                    {"at", jst_text(r.at)},
                    {"actor", e.actor_name.empty() ? nlohmann::json("（システム）") : nlohmann::json(e.actor_name)},
                    {"unit", e.unit_name},
                    {"action", e.action},
                    {"object", e.object_type.empty() ? e.object_id
                                                     : e.object_id.empty() ? e.object_type
                                                                           : e.object_type + " " + e.object_id},
                    {"summary", e.summary},
                    {"address", e.address},
                    {"refused", e.outcome == audit::Outcome::refused}});
  }
  const auto& q = p.query;
  const std::string params = filter_params(q);
  nlohmann::json data = {
      {"title", "監査ログ"},
      {"has_rows", !rows.empty()},
      {"rows", rows},
      {"limit", kPageSize},
      {"units", unit_options(db, p)},
      {"any_unit", p.scope.whole_force},
      {"unknown_actor", p.unknown_actor},
      {"f", {{"from", q.from}, {"to", q.to}, {"actor", q.actor}, {"action", q.action},
             {"object_type", q.object_type}, {"object_id", q.object_id}, {"q", q.text},
             {"outcome_ok", q.outcome == "ok"}, {"outcome_refused", q.outcome == "refused"}}},
      {"csv_url", "/admin/audit.csv" + (params.empty() ? "" : "?" + params)},
  };
  if (page.next_before_seq)
    data["next_url"] = "/admin/audit?" + (params.empty() ? "" : params + "&") + "before=" +
                       std::to_string(*page.next_before_seq);
  if (q.before) data["first_url"] = "/admin/audit" + (params.empty() ? "" : "?" + params);
  return staff.page(who, "admin/audit_list", std::move(data));
}

http::Response csv_export(store::Database& db, StaffAuth& staff, http::Request& req, StaffContext& who) {
  auto prepared = prepare(db, staff, req, who);
  if (auto* res = std::get_if<http::Response>(&prepared)) return std::move(*res);
  auto& p = std::get<Prepared>(prepared);

  std::ostringstream out;
  std::int64_t count = 0;
  if (p.unknown_actor) {
    // The header line only: export nothing, but in the same format.
    audit::Filter none = p.query.filter;
    none.actor_id = -1;  // no person has a negative id
    auto n = audit::export_csv(db, none, out, kMaxHttpExportRows);
    if (!n) return http::response_for(n.error());
  } else {
    auto n = audit::export_csv(db, p.query.filter, out, kMaxHttpExportRows);
    if (!n) {
      if (n.error().code != ErrorCode::too_large) return http::response_for(n.error());
      auto res = staff.page(who, "admin/audit_too_large",
                            {{"title", "監査ログのCSV出力"}, {"max_rows", kMaxHttpExportRows},
                             {"back_url", "/admin/audit" + std::string(filter_params(p.query).empty() ? "" : "?") +
                                              filter_params(p.query)}});
      if (res.status == 200) res.status = 413;
      return res;
    }
    count = *n;
  }

  // No record of the export, no export: the data leaves only when the trail says who took it.
  const std::string params = filter_params(p.query);
  audit::Event e{.actor_id = who.actor.person, .actor_name = actor_label(who.actor), .unit_id = who.actor.unit,
                 .unit_name = who.unit_name, .action = "audit.export", .object_type = "audit_log",
                 .summary = "監査ログをCSVで出力（" + std::to_string(count) + " 件）条件: " +
                            (params.empty() ? "なし" : params),
                 .address = req.remote_addr};
  auto recorded = db.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(audit::append(s, e, SystemClock{}.now()));
    return ok();
  });
  if (!recorded) return http::response_for(recorded.error());

  const auto j = to_jst(SystemClock{}.now());
  char name[64];
  std::snprintf(name, sizeof name, "koban-audit-%04d%02d%02d-%02d%02d%02d.csv", j.date.year, j.date.month,
                j.date.day, j.hour, j.minute, j.second);
  http::Response res;
  res.status = 200;
  res.body = std::move(out).str();
  res.set("content-type", "text/csv; charset=utf-8");
  res.set("content-disposition", std::string("attachment; filename=\"") + name + "\"");
  res.set("cache-control", "no-store");
  return res;
}

}  // namespace

void add_audit_routes(http::Router& router, store::Database& db, StaffAuth& staff) {
  router.get("/admin/audit", staff.guard([&db, &staff](http::Request& req, StaffContext& who) {
    return list_page(db, staff, req, who);
  }, kView));
  router.get("/admin/audit.csv", staff.guard([&db, &staff](http::Request& req, StaffContext& who) {
    return csv_export(db, staff, req, who);
  }, kView));
}

}  // namespace koban::app
