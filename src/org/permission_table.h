// What each role may do, in one table (permission_table.cc). Scope (which units) and status
// (suspended, restricted ...) are applied on top of it by permissions.h; this file answers only
// "may a <role> ever <action>?".
//
//   role_allows(Role::staff, Action::approve)  → false
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "org/roles.h"

namespace koban::org {

enum class Action {
  view,        // read drafts, lists, records
  write,       // create or edit a draft
  submit,      // send a draft for approval
  approve,     // approve or remand a submitted request
  publish,     // carry out: publish an article, send an alert, post to social media
  administer,  // settings, accounts, grants, suspension of a subsystem
};
inline constexpr std::array<Action, 6> kAllActions = {Action::view,    Action::write,   Action::submit,
                                                      Action::approve, Action::publish, Action::administer};
const char* to_string(Action a);
const char* label(Action a);  // 閲覧, 作成・編集, 申請, 承認, 公開・配信, 管理
std::optional<Action> parse_action(std::string_view s);

bool role_allows(Role role, Action action);

}  // namespace koban::org
