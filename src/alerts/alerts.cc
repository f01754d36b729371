#include "alerts/alerts.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "alerts/alert_register.h"
#include "alerts/categories.h"
#include "audit/audit_log.h"
#include "http/forms/utf8.h"
#include "org/permissions.h"
#include "org/roles.h"
#include "org/units.h"
#include "store/jobs.h"

namespace koban::alerts {
namespace {

constexpr const char* kColumns =
    "id, category, unit_id, title, body, whole_prefecture, state, request_id, urgent, urgent_reason,"
    " urgent_note, send_after, follows_id, follow_kind, physical_danger, syndicate, syndication_seen_at,"
    " checklist_ok, created_by, approved_by, created_at, updated_at, approved_at, sent_at";

std::optional<Instant> opt_time(const store::Row& r, std::size_t i) {
  auto v = r.opt_int64(i);
  return v ? std::optional(from_unix(*v)) : std::nullopt;
}

Alert from_row(const store::Row& r) {
  Alert a;
  a.id = r.int64(0);
  a.category = static_cast<int>(r.int64(1));
  a.unit_id = r.int64(2);
  a.title = r.text(3);
  a.body = r.text(4);
  a.whole_prefecture = r.int64(5) != 0;
  a.state = r.text(6);
  a.request_id = r.opt_int64(7);
  a.urgent = r.int64(8) != 0;
  if (auto t = r.opt_text(9)) a.urgent_reason = parse_urgent_reason(*t);
  a.urgent_note = r.text(10);
  a.send_after = opt_time(r, 11);
  a.follows_id = r.opt_int64(12);
  if (auto t = r.opt_text(13)) a.follow_kind = parse_follow_kind(*t);
  a.physical_danger = r.int64(14) != 0;
  a.syndicate = r.int64(15) != 0;
  a.syndication_seen_at = opt_time(r, 16);
  a.checklist_ok = r.int64(17) != 0;
  a.created_by = r.int64(18);
  a.approved_by = r.opt_int64(19);
  a.created_at = from_unix(r.int64(20));
  a.updated_at = from_unix(r.int64(21));
  a.approved_at = opt_time(r, 22);
  a.sent_at = opt_time(r, 23);
  return a;
}

Result<void> load_areas(store::Session& s, Alert& a) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT unit_id FROM alert_areas WHERE alert_id = ? ORDER BY unit_id", a.id));
  for (const auto& r : rows) a.areas.push_back(r.int64(0));
  return ok();
}

Result<std::vector<Alert>> alerts_from(store::Session& s, const store::Rows& rows) {
  std::vector<Alert> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    out.push_back(from_row(r));
    KOBAN_TRY(load_areas(s, out.back()));
  }
  return out;
}

Result<void> audit_ok(store::Session& s, org::PersonId person, const std::string& verb, std::int64_t id,
                      const std::string& summary, const std::string& address, Instant now) {
  KOBAN_ASSIGN(auto actor, org::load_actor(s, person));
  KOBAN_TRY(audit::append(s, {.actor_id = person, .actor_name = actor.display_name, .unit_id = actor.unit,
                              .action = "alerts.alert." + verb, .object_type = "alert",
                              .object_id = std::to_string(id), .summary = summary, .address = address},
                          now));
  return ok();
}

// Characters that have no business in a mail: C0 controls but tab and line breaks, DEL, C1.
bool has_control(std::string_view text, bool allow_breaks) {
  for (std::size_t i = 0; i < text.size();) {
    auto c = http::forms::decode_utf8(text, i);
    if (c.len == 0) return true;
    const char32_t cp = c.code_point;
    const bool brk = cp == '\n' || cp == '\r' || cp == '\t';
    if ((cp < 0x20 && !(allow_breaks && brk)) || (cp >= 0x7f && cp < 0xa0)) return true;
    i += c.len;
  }
  return false;
}

// Spaces, tabs, line breaks and ideographic spaces (U+3000) only.
bool blank(std::string_view s) {
  std::string t(s);
  for (std::size_t p; (p = t.find("\xe3\x80\x80")) != std::string::npos;) t.erase(p, 3);
  return t.find_first_not_of(" \t\r\n") == std::string::npos;
}

Result<void> set_state(store::Session& s, std::int64_t id, const char* state, Instant now) {
  KOBAN_TRY(s.exec("UPDATE alerts SET state = ?, updated_at = ? WHERE id = ?", state, to_unix(now), id));
  return ok();
}

Result<Alert> alert_for_request(store::Session& s, std::int64_t id) {
  KOBAN_ASSIGN(auto a, get_alert(s, id));
  if (!a.request_id) return Error::conflict("この配信文は承認の手続に入っていません");
  return a;
}

// The people told about syndication: the head of the 生活安全企画課 and the business owners of
// alerts on it or force-wide.
Result<std::vector<org::PersonId>> syndication_recipients(store::Session& s, const Settings& st) {
  std::vector<org::PersonId> out;
  KOBAN_ASSIGN(auto unit, org::find_unit_by_code(s, st.syndication_unit_code));
  if (!unit) return out;
  if (unit->head) out.push_back(*unit->head);
  KOBAN_ASSIGN(auto on_unit, org::holders(s, org::Role::business_owner, org::Purpose::alerts, unit->id));
  out.insert(out.end(), on_unit.begin(), on_unit.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

const char* to_string(FollowKind k) {
  switch (k) {
    case FollowKind::update: return "update";
    case FollowKind::correction: return "correction";
    case FollowKind::resolution: return "resolution";
  }
  return "update";
}
const char* label(FollowKind k) {
  switch (k) {
    case FollowKind::update: return "続報";
    case FollowKind::correction: return "訂正";
    case FollowKind::resolution: return "解除";
  }
  return "";
}
std::optional<FollowKind> parse_follow_kind(std::string_view s) {
  for (auto k : {FollowKind::update, FollowKind::correction, FollowKind::resolution})
    if (s == to_string(k)) return k;
  return std::nullopt;
}

const char* to_string(UrgentReason r) {
  switch (r) {
    case UrgentReason::serial_violent: return "serial_violent";
    case UrgentReason::suspect_at_large: return "suspect_at_large";
    case UrgentReason::harm_spreading: return "harm_spreading";
  }
  return "";
}
const char* label(UrgentReason r) {
  switch (r) {
    case UrgentReason::serial_violent: return "連続発生のおそれのある重要凶悪事件";
    case UrgentReason::suspect_at_large: return "被疑者が逃走中";
    case UrgentReason::harm_spreading: return "被害の拡大が予想される";
  }
  return "";
}
std::optional<UrgentReason> parse_urgent_reason(std::string_view s) {
  for (auto r : {UrgentReason::serial_violent, UrgentReason::suspect_at_large, UrgentReason::harm_spreading})
    if (s == to_string(r)) return r;
  return std::nullopt;
}

const char* state_label(std::string_view state) {
  if (state == "draft") return "下書き";
  if (state == "submitted") return "承認待ち";
  if (state == "remanded") return "差戻し";
  if (state == "withdrawn") return "取下げ";
  if (state == "approved") return "承認済み（配信待ち）";
  if (state == "sending") return "配信中";
  if (state == "sent") return "配信済み";
  return "";
}

Result<void> check_text(const Settings& st, std::string_view title, std::string_view body) {
  std::string problems;
  auto add = [&](const std::string& m) { problems += (problems.empty() ? "" : "\n") + m; };
  if (!http::forms::is_valid_utf8(title) || !http::forms::is_valid_utf8(body))
    return Error::invalid("文字として読み取れない内容が含まれています。");
  if (blank(title)) add("件名を入力してください。");
  else if (http::forms::utf8_length(title) > st.max_title_chars)
    add("件名は" + std::to_string(st.max_title_chars) + "文字以内にしてください（現在" +
        std::to_string(http::forms::utf8_length(title)) + "文字）。");
  else if (has_control(title, false)) add("件名に改行や制御文字は使えません。");
  if (blank(body)) add("本文を入力してください。");
  else if (http::forms::utf8_length(body) > st.max_body_chars)
    add("本文は" + std::to_string(st.max_body_chars) + "文字以内にしてください（現在" +
        std::to_string(http::forms::utf8_length(body)) + "文字）。");
  else if (has_control(body, true)) add("本文に使えない制御文字が含まれています。");
  if (!problems.empty()) return Error::invalid(problems);
  return ok();
}

Result<bool> may_send_wide(store::Session& s, org::PersonId writer) {
  KOBAN_ASSIGN(auto actor, org::load_actor(s, writer));
  KOBAN_ASSIGN(auto unit, org::get_unit(s, actor.unit));
  if (unit.kind == org::UnitKind::hq_division) return true;
  // The HQ duty desk: a duty-officer grant for alerts on a desk that stands for a root unit.
  for (const auto& g : actor.grants) {
    if (g.purpose != org::Purpose::alerts || g.role != org::Role::duty_officer || !g.unit) continue;
    KOBAN_ASSIGN(auto desk, org::get_unit(s, *g.unit));
    if (desk.kind != org::UnitKind::duty_desk || !desk.parent_id) continue;
    KOBAN_ASSIGN(auto parent, org::get_unit(s, *desk.parent_id));
    if (!parent.parent_id) return true;
  }
  return false;
}

Result<std::int64_t> create_alert(store::Session& s, const workflow::KindRegistry& kinds, const Settings& st,
                                  const AlertInput& in0, const workflow::By& by, Instant now) {
  AlertInput in = in0;
  KOBAN_ASSIGN(auto actor, org::load_actor(s, by.person));
  KOBAN_ASSIGN(auto own, org::get_unit(s, actor.unit));
  if (!org::can(actor, org::Purpose::alerts, org::Action::write, actor.unit))
    return Error::denied("安全安心メールの配信文を作成する権限がありません。");

  if (in.follows_id || in.follow_kind) {
    if (!in.follows_id || !in.follow_kind) return Error::invalid("続報・訂正・解除の種類と元の配信を指定してください。");
    auto orig = get_alert(s, *in.follows_id);
    if (!orig) return Error::not_found("元の配信が見つかりません。");
    if (orig->follows_id) return Error::invalid("続報・訂正・解除には、最初の配信を指定してください。");
    if (orig->state != "approved" && orig->state != "sending" && orig->state != "sent")
      return Error::conflict("承認されていない配信には続報・訂正・解除を作成できません。");
    if (!org::can(actor, org::Purpose::alerts, org::Action::write, orig->unit_id))
      return Error::denied("元の配信を行った所属の職員だけが続報・訂正・解除を作成できます。");
    if (*in.follow_kind == FollowKind::resolution) {
      KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*) FROM alerts WHERE follows_id = ? AND follow_kind = 'resolution'"
                                      " AND state IN ('submitted', 'approved', 'sending', 'sent')",
                                      orig->id));
      if (rows[0].int64(0) > 0) return Error::conflict("この配信の解除は、すでに承認待ちか配信済みです。");
    }
    // A follow-up reaches the same readers as the original.
    in.category = orig->category;
    in.whole_prefecture = orig->whole_prefecture;
    in.areas = orig->areas;
    in.physical_danger = orig->physical_danger;
  }

  if (!find_category(in.category)) return Error::invalid("情報の種別を選んでください。");
  KOBAN_TRY(check_text(st, in.title, in.body));
  if (in.category != 3) in.physical_danger = false;

  std::sort(in.areas.begin(), in.areas.end());
  in.areas.erase(std::unique(in.areas.begin(), in.areas.end()), in.areas.end());
  if (in.areas.size() > 200) return Error::invalid("配信地域が多すぎます。");
  if (in.whole_prefecture) in.areas.clear();
  if (!in.whole_prefecture && in.areas.empty()) {
    if (own.kind != org::UnitKind::station)
      return Error::invalid("配信地域（警察署の管轄）を選ぶか、県下全域を選んでください。");
    in.areas = {own.id};
  }
  for (auto a : in.areas) {
    auto u = org::get_unit(s, a);
    if (!u || u->kind != org::UnitKind::station || !u->active) return Error::invalid("配信地域に警察署ではないものが含まれています。");
  }
  const bool own_only = !in.whole_prefecture && in.areas.size() == 1 && in.areas[0] == own.id;
  if (!own_only && !in.follows_id) {
    KOBAN_ASSIGN(bool wide, may_send_wide(s, by.person));
    if (!wide)
      return Error::denied("複数の警察署の管轄や県下全域への配信は、本部の主管課（夜間・休日は本部総合当直）が行います。"
                           "「送信依頼」で本部に配信を依頼してください。自署の管轄だけなら、そのまま配信できます。");
  }

  const std::int64_t t = to_unix(now);
  KOBAN_ASSIGN(auto rows, s.query("INSERT INTO alerts (category, unit_id, title, body, whole_prefecture, state,"
                                  " follows_id, follow_kind, physical_danger, created_by, created_at, updated_at)"
                                  " VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?) RETURNING id",
                                  in.category, own.id, in.title, in.body, in.whole_prefecture, in.follows_id,
                                  in.follow_kind ? std::optional<std::string>(to_string(*in.follow_kind)) : std::nullopt,
                                  in.physical_danger, by.person, t, t));
  const std::int64_t id = rows.at(0).int64(0);
  for (auto a : in.areas) KOBAN_TRY(s.exec("INSERT INTO alert_areas (alert_id, unit_id) VALUES (?, ?)", id, a));
  std::string request_title = std::string("【") + std::string(find_category(in.category)->name) + "】";
  if (in.follow_kind) request_title += std::string("【") + label(*in.follow_kind) + "】";
  request_title += in.title;
  KOBAN_ASSIGN(auto req, workflow::create_draft(s, kinds, {.kind = kKind, .object_type = "alert",
                                                           .object_id = std::to_string(id), .unit_id = own.id,
                                                           .title = request_title}, by, now));
  KOBAN_TRY(s.exec("UPDATE alerts SET request_id = ? WHERE id = ?", req, id));
  KOBAN_TRY(workflow::submit(s, kinds, req, by, now));
  KOBAN_TRY(set_state(s, id, "submitted", now));
  KOBAN_TRY(audit_ok(s, by.person, "create", id, request_title, by.address, now));
  return id;
}

Result<void> approve_alert(store::Session& s, const workflow::KindRegistry& kinds, const Settings& st,
                           std::int64_t id, const workflow::By& by, const Approval& ap, Instant now) {
  KOBAN_ASSIGN(auto a, alert_for_request(s, id));
  if (a.state != "submitted") return Error::conflict(std::string("この配信文は「") + state_label(a.state) + "」のため承認できません。");
  if (!std::all_of(ap.checklist.begin(), ap.checklist.end(), [](bool b) { return b; }))
    return Error::invalid("配信前の確認（捜査への支障なし・被害者が特定されない・二次被害のおそれなし）をすべて確かめてから承認してください。");
  if (ap.urgent && (!ap.urgent_reason || blank(ap.urgent_note)))
    return Error::invalid("緊急配信とする場合は、理由を選び、具体的な事情を記入してください。");
  if (ap.urgent && (http::forms::utf8_length(ap.urgent_note) > 500 || has_control(ap.urgent_note, true)))
    return Error::invalid("緊急配信の事情は500文字以内で記入してください。");
  KOBAN_TRY(workflow::approve(s, kinds, *a.request_id, by, ap.comment, now));
  KOBAN_ASSIGN(auto req, workflow::get_request(s, *a.request_id));
  if (req.state != workflow::RequestState::approved) return ok();  // a later step of a longer chain

  // ALERT-6: outside sending hours the alert waits for 06:00, unless urgent.
  const bool in_hours = st.calendar.is_alert_sending_hours(now);
  const Instant send_after = in_hours || ap.urgent ? now : st.calendar.next_alert_sending_start(now);
  const bool syndicate = goes_to_syndication(a.category, a.physical_danger);
  KOBAN_TRY(s.exec("UPDATE alerts SET state = 'approved', checklist_ok = 1, urgent = ?, urgent_reason = ?,"
                   " urgent_note = ?, send_after = ?, syndicate = ?, approved_by = ?, approved_at = ?, updated_at = ?"
                   " WHERE id = ?",
                   ap.urgent, ap.urgent ? std::optional<std::string>(to_string(*ap.urgent_reason)) : std::nullopt,
                   ap.urgent ? ap.urgent_note : std::string(), to_unix(send_after), syndicate, by.person,
                   to_unix(now), to_unix(now), id));
  nlohmann::json payload = {{"alert_id", id}};
  KOBAN_TRY(store::enqueue(s, {.kind = kDeliverJob, .payload = payload.dump(), .run_at = send_after,
                               .dedupe_key = "alerts.deliver:" + std::to_string(id)},
                           now));
  KOBAN_TRY(write_register_entry(s, id, now));
  if (syndicate) {
    KOBAN_ASSIGN(auto recipients, syndication_recipients(s, st));
    if (!recipients.empty()) {
      nlohmann::json j = {{"request_id", *a.request_id}, {"event", "syndication"}, {"recipients", recipients}};
      KOBAN_TRY(store::enqueue(s, {.kind = workflow::kNotifyJobKind, .payload = j.dump(), .run_at = now}, now));
    }
  }
  std::string summary = in_hours ? "承認・即時配信" : ap.urgent ? "承認・時間外の緊急配信" : "承認・6時に配信";
  if (ap.urgent) summary += "（" + std::string(label(*ap.urgent_reason)) + "：" + ap.urgent_note + "）";
  if (syndicate) summary += "・Yahoo!防災速報への提供対象";
  return audit_ok(s, by.person, "approve", id, summary, by.address, now);
}

Result<void> remand_alert(store::Session& s, const workflow::KindRegistry& kinds, std::int64_t id,
                          const workflow::By& by, std::string comment, Instant now) {
  KOBAN_ASSIGN(auto a, alert_for_request(s, id));
  KOBAN_TRY(workflow::remand(s, kinds, *a.request_id, by, comment, now));
  KOBAN_TRY(set_state(s, id, "remanded", now));
  return audit_ok(s, by.person, "remand", id, comment, by.address, now);
}

Result<void> withdraw_alert(store::Session& s, const workflow::KindRegistry& kinds, std::int64_t id,
                            const workflow::By& by, Instant now) {
  KOBAN_ASSIGN(auto a, alert_for_request(s, id));
  KOBAN_TRY(workflow::withdraw(s, kinds, *a.request_id, by, now));
  KOBAN_TRY(set_state(s, id, "withdrawn", now));
  return audit_ok(s, by.person, "withdraw", id, "", by.address, now);
}

Result<void> mark_sent(store::Session& s, std::int64_t id, Instant now) {
  KOBAN_ASSIGN(auto a, get_alert(s, id));
  if (a.state == "sent") return ok();
  if (a.state != "approved" && a.state != "sending")
    return Error::conflict(std::string("この配信文は「") + state_label(a.state) + "」のため配信済みにできません。");
  KOBAN_TRY(s.exec("UPDATE alerts SET state = 'sent', sent_at = ?, updated_at = ? WHERE id = ?", to_unix(now),
                   to_unix(now), id));
  return ok();
}

Result<Alert> get_alert(store::Session& s, std::int64_t id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + " FROM alerts WHERE id = ?", id));
  if (rows.empty()) return Error::not_found("指定された配信文は見つかりません。");
  Alert a = from_row(rows[0]);
  KOBAN_TRY(load_areas(s, a));
  return a;
}

Result<std::vector<Alert>> follow_ups(store::Session& s, std::int64_t original) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns +
                                      " FROM alerts WHERE follows_id = ? ORDER BY id LIMIT 200",
                                  original));
  return alerts_from(s, rows);
}

Result<std::vector<Alert>> list_alerts(store::Session& s, const ListFilter& f,
                                       const std::optional<std::vector<org::UnitId>>& visible) {
  if (visible && visible->empty()) return std::vector<Alert>{};
  // Optional filters as "(? IS NULL OR col = ?)" keep one prepared statement for every case;
  // the visible units are checked here after the query, paging over at most limit rows at a time.
  const int limit = std::clamp(f.limit, 1, 200);
  std::vector<Alert> out;
  std::optional<std::int64_t> before = f.before_id;
  for (int round = 0; round < 20 && static_cast<int>(out.size()) < limit; ++round) {
    KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns +
                                        " FROM alerts WHERE (CAST(? AS TEXT) IS NULL OR state = ?) AND (CAST(? AS BIGINT) IS NULL OR category = ?)"
                                        " AND (CAST(? AS BIGINT) IS NULL OR unit_id = ?) AND (CAST(? AS BIGINT) IS NULL OR id < ?)"
                                        " ORDER BY id DESC LIMIT ?",
                                    f.state, f.state, f.category, f.category, f.unit, f.unit, before, before,
                                    limit));
    if (rows.empty()) break;
    for (const auto& r : rows) {
      Alert a = from_row(r);
      before = a.id;
      if (visible && !std::binary_search(visible->begin(), visible->end(), a.unit_id)) continue;
      KOBAN_TRY(load_areas(s, a));
      out.push_back(std::move(a));
      if (static_cast<int>(out.size()) == limit) break;
    }
    if (static_cast<int>(rows.size()) < limit) break;
  }
  return out;
}

Result<std::vector<Alert>> unresolved_alerts(store::Session& s, int older_than_days, Instant now) {
  const auto cutoff = to_unix(now) - static_cast<std::int64_t>(std::max(0, older_than_days)) * 86400;
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns +
                                      " FROM alerts a WHERE a.state = 'sent' AND a.category IN (1, 2, 3)"
                                      " AND a.follows_id IS NULL AND a.sent_at <= ?"
                                      " AND NOT EXISTS (SELECT 1 FROM alerts r WHERE r.follows_id = a.id"
                                      " AND r.follow_kind = 'resolution' AND r.state = 'sent')"
                                      " ORDER BY a.sent_at, a.id LIMIT 200",
                                  cutoff));
  return alerts_from(s, rows);
}

Result<std::vector<Alert>> syndication_pending(store::Session& s) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns +
                                      " FROM alerts WHERE syndicate = 1 AND syndication_seen_at IS NULL"
                                      " AND state IN ('approved', 'sending', 'sent') ORDER BY id LIMIT 200"));
  return alerts_from(s, rows);
}

Result<void> mark_syndicated(store::Session& s, const Settings& st, std::int64_t id, const workflow::By& by,
                             Instant now) {
  KOBAN_ASSIGN(auto actor, org::load_actor(s, by.person));
  KOBAN_ASSIGN(auto unit, org::find_unit_by_code(s, st.syndication_unit_code));
  if (!unit || !org::can(actor, org::Purpose::alerts, org::Action::publish, unit->id))
    return Error::denied("Yahoo!防災速報への提供は生活安全企画課が記録します。");
  KOBAN_ASSIGN(auto a, get_alert(s, id));
  if (!a.syndicate) return Error::invalid("この配信は提供の対象ではありません。");
  if (a.syndication_seen_at) return Error::conflict("この配信は提供済みとして記録されています。");
  KOBAN_TRY(s.exec("UPDATE alerts SET syndication_seen_at = ?, updated_at = ? WHERE id = ?", to_unix(now),
                   to_unix(now), id));
  return audit_ok(s, by.person, "syndicate", id, "Yahoo!防災速報への提供を記録", by.address, now);
}

}  // namespace koban::alerts
