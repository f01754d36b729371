#include "org/permission_table.h"

namespace koban::org {
namespace {

constexpr std::size_t kActions = kAllActions.size();

// Rows follow Role, columns follow Action: view, write, submit, approve, publish, administer.
//
// Why each row is what it is (seeds: 002 第2, 003 別添 §5, 000 §9):
// - overall manager (総括運用責任者): answers for the whole system, so may do everything.
// - system administrator: keeps the system running (settings, accounts) but has no say over
//   content: views and administers, never writes, approves or publishes.
// - business owner (業務主管課長, e.g. 広報課 for the website): reviews and carries out
//   publication for its purpose (SITE-4, SITE-6) and manages who works on it.
// - unit manager (運用管理者 = unit head): approves its unit's requests (ALERT-4, SITE-3) and
//   sends its own station's alerts after approval (ALERT-5), so approve and publish.
// - assistant (運用副管理者 = PR lead, 補助者): drafts and submits; approves only in the head's
//   absence — the approval engine decides whose turn it is, this table only allows it.
// - duty officer (当直責任者): approves and sends at night and on holidays for the desk's unit
//   (ALERT-4), handles the mailbox out of hours (SITE-10).
// - staff (担当者): drafts and submits.
constexpr bool kTable[kAllRoles.size()][kActions] = {
    //               view   write  submit approve publish administer
    /* overall   */ {true, true, true, true, true, true},
    /* sysadmin  */ {true, false, false, false, false, true},
    /* business  */ {true, true, true, true, true, true},
    /* unit mgr  */ {true, true, true, true, true, false},
    /* assistant */ {true, true, true, true, false, false},
    /* duty      */ {true, true, true, true, true, false},
    /* staff     */ {true, true, true, false, false, false},
};

}  // namespace

const char* to_string(Action a) {
  switch (a) {
    case Action::view: return "view";
    case Action::write: return "write";
    case Action::submit: return "submit";
    case Action::approve: return "approve";
    case Action::publish: return "publish";
    case Action::administer: return "administer";
  }
  return "view";
}

const char* label(Action a) {
  switch (a) {
    case Action::view: return "閲覧";
    case Action::write: return "作成・編集";
    case Action::submit: return "申請";
    case Action::approve: return "承認";
    case Action::publish: return "公開・配信";
    case Action::administer: return "管理";
  }
  return "";
}

std::optional<Action> parse_action(std::string_view s) {
  for (auto a : kAllActions)
    if (s == to_string(a)) return a;
  return std::nullopt;
}

bool role_allows(Role role, Action action) {
  auto r = static_cast<std::size_t>(role);
  auto a = static_cast<std::size_t>(action);
  if (r >= kAllRoles.size() || a >= kActions) return false;
  return kTable[r][a];
}

}  // namespace koban::org
