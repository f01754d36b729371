// Passkeys (WebAuthn) for staff: the /admin/webauthn page, the second factor after the password
// and the passwordless login. The ceremonies themselves are in auth/webauthn; here is the HTTP
// side: CSRF, who may do what, audit rows and Japanese messages.
//
// The browser part is static/js/webauthn.js: it asks a ".../begin" URL for the options (JSON),
// calls navigator.credentials.create/get, puts the answer (base64url) into hidden fields and
// submits the form, so that every result is an ordinary page with a server-rendered message.
#include <nlohmann/json.hpp>

#include "app/page_helpers.h"
#include "app/staff_auth.h"
#include "app/staff_webauthn.h"
#include "audit/audit_log.h"
#include "auth/random_bytes.h"
#include "core/text.h"
#include "http/cookie.h"
#include "http/forms/urlencoded.h"
#include "org/people.h"

namespace koban::app {
namespace webauthn = auth::webauthn;
namespace {

// Registration answers carry an attestation object (a few hundred bytes for "none"; the
// ceremony code allows 64 KiB, i.e. 88 KiB as base64url).
const http::forms::FormLimits kWebauthnFormLimits{.max_fields = 16, .max_name_bytes = 32,
                                                  .max_value_bytes = 96 * 1024, .max_total_bytes = 128 * 1024};
constexpr std::size_t kSmallBody = 16 * 1024;
constexpr std::size_t kRegisterBody = 128 * 1024;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

http::Response json_reply(int status, const nlohmann::json& body) {
  auto res = http::Response::json(status, body.dump());
  res.set("cache-control", "no-store");
  return res;
}

http::Response json_error(int status, const std::string& message) {
  return json_reply(status, {{"error", message}});
}

// {"publicKey": <options>} for navigator.credentials.create/get.
http::Response options_reply(const std::string& options_json) {
  auto options = nlohmann::json::parse(options_json, nullptr, false);
  if (options.is_discarded()) return json_error(500, "認証器の設定を作れませんでした。");
  return json_reply(200, {{"publicKey", options}});
}

struct Assertion {
  std::string credential_id, client_data, authenticator_data, signature, user_handle;
};

// The base64url fields that webauthn.js fills from an AuthenticatorAssertionResponse.
Result<Assertion> assertion_from(const http::forms::FormFields& form) {
  auto field = [&](const char* name, bool required) -> Result<std::string> {
    const std::string text = form.get(name).value_or("");
    if (text.empty() && !required) return std::string();
    auto raw = auth::base64url_decode(text);
    if (text.empty() || !raw) return Error::invalid("認証器の応答の形式が正しくありません。");
    return std::move(*raw);
  };
  Assertion a;
  KOBAN_ASSIGN(a.credential_id, field("credential_id", true));
  KOBAN_ASSIGN(a.client_data, field("client_data", true));
  KOBAN_ASSIGN(a.authenticator_data, field("authenticator_data", true));
  KOBAN_ASSIGN(a.signature, field("signature", true));
  KOBAN_ASSIGN(a.user_handle, field("user_handle", false));
  return a;
}

std::string short_id(std::string_view credential_id_b64) {
  return std::string(credential_id_b64.substr(0, 16));
}

}  // namespace

webauthn::RelyingParty relying_party_from_config(const Config& config) {
  webauthn::RelyingParty rp;
  rp.name = config.text("site.force_name");
  if (rp.name.empty()) rp.name = "koban";
  std::string url = config.text("server.base_url");
  std::string scheme = "http";
  std::string authority;
  if (url.empty()) {
    authority = config.text("server.listen");
  } else {
    const auto sep = url.find("://");
    if (sep != std::string::npos) {
      scheme = lower(url.substr(0, sep));
      url = url.substr(sep + 3);
    }
    authority = url.substr(0, url.find_first_of("/?#"));
  }
  authority = lower(authority);
  // host and port; [v6]:port has its colon after the bracket.
  std::string host = authority, port;
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host == "127.0.0.1" || host == "::1" || host == "0.0.0.0" || host == "::" || host.empty()) host = "localhost";
  // Browsers leave the default port out of an origin.
  if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) port.clear();
  rp.id = host;
  rp.origin = scheme + "://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
              (port.empty() ? "" : ":" + port);
  return rp;
}

void StaffAuth::add_webauthn_routes(http::Router& router) {
  router.get("/admin/webauthn", guard([this](http::Request& req, StaffContext& who) {
    auto query = http::forms::parse_urlencoded(req.query, kWebauthnFormLimits);
    const std::string done = query ? query->get("done").value_or("") : "";
    std::string message;
    if (done == "registered") message = "パスキーを登録しました。次回のログインから使えます。";
    if (done == "reregistered") message = "パスキーを登録し直しました。これまでのパスキーは使えなくなりました。";
    if (done == "removed") message = "パスキーを削除しました。";
    return webauthn_page(who, 200, "", message);
  }, std::nullopt));
  router.post("/admin/webauthn/register/begin", guard([this](http::Request& req, StaffContext& who) {
    return webauthn_register_begin(req, who);
  }, std::nullopt), {.max_body = kSmallBody});
  router.post("/admin/webauthn/register", guard([this](http::Request& req, StaffContext& who) {
    return webauthn_register_finish(req, who);
  }, std::nullopt), {.max_body = kRegisterBody});
  router.post("/admin/webauthn/remove", guard([this](http::Request& req, StaffContext& who) {
    return webauthn_remove(req, who);
  }, std::nullopt), {.max_body = kSmallBody});
  // The second factor after the password (the session waits for it, so no guard here).
  router.post("/admin/login/webauthn/begin", [this](http::Request& req) { return webauthn_second_factor_begin(req); },
              {.max_body = kSmallBody});
  router.post("/admin/login/webauthn", [this](http::Request& req) { return webauthn_second_factor_finish(req); },
              {.max_body = kSmallBody});
  // Passwordless, from the login form (its double-submit token instead of a session).
  router.post("/admin/login/passkey/begin", [this](http::Request& req) { return passkey_login_begin(req); },
              {.max_body = kSmallBody});
  router.post("/admin/login/passkey", [this](http::Request& req) { return passkey_login_finish(req); },
              {.max_body = kSmallBody});
}

http::Response StaffAuth::webauthn_page(StaffContext& who, int status, const std::string& error,
                                        const std::string& message) {
  auto passkeys = webauthn::list_credentials(db_, who.actor.person);
  if (!passkeys) return http::response_for(passkeys.error());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : *passkeys) {
    list.push_back({{"id", auth::base64url_encode(c.id)},
                    {"nickname", c.nickname},
                    {"created", pages::jst_text(c.created_at)},
                    {"last_used", c.last_used_at ? nlohmann::json(pages::jst_text(*c.last_used_at)) : nlohmann::json()}});
  }
  nlohmann::json data = {{"title", "パスキー（生体認証）"},
                         {"passkeys", list},
                         {"has_passkeys", !list.empty()},
                         {"count", list.size()},
                         {"max", rp_.max_credentials_per_person},
                         {"error", error.empty() ? nlohmann::json() : nlohmann::json(error)},
                         {"message", message.empty() ? nlohmann::json() : nlohmann::json(message)}};
  auto res = page(who, "admin/webauthn", data);
  if (res.status == 200) res.status = status;
  return res;
}

namespace {

// One audit row about a passkey (its own write: the ceremony code commits on its own).
Result<void> audit_passkey(store::Database& db, const org::Actor& actor, const std::string& action,
                           const std::string& object_id, const std::string& summary, const http::Request& req,
                           bool refused, Instant now) {
  audit::Event e;
  e.actor_id = actor.person;
  e.actor_name = actor.display_name + "（" + actor.login_name + "）";
  e.unit_id = actor.unit;
  e.action = action;
  e.object_type = "webauthn_credential";
  e.object_id = object_id;
  e.summary = summary;
  e.address = req.remote_addr;
  e.outcome = refused ? audit::Outcome::refused : audit::Outcome::ok;
  return db.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(audit::append(s, e, now));
    return ok();
  });
}

}  // namespace

http::Response StaffAuth::webauthn_register_begin(http::Request& req, StaffContext& who) {
  auto form = http::forms::parse_urlencoded(req.body, kWebauthnFormLimits);
  if (!form) return json_error(400, "送信内容の形式が正しくありません。");
  const bool replace = form->get("replace").value_or("") == "1";
  (void)webauthn::purge_expired_challenges(db_, clock_.now());
  auto options = webauthn::begin_registration(db_, rp_, who.actor.person, who.actor.login_name,
                                              who.actor.display_name, clock_.now());
  if (!options) return json_error(http::status_for(options.error()), options.error().message);
  auto json = nlohmann::json::parse(options->json, nullptr, false);
  if (json.is_discarded()) return json_error(500, "認証器の設定を作れませんでした。");
  // Re-registration on the same device must be allowed: the new key replaces the old ones.
  if (replace) json["excludeCredentials"] = nlohmann::json::array();
  return json_reply(200, {{"publicKey", json}});
}

http::Response StaffAuth::webauthn_register_finish(http::Request& req, StaffContext& who) {
  auto form = http::forms::parse_urlencoded(req.body, kWebauthnFormLimits);
  if (!form) return webauthn_page(who, 400, "送信内容の形式が正しくありません。", "");
  const bool replace = form->get("replace").value_or("") == "1";
  std::string nickname(text::trim(form->get("nickname").value_or("")));
  auto client_data = auth::base64url_decode(form->get("client_data").value_or(""));
  auto attestation = auth::base64url_decode(form->get("attestation").value_or(""));
  auto refuse = [&](int status, const std::string& message) {
    (void)audit_passkey(db_, who.actor, "auth.webauthn.refused", "", "パスキーの登録を拒否: " + message, req, true,
                        clock_.now());
    return webauthn_page(who, status, message, "");
  };
  if (!client_data || !attestation || client_data->empty() || attestation->empty())
    return refuse(400, "認証器の応答の形式が正しくありません。");
  auto credential = webauthn::finish_registration(db_, rp_, who.actor.person, *client_data, *attestation,
                                                  clock_.now(), {.nickname = nickname, .replace_existing = replace});
  if (!credential) {
    if (credential.error().code == ErrorCode::internal || credential.error().code == ErrorCode::unavailable)
      return http::response_for(credential.error());
    return refuse(http::status_for(credential.error()), credential.error().message);
  }
  const std::string id = auth::base64url_encode(credential->id);
  (void)audit_passkey(db_, who.actor, replace ? "auth.webauthn.reregister" : "auth.webauthn.register", short_id(id),
                      (replace ? "パスキーを登録し直し（以前のものは削除）: " : "パスキーを登録: ") + credential->nickname,
                      req, false, clock_.now());
  return http::Response::redirect(replace ? "/admin/webauthn?done=reregistered" : "/admin/webauthn?done=registered", 303);
}

http::Response StaffAuth::webauthn_remove(http::Request& req, StaffContext& who) {
  auto form = http::forms::parse_urlencoded(req.body, kWebauthnFormLimits);
  if (!form) return webauthn_page(who, 400, "送信内容の形式が正しくありません。", "");
  const std::string id_text = form->get("id").value_or("");
  auto raw = auth::base64url_decode(id_text);
  auto passkeys = webauthn::list_credentials(db_, who.actor.person);
  if (!passkeys) return http::response_for(passkeys.error());
  const webauthn::Credential* found = nullptr;
  for (const auto& c : *passkeys)
    if (raw && c.id == *raw) found = &c;
  if (!found) {
    // Someone else's passkey or a made-up id: the same answer, and nothing changes.
    (void)audit_passkey(db_, who.actor, "auth.webauthn.refused", short_id(id_text),
                        "パスキーの削除を拒否: 見つかりません", req, true, clock_.now());
    return webauthn_page(who, 404, "指定されたパスキーは見つかりません。", "");
  }
  if (form->get("confirm").value_or("") != "yes") {
    return page(who, "admin/webauthn_confirm", {{"title", "パスキーの削除の確認"},
                                                 {"id", id_text},
                                                 {"nickname", found->nickname},
                                                 {"created", pages::jst_text(found->created_at)},
                                                 {"last_one", passkeys->size() == 1}});
  }
  const std::string nickname = found->nickname;
  auto removed = webauthn::remove_credential(db_, who.actor.person, *raw);
  if (!removed) {
    if (removed.error().code != ErrorCode::not_found) return http::response_for(removed.error());
    return webauthn_page(who, 404, "指定されたパスキーは見つかりません。", "");
  }
  (void)audit_passkey(db_, who.actor, "auth.webauthn.remove", short_id(id_text), "パスキーを削除: " + nickname, req,
                      false, clock_.now());
  return http::Response::redirect("/admin/webauthn?done=removed", 303);
}

http::Response StaffAuth::webauthn_second_factor_begin(http::Request& req) {
  auto who = current(req);
  if (!who) return http::response_for(who.error());
  if (!*who) return json_error(401, "ログインし直してください。");
  auto form = http::forms::parse_urlencoded(req.body, kWebauthnFormLimits);
  if (!form || !auth::check_csrf((*who)->session, form->get("csrf").value_or(""))) {
    audit((*who)->actor, "auth.csrf.refused", "POST " + req.path, req, true);
    return json_error(403, "ページの有効期限が切れました。ページを読み込み直してください。");
  }
  if (!(*who)->mfa_pending) return json_error(409, "すでにログインしています。");
  (void)webauthn::purge_expired_challenges(db_, clock_.now());
  auto options = webauthn::begin_authentication(db_, rp_, (*who)->actor.person, clock_.now());
  if (!options) return json_error(http::status_for(options.error()), options.error().message);
  return options_reply(options->json);
}

http::Response StaffAuth::webauthn_second_factor_finish(http::Request& req) {
  auto who = current(req);
  if (!who) return http::response_for(who.error());
  if (!*who) return http::Response::redirect("/admin/login", 303);
  StaffContext& ctx = **who;
  auto form = http::forms::parse_urlencoded(req.body, kWebauthnFormLimits);
  if (!form || !auth::check_csrf(ctx.session, form->get("csrf").value_or(""))) {
    audit(ctx.actor, "auth.csrf.refused", "POST " + req.path, req, true);
    return http::Response::html(403, "");
  }
  if (!ctx.mfa_pending) return http::Response::redirect("/admin/", 303);
  auto refuse = [&](const std::string& message) {
    audit(ctx.actor, "auth.webauthn.refused", "パスキーでの確認に失敗: " + message, req, true);
    auto res = totp_page(ctx, true, false, message, "");
    if (res.status == 200) res.status = 401;
    return res;
  };
  auto assertion = assertion_from(*form);
  if (!assertion) return refuse(assertion.error().message);
  auto person = webauthn::finish_authentication(db_, rp_, assertion->credential_id, assertion->client_data,
                                                assertion->authenticator_data, assertion->signature,
                                                assertion->user_handle, clock_.now());
  if (!person) {
    if (person.error().code == ErrorCode::internal || person.error().code == ErrorCode::unavailable)
      return http::response_for(person.error());
    return refuse(person.error().message);
  }
  if (*person != ctx.actor.person) return refuse("この認証器はこの利用者のものではありません。");
  auto token = sessions_.complete_mfa(db_, ctx.token, clock_.now());
  if (!token) return http::response_for(token.error());
  audit(ctx.actor, "auth.login", "ログイン（パスキー確認済み）", req, false);
  auto res = http::Response::redirect("/admin/", 303);
  res.headers.emplace_back("set-cookie", http::set_cookie(kSessionCookie, *token, {.secure = secure_cookies()}));
  return res;
}

http::Response StaffAuth::passkey_login_begin(http::Request& req) {
  auto form = http::forms::parse_urlencoded(req.body, kWebauthnFormLimits);
  const std::string cookie = req.cookie(kLoginCookie);
  if (!form || cookie.empty() || !auth::constant_time_equal(cookie, form->get("csrf").value_or("")))
    return json_error(403, "ページの有効期限が切れました。ページを読み込み直してください。");
  // Anyone may ask for a challenge: expired ones go first so that the table stays small.
  (void)webauthn::purge_expired_challenges(db_, clock_.now());
  auto options = webauthn::begin_authentication(db_, rp_, std::nullopt, clock_.now());
  if (!options) return json_error(http::status_for(options.error()), options.error().message);
  return options_reply(options->json);
}

http::Response StaffAuth::passkey_login_finish(http::Request& req) {
  auto form = http::forms::parse_urlencoded(req.body, kWebauthnFormLimits);
  if (!form) return login_form(req, 400, "送信内容の形式が正しくありません。", "", "/admin/");
  const std::string next = safe_next(form->get("next").value_or("/admin/"));
  const std::string cookie = req.cookie(kLoginCookie);
  if (cookie.empty() || !auth::constant_time_equal(cookie, form->get("csrf").value_or(""))) {
    audit(std::nullopt, "auth.login.refused", "ログインフォームの確認用トークンが一致しません（パスキー）", req, true);
    return login_form(req, 403, "ページの有効期限が切れました。もう一度ログインしてください。", "", next);
  }
  auto refuse = [&](const std::optional<org::Actor>& actor, const std::string& message) {
    audit(actor, "auth.login.refused", "パスキーでのログイン失敗: " + message, req, true);
    return login_form(req, 401, message, "", next);
  };
  auto assertion = assertion_from(*form);
  if (!assertion) return refuse(std::nullopt, assertion.error().message);
  auto person = webauthn::finish_authentication(db_, rp_, assertion->credential_id, assertion->client_data,
                                                assertion->authenticator_data, assertion->signature,
                                                assertion->user_handle, clock_.now());
  if (!person) {
    if (person.error().code == ErrorCode::internal || person.error().code == ErrorCode::unavailable)
      return http::response_for(person.error());
    return refuse(std::nullopt, person.error().message);
  }
  std::optional<org::Actor> actor;
  auto loaded = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(actor, org::load_actor(s, *person));
    return ok();
  });
  if (!loaded) {
    if (loaded.error().code != ErrorCode::not_found) return http::response_for(loaded.error());
    return refuse(std::nullopt, "このパスキーではログインできません。");
  }
  // Suspended and retired people cannot log in, whatever key they hold.
  if (actor->status != org::PersonStatus::active && actor->status != org::PersonStatus::restricted)
    return refuse(actor, "このパスキーではログインできません。");
  // A passkey with user verification is two factors in one (the device and the PIN or body).
  auto token = sessions_.create(db_, *person, req.remote_addr, req.header("user-agent"), true, clock_.now());
  if (!token) return http::response_for(token.error());
  audit(actor, "auth.login", "ログイン（パスキー）", req, false);
  auto res = http::Response::redirect(next, 303);
  res.headers.emplace_back("set-cookie", http::set_cookie(kSessionCookie, *token, {.secure = secure_cookies()}));
  res.headers.emplace_back("set-cookie",
                           http::clear_cookie(kLoginCookie, {.secure = secure_cookies(), .path = "/admin/login"}));
  return res;
}

}  // namespace koban::app
