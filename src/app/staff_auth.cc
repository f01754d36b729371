#include "app/staff_auth.h"

#include "app/auth_settings.h"
#include "app/dashboard_items.h"

#include "app/staff_webauthn.h"

#include "audit/audit_log.h"
#include "auth/random_bytes.h"
#include "auth/totp.h"
#include "core/text.h"
#include "http/cookie.h"
#include "http/forms/urlencoded.h"
#include "org/people.h"
#include "org/units.h"
#include "web/site_context.h"
#include "workflow/queues.h"

namespace koban::app {
namespace {

// Form bodies of the staff pages are small.
const http::forms::FormLimits kFormLimits{.max_fields = 64, .max_name_bytes = 64, .max_value_bytes = 64 * 1024,
                                          .max_total_bytes = 256 * 1024};

http::Response redirect_to_login(const http::Request& req) {
  return http::Response::redirect("/admin/login?next=" + http::percent_encode(req.target), 303);
}

}  // namespace

std::string safe_next(std::string_view next) {
  if (next.starts_with("/admin") && !next.starts_with("//") && next.find('\\') == std::string_view::npos &&
      next.find("\r") == std::string_view::npos && next.find("\n") == std::string_view::npos &&
      next.size() < 1024)
    return std::string(next);
  return "/admin/";
}

StaffAuth::StaffAuth(store::Database& db, const Clock& clock, const Config& config,
                     std::shared_ptr<web::Templates> templates, auth::SecretBox totp_box)
    : db_(db), clock_(clock), config_(config), templates_(std::move(templates)),
      credentials_(credentials_config(config)), sessions_(session_config(config)), totp_(std::move(totp_box)), rp_(relying_party_from_config(config)) {
  secure_ = config.text("server.base_url").starts_with("https://");
  std::string_view roles = config.text("security.totp_required_roles");
  while (!roles.empty()) {
    const auto comma = roles.find(',');
    const auto name = text::trim(roles.substr(0, comma));
    if (auto role = org::parse_role(name)) totp_roles_.insert(*role);
    roles = comma == std::string_view::npos ? std::string_view{} : roles.substr(comma + 1);
  }
  passkeys_enabled_ = db_.read([](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.query("SELECT 1 FROM webauthn_credentials WHERE 1 = 0"));
    return ok();
  }).ok();
}

StaffAuth::StaffAuth(store::Database& db, const Clock& clock, const Config& config,
                     std::shared_ptr<web::Templates> templates)
    : StaffAuth(db, clock, config, std::move(templates),
                std::move(auth::SecretBox::from_key(auth::random_bytes(32)).value())) {}

bool StaffAuth::totp_required(const org::Actor& actor) const {
  for (const auto& g : actor.grants)
    if (totp_roles_.count(g.role)) return true;
  return false;
}

Result<bool> StaffAuth::second_factor_needed(std::int64_t person, const std::optional<org::Actor>& actor) {
  if (actor && totp_required(*actor)) return true;
  KOBAN_ASSIGN(bool enrolled, totp_.enrolled(db_, person));
  if (enrolled || !passkeys_enabled_) return enrolled;
  KOBAN_ASSIGN(auto passkeys, auth::webauthn::list_credentials(db_, person));
  return !passkeys.empty();
}

void StaffAuth::audit(const std::optional<org::Actor>& actor, const std::string& action,
                      const std::string& summary, const http::Request& req, bool refused) {
  audit::Event e;
  if (actor) {
    e.actor_id = actor->person;
    e.actor_name = actor->display_name + "（" + actor->login_name + "）";
    e.unit_id = actor->unit;
  }
  e.action = action;
  e.object_type = "session";
  e.summary = summary;
  e.address = req.remote_addr;
  e.outcome = refused ? audit::Outcome::refused : audit::Outcome::ok;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(audit::append(s, e, clock_.now()));
    return ok();
  });
  if (!r) std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"audit append failed\",\"error\":\"%s\"}\n",
                       http::json_escape(r.error().message).c_str());
}

Result<std::optional<StaffContext>> StaffAuth::current(const http::Request& req) {
  const std::string token = req.cookie(kSessionCookie);
  if (token.empty() || !auth::well_formed_token(token)) return std::optional<StaffContext>{};
  auto session = sessions_.resolve(db_, token, clock_.now());
  if (!session) {
    if (session.error().code == ErrorCode::unauthenticated) return std::optional<StaffContext>{};
    return session.error();
  }
  StaffContext who;
  who.session = std::move(*session);
  who.token = token;
  KOBAN_TRY(db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(who.actor, org::load_actor(s, who.session.person_id));
    auto unit = org::get_unit(s, who.actor.unit);
    if (unit) who.unit_name = unit->name;
    return ok();
  }));
  // A suspended or retired person's sessions end at once.
  if (who.actor.status != org::PersonStatus::active && who.actor.status != org::PersonStatus::restricted) {
    (void)sessions_.destroy_all(db_, who.actor.person);
    return std::optional<StaffContext>{};
  }
  who.csrf = auth::csrf_token(who.session);
  who.mfa_pending = !who.session.mfa_done;
  return std::optional<StaffContext>{std::move(who)};
}

http::Handler StaffAuth::guard(StaffHandler handler, std::optional<Permission> required) {
  return [this, handler = std::move(handler), required](http::Request& req) -> http::Response {
    auto who = current(req);
    if (!who) return http::response_for(who.error());
    if (!*who) {
      if (req.method == "GET" || req.method == "HEAD") return redirect_to_login(req);
      http::Response r;
      r.status = 401;
      return r;
    }
    StaffContext& ctx = **who;
    if (ctx.mfa_pending) return http::Response::redirect("/admin/login/totp", 303);
    if (req.method == "POST") {
      auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
      const std::string token = form ? form->get("csrf").value_or("") : "";
      if (!auth::check_csrf(ctx.session, token)) {
        audit(ctx.actor, "auth.csrf.refused", req.method + " " + req.path, req, true);
        return http::Response::html(403, "");
      }
    }
    if (!required) return handler(req, ctx);
    const Permission permission = *required;
    if (auto allowed = org::require(ctx.actor, permission.purpose, permission.action, std::nullopt); !allowed) {
      auto scoped = org::units_where_allowed(ctx.actor, permission.purpose, permission.action);
      if (!scoped || scoped->empty()) {
        audit(ctx.actor, "auth.permission.refused", req.method + " " + req.path, req, true);
        return http::response_for(allowed.error());
      }
      // Allowed for some units: the handler narrows to them.
    }
    return handler(req, ctx);
  };
}

http::Response StaffAuth::page(const StaffContext& who, std::string_view name, nlohmann::json data) const {
  nlohmann::json ctx = web::site_context(config_);
  for (auto& [k, v] : data.items()) ctx[k] = v;
  ctx["user"] = {{"name", who.actor.display_name}, {"unit", who.unit_name}};
  ctx["csrf"] = who.csrf;
  auto html = templates_->page("layout/staff", name, ctx);
  if (!html) return http::Response::html(500, "");
  auto res = http::Response::html(200, std::move(*html));
  res.set("cache-control", "no-store");
  return res;
}

http::Response StaffAuth::login_form(const http::Request& req, int status, const std::string& error,
                                     const std::string& login_name, const std::string& next) {
  const std::string token = auth::base64url_encode(auth::random_bytes(32));
  nlohmann::json data = web::site_context(config_);
  data["title"] = "ログイン";
  data["csrf"] = token;
  data["login_name"] = login_name;
  data["next"] = next;
  if (!error.empty()) data["error"] = error;
  auto html = templates_->page("layout/staff", "admin/login", data);
  if (!html) return http::Response::html(500, "");
  auto res = http::Response::html(status, std::move(*html));
  res.set("set-cookie", http::set_cookie(kLoginCookie, token, {.secure = secure_cookies(), .path = "/admin/login"}));
  res.set("cache-control", "no-store");
  return res;
}

http::Response StaffAuth::login_submit(http::Request& req) {
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return login_form(req, 400, form.error().message, "", "");
  const std::string login_name(text::trim(form->get("login_name").value_or("")));
  const std::string password = form->get("password").value_or("");
  const std::string next = safe_next(form->get("next").value_or("/admin/"));
  // The login form's own CSRF: the hidden field must match the cookie set with the form.
  const std::string cookie = req.cookie(kLoginCookie);
  if (cookie.empty() || !auth::constant_time_equal(cookie, form->get("csrf").value_or(""))) {
    audit(std::nullopt, "auth.login.refused", "ログインフォームの確認用トークンが一致しません", req, true);
    return login_form(req, 403, "ページの有効期限が切れました。もう一度ログインしてください。", login_name, next);
  }
  if (login_name.empty() || password.empty())
    return login_form(req, 422, "職員IDとパスワードを入力してください。", login_name, next);

  std::optional<org::Person> person;
  auto found = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(person, org::find_person_by_login(s, login_name));
    return ok();
  });
  if (!found) return http::response_for(found.error());
  // Suspended and retired people cannot log in; they get the same answer as a wrong password.
  std::optional<std::int64_t> id;
  if (person && (person->status == org::PersonStatus::active || person->status == org::PersonStatus::restricted))
    id = person->id;
  auto result = credentials_.login(db_, id, password, req.remote_addr, clock_.now(), login_name);
  if (!result) return http::response_for(result.error());
  std::optional<org::Actor> actor;
  if (id) {
    (void)db_.read([&](store::Session& s) -> Result<void> {
      auto a = org::load_actor(s, *id);
      if (a) actor = std::move(*a);
      return ok();
    });
  }
  switch (result->outcome) {
    case auth::LoginOutcome::ok: break;
    case auth::LoginOutcome::expired:
      audit(actor, "auth.login.refused", "パスワードの有効期限切れ: 変更画面へ", req, true);
      return password_form(req, nullptr, login_name, 200, {});
    default:
      audit(actor, "auth.login.refused", "職員ID「" + login_name.substr(0, 32) + "」でログイン失敗", req, true);
      return login_form(req, 401, result->message(), login_name, next);
  }
  auto second = second_factor_needed(*id, actor);
  if (!second) return http::response_for(second.error());
  const bool needs_code = *second;
  auto token = sessions_.create(db_, *id, req.remote_addr, req.header("user-agent"), !needs_code, clock_.now());
  if (!token) return http::response_for(token.error());
  audit(actor, needs_code ? "auth.login.password" : "auth.login", needs_code ? "パスワード確認（ワンタイムパスワード待ち）" : "ログイン",
        req, false);
  auto res = http::Response::redirect(needs_code ? "/admin/login/totp" : next, 303);
  res.headers.emplace_back("set-cookie", http::set_cookie(kSessionCookie, *token, {.secure = secure_cookies()}));
  res.headers.emplace_back("set-cookie", http::clear_cookie(kLoginCookie, {.secure = secure_cookies(), .path = "/admin/login"}));
  return res;
}

http::Response StaffAuth::logout(http::Request& req) {
  auto who = current(req);
  if (who && *who) {
    auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
    if (!form || !auth::check_csrf((*who)->session, form->get("csrf").value_or(""))) {
      audit((*who)->actor, "auth.csrf.refused", "POST /admin/logout", req, true);
      return http::Response::html(403, "");
    }
    (void)sessions_.destroy(db_, (*who)->token);
    audit((*who)->actor, "auth.logout", "ログアウト", req, false);
  }
  auto res = http::Response::redirect("/admin/login", 303);
  res.set("set-cookie", http::clear_cookie(kSessionCookie, {.secure = secure_cookies()}));
  return res;
}

void StaffAuth::add_routes(http::Router& router) {
  router.get("/admin/login", [this](http::Request& req) {
    auto query = http::forms::parse_urlencoded(req.query, kFormLimits);
    const std::string next = safe_next(query ? query->get("next").value_or("/admin/") : "/admin/");
    return login_form(req, 200, "", "", next);
  });
  router.post("/admin/login", [this](http::Request& req) { return login_submit(req); }, {.max_body = 16 * 1024});
  router.get("/admin/password", guard([this](http::Request& req, StaffContext& who) {
    return password_form(req, &who, who.actor.login_name, 200, {});
  }, std::nullopt));
  router.post("/admin/password", [this](http::Request& req) { return password_submit(req, false); },
              {.max_body = 16 * 1024});
  router.post("/admin/login/expired", [this](http::Request& req) { return password_submit(req, true); },
              {.max_body = 16 * 1024});
  router.get("/admin/login/totp", [this](http::Request& req) {
    auto who = current(req);
    if (!who) return http::response_for(who.error());
    if (!*who) return http::Response::redirect("/admin/login", 303);
    if (!(*who)->mfa_pending) return http::Response::redirect("/admin/", 303);
    auto enrolled = totp_.enrolled(db_, (*who)->actor.person);
    if (!enrolled) return http::response_for(enrolled.error());
    // A registered passkey is a second factor too: nothing to set up then.
    bool has_passkey = false;
    if (passkeys_enabled_) {
      auto passkeys = auth::webauthn::list_credentials(db_, (*who)->actor.person);
      if (!passkeys) return http::response_for(passkeys.error());
      has_passkey = !passkeys->empty();
    }
    const bool enroll = !*enrolled && !has_passkey;
    return totp_page(**who, true, enroll, "", enroll ? "この役割ではワンタイムパスワードが必要です。まず設定してください。" : "");
  });
  router.post("/admin/login/totp", [this](http::Request& req) { return totp_submit(req, true); }, {.max_body = 16 * 1024});
  router.get("/admin/totp", guard([this](http::Request&, StaffContext& who) {
    return totp_page(who, false, false, "", "");
  }, std::nullopt));
  router.post("/admin/totp", [this](http::Request& req) { return totp_submit(req, false); }, {.max_body = 16 * 1024});
  router.post("/admin/logout", [this](http::Request& req) { return logout(req); }, {.max_body = 16 * 1024});
  if (passkeys_enabled_) add_webauthn_routes(router);
  // Every logged-in person sees their dashboard; what is on it is checked item by item.
  router.get("/admin/", [this](http::Request& req) {
    auto who = current(req);
    if (!who) return http::response_for(who.error());
    if (!*who) return redirect_to_login(req);
    if ((*who)->mfa_pending) return http::Response::redirect("/admin/login/totp", 303);
    return dashboard(**who);
  });
}

http::Response StaffAuth::dashboard(StaffContext& who) {
  nlohmann::json roles = nlohmann::json::array();
  (void)db_.read([&](store::Session& s) -> Result<void> {
    for (const auto& g : who.actor.grants) {
      std::string unit = "全体";
      if (g.unit) {
        auto u = org::get_unit(s, *g.unit);
        if (u) unit = u->name;
      }
      roles.push_back({{"purpose", org::label(g.purpose)}, {"role", org::label(g.role)}, {"unit", unit}});
    }
    return ok();
  });
  // "Waiting for me": approvals, post-hoc reports, incidents, alerts (dashboard_items.h).
  nlohmann::json waiting = nlohmann::json::array();
  const DashboardSettings dash{.unresolved_alert_days = static_cast<int>(config_.integer("alerts.unresolved_days"))};
  (void)db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto items, waiting_items(s, who.actor, dash, clock_.now()));
    for (const auto& i : items) waiting.push_back({{"label", i.label}, {"count", i.count}, {"url", i.url}});
    return ok();
  });
  return page(who, "admin/dashboard", {{"title", "ダッシュボード"}, {"has_roles", !roles.empty()}, {"roles", roles},
                                       {"has_waiting", !waiting.empty()}, {"waiting", waiting}});
}

http::Response StaffAuth::totp_page(StaffContext& who, bool at_login, bool enroll, const std::string& error,
                                    const std::string& message) {
  nlohmann::json data = {{"title", "ワンタイムパスワード"}, {"action", at_login ? "/admin/login/totp" : "/admin/totp"},
                         {"error", error.empty() ? nlohmann::json() : nlohmann::json(error)},
                         {"message", message.empty() ? nlohmann::json() : nlohmann::json(message)}};
  auto enrolled = totp_.enrolled(db_, who.actor.person);
  if (!enrolled) return http::response_for(enrolled.error());
  if (enroll) {
    auto secret = totp_.enroll(db_, who.actor.person, clock_.now());
    if (!secret) return http::response_for(secret.error());
    audit(who.actor, "auth.totp.enroll", "ワンタイムパスワードの設定を開始", http::Request{}, false);
    data["enrolling"] = true;
    data["secret"] = auth::base32_encode(*secret);
    data["account"] = who.actor.login_name;
    data["uri"] = auth::otpauth_uri(config_.text("site.force_name"), who.actor.login_name, *secret);
    data["ask_code"] = true;
  } else {
    data["ask_code"] = at_login && *enrolled;
    data["offer_enroll"] = !at_login;
    data["enrolled"] = *enrolled;
  }
  // At login, a person with a passkey may use it instead of the code.
  if (at_login && !enroll && passkeys_enabled_) {
    auto passkeys = auth::webauthn::list_credentials(db_, who.actor.person);
    if (!passkeys) return http::response_for(passkeys.error());
    data["passkey"] = !passkeys->empty();
    if (!passkeys->empty()) data["title"] = "二要素認証";
  }
  auto res = page(who, "admin/totp", data);
  res.set("cache-control", "no-store");
  return res;
}

http::Response StaffAuth::totp_submit(http::Request& req, bool at_login) {
  auto who = current(req);
  if (!who) return http::response_for(who.error());
  if (!*who) return http::Response::redirect("/admin/login", 303);
  StaffContext& ctx = **who;
  if (!at_login && ctx.mfa_pending) return http::Response::redirect("/admin/login/totp", 303);
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form || !auth::check_csrf(ctx.session, form->get("csrf").value_or(""))) {
    audit(ctx.actor, "auth.csrf.refused", "POST " + req.path, req, true);
    return http::Response::html(403, "");
  }
  if (form->get("step").value_or("") == "enroll") return totp_page(ctx, at_login, true, "", "");
  const std::string code(text::trim(form->get("code").value_or("")));
  auto check = totp_.verify(db_, ctx.actor.person, code, clock_.now());
  if (!check) return http::response_for(check.error());
  if (*check != auth::TotpCheck::ok) {
    audit(ctx.actor, "auth.totp.refused", auth::totp_message(*check), req, true);
    auto res = totp_page(ctx, at_login, false, auth::totp_message(*check), "");
    res.status = *check == auth::TotpCheck::locked ? 429 : 401;
    return res;
  }
  if (!at_login) {
    audit(ctx.actor, "auth.totp.confirm", "ワンタイムパスワードを設定", req, false);
    return totp_page(ctx, false, false, "", "ワンタイムパスワードを設定しました。次回のログインから使います。");
  }
  auto token = sessions_.complete_mfa(db_, ctx.token, clock_.now());
  if (!token) return http::response_for(token.error());
  audit(ctx.actor, "auth.login", "ログイン（ワンタイムパスワード確認済み）", req, false);
  auto res = http::Response::redirect("/admin/", 303);
  res.headers.emplace_back("set-cookie", http::set_cookie(kSessionCookie, *token, {.secure = secure_cookies()}));
  return res;
}

nlohmann::json StaffAuth::policy_rules() const {
  const auto& p = credentials_.config().policy;
  nlohmann::json rules = nlohmann::json::array();
  rules.push_back(std::to_string(p.min_length) + "文字以上、" + std::to_string(p.max_length) + "文字以下");
  if (p.require_letter && p.require_digit) rules.push_back("英字と数字の両方を含める");
  if (p.require_mixed_case) rules.push_back("英大文字と英小文字の両方を含める");
  if (p.forbid_login_name) rules.push_back("職員IDを含めない");
  if (p.history_count > 0) rules.push_back("直近" + std::to_string(p.history_count) + "回に使ったパスワードは使えない");
  if (p.max_age_days > 0) rules.push_back(std::to_string(p.max_age_days) + "日ごとに変更が必要");
  return rules;
}

http::Response StaffAuth::password_form(const http::Request& req, const StaffContext* who,
                                        const std::string& login_name, int status,
                                        const std::vector<std::string>& errors) {
  nlohmann::json data = {{"title", "パスワードの変更"}, {"rules", policy_rules()},
                         {"error", !errors.empty()}, {"errors", errors}, {"login_name", login_name}};
  if (who) {
    data["action"] = "/admin/password";
    data["expired"] = false;
    auto res = page(*who, "admin/password", data);
    res.status = status;
    return res;
  }
  // Expired: no session yet; the form carries the login form's double-submit token.
  const std::string token = auth::base64url_encode(auth::random_bytes(32));
  nlohmann::json ctx = web::site_context(config_);
  for (auto& [k, v] : data.items()) ctx[k] = v;
  ctx["action"] = "/admin/login/expired";
  ctx["expired"] = true;
  ctx["csrf"] = token;
  auto html = templates_->page("layout/staff", "admin/password", ctx);
  if (!html) return http::Response::html(500, "");
  auto res = http::Response::html(status, std::move(*html));
  res.set("set-cookie", http::set_cookie(kLoginCookie, token, {.secure = secure_cookies(), .path = "/admin/login"}));
  res.set("cache-control", "no-store");
  return res;
}

http::Response StaffAuth::password_submit(http::Request& req, bool expired_flow) {
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return http::response_for(form.error());
  std::optional<StaffContext> who;
  std::string login_name;
  if (expired_flow) {
    const std::string cookie = req.cookie(kLoginCookie);
    if (cookie.empty() || !auth::constant_time_equal(cookie, form->get("csrf").value_or(""))) {
      audit(std::nullopt, "auth.password.refused", "確認用トークンが一致しません", req, true);
      return login_form(req, 403, "ページの有効期限が切れました。もう一度ログインしてください。", "", "/admin/");
    }
    login_name = std::string(text::trim(form->get("login_name").value_or("")));
  } else {
    auto current_who = current(req);
    if (!current_who) return http::response_for(current_who.error());
    if (!*current_who) return http::Response::redirect("/admin/login", 303);
    if ((*current_who)->mfa_pending) return http::Response::redirect("/admin/login/totp", 303);
    who = std::move(**current_who);
    if (!auth::check_csrf(who->session, form->get("csrf").value_or(""))) {
      audit(who->actor, "auth.csrf.refused", "POST /admin/password", req, true);
      return http::Response::html(403, "");
    }
    login_name = who->actor.login_name;
  }
  const std::string current_pw = form->get("current").value_or("");
  const std::string new1 = form->get("new1").value_or("");
  const std::string new2 = form->get("new2").value_or("");
  auto again = [&](int status, std::vector<std::string> errors) {
    return password_form(req, who ? &*who : nullptr, login_name, status, errors);
  };
  if (new1 != new2) return again(422, {"確認のために入力した新しいパスワードが一致しません。"});

  std::optional<org::Person> person;
  auto found = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(person, org::find_person_by_login(s, login_name));
    return ok();
  });
  if (!found) return http::response_for(found.error());
  std::optional<std::int64_t> id;
  if (person && (person->status == org::PersonStatus::active || person->status == org::PersonStatus::restricted))
    id = person->id;
  // The current password proves who is changing it (and counts towards the lockout).
  auto check = credentials_.login(db_, id, current_pw, req.remote_addr, clock_.now(), login_name);
  if (!check) return http::response_for(check.error());
  std::optional<org::Actor> actor = who ? std::optional<org::Actor>(who->actor) : std::nullopt;
  if (!actor && id) {
    (void)db_.read([&](store::Session& s) -> Result<void> {
      auto a = org::load_actor(s, *id);
      if (a) actor = std::move(*a);
      return ok();
    });
  }
  if (check->outcome != auth::LoginOutcome::ok && check->outcome != auth::LoginOutcome::expired) {
    audit(actor, "auth.password.refused", "現在のパスワードが違います", req, true);
    return again(401, {check->message()});
  }
  auto changed = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(credentials_.set_password(s, *id, login_name, new1, clock_.now()));
    audit::Event e;
    if (actor) {
      e.actor_id = actor->person;
      e.actor_name = actor->display_name + "（" + actor->login_name + "）";
      e.unit_id = actor->unit;
    }
    e.action = "auth.password.change";
    e.object_type = "person";
    e.object_id = std::to_string(*id);
    e.summary = "パスワードを変更";
    e.address = req.remote_addr;
    KOBAN_TRY(audit::append(s, e, clock_.now()));
    return ok();
  });
  if (!changed) {
    if (changed.error().code != ErrorCode::invalid_argument) return http::response_for(changed.error());
    std::vector<std::string> errors;
    std::string msg = changed.error().message;
    for (std::size_t pos = 0; pos <= msg.size();) {
      auto nl = msg.find('\n', pos);
      if (nl == std::string::npos) nl = msg.size();
      if (nl > pos) errors.push_back(msg.substr(pos, nl - pos));
      pos = nl + 1;
    }
    return again(422, errors);
  }
  // Other sessions end; the person goes on (or, when it had expired, starts) with a session.
  std::string token;
  bool needs_code = false;
  if (who) {
    (void)sessions_.destroy_others(db_, *id, who->token);
    token = who->token;
  } else {
    (void)sessions_.destroy_all(db_, *id);
    auto second = second_factor_needed(*id, actor);
    if (!second) return http::response_for(second.error());
    needs_code = *second;
    auto created = sessions_.create(db_, *id, req.remote_addr, req.header("user-agent"), !needs_code, clock_.now());
    if (!created) return http::response_for(created.error());
    token = *created;
  }
  auto res = http::Response::redirect(needs_code ? "/admin/login/totp" : "/admin/", 303);
  res.headers.emplace_back("set-cookie", http::set_cookie(kSessionCookie, token, {.secure = secure_cookies()}));
  return res;
}

}  // namespace koban::app
