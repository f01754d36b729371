#include "alerts/alert_archive.h"

#include <algorithm>
#include <map>

#include "alerts/categories.h"

namespace koban::alerts {
namespace {

// Only public columns: who wrote or approved an alert never leaves this file.
constexpr const char* kColumns =
    "a.id, a.category, a.unit_id, a.title, a.body, a.whole_prefecture, a.sent_at, a.urgent, a.physical_danger,"
    " a.syndicate, a.follows_id, a.follow_kind";

PublicAlert from_row(const store::Row& r) {
  PublicAlert a;
  a.id = r.int64(0);
  a.category = static_cast<int>(r.int64(1));
  a.title = r.text(3);
  a.body = r.text(4);
  a.whole_prefecture = r.int64(5) != 0;
  a.sent_at = from_unix(r.int64(6));
  a.urgent = r.int64(7) != 0;
  a.physical_danger = r.int64(8) != 0;
  a.syndicate = r.int64(9) != 0;
  a.follows_id = r.opt_int64(10);
  if (auto k = r.opt_text(11)) a.follow_kind = parse_follow_kind(*k);
  return a;
}

// Areas, issuing unit, original and follow-ups. A page holds at most 100 alerts, so a few
// small indexed queries each stay cheap; unit names are looked up once per call.
class Enricher {
 public:
  explicit Enricher(store::Session& s) : s_(s) {}

  Result<PublicAlert> operator()(const store::Row& r) {
    PublicAlert a = from_row(r);
    KOBAN_ASSIGN(a.unit_name, unit_name(r.int64(2)));
    KOBAN_ASSIGN(auto areas, s_.query("SELECT u.code, u.jurisdiction FROM alert_areas x JOIN units u ON u.id = x.unit_id"
                                      " WHERE x.alert_id = ? ORDER BY u.sort_order, u.id",
                                      a.id));
    for (const auto& row : areas) {
      a.area_codes.push_back(row.text(0));
      a.area_names.push_back(row.text(1));
    }
    if (a.follows_id) {
      KOBAN_ASSIGN(auto orig, s_.query("SELECT title, sent_at FROM alerts WHERE id = ? AND state = 'sent'", *a.follows_id));
      if (orig.empty()) {
        a.follows_id.reset();  // the original is not public (yet): no link to it
      } else {
        a.original_title = orig[0].text(0);
        a.original_sent_at = from_unix(orig[0].int64(1));
      }
    } else {
      KOBAN_ASSIGN(auto ups, s_.query("SELECT id, follow_kind, title, sent_at FROM alerts WHERE follows_id = ?"
                                      " AND state = 'sent' ORDER BY sent_at, id LIMIT 100",
                                      a.id));
      for (const auto& row : ups) {
        auto kind = parse_follow_kind(row.text(1));
        if (!kind) continue;
        a.follow_ups.push_back({.id = row.int64(0), .kind = *kind, .title = row.text(2),
                                .sent_at = from_unix(row.int64(3))});
        a.resolved |= *kind == FollowKind::resolution;
      }
    }
    return a;
  }

 private:
  Result<std::string> unit_name(org::UnitId id) {
    if (auto it = names_.find(id); it != names_.end()) return it->second;
    KOBAN_ASSIGN(auto rows, s_.query("SELECT name FROM units WHERE id = ?", id));
    std::string name = rows.empty() ? std::string() : rows[0].text(0);
    names_.emplace(id, name);
    return name;
  }

  store::Session& s_;
  std::map<org::UnitId, std::string> names_;
};

Result<std::vector<PublicAlert>> enrich_all(store::Session& s, const store::Rows& rows, std::size_t max) {
  Enricher enrich(s);
  std::vector<PublicAlert> out;
  for (std::size_t i = 0; i < rows.size() && i < max; ++i) {
    KOBAN_ASSIGN(auto a, enrich(rows[i]));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

Result<ArchivePage> list_public_alerts(store::Session& s, const ArchiveFilter& f) {
  if (f.category && !find_category(*f.category)) return Error::invalid("情報の種類の指定が正しくありません。");
  const int limit = std::clamp(f.limit, 1, 100);
  std::optional<std::int64_t> before_at;
  if (f.before) {
    KOBAN_ASSIGN(auto rows, s.query("SELECT sent_at FROM alerts WHERE id = ? AND state = 'sent'", *f.before));
    if (rows.empty()) return Error::invalid("ページの指定が正しくありません。");
    before_at = rows[0].int64(0);
  }
  // Optional filters as "(? IS NULL OR ...)" keep one prepared statement for every case.
  KOBAN_ASSIGN(auto rows,
               s.query(std::string("SELECT ") + kColumns +
                           " FROM alerts a WHERE a.state = 'sent'"
                           " AND (CAST(? AS BIGINT) IS NULL OR a.category = ?)"
                           " AND (CAST(? AS BIGINT) IS NULL OR a.whole_prefecture = 1 OR EXISTS"
                           " (SELECT 1 FROM alert_areas x WHERE x.alert_id = a.id AND x.unit_id = ?))"
                           " AND (CAST(? AS BIGINT) IS NULL OR a.sent_at < ? OR (a.sent_at = ? AND a.id < ?))"
                           " ORDER BY a.sent_at DESC, a.id DESC LIMIT ?",
                       f.category, f.category, f.area, f.area, before_at, before_at, before_at, f.before,
                       limit + 1));
  ArchivePage page;
  KOBAN_ASSIGN(page.items, enrich_all(s, rows, static_cast<std::size_t>(limit)));
  if (static_cast<int>(rows.size()) > limit) page.next_before = page.items.back().id;
  return page;
}

Result<PublicAlert> get_public_alert(store::Session& s, std::int64_t id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + " FROM alerts a WHERE a.id = ? AND a.state = 'sent'", id));
  if (rows.empty()) return Error::not_found("お探しの安心メールは見つかりません。");
  Enricher enrich(s);
  return enrich(rows[0]);
}

Result<std::vector<PublicAlert>> latest_public_alerts(store::Session& s, int n) {
  KOBAN_ASSIGN(auto page, list_public_alerts(s, {.limit = std::clamp(n, 1, 20)}));
  return std::move(page.items);
}

Result<std::vector<PublicAlert>> syndicated_public_alerts(store::Session& s, int n) {
  const int limit = std::clamp(n, 1, 100);
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns +
                                      " FROM alerts a WHERE a.state = 'sent' AND a.syndicate = 1"
                                      " ORDER BY a.sent_at DESC, a.id DESC LIMIT ?",
                                  limit));
  return enrich_all(s, rows, static_cast<std::size_t>(limit));
}

Result<std::vector<PublicArea>> public_areas(store::Session& s) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT id, code, name, jurisdiction FROM units WHERE kind = 'station' AND active = 1"
                                  " ORDER BY sort_order, id LIMIT 500"));
  std::vector<PublicArea> out;
  for (const auto& r : rows) out.push_back({r.int64(0), r.text(1), r.text(2), r.text(3)});
  return out;
}

}  // namespace koban::alerts
