// /admin/roles: what each role may do, and who holds which role (see admin_roster_routes.h).
#include <algorithm>
#include <map>

#include "app/admin_roster_routes.h"
#include "app/page_helpers.h"
#include "http/forms/urlencoded.h"
#include "org/people.h"
#include "org/permission_table.h"
#include "org/permissions.h"
#include "org/roles.h"
#include "org/units.h"

namespace koban::app::roster {
namespace {

using nlohmann::json;
using org::Action;
using org::Purpose;
using pages::jst_text;
using pages::parse_id;

constexpr int kPageSize = 50;
constexpr std::size_t kMaxUnitsInFilter = 5000;  // placeholders in one IN (...)

const http::forms::FormLimits kQueryLimits{.max_fields = 8, .max_name_bytes = 16, .max_value_bytes = 32,
                                           .max_total_bytes = 256};

// The seeds' words for each role (shown next to the short label).
const char* role_note(org::Role r) {
  switch (r) {
    case org::Role::overall_manager: return "システム全体の運用に責任を持つ";
    case org::Role::system_admin: return "設定・アカウントを管理する（内容の作成・承認はしない）";
    case org::Role::business_owner: return "業務を主管する課の長（ホームページは広報課など）";
    case org::Role::unit_manager: return "所属長。所属の申請を承認する";
    case org::Role::assistant: return "広報活動責任者・補助者。所属長の不在時に代わって承認する";
    case org::Role::duty_officer: return "当直時間帯に当直の所属の申請を承認する";
    case org::Role::staff: return "作成し申請する";
  }
  return "";
}

http::Response roles(const Deps& d, http::Request& req, StaffContext& who) {
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  std::optional<Purpose> purpose;
  std::optional<org::Role> role;
  std::optional<org::UnitId> unit;
  std::optional<std::int64_t> before;
  const std::string purpose_text = query->get("purpose").value_or("");
  const std::string role_text = query->get("role").value_or("");
  const std::string unit_text = query->get("unit").value_or("");
  if (!purpose_text.empty() && !(purpose = org::parse_purpose(purpose_text))) return http::Response::html(400, "");
  if (!role_text.empty() && !(role = org::parse_role(role_text))) return http::Response::html(400, "");
  if (!unit_text.empty() && !(unit = parse_id(unit_text))) return http::Response::html(400, "");
  if (auto b = query->get("before"); b && !b->empty() && !(before = parse_id(*b))) return http::Response::html(400, "");

  // The matrix: one table, since permission_table.cc is the same for every purpose.
  json actions = json::array(), matrix = json::array();
  for (auto a : org::kAllActions) actions.push_back({{"label", org::label(a)}});
  for (auto r : org::kAllRoles) {
    json cells = json::array();
    for (auto a : org::kAllActions) cells.push_back({{"allowed", org::role_allows(r, a)}, {"action", org::label(a)}});
    matrix.push_back({{"role", org::label(r)}, {"note", role_note(r)}, {"cells", cells}});
  }
  json data = {{"title", "役割と権限"}, {"actions", actions}, {"matrix", matrix}, {"limit", kPageSize}};

  // Holders: grants in force for people in units the viewer may view.
  const auto allowed = org::units_where_allowed(who.actor, Purpose::administration, Action::view);
  int bad = 0;
  auto r = d.db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto units, org::list_units(s));
    std::map<org::UnitId, std::string> names;
    for (const auto& u : units) names.emplace(u.id, u.name);
    std::string sql =
        "SELECT g.id, g.person_id, g.purpose, g.role, g.unit_id, g.granted_at, p.display_name, p.login_name,"
        " p.unit_id, p.status FROM role_grants g JOIN people p ON p.id = g.person_id"
        " WHERE g.revoked_at IS NULL AND g.id < ?";
    std::vector<store::Value> params{before.value_or(INT64_MAX)};
    auto in_list = [&](const std::vector<org::UnitId>& ids) {
      std::string out = "(";
      for (std::size_t i = 0; i < ids.size(); ++i) {
        out += i ? ",?" : "?";
        params.emplace_back(ids[i]);
      }
      return out + ")";
    };
    if (allowed) {
      if (allowed->empty()) return ok();  // guard lets only viewers through; defensive
      if (allowed->size() > kMaxUnitsInFilter)
        return Error{ErrorCode::too_large, "所属が多すぎます。"};
      sql += " AND p.unit_id IN " + in_list(*allowed);
    }
    if (purpose) {
      sql += " AND g.purpose = ?";
      params.emplace_back(std::string(org::to_string(*purpose)));
    }
    if (role) {
      sql += " AND g.role = ?";
      params.emplace_back(std::string(org::to_string(*role)));
    }
    if (unit) {
      if (!names.count(*unit)) {
        bad = 400;
        return ok();
      }
      KOBAN_ASSIGN(auto sub, org::descendants(s, *unit));
      if (sub.size() > kMaxUnitsInFilter) return Error{ErrorCode::too_large, "所属が多すぎます。"};
      sql += " AND g.unit_id IN " + in_list(sub);
    }
    sql += " ORDER BY g.id DESC LIMIT ?";
    params.emplace_back(std::int64_t{kPageSize});
    KOBAN_ASSIGN(auto rows, s.query_values(sql, params));
    json holders = json::array();
    for (const auto& row : rows) {
      const auto pu = org::parse_purpose(row.text(2));
      const auto ro = org::parse_role(row.text(3));
      const auto st = org::parse_person_status(row.text(9));
      const auto scope = row.opt_int64(4);
      holders.push_back({{"grant_id", row.int64(0)},
                         {"person_id", row.int64(1)},
                         {"purpose", pu ? org::label(*pu) : row.text(2)},
                         {"role", ro ? org::label(*ro) : row.text(3)},
                         {"scope", scope ? (names.count(*scope) ? names[*scope] : "（不明な所属）") : "全体"},
                         {"granted_at", jst_text(from_unix(row.int64(5)))},
                         {"name", row.text(6)},
                         {"login", row.text(7)},
                         {"unit", names.count(row.int64(8)) ? names[row.int64(8)] : "（不明な所属）"},
                         {"status", st ? org::label(*st) : row.text(9)},
                         {"inactive", st != org::PersonStatus::active}});
    }
    data["has_holders"] = !holders.empty();
    data["holders"] = holders;
    // The filters' choices.
    json purposes = json::array(), roles = json::array(), unit_choices = json::array();
    for (auto p : org::kAllPurposes)
      purposes.push_back({{"value", org::to_string(p)}, {"label", org::label(p)}, {"selected", purpose == p}});
    for (auto ro : org::kAllRoles)
      roles.push_back({{"value", org::to_string(ro)}, {"label", org::label(ro)}, {"selected", role == ro}});
    for (const auto& u : units)
      if (u.active) unit_choices.push_back({{"id", u.id}, {"name", u.name}, {"selected", unit == u.id}});
    data["purposes"] = purposes;
    data["roles"] = roles;
    data["units"] = unit_choices;
    if (static_cast<int>(rows.size()) == kPageSize) data["next_before"] = rows.back().int64(0);
    return ok();
  });
  if (!r) return http::response_for(r.error());
  if (bad) return http::Response::html(bad, "");

  std::string filters;
  auto add = [&](const char* name, const std::string& value) {
    if (!value.empty()) filters += (filters.empty() ? "" : "&") + std::string(name) + "=" + value;
  };
  add("purpose", purpose_text);
  add("role", role_text);
  add("unit", unit_text);
  if (data.contains("next_before"))
    data["next_url"] = "/admin/roles?" + filters + (filters.empty() ? "" : "&") +
                       "before=" + std::to_string(data["next_before"].get<std::int64_t>());
  if (before) data["first_url"] = "/admin/roles" + (filters.empty() ? "" : "?" + filters);
  return d.staff.page(who, "admin/roles", std::move(data));
}

}  // namespace

void add_roles_routes(http::Router& router, std::shared_ptr<const Deps> deps) {
  router.get("/admin/roles", deps->staff.guard([deps](http::Request& req, StaffContext& who) {
    return roles(*deps, req, who);
  }, Permission{Purpose::administration, org::Action::view}));
}

}  // namespace koban::app::roster
