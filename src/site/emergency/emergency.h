// Emergency mode of the public site (緊急災害モード, issue 5 item 3): 広報課 switches the home
// page to an emergency layout with one message and up to ten links; switching it off returns
// the normal home page. Every change is audited in its own transaction and kept in a history.
//
//   emergency::Options opt{.on_changed = [&] { rebuild_home(); }};  // runs after commit
//   KOBAN_ASSIGN(auto links, emergency::parse_links("避難所の一覧 | https://example.jp/hinan\n"
//                                                    "県警からのお知らせ | /safety/"));
//   KOBAN_TRY(emergency::switch_on(db, opt, {.message = "大雨特別警報…", .links = links}, by, now));
//   KOBAN_ASSIGN(auto notice, emergency::current(s));   // std::nullopt: normal mode
//   KOBAN_TRY(emergency::switch_off(db, opt, by, now));
//
// Who: only people with website publish permission on the reviewer unit (広報課, code "koho"),
// the same rule as carrying out articles (articles::may_carry_out). Refusals (no permission,
// invalid message or links, switching off when off) are Errors with Japanese messages;
// switch_on/switch_off also audit them (outcome refused) in a transaction of their own, since
// the refused one is rolled back. activate/deactivate are the same work inside a caller's
// transaction (they audit successes only).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "org/ids.h"
#include "store/database.h"
#include "store/migrations.h"
#include "workflow/engine.h"

namespace koban::site::emergency {

inline constexpr std::size_t kMaxMessageChars = 500;
inline constexpr std::size_t kMaxLinks = 10;
inline constexpr std::size_t kMaxLabelChars = 100;
inline constexpr std::size_t kMaxUrlBytes = 500;

struct Link {
  std::string label;
  std::string url;  // https://… or a site-relative path /…
};

struct Notice {
  std::string message;
  std::vector<Link> links;
  Instant since{};  // when the mode was switched on (kept when the message is changed)
};

struct Options {
  std::string reviewer_unit_code = "koho";  // 広報課 (articles::Settings::reviewer_unit_code)
  std::function<void()> on_changed{};       // after commit: the app rebuilds the home page
};

struct HistoryEntry {
  std::string action;  // "activate" | "deactivate"
  std::string message;
  std::vector<Link> links;
  org::PersonId person = 0;
  std::string person_name;
  Instant at{};
};

std::vector<store::Migration> emergency_migrations();
Result<void> register_emergency_migrations();  // module "site_emergency"

// "label | url" per line (the last '|' splits; blank lines skipped). invalid_argument lists
// every bad line in Japanese.
Result<std::vector<Link>> parse_links(std::string_view lines);
// The lines parse_links reads back (for the form).
std::string format_links(const std::vector<Link>& links);
// https:// with a host, or a path starting with one '/'; no spaces, controls or backslashes.
bool allowed_url(std::string_view url);
// The message trimmed and checked (1..kMaxMessageChars characters, valid UTF-8), the links
// checked (count, labels, URLs). Returns the notice to store.
Result<Notice> validate(const Notice& notice);

Result<std::optional<Notice>> current(store::Session& s);
// Newest first.
Result<std::vector<HistoryEntry>> history(store::Session& s, int limit = 50);
Result<bool> may_switch(store::Session& s, const Options& opt, org::PersonId person);

// In the caller's write transaction: permission, validation, state, history, audit; on_changed
// after commit. activate while active replaces the message and links.
Result<void> activate(store::Session& s, const Options& opt, const Notice& notice, const workflow::By& by,
                      Instant now);
Result<void> deactivate(store::Session& s, const Options& opt, const workflow::By& by, Instant now);

// Each in its own write transaction; a refusal is audited (outcome refused) before it returns.
Result<void> switch_on(store::Database& db, const Options& opt, const Notice& notice, const workflow::By& by,
                       Instant now);
Result<void> switch_off(store::Database& db, const Options& opt, const workflow::By& by, Instant now);

}  // namespace koban::site::emergency
