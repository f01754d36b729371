// Staff pages for the password ledger (パスワード等管理簿, ORG-7; issue 3, item 8).
//
//   add_ledger_routes(router, db, staff, ledger);   // ledger: a ledger::Ledger built with
//                                                    // SecretBox::from_secret(data_key, "ledger")
//
// Pages (staff login; the ledger service decides who may see what, on the server):
//   GET  /admin/ledger                         service names the viewer manages (all for admins)
//   GET  /admin/ledger/new, POST /admin/ledger/new   a new entry (administrators)
//   GET  /admin/ledger/:id                     details and managers, never the secret
//   POST /admin/ledger/:id/reveal              the secret and notes once, on a no-store page
//   POST /admin/ledger/:id/secret              a new secret (secret, secret_confirm; the rules)
//   POST /admin/ledger/:id/managers            designate a manager (login_name; administrators)
//   POST /admin/ledger/:id/managers/:person/remove
// Every reveal and change is audited with the change; every refusal is audited (outcome
// refused) and answered with a Japanese message and no change.
#pragma once

#include <memory>

#include "app/staff_auth.h"
#include "http/router.h"
#include "ledger/ledger.h"
#include "store/database.h"

namespace koban::app {

void add_ledger_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                       std::shared_ptr<const ledger::Ledger> ledger);

}  // namespace koban::app
