#include "alerts/subscriber_admin.h"

#include <algorithm>
#include <charconv>

#include "alerts/alert_delivery.h"
#include "audit/audit_log.h"

namespace koban::alerts {
namespace {

// The summary record_hard_failure writes when it suspends: "不達がN回続いたため配信を一時停止: <detail>".
constexpr std::string_view kSuspendSeparator = ": ";

Result<void> audit_staff(store::Session& s, const StaffWho& who, std::string action, std::int64_t id,
                         std::string summary, Instant now) {
  audit::Event e{.actor_id = who.person ? std::optional<std::int64_t>(who.person) : std::nullopt,
                 .actor_name = who.name,
                 .unit_id = who.unit ? std::optional<std::int64_t>(who.unit) : std::nullopt,
                 .unit_name = who.unit_name,
                 .action = std::move(action),
                 .object_type = "subscriber",
                 .object_id = std::to_string(id),
                 .summary = std::move(summary),
                 .address = who.address};
  KOBAN_TRY(audit::append(s, e, now));
  return ok();
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

struct StateRow {
  std::string state;
  std::string domain;
};

Result<StateRow> state_of(store::Session& s, std::int64_t id) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT state, domain FROM subscribers WHERE id = ?", id));
  if (rows.empty()) return Error::not_found("指定された登録者は見つかりません。既に削除された可能性があります。");
  return StateRow{rows[0].text(0), rows[0].text(1)};
}

}  // namespace

std::string to_string(const SuspendedCursor& c) {
  return std::to_string(c.suspended_at) + "." + std::to_string(c.id);
}

std::optional<SuspendedCursor> parse_suspended_cursor(std::string_view text) {
  if (text.size() > 40) return std::nullopt;
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) return std::nullopt;
  SuspendedCursor c;
  auto digits = [](std::string_view t, std::int64_t& v) {
    if (t.empty() || t.size() > 15 || !std::all_of(t.begin(), t.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      return false;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return ec == std::errc() && p == t.data() + t.size();
  };
  if (!digits(text.substr(0, dot), c.suspended_at) || !digits(text.substr(dot + 1), c.id) || c.id <= 0)
    return std::nullopt;
  return c;
}

Result<SuspendedPage> list_suspended(store::Session& s, const SubscriberKeys& keys, const SuspendedFilter& f) {
  if (f.limit < 1 || f.limit > kMaxSuspendedPage) return Error::invalid("表示件数の指定が正しくありません。");
  if (f.domain.size() > kMaxDomainFilter) return Error::invalid("ドメインの指定が長すぎます。");
  const std::string domain = lower_ascii(f.domain);
  // One fetch more than shown tells whether a next page exists. Rows suspended before
  // suspended_at was kept sort as 0 (COALESCE), so the order stays total with the id.
  std::string sql =
      "SELECT id, address_box, domain, suspended_at, hard_failures FROM subscribers WHERE state = 'suspended'";
  std::vector<store::Value> params;
  if (!domain.empty()) {
    sql += " AND domain = ?";
    params.emplace_back(domain);
  }
  if (f.after) {
    sql += " AND (COALESCE(suspended_at, 0) < ? OR (COALESCE(suspended_at, 0) = ? AND id < ?))";
    params.emplace_back(f.after->suspended_at);
    params.emplace_back(f.after->suspended_at);
    params.emplace_back(f.after->id);
  }
  sql += " ORDER BY COALESCE(suspended_at, 0) DESC, id DESC LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(f.limit + 1));
  KOBAN_ASSIGN(auto rows, s.query_values(sql, params));

  SuspendedPage out;
  const std::size_t shown = std::min(rows.size(), static_cast<std::size_t>(f.limit));
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& r = rows[i];
    SuspendedSubscriber x;
    x.id = r.int64(0);
    auto opened = keys.box.open(r.text(1));
    x.masked_address = opened ? mask_address(*opened) : "（復号できません）";
    x.domain = r.text(2);
    if (auto t = r.opt_int64(3)) x.suspended_at = from_unix(*t);
    x.hard_failures = static_cast<int>(r.int64(4));
    // The delivery's reason travels in the audit record of the suspension (no column of its own).
    KOBAN_ASSIGN(auto why, s.query("SELECT summary FROM audit_log WHERE object_type = 'subscriber' AND object_id = ? "
                                   "AND action = 'alerts.subscriber.suspend' ORDER BY seq DESC LIMIT 1",
                                   std::to_string(x.id)));
    if (!why.empty()) {
      const std::string summary = why[0].text(0);
      const auto sep = summary.find(kSuspendSeparator);
      if (sep != std::string::npos) x.last_error = summary.substr(sep + kSuspendSeparator.size());
    }
    out.rows.push_back(std::move(x));
  }
  if (rows.size() > shown && !out.rows.empty()) {
    const auto& last = rows[shown - 1];
    out.next = SuspendedCursor{last.opt_int64(3).value_or(0), last.int64(0)};
  }
  return out;
}

Result<std::vector<DomainCount>> suspended_domains(store::Session& s, std::size_t limit) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT domain, COUNT(*) AS n FROM subscribers WHERE state = 'suspended' "
                                  "GROUP BY domain ORDER BY n DESC, domain LIMIT ?",
                                  static_cast<std::int64_t>(std::min<std::size_t>(limit, 1000))));
  std::vector<DomainCount> out;
  for (const auto& r : rows) out.push_back({r.text(0), r.int64(1)});
  return out;
}

Result<std::string> reveal_address(store::Session& s, const SubscriberKeys& keys, const StaffWho& who,
                                   std::int64_t id, Instant now) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT address_box, domain FROM subscribers WHERE id = ?", id));
  if (rows.empty()) return Error::not_found("指定された登録者は見つかりません。既に削除された可能性があります。");
  auto opened = keys.box.open(rows[0].text(0));
  if (!opened) return Error::internal("subscriber " + std::to_string(id) + ": address cannot be opened");
  KOBAN_TRY(audit_staff(s, who, "alerts.subscriber.reveal", id, "登録者のメールアドレスを表示（" + rows[0].text(1) + "）",
                        now));
  return std::move(*opened);
}

Result<void> reinstate_subscriber(store::Session& s, const StaffWho& who, std::int64_t id, Instant now) {
  KOBAN_ASSIGN(auto row, state_of(s, id));
  if (row.state != "suspended") return Error::conflict("この登録者は一時停止中ではないため、再開できません。");
  KOBAN_ASSIGN(auto n, s.exec("UPDATE subscribers SET state = 'confirmed', hard_failures = 0, suspended_at = NULL, "
                              "updated_at = ? WHERE id = ? AND state = 'suspended'",
                              to_unix(now), id));
  if (n != 1) return Error::conflict("この登録者は一時停止中ではないため、再開できません。");
  KOBAN_TRY(audit_staff(s, who, "alerts.subscriber.reinstate", id,
                        "配信を再開: 一時停止（不達） → 登録済み（" + row.domain + "）", now));
  return ok();
}

Result<void> remove_subscriber(store::Session& s, const StaffWho& who, std::int64_t id, Instant now) {
  KOBAN_ASSIGN(auto row, state_of(s, id));
  if (row.state != "suspended") return Error::conflict("一時停止中の登録者だけを削除できます。");
  // Children first: SQLite enforces the foreign keys only when asked to, so do not lean on CASCADE.
  KOBAN_TRY(s.exec("DELETE FROM subscriber_areas WHERE subscriber_id = ?", id));
  KOBAN_TRY(s.exec("DELETE FROM subscriber_tokens WHERE subscriber_id = ?", id));
  KOBAN_ASSIGN(auto n, s.exec("DELETE FROM subscribers WHERE id = ? AND state = 'suspended'", id));
  if (n != 1) return Error::conflict("一時停止中の登録者だけを削除できます。");
  KOBAN_TRY(audit_staff(s, who, "alerts.subscriber.remove", id, "不達のため登録を削除（" + row.domain + "）", now));
  return ok();
}

}  // namespace koban::alerts
