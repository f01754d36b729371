// Staff login over HTTP: the session cookie, CSRF on every state change, the login and logout
// pages, the dashboard, and a guard that every /admin handler goes through.
//
//   StaffAuth staff(db, clock, config, templates);
//   staff.add_routes(router);                                   // /admin/login, /logout, /admin/
//   router.get("/admin/mail", staff.guard([](http::Request& req, StaffContext& who) { ... },
//              {.purpose = org::Purpose::administration, .action = org::Action::view}));
//
// A guarded handler runs only for a live session of an active person who has the permission;
// POSTs must carry the session's CSRF token in the form field "csrf". Refusals are audited.
//
// Passkeys (WebAuthn, staff_webauthn.cc): /admin/webauthn lists, registers, re-registers and
// removes a person's passkeys; a passkey is a second factor after the password (on the
// /admin/login/totp page, beside the one-time code) or a passwordless login from the login
// form. The relying party comes from server.base_url (see staff_webauthn.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "auth/credentials.h"
#include "auth/sessions.h"
#include "auth/totp_store.h"
#include "auth/webauthn/webauthn.h"
#include <set>
#include "core/config.h"
#include "core/time.h"
#include "http/router.h"
#include "org/permissions.h"
#include "org/roles.h"
#include "store/database.h"
#include "web/templates.h"

namespace koban::app {

inline constexpr const char* kSessionCookie = "koban_session";
inline constexpr const char* kLoginCookie = "koban_login";  // double-submit CSRF for the login form

struct StaffContext {
  auth::SessionInfo session;
  std::string token;
  org::Actor actor;
  std::string unit_name;
  std::string csrf;  // a fresh CSRF token for this page's forms
  bool mfa_pending = false;  // password given, one-time code still to come
};

struct Permission {
  org::Purpose purpose = org::Purpose::administration;
  org::Action action = org::Action::view;
};

using StaffHandler = std::function<http::Response(http::Request&, StaffContext&)>;

class StaffAuth {
 public:
  // totp_box seals TOTP secrets (from the data key, see secret_key.h).
  StaffAuth(store::Database& db, const Clock& clock, const Config& config,
            std::shared_ptr<web::Templates> templates, auth::SecretBox totp_box);
  // For tests: TOTP secrets sealed with a random key that lives as long as this object.
  StaffAuth(store::Database& db, const Clock& clock, const Config& config,
            std::shared_ptr<web::Templates> templates);

  void add_routes(http::Router& router);
  // Wraps a handler: login, CSRF (POST) and the permission are checked first; with no
  // permission given, any logged-in person may pass (their own settings, the dashboard).
  http::Handler guard(StaffHandler handler, std::optional<Permission> permission);
  // Renders a staff page in the staff layout with the user and CSRF token filled in.
  http::Response page(const StaffContext& who, std::string_view name, nlohmann::json data) const;

  auth::Credentials& credentials() { return credentials_; }
  // The WebAuthn relying party (id and origin) the passkey pages use.
  const auth::webauthn::RelyingParty& relying_party() const { return rp_; }

 private:
  Result<std::optional<StaffContext>> current(const http::Request& req);
  http::Response login_form(const http::Request& req, int status, const std::string& error,
                            const std::string& login_name, const std::string& next);
  http::Response login_submit(http::Request& req);
  http::Response logout(http::Request& req);
  http::Response dashboard(StaffContext& who);
  // Password change: for a logged-in person, and for one whose password has expired (from the
  // login form, without a session: the current password proves who it is).
  http::Response password_form(const http::Request& req, const StaffContext* who, const std::string& login_name,
                               int status, const std::vector<std::string>& errors);
  http::Response password_submit(http::Request& req, bool expired_flow);
  nlohmann::json policy_rules() const;
  // The second factor: at login (/admin/login/totp) and set up by the person (/admin/totp).
  bool totp_required(const org::Actor& actor) const;
  http::Response totp_page(StaffContext& who, bool at_login, bool enroll, const std::string& error,
                           const std::string& message);
  http::Response totp_submit(http::Request& req, bool at_login);
  // Password given: is a second factor due (TOTP set up, a passkey registered, or the role needs one)?
  Result<bool> second_factor_needed(std::int64_t person, const std::optional<org::Actor>& actor);
  // Passkeys (staff_webauthn.cc).
  void add_webauthn_routes(http::Router& router);
  http::Response webauthn_page(StaffContext& who, int status, const std::string& error, const std::string& message);
  http::Response webauthn_register_begin(http::Request& req, StaffContext& who);
  http::Response webauthn_register_finish(http::Request& req, StaffContext& who);
  http::Response webauthn_remove(http::Request& req, StaffContext& who);
  http::Response webauthn_second_factor_begin(http::Request& req);
  http::Response webauthn_second_factor_finish(http::Request& req);
  http::Response passkey_login_begin(http::Request& req);
  http::Response passkey_login_finish(http::Request& req);
  void audit(const std::optional<org::Actor>& actor, const std::string& action, const std::string& summary,
             const http::Request& req, bool refused);
  bool secure_cookies() const { return secure_; }

  store::Database& db_;
  const Clock& clock_;
  const Config& config_;
  std::shared_ptr<web::Templates> templates_;
  auth::Credentials credentials_;
  auth::SessionStore sessions_;
  auth::TotpStore totp_;
  std::set<org::Role> totp_roles_;  // security.totp_required_roles
  auth::webauthn::RelyingParty rp_;
  // False only when the database has no WebAuthn tables (tests that migrate a few modules):
  // then nobody can have a passkey and the passkey pages are not offered.
  bool passkeys_enabled_ = true;
  bool secure_ = false;
};

// Only same-site paths under /admin are followed after login (no open redirects).
std::string safe_next(std::string_view next);

}  // namespace koban::app
