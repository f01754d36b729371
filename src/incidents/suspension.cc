#include "incidents/suspension.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>

#include "audit/audit_log.h"
#include "incidents/text_checks.h"

namespace koban::incidents {
namespace {

struct CacheEntry {
  std::optional<Notice> notice;
  std::chrono::steady_clock::time_point at;
};
std::mutex cache_mutex;
// Keyed by database too: tests (and tools) may hold several databases in one process.
std::map<std::pair<const store::Database*, Subsystem>, CacheEntry> cache;

Result<std::optional<SubsystemStatus>> status_row(store::Session& s, Subsystem sub) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT t.suspended, t.notice, t.changed_by, p.display_name, t.changed_at"
                                  " FROM subsystem_status t LEFT JOIN people p ON p.id = t.changed_by"
                                  " WHERE t.subsystem = ?",
                                  to_string(sub)));
  if (rows.empty()) return std::optional<SubsystemStatus>{};
  const auto& r = rows[0];
  SubsystemStatus st{.subsystem = sub, .suspended = r.int64(0) != 0, .notice = r.text(1),
                     .changed_by = r.opt_int64(2), .changed_by_name = r.text(3),
                     .changed_at = from_unix(r.int64(4))};
  return std::optional<SubsystemStatus>{st};
}

Result<void> record(store::Session& s, const Who& who, Subsystem sub, bool suspend, const std::string& notice,
                    Instant now) {
  KOBAN_TRY(s.exec("INSERT INTO subsystem_status (subsystem, suspended, notice, changed_by, changed_at)"
                   " VALUES (?, ?, ?, ?, ?) ON CONFLICT (subsystem) DO UPDATE SET suspended = excluded.suspended,"
                   " notice = excluded.notice, changed_by = excluded.changed_by, changed_at = excluded.changed_at",
                   to_string(sub), suspend, notice, who.actor.person, to_unix(now)));
  KOBAN_TRY(s.exec("INSERT INTO subsystem_status_history (subsystem, action, notice, actor_id, at)"
                   " VALUES (?, ?, ?, ?, ?)",
                   to_string(sub), suspend ? "suspend" : "resume", notice, who.actor.person, to_unix(now)));
  audit::Event e{.actor_id = who.actor.person, .actor_name = who.actor.display_name, .unit_id = who.actor.unit,
                 .unit_name = who.unit_name,
                 .action = suspend ? "incidents.subsystem.suspend" : "incidents.subsystem.resume",
                 .object_type = "subsystem", .object_id = to_string(sub),
                 .summary = std::string(label(sub)) + (suspend ? ": 稼働中 → 停止中／告知: " + notice : ": 停止中 → 稼働中"),
                 .address = who.address};
  KOBAN_TRY(audit::append(s, e, now));
  s.after_commit([] { clear_suspension_cache(); });
  return ok();
}

std::string html_escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\n': out += "<br>\n"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

std::string jst_text(Instant t) {
  auto j = to_jst(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d年%d月%d日 %02d:%02d", j.date.year, j.date.month, j.date.day, j.hour, j.minute);
  return buf;
}

}  // namespace

Result<void> suspend(store::Session& s, const Who& who, Subsystem sub, const std::string& notice, Instant now) {
  if (!is_responsible(who.actor, sub))
    return Error::denied(std::string(label(sub)) + "を停止する権限がありません（業務主管課長・システム管理者・総括運用責任者のみ）。");
  KOBAN_ASSIGN(std::string text, checked_text(notice, "告知文", kMaxNoticeBytes, true));
  KOBAN_ASSIGN(auto st, status_row(s, sub));
  if (st && st->suspended) return Error::conflict(std::string(label(sub)) + "は既に停止中です。");
  return record(s, who, sub, true, text, now);
}

Result<void> resume(store::Session& s, const Who& who, Subsystem sub, Instant now) {
  if (!is_responsible(who.actor, sub))
    return Error::denied(std::string(label(sub)) + "を再開する権限がありません（業務主管課長・システム管理者・総括運用責任者のみ）。");
  KOBAN_ASSIGN(auto st, status_row(s, sub));
  if (!st || !st->suspended) return Error::conflict(std::string(label(sub)) + "は停止していません。");
  return record(s, who, sub, false, "", now);
}

Result<std::vector<SubsystemStatus>> statuses(store::Session& s) {
  std::vector<SubsystemStatus> out;
  for (auto sub : kAllSubsystems) {
    KOBAN_ASSIGN(auto st, status_row(s, sub));
    out.push_back(st ? *st : SubsystemStatus{.subsystem = sub});
  }
  return out;
}

Result<std::vector<StatusChange>> status_history(store::Session& s, std::optional<Subsystem> sub, int limit) {
  limit = std::clamp(limit, 1, 200);
  KOBAN_ASSIGN(auto rows, s.query("SELECT h.subsystem, h.action, h.notice, h.actor_id, p.display_name, h.at"
                                  " FROM subsystem_status_history h JOIN people p ON p.id = h.actor_id"
                                  " WHERE (? = 0 OR h.subsystem = ?) ORDER BY h.id DESC LIMIT ?",
                                  sub.has_value(), sub ? to_string(*sub) : "", limit));
  std::vector<StatusChange> out;
  for (const auto& r : rows)
    out.push_back({.subsystem = parse_subsystem(r.text(0)).value_or(Subsystem::platform), .action = r.text(1),
                   .notice = r.text(2), .actor_id = r.int64(3), .actor_name = r.text(4), .at = from_unix(r.int64(5))});
  return out;
}

std::optional<Notice> suspended(store::Database& db, Subsystem sub) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(cache_mutex);
    auto it = cache.find({&db, sub});
    if (it != cache.end() && now - it->second.at < kSuspensionCacheTtl) return it->second.notice;
  }
  std::optional<Notice> notice;
  auto r = db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto st, status_row(s, sub));
    if (st && st->suspended) notice = Notice{.subsystem = sub, .text = st->notice, .since = *st->changed_at};
    return ok();
  });
  if (!r.ok()) return std::nullopt;
  std::lock_guard lock(cache_mutex);
  cache[{&db, sub}] = {notice, now};
  return notice;
}

void clear_suspension_cache() {
  std::lock_guard lock(cache_mutex);
  cache.clear();
}

http::Response suspended_response(const Notice& n) {
  std::string title = std::string(label(n.subsystem)) + "は現在停止しています";
  std::string body = "<!doctype html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
                     "</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\n"
                     "<body><main><h1>" + html_escape(title) + "</h1>\n<p>" + html_escape(n.text) +
                     "</p>\n<p>停止開始: " + html_escape(jst_text(n.since)) + "</p></main></body></html>\n";
  auto resp = http::Response::html(503, std::move(body));
  resp.set("Retry-After", "600");
  resp.set("Cache-Control", "no-store");
  return resp;
}

}  // namespace koban::incidents
