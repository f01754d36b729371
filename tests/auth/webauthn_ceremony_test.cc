// WebAuthn registration and login on both backends, against a software authenticator built
// here with OpenSSL (P-256 key, authenticatorData, COSE key, attestationObject, signatures).
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/evp.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "../store/test_db.h"
#include "auth/random_bytes.h"
#include "auth/webauthn/cbor.h"
#include "auth/webauthn/migrations.h"
#include "auth/webauthn/webauthn.h"
#include "store/migrations.h"

namespace koban::auth::webauthn {
namespace {

using namespace std::chrono_literals;
using cbor::Item;

const Instant kT0 = from_jst({{2026, 11, 24}, 9, 0, 0});
constexpr std::uint8_t kUp = 0x01, kUv = 0x04, kAt = 0x40;

std::string sha256(std::string_view s) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

// A software authenticator: one P-256 credential and a counter.
class FakeAuthenticator {
 public:
  FakeAuthenticator() : key_(EVP_EC_gen("P-256")), id_(random_bytes(16)) {}
  ~FakeAuthenticator() { EVP_PKEY_free(key_); }
  FakeAuthenticator(const FakeAuthenticator&) = delete;

  const std::string& id() const { return id_; }

  std::string cose_key() const {
    unsigned char pub[65];
    std::size_t len = 0;
    EVP_PKEY_get_octet_string_param(key_, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &len);
    std::string p(reinterpret_cast<char*>(pub), len);  // 04 | x | y
    return cbor::encode(Item::of_map({{Item::of_int(1), Item::of_int(2)},
                                      {Item::of_int(3), Item::of_int(-7)},
                                      {Item::of_int(-1), Item::of_int(1)},
                                      {Item::of_int(-2), Item::of_bytes(p.substr(1, 32))},
                                      {Item::of_int(-3), Item::of_bytes(p.substr(33, 32))}}));
  }

  std::string auth_data(std::string_view rp_id, std::uint8_t flags, std::uint32_t counter,
                        bool attested) const {
    std::string ad = sha256(rp_id);
    ad.push_back(static_cast<char>(flags | (attested ? kAt : 0)));
    for (int k = 3; k >= 0; --k) ad.push_back(static_cast<char>((counter >> (8 * k)) & 0xFF));
    if (attested) {
      ad += std::string(16, '\0');  // aaguid
      ad.push_back(static_cast<char>(id_.size() >> 8));
      ad.push_back(static_cast<char>(id_.size() & 0xFF));
      ad += id_ + cose_key();
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
};

std::string client_data(std::string_view type, std::string_view challenge, std::string_view origin) {
  return nlohmann::json{{"type", type}, {"challenge", base64url_encode(challenge)},
                        {"origin", origin}, {"crossOrigin", false}}
      .dump();
}

std::string attestation(const std::string& auth_data, const std::string& fmt = "none",
                        Item att_stmt = Item::of_map({})) {
  return cbor::encode(Item::of_map({{Item::of_text("fmt"), Item::of_text(fmt)},
                                    {Item::of_text("attStmt"), std::move(att_stmt)},
                                    {Item::of_text("authData"), Item::of_bytes(auth_data)}}));
}

class WebauthnTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_OK(reg.add("store", store::store_migrations()));
    ASSERT_OK(reg.add("webauthn", webauthn_migrations()));
    ASSERT_OK(store::migrate(*db_, reg, kT0));
    rp_.id = "police.example.jp";
    rp_.name = "サンプル県警察";
    rp_.origin = "https://police.example.jp";
  }

  // A registration response for the challenge of begin_registration.
  struct Response {
    std::string client_data, attestation;
  };
  Response registration_response(const FakeAuthenticator& a, const Options& o,
                                 std::uint8_t flags = kUp | kUv, std::uint32_t counter = 0,
                                 std::string origin = "", std::string rp_id = "") {
    return {client_data("webauthn.create", o.challenge, origin.empty() ? rp_.origin : origin),
            attestation(a.auth_data(rp_id.empty() ? rp_.id : rp_id, flags, counter, true))};
  }

  Result<Credential> enrol(const FakeAuthenticator& a, std::int64_t person, RegistrationChoices c = {}) {
    KOBAN_ASSIGN(Options o, begin_registration(*db_, rp_, person, "yamada", "山田 太郎", kT0));
    Response r = registration_response(a, o);
    return finish_registration(*db_, rp_, person, r.client_data, r.attestation, kT0, c);
  }

  struct Assertion {
    std::string client_data, auth_data, signature;
  };
  Assertion assertion(const FakeAuthenticator& a, const Options& o, std::uint32_t counter,
                      std::uint8_t flags = kUp | kUv, std::string origin = "",
                      std::string rp_id = "") {
    Assertion out;
    out.client_data = client_data("webauthn.get", o.challenge, origin.empty() ? rp_.origin : origin);
    out.auth_data = a.auth_data(rp_id.empty() ? rp_.id : rp_id, flags, counter, false);
    out.signature = a.sign(out.auth_data + sha256(out.client_data));
    return out;
  }

  Result<std::int64_t> login(const FakeAuthenticator& a, std::optional<std::int64_t> person,
                             std::uint32_t counter, Instant at = kT0) {
    KOBAN_ASSIGN(Options o, begin_authentication(*db_, rp_, person, at));
    Assertion s = assertion(a, o, counter);
    return finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "", at);
  }

  std::int64_t count(const std::string& sql) {
    std::int64_t n = -1;
    auto r = db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query(sql));
      n = rows.at(0).int64(0);
      return ok();
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return n;
  }

  void expect_refused(const Result<std::int64_t>& r, const char* words) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::unauthenticated) << r.error().message;
    EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().message;
  }

  RelyingParty rp_;
};

TEST_P(WebauthnTest, RegistrationOptionsHaveTheShapeBrowsersExpect) {
  FakeAuthenticator a;
  ASSERT_OK(enrol(a, 7));
  auto o = begin_registration(*db_, rp_, 7, "yamada", "山田 太郎", kT0);
  ASSERT_OK(o);
  auto j = nlohmann::json::parse(o->json);
  EXPECT_EQ(j["challenge"], base64url_encode(o->challenge));
  EXPECT_EQ(o->challenge.size(), 32u);
  EXPECT_EQ(j["rp"]["id"], "police.example.jp");
  EXPECT_EQ(j["rp"]["name"], "サンプル県警察");
  EXPECT_EQ(j["user"]["name"], "yamada");
  EXPECT_EQ(j["user"]["displayName"], "山田 太郎");
  auto handle = base64url_decode(j["user"]["id"].get<std::string>());
  ASSERT_TRUE(handle);
  EXPECT_EQ(handle->size(), 32u);
  EXPECT_EQ(j["pubKeyCredParams"][0]["alg"], -7);
  EXPECT_EQ(j["pubKeyCredParams"][0]["type"], "public-key");
  EXPECT_EQ(j["authenticatorSelection"]["userVerification"], "required");
  EXPECT_EQ(j["attestation"], "none");
  ASSERT_EQ(j["excludeCredentials"].size(), 1u);  // the one already registered
  EXPECT_EQ(j["excludeCredentials"][0]["id"], base64url_encode(a.id()));
  // The same person keeps the same user handle.
  auto again = nlohmann::json::parse(begin_registration(*db_, rp_, 7, "yamada", "", kT0)->json);
  EXPECT_EQ(again["user"]["id"], j["user"]["id"]);
  EXPECT_EQ(again["user"]["displayName"], "yamada");
  EXPECT_NE(again["challenge"], j["challenge"]);
}

TEST_P(WebauthnTest, RegistrationThenLoginSucceed) {
  FakeAuthenticator a;
  auto c = enrol(a, 7, {.nickname = "事務所のパソコン"});
  ASSERT_OK(c);
  EXPECT_EQ(c->id, a.id());
  EXPECT_EQ(c->alg, -7);
  EXPECT_TRUE(c->user_verified);
  auto list = list_credentials(*db_, 7);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, a.id());
  EXPECT_EQ((*list)[0].nickname, "事務所のパソコン");
  EXPECT_EQ((*list)[0].created_at, kT0);
  EXPECT_FALSE((*list)[0].last_used_at);

  auto o = begin_authentication(*db_, rp_, 7, kT0 + 1min);
  ASSERT_OK(o);
  auto j = nlohmann::json::parse(o->json);
  EXPECT_EQ(j["rpId"], "police.example.jp");
  EXPECT_EQ(j["challenge"], base64url_encode(o->challenge));
  ASSERT_EQ(j["allowCredentials"].size(), 1u);
  EXPECT_EQ(j["allowCredentials"][0]["id"], base64url_encode(a.id()));
  Assertion s = assertion(a, *o, 1);
  auto who = finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "",
                                   kT0 + 2min);
  ASSERT_OK(who);
  EXPECT_EQ(*who, 7);
  list = list_credentials(*db_, 7);
  EXPECT_EQ((*list)[0].sign_count, 1);
  EXPECT_EQ((*list)[0].last_used_at, kT0 + 2min);
}

TEST_P(WebauthnTest, PasswordlessLoginChecksTheUserHandle) {
  FakeAuthenticator a;
  auto reg = begin_registration(*db_, rp_, 7, "yamada", "", kT0);
  ASSERT_OK(reg);
  std::string handle = *base64url_decode(nlohmann::json::parse(reg->json)["user"]["id"].get<std::string>());
  Response r = registration_response(a, *reg);
  ASSERT_OK(finish_registration(*db_, rp_, 7, r.client_data, r.attestation, kT0));

  auto o = begin_authentication(*db_, rp_, std::nullopt, kT0);
  ASSERT_OK(o);
  EXPECT_FALSE(nlohmann::json::parse(o->json).contains("allowCredentials"));
  Assertion s = assertion(a, *o, 1);
  auto who = finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, handle, kT0);
  ASSERT_OK(who);
  EXPECT_EQ(*who, 7);

  o = begin_authentication(*db_, rp_, std::nullopt, kT0);
  s = assertion(a, *o, 2);
  expect_refused(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature,
                                       random_bytes(32), kT0),
                 "利用者情報");
}

TEST_P(WebauthnTest, WrongOriginIsRefused) {
  FakeAuthenticator a;
  auto o = begin_registration(*db_, rp_, 7, "yamada", "", kT0);
  Response r = registration_response(a, *o, kUp | kUv, 0, "https://police.example.jp.evil.test");
  auto c = finish_registration(*db_, rp_, 7, r.client_data, r.attestation, kT0);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("このサイト以外"), std::string::npos);

  ASSERT_OK(enrol(a, 7));
  auto g = begin_authentication(*db_, rp_, 7, kT0);
  Assertion s = assertion(a, *g, 1, kUp | kUv, "http://police.example.jp");
  expect_refused(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "", kT0),
                 "このサイト以外");
}

TEST_P(WebauthnTest, WrongRpIdIsRefused) {
  FakeAuthenticator a;
  auto o = begin_registration(*db_, rp_, 7, "yamada", "", kT0);
  Response r = registration_response(a, *o, kUp | kUv, 0, "", "example.jp");
  auto c = finish_registration(*db_, rp_, 7, r.client_data, r.attestation, kT0);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("RP ID"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM webauthn_credentials"), 0);

  ASSERT_OK(enrol(a, 7));
  auto g = begin_authentication(*db_, rp_, 7, kT0);
  Assertion s = assertion(a, *g, 1, kUp | kUv, "", "evil.example");
  expect_refused(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "", kT0),
                 "RP ID");
}

TEST_P(WebauthnTest, ChallengesAreSingleUseAndExpire) {
  FakeAuthenticator a;
  ASSERT_OK(enrol(a, 7));
  auto g = begin_authentication(*db_, rp_, 7, kT0);
  Assertion s = assertion(a, *g, 1);
  ASSERT_OK(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "", kT0));
  expect_refused(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "", kT0),
                 "すでに使われています");

  // A failed attempt spends the challenge too.
  g = begin_authentication(*db_, rp_, 7, kT0);
  s = assertion(a, *g, 2);
  std::string bad_sig = s.signature;
  bad_sig[bad_sig.size() / 2] ^= 1;
  EXPECT_FALSE(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, bad_sig, "", kT0).ok());
  expect_refused(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "", kT0),
                 "すでに使われています");

  g = begin_authentication(*db_, rp_, 7, kT0);
  s = assertion(a, *g, 3);
  expect_refused(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "",
                                       kT0 + 5min),
                 "有効期限");

  // Registration challenges cannot be used to log in, and vice versa.
  auto reg = begin_registration(*db_, rp_, 7, "yamada", "", kT0);
  s = assertion(a, *reg, 4);
  expect_refused(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "", kT0),
                 "一致しません");

  begin_authentication(*db_, rp_, 7, kT0 - 10min).value();
  auto purged = purge_expired_challenges(*db_, kT0);
  ASSERT_OK(purged);
  EXPECT_GE(*purged, 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM webauthn_challenges"), 0);
}

TEST_P(WebauthnTest, BadSignatureIsRefused) {
  FakeAuthenticator a, other;
  ASSERT_OK(enrol(a, 7));
  auto g = begin_authentication(*db_, rp_, 7, kT0);
  Assertion s = assertion(a, *g, 1);
  std::string forged = other.sign(s.auth_data + sha256(s.client_data));
  expect_refused(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, forged, "", kT0),
                 "署名");
  // Signature over other bytes (authData changed after signing).
  g = begin_authentication(*db_, rp_, 7, kT0);
  s = assertion(a, *g, 2);
  s.auth_data[36] = 9;
  expect_refused(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "", kT0),
                 "署名");
  EXPECT_EQ(list_credentials(*db_, 7)->at(0).sign_count, 0);
}

TEST_P(WebauthnTest, NonGrowingSignCountMeansACloneAndIsRefused) {
  FakeAuthenticator a;
  ASSERT_OK(enrol(a, 7));
  ASSERT_OK(login(a, 7, 5));
  expect_refused(login(a, 7, 5), "複製");
  expect_refused(login(a, 7, 3), "複製");
  EXPECT_EQ(list_credentials(*db_, 7)->at(0).sign_count, 5);
  ASSERT_OK(login(a, 7, 6));

  // Authenticators without a counter always send 0: accepted while it stays 0.
  FakeAuthenticator b;
  ASSERT_OK(enrol(b, 8));
  ASSERT_OK(login(b, 8, 0));
  ASSERT_OK(login(b, 8, 0));
  ASSERT_OK(login(b, 8, 1));
  expect_refused(login(b, 8, 0), "複製");
}

TEST_P(WebauthnTest, UserVerificationIsRequiredWhenConfigured) {
  FakeAuthenticator a;
  auto o = begin_registration(*db_, rp_, 7, "yamada", "", kT0);
  Response r = registration_response(a, *o, kUp);
  auto c = finish_registration(*db_, rp_, 7, r.client_data, r.attestation, kT0);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("本人確認"), std::string::npos);

  ASSERT_OK(enrol(a, 7));
  auto g = begin_authentication(*db_, rp_, 7, kT0);
  Assertion s = assertion(a, *g, 1, kUp);
  expect_refused(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "", kT0),
                 "本人確認");
  g = begin_authentication(*db_, rp_, 7, kT0);
  s = assertion(a, *g, 2, kUv);  // verified but not present
  expect_refused(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "", kT0),
                 "タッチ");

  rp_.require_user_verification = false;
  g = begin_authentication(*db_, rp_, 7, kT0);
  EXPECT_EQ(nlohmann::json::parse(g->json)["userVerification"], "preferred");
  s = assertion(a, *g, 3, kUp);
  ASSERT_OK(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "", kT0));
}

TEST_P(WebauthnTest, MalformedResponsesAreRefused) {
  FakeAuthenticator a;
  auto o = begin_registration(*db_, rp_, 7, "yamada", "", kT0);
  Response r = registration_response(a, *o);
  for (std::string bad : {std::string("\xa1"), r.attestation.substr(0, r.attestation.size() - 3),
                          r.attestation + std::string(1, '\0'), std::string("\xbf\xff")}) {
    auto again = begin_registration(*db_, rp_, 7, "yamada", "", kT0);
    Response fresh = registration_response(a, *again);
    auto c = finish_registration(*db_, rp_, 7, fresh.client_data, bad, kT0);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, ErrorCode::invalid_argument) << c.error().message;
    EXPECT_NE(c.error().message.find("形式が正しくありません"), std::string::npos) << c.error().message;
  }
  auto c = finish_registration(*db_, rp_, 7, "{not json", r.attestation, kT0);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::invalid_argument);
  // Unknown attestation format.
  auto again = begin_registration(*db_, rp_, 7, "yamada", "", kT0);
  Response fresh = registration_response(a, *again);
  std::string ad = a.auth_data(rp_.id, kUp | kUv, 0, true);
  c = finish_registration(*db_, rp_, 7, fresh.client_data, attestation(ad, "tpm"), kT0);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("構成証明"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM webauthn_credentials"), 0);
}

TEST_P(WebauthnTest, UnknownCredentialAndAnotherPersonsChallengeAreRefused) {
  FakeAuthenticator a, stranger;
  ASSERT_OK(enrol(a, 7));
  auto g = begin_authentication(*db_, rp_, std::nullopt, kT0);
  Assertion s = assertion(stranger, *g, 1);
  expect_refused(finish_authentication(*db_, rp_, stranger.id(), s.client_data, s.auth_data, s.signature, "", kT0),
                 "登録されていない");
  // A login started for person 8 cannot be finished with person 7's authenticator.
  g = begin_authentication(*db_, rp_, 8, kT0);
  EXPECT_EQ(nlohmann::json::parse(g->json)["allowCredentials"].size(), 0u);
  s = assertion(a, *g, 1);
  expect_refused(finish_authentication(*db_, rp_, a.id(), s.client_data, s.auth_data, s.signature, "", kT0),
                 "この利用者のものではありません");
}

TEST_P(WebauthnTest, PackedSelfAttestationIsVerified) {
  FakeAuthenticator a;
  auto o = begin_registration(*db_, rp_, 7, "yamada", "", kT0);
  std::string cd = client_data("webauthn.create", o->challenge, rp_.origin);
  std::string ad = a.auth_data(rp_.id, kUp | kUv, 0, true);
  std::string sig = a.sign(ad + sha256(cd));
  auto stmt = [](std::string s) {
    return Item::of_map({{Item::of_text("alg"), Item::of_int(-7)}, {Item::of_text("sig"), Item::of_bytes(std::move(s))}});
  };
  ASSERT_OK(finish_registration(*db_, rp_, 7, cd, attestation(ad, "packed", stmt(sig)), kT0));

  FakeAuthenticator b;
  o = begin_registration(*db_, rp_, 7, "yamada", "", kT0);
  cd = client_data("webauthn.create", o->challenge, rp_.origin);
  ad = b.auth_data(rp_.id, kUp | kUv, 0, true);
  auto c = finish_registration(*db_, rp_, 7, cd, attestation(ad, "packed", stmt(a.sign(ad + sha256(cd)))), kT0);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("構成証明の署名"), std::string::npos);
  EXPECT_EQ(list_credentials(*db_, 7)->size(), 1u);
}

TEST_P(WebauthnTest, ReRegistrationAddsUnlessAskedToReplace) {
  FakeAuthenticator a, b, c;
  ASSERT_OK(enrol(a, 7));
  ASSERT_OK(enrol(b, 7));
  EXPECT_EQ(list_credentials(*db_, 7)->size(), 2u);
  // The same authenticator twice: refused, nothing replaced.
  auto dup = enrol(a, 7);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::conflict);
  auto dup_other = enrol(a, 9);  // even for someone else
  ASSERT_FALSE(dup_other.ok());
  EXPECT_EQ(list_credentials(*db_, 9)->size(), 0u);

  ASSERT_OK(enrol(c, 7, {.replace_existing = true}));
  auto list = list_credentials(*db_, 7);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).id, c.id());
  expect_refused(login(a, 7, 1), "登録されていない");
  ASSERT_OK(login(c, 7, 1));

  auto denied = remove_credential(*db_, 8, c.id());  // not theirs
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::not_found);
  ASSERT_OK(remove_credential(*db_, 7, c.id()));
  EXPECT_EQ(list_credentials(*db_, 7)->size(), 0u);

  rp_.max_credentials_per_person = 1;
  ASSERT_OK(enrol(a, 7));
  auto over = enrol(b, 7);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::conflict);
  EXPECT_EQ(*remove_all_credentials(*db_, 7), 1);
}

TEST_P(WebauthnTest, Rs256CredentialsRegisterAndLogIn) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  ASSERT_NE(key, nullptr);
  BIGNUM *n = nullptr, *e = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n), 1);
  ASSERT_EQ(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e), 1);
  std::string nb(BN_num_bytes(n), '\0'), eb(BN_num_bytes(e), '\0');
  BN_bn2bin(n, reinterpret_cast<unsigned char*>(nb.data()));
  BN_bn2bin(e, reinterpret_cast<unsigned char*>(eb.data()));
  BN_free(n);
  BN_free(e);
  std::string cose = cbor::encode(Item::of_map({{Item::of_int(1), Item::of_int(3)},
                                                {Item::of_int(3), Item::of_int(-257)},
                                                {Item::of_int(-1), Item::of_bytes(nb)},
                                                {Item::of_int(-2), Item::of_bytes(eb)}}));
  auto sign = [&](std::string_view data) {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key);
    std::size_t len = 0;
    EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    std::string sig(len, '\0');
    EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    EVP_MD_CTX_free(md);
    return sig;
  };
  std::string id = random_bytes(20);
  auto auth_data = [&](std::uint32_t counter, bool attested) {
    std::string ad = sha256(rp_.id);
    ad.push_back(static_cast<char>(kUp | kUv | (attested ? kAt : 0)));
    for (int k = 3; k >= 0; --k) ad.push_back(static_cast<char>((counter >> (8 * k)) & 0xFF));
    if (attested) ad += std::string(16, '\0') + std::string{'\0', static_cast<char>(id.size())} + id + cose;
    return ad;
  };
  auto o = begin_registration(*db_, rp_, 7, "yamada", "", kT0);
  auto c = finish_registration(*db_, rp_, 7, client_data("webauthn.create", o->challenge, rp_.origin),
                               attestation(auth_data(0, true)), kT0);
  ASSERT_OK(c);
  EXPECT_EQ(c->alg, -257);
  auto g = begin_authentication(*db_, rp_, 7, kT0);
  std::string cd = client_data("webauthn.get", g->challenge, rp_.origin);
  std::string ad = auth_data(1, false);
  auto who = finish_authentication(*db_, rp_, id, cd, ad, sign(ad + sha256(cd)), "", kT0);
  ASSERT_OK(who);
  EXPECT_EQ(*who, 7);
  g = begin_authentication(*db_, rp_, 7, kT0);
  cd = client_data("webauthn.get", g->challenge, rp_.origin);
  ad = auth_data(2, false);
  std::string sig = sign(ad + sha256(cd));
  sig[10] ^= 1;
  expect_refused(finish_authentication(*db_, rp_, id, cd, ad, sig, "", kT0), "署名");
  EVP_PKEY_free(key);
}

TEST_P(WebauthnTest, ChallengesAreKeptOnlyAsHashes) {
  auto o = begin_authentication(*db_, rp_, std::nullopt, kT0);
  ASSERT_OK(o);
  EXPECT_EQ(count("SELECT COUNT(*) FROM webauthn_challenges WHERE challenge_hash = '" +
                  sha256_hex(o->challenge) + "' AND person_id IS NULL AND expires_at = " +
                  std::to_string(to_unix(kT0 + 5min))),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM webauthn_challenges WHERE challenge_hash = '" +
                  base64url_encode(o->challenge) + "'"),
            0);
}

KOBAN_BACKEND_TESTS(WebauthnTest);

}  // namespace
}  // namespace koban::auth::webauthn
