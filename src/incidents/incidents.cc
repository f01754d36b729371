#include "incidents/incidents.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "incidents/text_checks.h"
#include "org/lookups.h"
#include "store/jobs.h"

namespace koban::incidents {
namespace {

constexpr const char* kSelect =
    "SELECT i.id, i.kind, i.subsystem, i.title, i.what_happened, i.impact, i.noticed_at, i.state,"
    " i.reporter_id, p.display_name, i.unit_id, u.name, i.created_at, i.updated_at"
    " FROM incidents i JOIN people p ON p.id = i.reporter_id JOIN units u ON u.id = i.unit_id";

Incident from_row(const store::Row& r) {
  Incident x;
  x.id = r.int64(0);
  x.kind = parse_kind(r.text(1)).value_or(Kind::other);
  x.subsystem = parse_subsystem(r.text(2)).value_or(Subsystem::platform);
  x.title = r.text(3);
  x.what_happened = r.text(4);
  x.impact = r.text(5);
  x.noticed_at = from_unix(r.int64(6));
  x.state = parse_state(r.text(7)).value_or(State::reported);
  x.reporter_id = r.int64(8);
  x.reporter_name = r.text(9);
  x.unit_id = r.int64(10);
  x.unit_name = r.text(11);
  x.created_at = from_unix(r.int64(12));
  x.updated_at = from_unix(r.int64(13));
  return x;
}

audit::Event event_for(const Who& who, std::string action, IncidentId id, std::string summary) {
  return {.actor_id = who.actor.person, .actor_name = who.actor.display_name, .unit_id = who.actor.unit,
          .unit_name = who.unit_name, .action = std::move(action), .object_type = "incident",
          .object_id = std::to_string(id), .summary = std::move(summary), .address = who.address};
}

Result<bool> is_recipient(store::Session& s, std::int64_t person, IncidentId id) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT 1 FROM incident_recipients WHERE incident_id = ? AND person_id = ?",
                                  id, person));
  return !rows.empty();
}

}  // namespace

const char* to_string(Kind k) {
  switch (k) {
    case Kind::failure: return "failure";
    case Kind::security: return "security";
    case Kind::other: return "other";
  }
  return "other";
}
const char* label(Kind k) {
  switch (k) {
    case Kind::failure: return "障害";
    case Kind::security: return "セキュリティ事案";
    case Kind::other: return "その他";
  }
  return "";
}
std::optional<Kind> parse_kind(std::string_view s) {
  for (auto k : {Kind::failure, Kind::security, Kind::other})
    if (s == to_string(k)) return k;
  return std::nullopt;
}

const char* to_string(State s) {
  switch (s) {
    case State::reported: return "reported";
    case State::acknowledged: return "acknowledged";
    case State::in_progress: return "in_progress";
    case State::resolved: return "resolved";
    case State::closed: return "closed";
  }
  return "reported";
}
const char* label(State s) {
  switch (s) {
    case State::reported: return "報告済み";
    case State::acknowledged: return "確認済み";
    case State::in_progress: return "対応中";
    case State::resolved: return "解決済み";
    case State::closed: return "終結";
  }
  return "";
}
std::optional<State> parse_state(std::string_view s) {
  for (auto x : {State::reported, State::acknowledged, State::in_progress, State::resolved, State::closed})
    if (s == to_string(x)) return x;
  return std::nullopt;
}
std::vector<State> next_states(State from) {
  switch (from) {
    case State::reported: return {State::acknowledged};
    case State::acknowledged: return {State::in_progress, State::resolved};
    case State::in_progress: return {State::resolved};
    case State::resolved: return {State::closed, State::in_progress};
    case State::closed: return {};
  }
  return {};
}

Result<IncidentId> report(store::Session& s, const Who& who, const NewIncident& in, Instant now) {
  if (who.actor.status != org::PersonStatus::active && who.actor.status != org::PersonStatus::restricted)
    return Error::denied("利用停止中のため報告できません。");
  KOBAN_ASSIGN(std::string title, checked_text(in.title, "件名", kMaxTitleBytes, false));
  KOBAN_ASSIGN(std::string what, checked_text(in.what_happened, "発生した事象", kMaxTextBytes, true));
  KOBAN_ASSIGN(std::string impact, checked_text(in.impact, "影響", kMaxTextBytes, true));
  if (in.noticed_at > now) return Error::invalid("覚知日時が未来になっています。");
  if (in.noticed_at < now - std::chrono::days(366)) return Error::invalid("覚知日時が古すぎます（1年以内）。");

  KOBAN_ASSIGN(auto rows,
               s.query("INSERT INTO incidents (kind, subsystem, title, what_happened, impact, noticed_at, state,"
                       " reporter_id, unit_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                       " RETURNING id",
                       to_string(in.kind), to_string(in.subsystem), title, what, impact, to_unix(in.noticed_at),
                       to_string(State::reported), who.actor.person, who.actor.unit, to_unix(now), to_unix(now)));
  IncidentId id = rows.at(0).int64(0);
  KOBAN_TRY(s.exec("INSERT INTO incident_events (incident_id, from_state, to_state, note, actor_id, at)"
                   " VALUES (?, NULL, ?, ?, ?, ?)",
                   id, to_string(State::reported), what, who.actor.person, to_unix(now)));

  // The people the seeds name, each once, with the first reason found.
  std::vector<std::pair<std::int64_t, std::string>> to;
  auto add = [&](std::int64_t p, const char* reason) {
    if (p == who.actor.person) return;
    for (auto& [q, _] : to)
      if (q == p) return;
    to.emplace_back(p, reason);
  };
  KOBAN_ASSIGN(auto head, org::unit_head(s, who.actor.unit));
  if (head) add(head->id, "unit_head");
  KOBAN_ASSIGN(auto owners, org::holders(s, org::Role::business_owner, purpose_of(in.subsystem), std::nullopt));
  for (auto p : owners) add(p, "business_owner");
  KOBAN_ASSIGN(auto admins, org::holders(s, org::Role::system_admin, std::nullopt, std::nullopt));
  for (auto p : admins) add(p, "system_admin");
  KOBAN_ASSIGN(auto managers, org::holders(s, org::Role::overall_manager, std::nullopt, std::nullopt));
  for (auto p : managers) add(p, "overall_manager");

  for (auto& [p, reason] : to) {
    KOBAN_TRY(s.exec("INSERT INTO incident_recipients (incident_id, person_id, reason) VALUES (?, ?, ?)", id, p,
                     reason));
    nlohmann::json j{{"incident_id", id}, {"event", "reported"}, {"person_id", p}, {"reason", reason},
                     {"kind", to_string(in.kind)}, {"subsystem", to_string(in.subsystem)}, {"title", title}};
    KOBAN_TRY(store::enqueue(s, {.kind = kNotifyJobKind, .payload = j.dump(), .run_at = now}, now));
  }
  std::string summary = std::string(label(in.kind)) + "・" + label(in.subsystem) + ": " + title + "（通知 " +
                        std::to_string(to.size()) + "名）";
  KOBAN_TRY(audit::append(s, event_for(who, "incidents.incident.report", id, summary), now));
  return id;
}

Result<void> transition(store::Session& s, const Who& who, IncidentId id, State to, const std::string& note,
                        Instant now) {
  KOBAN_ASSIGN(Incident in, get_incident(s, id));
  KOBAN_ASSIGN(bool allowed, can_move(s, who.actor, id));
  if (!allowed) return Error::denied("この報告の状態を変更する権限がありません。");
  auto next = next_states(in.state);
  if (std::find(next.begin(), next.end(), to) == next.end())
    return Error::conflict(std::string("「") + label(in.state) + "」から「" + label(to) + "」には変更できません。");
  KOBAN_ASSIGN(std::string text, checked_text(note, "記録", kMaxNoteBytes, true));
  // The state in the WHERE makes a concurrent change of the same incident lose, not overwrite.
  KOBAN_ASSIGN(auto changed, s.exec("UPDATE incidents SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                                    to_string(to), to_unix(now), id, to_string(in.state)));
  if (changed != 1) return Error::conflict("他の人が先に状態を変更しました。画面を更新してください。");
  KOBAN_TRY(s.exec("INSERT INTO incident_events (incident_id, from_state, to_state, note, actor_id, at)"
                   " VALUES (?, ?, ?, ?, ?, ?)",
                   id, to_string(in.state), to_string(to), text, who.actor.person, to_unix(now)));
  // The reporter hears of every step of their report.
  if (in.reporter_id != who.actor.person) {
    nlohmann::json j{{"incident_id", id}, {"event", to_string(to)}, {"person_id", in.reporter_id},
                     {"reason", "reporter"}, {"title", in.title}};
    KOBAN_TRY(store::enqueue(s, {.kind = kNotifyJobKind, .payload = j.dump(), .run_at = now}, now));
  }
  std::string summary = std::string("状態: ") + label(in.state) + " → " + label(to) + "／" + text;
  KOBAN_TRY(audit::append(s, event_for(who, std::string("incidents.incident.") + to_string(to), id, summary), now));
  return ok();
}

Result<Incident> get_incident(store::Session& s, IncidentId id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string(kSelect) + " WHERE i.id = ?", id));
  if (rows.empty()) return Error::not_found("指定された報告は見つかりません。");
  return from_row(rows[0]);
}

Result<std::vector<TimelineEntry>> timeline(store::Session& s, IncidentId id) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT e.from_state, e.to_state, e.note, e.actor_id, p.display_name, e.at"
                                  " FROM incident_events e JOIN people p ON p.id = e.actor_id"
                                  " WHERE e.incident_id = ? ORDER BY e.id",
                                  id));
  std::vector<TimelineEntry> out;
  for (const auto& r : rows) {
    TimelineEntry e;
    if (!r.is_null(0)) e.from = parse_state(r.text(0));
    e.to = parse_state(r.text(1)).value_or(State::reported);
    e.note = r.text(2);
    e.actor_id = r.int64(3);
    e.actor_name = r.text(4);
    e.at = from_unix(r.int64(5));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<Recipient>> recipients(store::Session& s, IncidentId id) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT r.person_id, p.display_name, r.reason FROM incident_recipients r"
                                  " JOIN people p ON p.id = r.person_id WHERE r.incident_id = ? ORDER BY r.person_id",
                                  id));
  std::vector<Recipient> out;
  for (const auto& r : rows) out.push_back({r.int64(0), r.text(1), r.text(2)});
  return out;
}

Result<bool> can_view(store::Session& s, const org::Actor& actor, IncidentId id) {
  if (actor.status == org::PersonStatus::suspended || actor.status == org::PersonStatus::retired) return false;
  if (is_admin(actor)) return true;
  KOBAN_ASSIGN(auto rows, s.query("SELECT reporter_id FROM incidents WHERE id = ?", id));
  if (rows.empty()) return false;
  if (rows[0].int64(0) == actor.person) return true;
  return is_recipient(s, actor.person, id);
}

Result<bool> can_move(store::Session& s, const org::Actor& actor, IncidentId id) {
  if (actor.status != org::PersonStatus::active) return false;
  if (is_admin(actor)) return true;
  return is_recipient(s, actor.person, id);
}

Result<IncidentPage> list_incidents(store::Session& s, const org::Actor& actor, const ListFilter& f) {
  IncidentPage page;
  if (actor.status == org::PersonStatus::suspended || actor.status == org::PersonStatus::retired) return page;
  int limit = std::clamp(f.limit, 1, 200);
  bool all = is_admin(actor);
  // One statement with optional filters (NULL-or-match) keeps the SQL fixed and prepared.
  KOBAN_ASSIGN(auto rows,
               s.query(std::string(kSelect) +
                           " WHERE (? = 1 OR i.reporter_id = ? OR EXISTS (SELECT 1 FROM incident_recipients r"
                           " WHERE r.incident_id = i.id AND r.person_id = ?))"
                           " AND (? = 0 OR i.state = ?) AND (? = 0 OR i.subsystem = ?) AND (? = 0 OR i.id < ?)"
                           " ORDER BY i.id DESC LIMIT ?",
                       all, actor.person, actor.person, f.state.has_value(), f.state ? to_string(*f.state) : "",
                       f.subsystem.has_value(), f.subsystem ? to_string(*f.subsystem) : "", f.before.has_value(),
                       f.before.value_or(0), limit + 1));
  for (const auto& r : rows) page.items.push_back(from_row(r));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.resize(limit);
    page.next_before = page.items.back().id;
  }
  return page;
}

Result<std::int64_t> open_for_recipient(store::Session& s, std::int64_t person) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*) FROM incidents i JOIN incident_recipients r ON r.incident_id = i.id"
                                  " WHERE r.person_id = ? AND i.state IN ('reported', 'acknowledged', 'in_progress')",
                                  person));
  return rows.empty() ? 0 : rows[0].int64(0);
}

}  // namespace koban::incidents
