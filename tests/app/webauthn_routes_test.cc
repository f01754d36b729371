// Passkey pages and login steps over real HTTP with the demo force, answered by a software
// authenticator (OpenSSL P-256 key, CBOR attestation, signatures) instead of a browser:
// the page, CSRF, registration, re-registration, removal with confirmation, the second factor
// after the password, passwordless login, and refusals (bad input, wrong challenge, unknown
// or foreign credential), each with its audit row and no change.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "app/staff_webauthn.h"
#include "auth/random_bytes.h"
#include "auth/webauthn/cbor.h"
#include "auth/webauthn/webauthn.h"
#include "staff_app_fixture.h"

namespace koban::app {
namespace {

using testing::Reply;
using testing::cookie_value;
using testing::csrf_field;
using testing::exchange;
using auth::base64url_encode;
using auth::webauthn::cbor::Item;
namespace cbor = auth::webauthn::cbor;

constexpr std::uint8_t kUp = 0x01, kUv = 0x04, kAt = 0x40;

std::string enc(const std::string& v) { return http::forms::form_urlencode(v); }

std::string sha256(std::string_view s) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

// One P-256 credential with a counter, as a platform authenticator would hold it.
class SoftAuthenticator {
 public:
  SoftAuthenticator() : key_(EVP_EC_gen("P-256")), id_(auth::random_bytes(16)) {}
  ~SoftAuthenticator() { EVP_PKEY_free(key_); }
  SoftAuthenticator(const SoftAuthenticator&) = delete;
  const std::string& id() const { return id_; }

  std::string auth_data(std::string_view rp_id, bool attested) {
    std::string ad = sha256(rp_id);
    ad.push_back(static_cast<char>(kUp | kUv | (attested ? kAt : 0)));
    const std::uint32_t n = attested ? 0 : ++counter_;
    for (int k = 3; k >= 0; --k) ad.push_back(static_cast<char>((n >> (8 * k)) & 0xFF));
    if (attested) {
      unsigned char pub[65];
      std::size_t len = 0;
      EVP_PKEY_get_octet_string_param(key_, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &len);
      std::string p(reinterpret_cast<char*>(pub), len);
      ad += std::string(16, '\0');
      ad.push_back(static_cast<char>(id_.size() >> 8));
      ad.push_back(static_cast<char>(id_.size() & 0xFF));
      ad += id_ + cbor::encode(Item::of_map({{Item::of_int(1), Item::of_int(2)},
                                             {Item::of_int(3), Item::of_int(-7)},
                                             {Item::of_int(-1), Item::of_int(1)},
                                             {Item::of_int(-2), Item::of_bytes(p.substr(1, 32))},
                                             {Item::of_int(-3), Item::of_bytes(p.substr(33, 32))}}));
    }
    return ad;
  }

  std::string sign(std::string_view data) const {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key_);
    std::size_t len = 0;
    EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    std::string sig(len, '\0');
    EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    EVP_MD_CTX_free(md);
    sig.resize(len);
    return sig;
  }

 private:
  EVP_PKEY* key_;
  std::string id_;
  std::uint32_t counter_ = 0;
};

class WebauthnRoutesTest : public testing::StaffAppTest {
 protected:
  void add_routes(http::Router&) override {}  // the passkey routes come with StaffAuth

  std::string client_data(const char* type, const std::string& challenge_b64) {
    return nlohmann::json{{"type", type}, {"challenge", challenge_b64},
                          {"origin", staff().relying_party().origin}, {"crossOrigin", false}}
        .dump();
  }

  // POST with the session cookie, an extra cookie header part and a urlencoded body.
  Reply post_with(const std::string& cookies, const std::string& path, const std::string& body) {
    return exchange(port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " + cookies +
                                "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body);
  }

  nlohmann::json json_of(const Reply& r) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    return j;
  }

  // The whole registration through the pages; returns the finish reply.
  Reply register_passkey(const std::string& session, SoftAuthenticator& a, const std::string& nickname,
                         bool replace = false, std::string* user_handle = nullptr) {
    auto begin = post(session, "/admin/webauthn/register/begin",
                      "csrf=" + csrf(session) + (replace ? "&replace=1" : ""));
    EXPECT_EQ(begin.status, 200) << begin.body;
    auto options = json_of(begin)["publicKey"];
    if (user_handle) *user_handle = options["user"]["id"].get<std::string>();
    const std::string cd = client_data("webauthn.create", options["challenge"].get<std::string>());
    const std::string att = cbor::encode(Item::of_map({{Item::of_text("fmt"), Item::of_text("none")},
                                                      {Item::of_text("attStmt"), Item::of_map({})},
                                                      {Item::of_text("authData"),
                                                       Item::of_bytes(a.auth_data(staff().relying_party().id, true))}}));
    return post(session, "/admin/webauthn/register",
                "csrf=" + csrf(session) + "&nickname=" + enc(nickname) + (replace ? "&replace=1" : "") +
                    "&client_data=" + base64url_encode(cd) + "&attestation=" + base64url_encode(att));
  }

  // The answer fields of navigator.credentials.get for a challenge (base64url).
  std::string assertion_fields(SoftAuthenticator& a, const std::string& challenge_b64,
                               const std::string& user_handle = "") {
    const std::string cd = client_data("webauthn.get", challenge_b64);
    const std::string ad = a.auth_data(staff().relying_party().id, false);
    const std::string sig = a.sign(ad + sha256(cd));
    return "&credential_id=" + base64url_encode(a.id()) + "&client_data=" + base64url_encode(cd) +
           "&authenticator_data=" + base64url_encode(ad) + "&signature=" + base64url_encode(sig) +
           "&user_handle=" + user_handle;
  }

  // The login form's double-submit pair: (cookie header part, csrf field).
  std::pair<std::string, std::string> login_form_token() {
    auto form = get("", "/admin/login");
    return {std::string(kLoginCookie) + "=" + cookie_value(form, kLoginCookie), csrf_field(form.body)};
  }

  std::int64_t passkeys_of(const std::string& login) {
    auto list = auth::webauthn::list_credentials(db(), person(login).id);
    EXPECT_TRUE(list);
    return list ? static_cast<std::int64_t>(list->size()) : -1;
  }

  std::int64_t count_rows(const std::string& prefix, const std::string& outcome) {
    std::int64_t n = 0;
    for (const auto& [action, out, summary] : audit_rows(prefix))
      if (out == outcome) ++n;
    return n;
  }
};

TEST(RelyingPartyFromConfig, LoopbackBecomesLocalhostAndBaseUrlWins) {
  Config c;
  c.set("server.listen", "127.0.0.1:8080");
  auto rp = relying_party_from_config(c);
  EXPECT_EQ(rp.id, "localhost");
  EXPECT_EQ(rp.origin, "http://localhost:8080");
  EXPECT_EQ(rp.name, c.text("site.force_name"));
  c.set("server.base_url", "https://Police.Example.jp:443/koban/");
  rp = relying_party_from_config(c);
  EXPECT_EQ(rp.id, "police.example.jp");
  EXPECT_EQ(rp.origin, "https://police.example.jp");
  c.set("server.base_url", "http://intra.example.lg.jp:8443");
  rp = relying_party_from_config(c);
  EXPECT_EQ(rp.id, "intra.example.lg.jp");
  EXPECT_EQ(rp.origin, "http://intra.example.lg.jp:8443");
}

TEST_F(WebauthnRoutesTest, PageListsNothingAtFirstAndNeedsALogin) {
  EXPECT_EQ(get("", "/admin/webauthn").status, 303);
  auto s = login("chuo.tanto");
  auto page = get(s, "/admin/webauthn");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("パスキーはまだ登録されていません"), std::string::npos);
  EXPECT_NE(page.body.find("このブラウザではパスキーを使えません"), std::string::npos);
  EXPECT_NE(page.body.find("/static/js/webauthn.js"), std::string::npos);
  EXPECT_EQ(page.body.find("<script>"), std::string::npos);  // no inline script (CSP)
  EXPECT_EQ(page.cache_control, "no-store");
}

TEST_F(WebauthnRoutesTest, BeginNeedsTheCsrfTokenAndGivesOptionsForThisSite) {
  auto s = login("chuo.tanto");
  EXPECT_EQ(post(s, "/admin/webauthn/register/begin", "csrf=forged").status, 403);
  EXPECT_EQ(count_rows("auth.csrf.refused", "refused"), 1);
  auto begin = post(s, "/admin/webauthn/register/begin", "csrf=" + csrf(s));
  ASSERT_EQ(begin.status, 200);
  auto o = json_of(begin)["publicKey"];
  EXPECT_EQ(o["rp"]["id"], staff().relying_party().id);
  EXPECT_EQ(o["user"]["name"], "chuo.tanto");
  EXPECT_EQ(auth::base64url_decode(o["challenge"].get<std::string>())->size(), 32u);
}

TEST_F(WebauthnRoutesTest, RegistersAPasskeyAndListsIt) {
  auto s = login("chuo.tanto");
  SoftAuthenticator a;
  auto r = register_passkey(s, a, "署の事務用パソコン");
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.location, "/admin/webauthn?done=registered");
  auto page = get(s, r.location);
  EXPECT_NE(page.body.find("署の事務用パソコン"), std::string::npos);
  EXPECT_NE(page.body.find("パスキーを登録しました"), std::string::npos);
  EXPECT_NE(page.body.find("未使用"), std::string::npos);
  EXPECT_EQ(passkeys_of("chuo.tanto"), 1);
  EXPECT_EQ(count_rows("auth.webauthn.register", "ok"), 1);
}

TEST_F(WebauthnRoutesTest, RefusesBadInputAndAWrongChallengeWithoutChange) {
  auto s = login("chuo.tanto");
  auto bad = post(s, "/admin/webauthn/register", "csrf=" + csrf(s) + "&client_data=!!!&attestation=");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("認証器の応答の形式が正しくありません"), std::string::npos);
  // A well-formed answer to a challenge the server never gave.
  SoftAuthenticator a;
  const std::string cd = client_data("webauthn.create", base64url_encode(auth::random_bytes(32)));
  const std::string att = cbor::encode(Item::of_map({{Item::of_text("fmt"), Item::of_text("none")},
                                                    {Item::of_text("attStmt"), Item::of_map({})},
                                                    {Item::of_text("authData"),
                                                     Item::of_bytes(a.auth_data(staff().relying_party().id, true))}}));
  auto wrong = post(s, "/admin/webauthn/register", "csrf=" + csrf(s) + "&client_data=" + base64url_encode(cd) +
                                                       "&attestation=" + base64url_encode(att));
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_NE(wrong.body.find("role=\"alert\""), std::string::npos);
  // Not even JSON in clientDataJSON.
  auto junk = post(s, "/admin/webauthn/register", "csrf=" + csrf(s) + "&client_data=" + base64url_encode("{not json") +
                                                      "&attestation=" + base64url_encode(att));
  EXPECT_GE(junk.status, 400);
  EXPECT_LT(junk.status, 500);
  EXPECT_EQ(passkeys_of("chuo.tanto"), 0);
  EXPECT_EQ(count_rows("auth.webauthn.refused", "refused"), 3);
  EXPECT_EQ(count_rows("auth.webauthn.register", "ok"), 0);
}

TEST_F(WebauthnRoutesTest, PasskeyIsTheSecondFactorAfterThePassword) {
  SoftAuthenticator a;
  {
    auto s = login("chuo.tanto");
    ASSERT_EQ(register_passkey(s, a, "端末").status, 303);
  }
  auto s = login("chuo.tanto");
  EXPECT_EQ(get(s, "/admin/").location, "/admin/login/totp");  // waits for the second factor
  auto step = get(s, "/admin/login/totp");
  ASSERT_EQ(step.status, 200);
  EXPECT_NE(step.body.find("パスキーで確認する"), std::string::npos);
  EXPECT_EQ(step.body.find("設定キー"), std::string::npos);  // no TOTP set-up forced
  const std::string token = enc(csrf_field(step.body));

  // An unknown authenticator: refused, audited, still waiting.
  SoftAuthenticator stranger;
  auto begin = post(s, "/admin/login/webauthn/begin", "csrf=" + token);
  ASSERT_EQ(begin.status, 200) << begin.body;
  auto o = json_of(begin)["publicKey"];
  ASSERT_EQ(o["allowCredentials"].size(), 1u);
  EXPECT_EQ(o["allowCredentials"][0]["id"], base64url_encode(a.id()));
  auto refused = post(s, "/admin/login/webauthn",
                      "csrf=" + token + assertion_fields(stranger, o["challenge"].get<std::string>()));
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.body.find("登録されていない認証器です"), std::string::npos);
  EXPECT_EQ(count_rows("auth.webauthn.refused", "refused"), 1);
  EXPECT_EQ(get(s, "/admin/").status, 303);

  // The used challenge is gone: the right key on the old challenge is refused too.
  auto replay = post(s, "/admin/login/webauthn", "csrf=" + token + assertion_fields(a, o["challenge"].get<std::string>()));
  EXPECT_EQ(replay.status, 401);

  begin = post(s, "/admin/login/webauthn/begin", "csrf=" + token);
  o = json_of(begin)["publicKey"];
  auto done = post(s, "/admin/login/webauthn", "csrf=" + token + assertion_fields(a, o["challenge"].get<std::string>()));
  ASSERT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(done.location, "/admin/");
  const std::string session = cookie_value(done, kSessionCookie);
  ASSERT_FALSE(session.empty());
  EXPECT_EQ(get(session, "/admin/").status, 200);
  bool logged = false;
  for (const auto& [action, outcome, summary] : audit_rows("auth.login"))
    if (action == "auth.login" && summary.find("パスキー確認済み") != std::string::npos) logged = true;
  EXPECT_TRUE(logged);
}

TEST_F(WebauthnRoutesTest, PasswordlessLoginWithADiscoverablePasskey) {
  SoftAuthenticator a;
  std::string handle;
  {
    auto s = login("kita.tanto");
    ASSERT_EQ(register_passkey(s, a, "端末", false, &handle).status, 303);
  }
  auto [cookie, token] = login_form_token();
  // The login form's token is needed for both steps.
  EXPECT_EQ(post_with(cookie, "/admin/login/passkey/begin", "csrf=forged").status, 403);
  auto begin = post_with(cookie, "/admin/login/passkey/begin", "csrf=" + enc(token));
  ASSERT_EQ(begin.status, 200) << begin.body;
  auto o = json_of(begin)["publicKey"];
  EXPECT_FALSE(o.contains("allowCredentials") && !o["allowCredentials"].empty());
  const std::string fields = assertion_fields(a, o["challenge"].get<std::string>(), handle);
  EXPECT_EQ(post_with("", "/admin/login/passkey", "csrf=" + enc(token) + fields).status, 403);  // no cookie
  // That refusal consumed nothing: a new challenge, the answer, a session.
  begin = post_with(cookie, "/admin/login/passkey/begin", "csrf=" + enc(token));
  o = json_of(begin)["publicKey"];
  auto done = post_with(cookie, "/admin/login/passkey",
                        "csrf=" + enc(token) + "&next=%2Fadmin%2Fwebauthn" +
                            assertion_fields(a, o["challenge"].get<std::string>(), handle));
  ASSERT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(done.location, "/admin/webauthn");
  const std::string session = cookie_value(done, kSessionCookie);
  auto dash = get(session, "/admin/");
  EXPECT_EQ(dash.status, 200);
  EXPECT_NE(dash.body.find(person("kita.tanto").display_name), std::string::npos);
  // The passkey now shows when it was last used.
  EXPECT_EQ(get(session, "/admin/webauthn").body.find("未使用"), std::string::npos);
}

TEST_F(WebauthnRoutesTest, PasswordlessRefusalsGiveNoSession) {
  SoftAuthenticator a, stranger;
  {
    auto s = login("kita.tanto");
    ASSERT_EQ(register_passkey(s, a, "端末").status, 303);
  }
  auto [cookie, token] = login_form_token();
  auto o = json_of(post_with(cookie, "/admin/login/passkey/begin", "csrf=" + enc(token)))["publicKey"];
  auto r = post_with(cookie, "/admin/login/passkey", "csrf=" + enc(token) + assertion_fields(stranger, o["challenge"]));
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(cookie_value(r, kSessionCookie).empty());
  EXPECT_NE(r.body.find("登録されていない認証器です"), std::string::npos);
  // A wrong user handle for a known key.
  o = json_of(post_with(cookie, "/admin/login/passkey/begin", "csrf=" + enc(token)))["publicKey"];
  r = post_with(cookie, "/admin/login/passkey",
                "csrf=" + enc(token) + assertion_fields(a, o["challenge"], base64url_encode(auth::random_bytes(32))));
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(cookie_value(r, kSessionCookie).empty());
  // Missing fields.
  r = post_with(cookie, "/admin/login/passkey", "csrf=" + enc(token) + "&credential_id=&signature=");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("形式が正しくありません"), std::string::npos);
  std::int64_t refused = 0;
  for (const auto& [action, outcome, summary] : audit_rows("auth.login.refused"))
    if (summary.find("パスキー") != std::string::npos) ++refused;
  EXPECT_EQ(refused, 3);
}

TEST_F(WebauthnRoutesTest, ReRegistrationReplacesTheOldPasskeys) {
  SoftAuthenticator old_key, new_key;
  std::string handle;
  auto s = login("chuo.tanto");
  ASSERT_EQ(register_passkey(s, old_key, "古い端末", false, &handle).status, 303);
  // The re-register button appears once there is something to replace.
  EXPECT_NE(get(s, "/admin/webauthn").body.find("登録し直す"), std::string::npos);
  auto begin = post(s, "/admin/webauthn/register/begin", "csrf=" + csrf(s) + "&replace=1");
  EXPECT_TRUE(json_of(begin)["publicKey"]["excludeCredentials"].empty());  // the same device may re-register
  auto r = register_passkey(s, new_key, "新しい端末", true);
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.location, "/admin/webauthn?done=reregistered");
  auto page = get(s, "/admin/webauthn");
  EXPECT_NE(page.body.find("新しい端末"), std::string::npos);
  EXPECT_EQ(page.body.find("古い端末"), std::string::npos);
  EXPECT_EQ(passkeys_of("chuo.tanto"), 1);
  EXPECT_EQ(count_rows("auth.webauthn.reregister", "ok"), 1);
  auto [cookie, token] = login_form_token();
  auto o = json_of(post_with(cookie, "/admin/login/passkey/begin", "csrf=" + enc(token)))["publicKey"];
  auto refused = post_with(cookie, "/admin/login/passkey",
                           "csrf=" + enc(token) + assertion_fields(old_key, o["challenge"], handle));
  EXPECT_EQ(refused.status, 401);
}

TEST_F(WebauthnRoutesTest, RemovalAsksFirstAndTouchesOnlyOwnPasskeys) {
  SoftAuthenticator mine, theirs;
  auto s = login("chuo.tanto");
  ASSERT_EQ(register_passkey(s, mine, "自分の端末").status, 303);
  auto other = login("kita.tanto");
  ASSERT_EQ(register_passkey(other, theirs, "他人の端末").status, 303);

  const std::string id = base64url_encode(mine.id());
  auto ask = post(s, "/admin/webauthn/remove", "csrf=" + csrf(s) + "&id=" + id);
  EXPECT_EQ(ask.status, 200);
  EXPECT_NE(ask.body.find("自分の端末"), std::string::npos);
  EXPECT_NE(ask.body.find("name=\"confirm\" value=\"yes\""), std::string::npos);
  EXPECT_EQ(passkeys_of("chuo.tanto"), 1);  // asking removes nothing
  // Someone else's passkey, and no CSRF token: refused, nothing removed.
  auto foreign = post(s, "/admin/webauthn/remove", "csrf=" + csrf(s) + "&confirm=yes&id=" + base64url_encode(theirs.id()));
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(post(s, "/admin/webauthn/remove", "confirm=yes&id=" + id).status, 403);
  EXPECT_EQ(passkeys_of("kita.tanto"), 1);
  EXPECT_EQ(passkeys_of("chuo.tanto"), 1);
  EXPECT_EQ(count_rows("auth.webauthn.refused", "refused"), 1);

  auto removed = post(s, "/admin/webauthn/remove", "csrf=" + csrf(s) + "&confirm=yes&id=" + id);
  EXPECT_EQ(removed.status, 303);
  EXPECT_EQ(removed.location, "/admin/webauthn?done=removed");
  EXPECT_EQ(passkeys_of("chuo.tanto"), 0);
  EXPECT_EQ(count_rows("auth.webauthn.remove", "ok"), 1);
  // Without a passkey the password alone logs in again.
  auto again = login("chuo.tanto");
  EXPECT_EQ(get(again, "/admin/").status, 200);
}

}  // namespace
}  // namespace koban::app
