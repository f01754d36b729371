#include "ledger/ledger.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "http/forms/utf8.h"
#include "org/people.h"
#include "store/jobs.h"

namespace koban::ledger {
namespace {

std::string actor_label(const org::Actor& a) { return a.display_name + "（" + a.login_name + "）"; }

Result<void> append(store::Session& s, const Who& who, const std::string& action, EntryId id,
                    const std::string& summary, Instant now) {
  KOBAN_TRY(audit::append(s,
                          {.actor_id = who.actor.person, .actor_name = actor_label(who.actor),
                           .unit_id = who.actor.unit, .unit_name = who.unit_name, .action = action,
                           .object_type = "ledger_entry", .object_id = id ? std::to_string(id) : "",
                           .summary = summary, .address = who.address},
                          now));
  return ok();
}

bool has_control(std::string_view s, bool allow_newlines) {
  for (unsigned char c : s) {
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) continue;
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

// A single-line text field: required (or not), valid UTF-8, no control characters, bounded.
Result<void> check_text(std::string_view value, std::size_t max, const char* what, bool required) {
  if (required && value.empty()) return Error::invalid(std::string(what) + "を入力してください。");
  if (value.size() > max) return Error::invalid(std::string(what) + "が長すぎます。");
  if (!http::forms::is_valid_utf8(value) || has_control(value, false))
    return Error::invalid(std::string(what) + "に使えない文字が含まれています。");
  return ok();
}

Result<bool> is_manager(store::Session& s, EntryId id, org::PersonId person) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT 1 FROM ledger_managers WHERE entry_id = ? AND person_id = ?", id, person));
  return !rows.empty();
}

struct EntryRow {
  std::string service_name, account_name, url, secret_sealed, notes_sealed;
  Instant created_at{}, secret_changed_at{};
  org::PersonId secret_changed_by = 0;
};

Result<EntryRow> load(store::Session& s, EntryId id) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT service_name, account_name, url, secret_sealed, notes_sealed, created_at,"
                                  " secret_changed_at, secret_changed_by FROM ledger_entries WHERE id = ?",
                                  id));
  if (rows.empty()) return Error::not_found("指定された管理簿の項目は見つかりません。");
  const auto& r = rows[0];
  return EntryRow{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), from_unix(r.int64(5)),
                  from_unix(r.int64(6)), r.int64(7)};
}

Result<std::vector<Manager>> managers_of(store::Session& s, EntryId id) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT m.person_id, p.login_name, p.display_name, m.added_at FROM ledger_managers m"
                                  " JOIN people p ON p.id = m.person_id WHERE m.entry_id = ? ORDER BY m.person_id",
                                  id));
  std::vector<Manager> out;
  for (const auto& r : rows) out.push_back({r.int64(0), r.text(1), r.text(2), from_unix(r.int64(3))});
  return out;
}

// Tells the entry's managers other than the actor that something changed (a job in the same
// transaction). The payload names the entry, never the secret.
Result<void> notify_others(store::Session& s, const Who& who, EntryId id, const std::string& service,
                           const std::string& event, Instant now) {
  KOBAN_ASSIGN(auto managers, managers_of(s, id));
  nlohmann::json recipients = nlohmann::json::array();
  for (const auto& m : managers)
    if (m.person != who.actor.person) recipients.push_back(m.person);
  if (recipients.empty()) return ok();
  nlohmann::json payload = {{"entry_id", id}, {"service_name", service}, {"event", event},
                            {"by", who.actor.person}, {"recipients", recipients}};
  KOBAN_TRY(store::enqueue(s, {.kind = kNotifyJobKind, .payload = payload.dump(), .run_at = now}, now));
  return ok();
}

Result<void> check_new_manager(store::Session& s, org::PersonId person) {
  auto p = org::get_person(s, person);
  if (!p) {
    if (p.error().code == ErrorCode::not_found) return Error::invalid("指定された職員は見つかりません。");
    return p.error();
  }
  if (p->status != org::PersonStatus::active)
    return Error::invalid(p->display_name + "（" + p->login_name + "）は在職中でないため管理者に指定できません。");
  return ok();
}

}  // namespace

bool Ledger::may_administer(const org::Actor& actor) {
  return org::can(actor, org::Purpose::administration, org::Action::administer, std::nullopt);
}

Result<EntryId> Ledger::create(store::Session& s, const Who& who, const NewEntry& e, Instant now) const {
  if (!may_administer(who.actor)) return Error::denied("パスワード等管理簿に項目を追加する権限がありません。");
  KOBAN_TRY(check_text(e.service_name, kMaxServiceBytes, "サービス名", true));
  KOBAN_TRY(check_text(e.account_name, kMaxAccountBytes, "アカウント名", true));
  KOBAN_TRY(check_text(e.url, kMaxUrlBytes, "URL", false));
  if (!e.url.empty() && !e.url.starts_with("https://") && !e.url.starts_with("http://"))
    return Error::invalid("URLは http:// または https:// で始めてください。");
  if (e.notes.size() > kMaxNotesBytes) return Error::invalid("備考が長すぎます。");
  if (!http::forms::is_valid_utf8(e.notes) || has_control(e.notes, true))
    return Error::invalid("備考に使えない文字が含まれています。");
  if (auto broken = rules_.check(e.secret); !broken.empty()) return Error::invalid(broken.front());
  if (e.managers.size() > kMaxManagers) return Error::invalid("管理者が多すぎます。");
  std::vector<org::PersonId> managers = e.managers;
  std::sort(managers.begin(), managers.end());
  managers.erase(std::unique(managers.begin(), managers.end()), managers.end());
  for (auto m : managers) KOBAN_TRY(check_new_manager(s, m));

  KOBAN_ASSIGN(auto rows, s.query("INSERT INTO ledger_entries (service_name, account_name, url, secret_sealed,"
                                  " notes_sealed, created_by, created_at, secret_changed_by, secret_changed_at)"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                  e.service_name, e.account_name, e.url, store::Blob{box_.seal(e.secret)},
                                  store::Blob{box_.seal(e.notes)}, who.actor.person, to_unix(now),
                                  who.actor.person, to_unix(now)));
  const EntryId id = rows.at(0).int64(0);
  std::string names;
  for (auto m : managers) {
    KOBAN_TRY(s.exec("INSERT INTO ledger_managers (entry_id, person_id, added_by, added_at) VALUES (?, ?, ?, ?)", id,
                     m, who.actor.person, to_unix(now)));
    KOBAN_ASSIGN(auto p, org::get_person(s, m));
    names += (names.empty() ? "" : "、") + p.display_name + "（" + p.login_name + "）";
  }
  KOBAN_TRY(append(s, who, "ledger.entry.create", id,
                   "項目追加: " + e.service_name + " / " + e.account_name + " 管理者: " + (names.empty() ? "なし" : names),
                   now));
  KOBAN_TRY(notify_others(s, who, id, e.service_name, "created", now));
  return id;
}

Result<std::vector<EntrySummary>> Ledger::list(store::Session& s, const org::Actor& viewer) const {
  // Administrators see every entry's name; others only the entries they manage. Suspended
  // or retired people see nothing (can() refuses them, and managers must be active).
  const bool admin = may_administer(viewer);
  if (viewer.status != org::PersonStatus::active && !admin) return std::vector<EntrySummary>{};
  KOBAN_ASSIGN(auto rows,
               s.query("SELECT e.id, e.service_name, e.account_name,"
                       " (SELECT COUNT(*) FROM ledger_managers m WHERE m.entry_id = e.id AND m.person_id = ?)"
                       " FROM ledger_entries e WHERE ? = 1 OR EXISTS (SELECT 1 FROM ledger_managers m"
                       " WHERE m.entry_id = e.id AND m.person_id = ?) ORDER BY e.service_name, e.id LIMIT ?",
                       viewer.person, admin, viewer.person, kMaxEntries));
  std::vector<EntrySummary> out;
  for (const auto& r : rows) out.push_back({r.int64(0), r.text(1), r.text(2), r.int64(3) > 0});
  return out;
}

Result<EntryDetails> Ledger::details(store::Session& s, const org::Actor& viewer, EntryId id) const {
  KOBAN_ASSIGN(auto row, load(s, id));
  KOBAN_ASSIGN(bool manager, is_manager(s, id, viewer.person));
  manager = manager && viewer.status == org::PersonStatus::active;
  if (!manager && !may_administer(viewer))
    return Error::denied("この項目のパスワード管理者に指定されていないため、見ることはできません。");
  EntryDetails d{.id = id, .service_name = row.service_name, .account_name = row.account_name, .url = row.url,
                 .created_at = row.created_at, .secret_changed_at = row.secret_changed_at};
  KOBAN_ASSIGN(auto by, org::get_person(s, row.secret_changed_by));
  d.secret_changed_by = by.display_name;
  KOBAN_ASSIGN(d.managers, managers_of(s, id));
  d.is_manager = manager;
  return d;
}

Result<Revealed> Ledger::reveal(store::Session& s, const Who& who, EntryId id, Instant now) const {
  KOBAN_ASSIGN(auto row, load(s, id));
  KOBAN_ASSIGN(bool manager, is_manager(s, id, who.actor.person));
  if (!manager || who.actor.status != org::PersonStatus::active)
    return Error::denied("この項目のパスワード管理者に指定されていないため、パスワードを表示できません。");
  auto secret = box_.open(row.secret_sealed);
  auto notes = box_.open(row.notes_sealed);
  if (!secret || !notes) return Error::internal("管理簿のパスワードを復号できません（鍵が違うか、データが壊れています）。");
  KOBAN_TRY(append(s, who, "ledger.secret.view", id, "パスワード表示: " + row.service_name + " / " + row.account_name,
                   now));
  return Revealed{std::move(*secret), std::move(*notes)};
}

Result<void> Ledger::change_secret(store::Session& s, const Who& who, EntryId id, const std::string& secret,
                                   Instant now) const {
  KOBAN_ASSIGN(auto row, load(s, id));
  KOBAN_ASSIGN(bool manager, is_manager(s, id, who.actor.person));
  if (!manager || who.actor.status != org::PersonStatus::active)
    return Error::denied("この項目のパスワード管理者に指定されていないため、パスワードを変更できません。");
  if (auto broken = rules_.check(secret); !broken.empty()) {
    std::string all;
    for (const auto& b : broken) all += (all.empty() ? "" : " ") + b;
    return Error::invalid(all);
  }
  if (auto old = box_.open(row.secret_sealed); old && *old == secret)
    return Error::invalid("今のパスワードと同じです。別のパスワードにしてください。");
  KOBAN_TRY(s.exec("UPDATE ledger_entries SET secret_sealed = ?, secret_changed_by = ?, secret_changed_at = ?"
                   " WHERE id = ?",
                   store::Blob{box_.seal(secret)}, who.actor.person, to_unix(now), id));
  KOBAN_TRY(append(s, who, "ledger.secret.change", id,
                   "パスワード変更: " + row.service_name + " / " + row.account_name, now));
  KOBAN_TRY(notify_others(s, who, id, row.service_name, "secret_changed", now));
  return ok();
}

Result<void> Ledger::add_manager(store::Session& s, const Who& who, EntryId id, org::PersonId person,
                                 Instant now) const {
  if (!may_administer(who.actor)) return Error::denied("パスワード管理者を指定する権限がありません。");
  KOBAN_ASSIGN(auto row, load(s, id));
  KOBAN_TRY(check_new_manager(s, person));
  KOBAN_ASSIGN(bool already, is_manager(s, id, person));
  if (already) return Error::conflict("この職員は既にパスワード管理者です。");
  KOBAN_ASSIGN(auto count, s.query("SELECT COUNT(*) FROM ledger_managers WHERE entry_id = ?", id));
  if (count.at(0).int64(0) >= static_cast<std::int64_t>(kMaxManagers)) return Error::invalid("管理者が多すぎます。");
  KOBAN_TRY(s.exec("INSERT INTO ledger_managers (entry_id, person_id, added_by, added_at) VALUES (?, ?, ?, ?)", id,
                   person, who.actor.person, to_unix(now)));
  KOBAN_ASSIGN(auto p, org::get_person(s, person));
  KOBAN_TRY(append(s, who, "ledger.manager.add", id,
                   "管理者追加: " + row.service_name + " " + p.display_name + "（" + p.login_name + "）", now));
  KOBAN_TRY(notify_others(s, who, id, row.service_name, "manager_added", now));
  return ok();
}

Result<void> Ledger::remove_manager(store::Session& s, const Who& who, EntryId id, org::PersonId person,
                                    Instant now) const {
  if (!may_administer(who.actor)) return Error::denied("パスワード管理者を外す権限がありません。");
  KOBAN_ASSIGN(auto row, load(s, id));
  KOBAN_ASSIGN(auto n, s.exec("DELETE FROM ledger_managers WHERE entry_id = ? AND person_id = ?", id, person));
  if (n == 0) return Error::conflict("この職員はこの項目のパスワード管理者ではありません。");
  KOBAN_ASSIGN(auto p, org::get_person(s, person));
  KOBAN_TRY(append(s, who, "ledger.manager.remove", id,
                   "管理者解除: " + row.service_name + " " + p.display_name + "（" + p.login_name + "）", now));
  KOBAN_TRY(notify_others(s, who, id, row.service_name, "manager_removed", now));
  return ok();
}

Result<void> audit_refusal(store::Session& s, const Who& who, const std::string& action, EntryId id,
                           const std::string& why, Instant now) {
  KOBAN_TRY(audit::append(s,
                          {.actor_id = who.actor.person, .actor_name = actor_label(who.actor),
                           .unit_id = who.actor.unit, .unit_name = who.unit_name, .action = action,
                           .object_type = "ledger_entry", .object_id = id ? std::to_string(id) : "",
                           .summary = why, .address = who.address, .outcome = audit::Outcome::refused},
                          now));
  return ok();
}

}  // namespace koban::ledger
