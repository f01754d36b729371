#include "site/emergency/emergency.h"

#include <algorithm>
#include <mutex>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "http/forms/utf8.h"
#include "org/permissions.h"
#include "site/articles/article_flow.h"

namespace koban::site::emergency {
namespace {

using nlohmann::json;
namespace utf8 = http::forms;

constexpr const char* kActivate = "site.emergency.activate";
constexpr const char* kDeactivate = "site.emergency.deactivate";

bool is_space(char32_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x3000; }

// Without white space (ASCII and U+3000) at both ends. s is valid UTF-8.
std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e) {
    auto c = utf8::decode_utf8(s, b);
    if (!is_space(c.code_point)) break;
    b += c.len;
  }
  while (e > b) {
    std::size_t p = e - 1;
    while (p > b && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80) --p;
    if (!is_space(utf8::decode_utf8(s, p).code_point)) break;
    e = p;
  }
  return std::string(s.substr(b, e - b));
}

// Control characters other than those allowed (C0, DEL, C1).
bool has_controls(std::string_view s, bool allow_newline) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = utf8::decode_utf8(s, i);
    if ((c.code_point < 0x20 && !(allow_newline && (c.code_point == '\n' || c.code_point == '\t'))) ||
        (c.code_point >= 0x7f && c.code_point <= 0x9f))
      return true;
    i += c.len;
  }
  return false;
}

std::string links_json(const std::vector<Link>& links) {
  json a = json::array();
  for (const auto& l : links) a.push_back({{"label", l.label}, {"url", l.url}});
  return a.dump();
}

std::vector<Link> links_from_json(const std::string& text) {
  std::vector<Link> out;
  auto a = json::parse(text, nullptr, false);
  if (!a.is_array()) return out;
  for (const auto& l : a)
    if (l.is_object() && l.value("label", json()).is_string() && l.value("url", json()).is_string())
      out.push_back({l["label"].get<std::string>(), l["url"].get<std::string>()});
  return out;
}

// The first n characters of valid text, "…" when cut.
std::string cut(std::string_view s, std::size_t n) {
  std::size_t i = 0, k = 0;
  while (i < s.size() && k < n) {
    i += utf8::decode_utf8(s, i).len;
    ++k;
  }
  return i < s.size() ? std::string(s.substr(0, i)) + "…" : std::string(s);
}

Result<void> audit_change(store::Session& s, const workflow::By& by, const char* action, const std::string& summary,
                          audit::Outcome outcome, Instant now) {
  audit::Event e{.actor_id = by.person, .action = action, .object_type = "site", .object_id = "emergency",
                 .summary = summary, .address = by.address, .outcome = outcome};
  auto actor = org::load_actor(s, by.person);
  if (actor) {
    e.actor_name = actor->display_name;
    e.unit_id = actor->unit;
  }
  KOBAN_TRY(audit::append(s, e, now));
  return ok();
}

Result<void> require_permission(store::Session& s, const Options& opt, const workflow::By& by) {
  KOBAN_ASSIGN(bool may, may_switch(s, opt, by.person));
  if (!may) return Error::denied("緊急災害モードの切り替えは、広報課のウェブサイト公開の権限を持つ職員だけが行えます。");
  return ok();
}

Result<void> add_history(store::Session& s, const char* action, const std::string& message,
                         const std::vector<Link>& links, const workflow::By& by, Instant now) {
  KOBAN_ASSIGN(auto actor, org::load_actor(s, by.person));
  KOBAN_TRY(s.exec("INSERT INTO site_emergency_history (action, message, links, person_id, person_name, at)"
                   " VALUES (?, ?, ?, ?, ?, ?)",
                   action, message, links_json(links), by.person, actor.display_name, to_unix(now)));
  return ok();
}

// Runs fn in its own transaction; a refusal (not a server error) is audited in another.
Result<void> run_audited(store::Database& db, const char* action, const workflow::By& by, Instant now,
                         const std::function<Result<void>(store::Session&)>& fn) {
  auto r = db.write(fn);
  if (r.ok()) return r;
  const auto code = r.error().code;
  if (code == ErrorCode::internal || code == ErrorCode::unavailable || code == ErrorCode::timeout) return r;
  auto audited = db.write([&](store::Session& s) {
    return audit_change(s, by, action, r.error().message, audit::Outcome::refused, now);
  });
  if (!audited) return audited.error();
  return r;
}

}  // namespace

std::vector<store::Migration> emergency_migrations() {
  return {{1, "emergency mode",
           // One row (id 1) while the mode has ever been used; active 0/1. links: JSON
           // [{"label","url"}], checked before they are stored.
           "CREATE TABLE site_emergency ("
           " id {{BIGINT}} PRIMARY KEY,"
           " active INTEGER NOT NULL,"
           " message TEXT NOT NULL,"
           " links TEXT NOT NULL,"
           " since {{BIGINT}},"
           " set_by {{BIGINT}} NOT NULL,"
           " set_at {{BIGINT}} NOT NULL);"
           "CREATE TABLE site_emergency_history ("
           " id {{ID}},"
           " action TEXT NOT NULL,"
           " message TEXT NOT NULL,"
           " links TEXT NOT NULL,"
           " person_id {{BIGINT}} NOT NULL,"
           " person_name TEXT NOT NULL,"
           " at {{BIGINT}} NOT NULL);"}};
}

Result<void> register_emergency_migrations() {
  static std::once_flag once;
  static Result<void> result = ok();
  std::call_once(once, [] { result = store::register_migrations("site_emergency", emergency_migrations()); });
  return result;
}

bool allowed_url(std::string_view url) {
  if (url.empty() || url.size() > kMaxUrlBytes) return false;
  for (char ch : url) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || ch == '\\' || ch == '"' || ch == '<' || ch == '>' || ch == '`' || ch == '\'')
      return false;
  }
  if (url.starts_with("https://")) {
    const std::string_view rest = url.substr(8);
    const std::size_t end = rest.find_first_of("/?#");
    const std::string_view host = rest.substr(0, end);
    return !host.empty() && host.find('@') == std::string_view::npos;
  }
  // Site-relative: one slash (a second would make it another host: //evil.example).
  return url[0] == '/' && (url.size() == 1 || url[1] != '/');
}

Result<std::vector<Link>> parse_links(std::string_view lines) {
  if (!utf8::is_valid_utf8(lines)) return Error::invalid("リンクに使えない文字が含まれています。");
  std::vector<Link> out;
  std::string errors;
  int line_no = 0;
  std::size_t start = 0;
  while (start <= lines.size()) {
    std::size_t end = lines.find('\n', start);
    if (end == std::string_view::npos) end = lines.size();
    const std::string line = trim(lines.substr(start, end - start));
    start = end + 1;
    ++line_no;
    if (line.empty()) continue;
    const std::size_t bar = line.rfind('|');
    const std::string where = std::to_string(line_no) + "行目: ";
    if (bar == std::string::npos) {
      errors += where + "「表示名 | URL」の形で入力してください。\n";
      continue;
    }
    out.push_back({trim(std::string_view(line).substr(0, bar)), trim(std::string_view(line).substr(bar + 1))});
  }
  if (!errors.empty()) {
    errors.pop_back();
    return Error::invalid(errors);
  }
  return out;
}

std::string format_links(const std::vector<Link>& links) {
  std::string out;
  for (const auto& l : links) out += l.label + " | " + l.url + "\n";
  return out;
}

Result<Notice> validate(const Notice& in) {
  std::vector<std::string> errors;
  Notice n{.message = "", .links = {}, .since = in.since};
  std::string msg;  // CRLF from the form's textarea becomes LF
  for (char c : in.message)
    if (c != '\r') msg += c;
  if (!utf8::is_valid_utf8(msg) || has_controls(msg, true)) {
    errors.push_back("お知らせの文に使えない文字が含まれています。");
  } else {
    n.message = trim(msg);
    const std::size_t chars = utf8::utf8_length(n.message);
    if (chars == 0) errors.push_back("お知らせの文を入力してください。");
    if (chars > kMaxMessageChars)
      errors.push_back("お知らせの文は" + std::to_string(kMaxMessageChars) + "文字以内にしてください（いま" +
                       std::to_string(chars) + "文字）。");
  }
  if (in.links.size() > kMaxLinks)
    errors.push_back("リンクは" + std::to_string(kMaxLinks) + "件までです（いま" + std::to_string(in.links.size()) +
                     "件）。");
  for (std::size_t i = 0; i < in.links.size() && i < kMaxLinks; ++i) {
    const auto& l = in.links[i];
    const std::string where = "リンク" + std::to_string(i + 1) + ": ";
    const bool label_ok = utf8::is_valid_utf8(l.label) && !has_controls(l.label, false);
    const std::string label = label_ok ? trim(l.label) : "";
    if (!label_ok || label.empty()) {
      errors.push_back(where + "表示名を入力してください。");
    } else if (utf8::utf8_length(label) > kMaxLabelChars) {
      errors.push_back(where + "表示名は" + std::to_string(kMaxLabelChars) + "文字以内にしてください。");
    }
    if (!allowed_url(l.url))
      errors.push_back(where + "URLは https:// で始まるアドレスか、/ で始まるこのサイトのページにしてください。");
    n.links.push_back({label, l.url});
  }
  if (!errors.empty()) {
    std::string m;
    for (const auto& e : errors) m += (m.empty() ? "" : "\n") + e;
    return Error::invalid(m);
  }
  return n;
}

Result<std::optional<Notice>> current(store::Session& s) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT message, links, since FROM site_emergency WHERE id = 1 AND active = 1"));
  if (rows.empty()) return std::optional<Notice>();
  const auto& r = rows[0];
  return std::optional<Notice>(Notice{r.text(0), links_from_json(r.text(1)), from_unix(r.int64(2))});
}

Result<std::vector<HistoryEntry>> history(store::Session& s, int limit) {
  limit = std::clamp(limit, 1, 500);
  KOBAN_ASSIGN(auto rows, s.query("SELECT action, message, links, person_id, person_name, at FROM site_emergency_history"
                                  " ORDER BY id DESC LIMIT ?",
                                  limit));
  std::vector<HistoryEntry> out;
  for (const auto& r : rows)
    out.push_back({r.text(0), r.text(1), links_from_json(r.text(2)), r.int64(3), r.text(4), from_unix(r.int64(5))});
  return out;
}

Result<bool> may_switch(store::Session& s, const Options& opt, org::PersonId person) {
  articles::Settings st;
  st.reviewer_unit_code = opt.reviewer_unit_code;
  return articles::may_carry_out(s, st, person);
}

Result<void> activate(store::Session& s, const Options& opt, const Notice& notice, const workflow::By& by,
                      Instant now) {
  KOBAN_TRY(require_permission(s, opt, by));
  KOBAN_ASSIGN(auto n, validate(notice));
  KOBAN_ASSIGN(auto before, current(s));
  const Instant since = before ? before->since : now;
  KOBAN_TRY(s.exec("INSERT INTO site_emergency (id, active, message, links, since, set_by, set_at)"
                   " VALUES (1, 1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET active = 1,"
                   " message = excluded.message, links = excluded.links, since = excluded.since,"
                   " set_by = excluded.set_by, set_at = excluded.set_at",
                   n.message, links_json(n.links), to_unix(since), by.person, to_unix(now)));
  KOBAN_TRY(add_history(s, "activate", n.message, n.links, by, now));
  KOBAN_TRY(audit_change(s, by, kActivate,
                         std::string(before ? "緊急災害モードのお知らせを変更: " : "緊急災害モードを開始: ") +
                             cut(n.message, 100) + "（リンク" + std::to_string(n.links.size()) + "件）",
                         audit::Outcome::ok, now));
  if (opt.on_changed) s.after_commit(opt.on_changed);
  return ok();
}

Result<void> deactivate(store::Session& s, const Options& opt, const workflow::By& by, Instant now) {
  KOBAN_TRY(require_permission(s, opt, by));
  KOBAN_ASSIGN(auto before, current(s));
  if (!before) return Error::conflict("緊急災害モードは有効になっていません。");
  KOBAN_TRY(s.exec("UPDATE site_emergency SET active = 0, set_by = ?, set_at = ? WHERE id = 1", by.person,
                   to_unix(now)));
  KOBAN_TRY(add_history(s, "deactivate", before->message, before->links, by, now));
  KOBAN_TRY(audit_change(s, by, kDeactivate, "緊急災害モードを終了: " + cut(before->message, 100), audit::Outcome::ok,
                         now));
  if (opt.on_changed) s.after_commit(opt.on_changed);
  return ok();
}

Result<void> switch_on(store::Database& db, const Options& opt, const Notice& notice, const workflow::By& by,
                       Instant now) {
  return run_audited(db, kActivate, by, now,
                     [&](store::Session& s) { return activate(s, opt, notice, by, now); });
}

Result<void> switch_off(store::Database& db, const Options& opt, const workflow::By& by, Instant now) {
  return run_audited(db, kDeactivate, by, now, [&](store::Session& s) { return deactivate(s, opt, by, now); });
}

}  // namespace koban::site::emergency
