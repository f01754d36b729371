#include "auth/webauthn/webauthn.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "auth/random_bytes.h"
#include "auth/webauthn/authenticator_data.h"
#include "auth/webauthn/cbor.h"
#include "auth/webauthn/client_data.h"
#include "auth/webauthn/public_key.h"

namespace koban::auth::webauthn {
namespace {

constexpr std::size_t kChallengeBytes = 32;
constexpr std::size_t kUserHandleBytes = 32;
constexpr std::size_t kMaxAttestationObjectBytes = 64 * 1024;
constexpr std::size_t kMaxSignatureBytes = 1024;
constexpr std::size_t kMaxUserHandleBytes = 64;
constexpr std::size_t kMaxNameBytes = 256;
constexpr std::size_t kMaxNicknameBytes = 64;

Error refused(std::string m) { return Error{ErrorCode::unauthenticated, std::move(m)}; }

std::string sha256_raw(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// Cuts at a UTF-8 character boundary at most max bytes in.
std::string cut(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

Result<std::string> user_handle(store::Session& s, std::int64_t person_id, bool create) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT user_handle FROM webauthn_user_handles WHERE person_id = ?",
                                  person_id));
  if (!rows.empty()) return rows[0].text(0);
  if (!create) return std::string();
  // Two tabs beginning at once on PostgreSQL: the second insert yields, both read the winner.
  KOBAN_TRY(s.exec("INSERT INTO webauthn_user_handles (person_id, user_handle) VALUES (?, ?)"
                   " ON CONFLICT (person_id) DO NOTHING",
                   person_id, base64url_encode(random_bytes(kUserHandleBytes))));
  KOBAN_ASSIGN(rows, s.query("SELECT user_handle FROM webauthn_user_handles WHERE person_id = ?",
                             person_id));
  if (rows.empty()) return Error::internal("webauthn user handle missing after insert");
  return rows[0].text(0);
}

Result<std::vector<std::string>> credential_ids(store::Session& s, std::int64_t person_id) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT credential_id FROM webauthn_credentials"
                                  " WHERE person_id = ? ORDER BY created_at, credential_id",
                                  person_id));
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.text(0));
  return out;
}

Result<std::string> new_challenge(store::Session& s, const RelyingParty& rp, const char* purpose,
                                  std::optional<std::int64_t> person_id, Instant now) {
  std::string challenge = random_bytes(kChallengeBytes);
  KOBAN_TRY(s.exec("INSERT INTO webauthn_challenges (challenge_hash, purpose, person_id, rp_id,"
                   " user_verification, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   sha256_hex(challenge), purpose, person_id, rp.id,
                   rp.require_user_verification, to_unix(now), to_unix(now + rp.challenge_ttl)));
  return challenge;
}

struct Challenge {
  std::string purpose;
  std::optional<std::int64_t> person_id;
  bool user_verification = true;
};

// Deletes the challenge in its own committed transaction before anything else is checked, so
// that it is spent even when the response turns out to be bad.
Result<Challenge> consume_challenge(store::Database& db, const RelyingParty& rp,
                                    std::string_view challenge, const char* purpose, Instant now) {
  if (challenge.size() != kChallengeBytes) return refused("認証の手続きが見つかりません。最初からやり直してください");
  store::Rows rows;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(rows, s.query("DELETE FROM webauthn_challenges WHERE challenge_hash = ?"
                               " RETURNING purpose, person_id, rp_id, user_verification, expires_at",
                               sha256_hex(challenge)));
    return ok();
  }));
  if (rows.empty())
    return refused("認証の手続きが見つからないか、すでに使われています。最初からやり直してください");
  const store::Row& r = rows[0];
  if (r.int64(4) <= to_unix(now)) return refused("認証の手続きの有効期限が切れました。最初からやり直してください");
  if (r.text(0) != purpose || r.text(2) != rp.id)
    return refused("認証の手続きが一致しません。最初からやり直してください");
  return Challenge{r.text(0), r.opt_int64(1), r.int64(3) != 0};
}

Result<AuthenticatorData> checked_authenticator_data(std::string_view bytes, const RelyingParty& rp,
                                                     bool require_uv) {
  KOBAN_ASSIGN(AuthenticatorData ad, parse_authenticator_data(bytes));
  if (!constant_time_equal(ad.rp_id_hash, sha256_raw(rp.id)))
    return refused("このサイト用の認証器の応答ではありません (RP ID が違います)");
  if (!ad.user_present()) return refused("認証器の操作 (タッチなど) が確認できませんでした");
  if (require_uv && !ad.user_verified())
    return refused("認証器での本人確認 (PIN・生体認証) が必要です");
  return ad;
}

nlohmann::json descriptors(const std::vector<std::string>& ids) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& id : ids) out.push_back({{"type", "public-key"}, {"id", id}});
  return out;
}

const char* uv_word(const RelyingParty& rp) {
  return rp.require_user_verification ? "required" : "preferred";
}

Credential credential_from_row(const store::Row& r) {
  Credential c;
  c.id = base64url_decode(r.text(0)).value_or(std::string());
  c.person_id = r.int64(1);
  c.alg = r.int64(2);
  c.sign_count = r.int64(3);
  c.user_verified = r.int64(4) != 0;
  c.aaguid_hex = r.text(5);
  c.nickname = r.text(6);
  c.created_at = from_unix(r.int64(7));
  if (auto t = r.opt_int64(8)) c.last_used_at = from_unix(*t);
  return c;
}

constexpr const char* kCredentialColumns =
    "credential_id, person_id, alg, sign_count, user_verified, aaguid, nickname, created_at,"
    " last_used_at";

// attStmt of fmt "packed" without x5c: self attestation, signed by the credential key itself.
Result<void> check_attestation(const std::string& fmt, const cbor::Item& att_stmt,
                               const PublicKey& key, std::string_view auth_data,
                               std::string_view client_data_hash) {
  if (fmt == "none") {
    if (!att_stmt.map.empty()) return Error::invalid("構成証明 (none) の形式が正しくありません");
    return ok();
  }
  if (fmt == "packed") {
    if (att_stmt.find("x5c") || att_stmt.find("ecdaaKeyId"))
      return refused("証明書付きの構成証明には対応していません");
    const cbor::Item* alg = att_stmt.find("alg");
    const cbor::Item* sig = att_stmt.find("sig");
    if (!alg || !alg->is_int() || !sig || !sig->is_bytes() || att_stmt.map.size() != 2)
      return Error::invalid("構成証明 (packed) の形式が正しくありません");
    if (alg->integer != key.alg) return refused("構成証明の署名方式が公開鍵と一致しません");
    std::string signed_data = std::string(auth_data) + std::string(client_data_hash);
    auto r = verify_signature(key.alg, key.der, signed_data, sig->string);
    if (!r) return refused("構成証明の署名を確認できませんでした");
    return ok();
  }
  return refused("この種類の構成証明には対応していません");
}

}  // namespace

Result<Options> begin_registration(store::Database& db, const RelyingParty& rp,
                                   std::int64_t person_id, std::string_view user_name,
                                   std::string_view display_name, Instant now) {
  if (user_name.empty() || user_name.size() > kMaxNameBytes || display_name.size() > kMaxNameBytes)
    return Error::invalid("利用者名の長さが正しくありません");
  Options out;
  std::string handle;
  std::vector<std::string> existing;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(handle, user_handle(s, person_id, true));
    KOBAN_ASSIGN(existing, credential_ids(s, person_id));
    KOBAN_ASSIGN(out.challenge, new_challenge(s, rp, "create", person_id, now));
    return ok();
  }));
  nlohmann::json j = {
      {"rp", {{"id", rp.id}, {"name", rp.name}}},
      {"user",
       {{"id", handle},
        {"name", std::string(user_name)},
        {"displayName", std::string(display_name.empty() ? user_name : display_name)}}},
      {"challenge", base64url_encode(out.challenge)},
      {"pubKeyCredParams",
       {{{"type", "public-key"}, {"alg", kAlgEs256}}, {{"type", "public-key"}, {"alg", kAlgRs256}}}},
      {"timeout", rp.browser_timeout.count()},
      // The same authenticator must not register twice for one person.
      {"excludeCredentials", descriptors(existing)},
      {"authenticatorSelection",
       {{"residentKey", "preferred"}, {"requireResidentKey", false}, {"userVerification", uv_word(rp)}}},
      {"attestation", "none"},
  };
  // Lossy replacement: user names come from our own records, but never let bad UTF-8 throw.
  out.json = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return out;
}

Result<Credential> finish_registration(store::Database& db, const RelyingParty& rp,
                                       std::int64_t person_id, std::string_view client_data_json,
                                       std::string_view attestation_object, Instant now,
                                       const RegistrationChoices& choices) {
  if (attestation_object.size() > kMaxAttestationObjectBytes)
    return Error{ErrorCode::too_large, "認証器の応答が大きすぎます"};
  KOBAN_ASSIGN(ClientData cd, parse_client_data(client_data_json));
  KOBAN_ASSIGN(Challenge ch, consume_challenge(db, rp, cd.challenge, "create", now));
  if (ch.person_id != person_id) return refused("認証の手続きが一致しません。最初からやり直してください");
  KOBAN_TRY(check_client_data(cd, "webauthn.create", rp.origin));

  KOBAN_ASSIGN(cbor::Item att, cbor::decode(attestation_object));
  const cbor::Item* fmt = att.find("fmt");
  const cbor::Item* att_stmt = att.find("attStmt");
  const cbor::Item* auth_data = att.find("authData");
  if (!fmt || !fmt->is_text() || !att_stmt || !att_stmt->is_map() || !auth_data ||
      !auth_data->is_bytes())
    return Error::invalid("認証器の応答の形式が正しくありません (attestationObject)");
  KOBAN_ASSIGN(AuthenticatorData ad,
               checked_authenticator_data(auth_data->string, rp, ch.user_verification));
  if (!ad.attested) return Error::invalid("認証器の応答に公開鍵が含まれていません");
  KOBAN_ASSIGN(PublicKey key, public_key_from_cose(ad.cose_key));
  KOBAN_TRY(check_attestation(fmt->string, *att_stmt, key, auth_data->string,
                              sha256_raw(client_data_json)));

  Credential c;
  c.id = ad.credential_id;
  c.person_id = person_id;
  c.alg = key.alg;
  c.sign_count = ad.sign_count;
  c.user_verified = ad.user_verified();
  c.aaguid_hex = hex(ad.aaguid);
  c.nickname = choices.nickname.empty() ? "認証器" : cut(choices.nickname, kMaxNicknameBytes);
  c.created_at = now;
  std::string id_text = base64url_encode(c.id);
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    if (choices.replace_existing) {
      KOBAN_TRY(s.exec("DELETE FROM webauthn_credentials WHERE person_id = ? AND credential_id <> ?",
                       person_id, id_text));
    } else {
      KOBAN_ASSIGN(auto n, s.query("SELECT COUNT(*) FROM webauthn_credentials WHERE person_id = ?",
                                   person_id));
      if (n[0].int64(0) >= rp.max_credentials_per_person)
        return Error::conflict("登録できる認証器の数の上限に達しています。使わない認証器を削除してください");
    }
    KOBAN_ASSIGN(auto changed,
                 s.exec("INSERT INTO webauthn_credentials (credential_id, person_id, alg, public_key,"
                        " sign_count, user_verified, aaguid, nickname, created_at, last_used_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"
                        " ON CONFLICT (credential_id) DO NOTHING",
                        id_text, person_id, c.alg, store::Blob{key.der}, c.sign_count,
                        c.user_verified, c.aaguid_hex, c.nickname, to_unix(now)));
    if (changed == 0) return Error::conflict("この認証器はすでに登録されています");
    return ok();
  }));
  return c;
}

Result<Options> begin_authentication(store::Database& db, const RelyingParty& rp,
                                     std::optional<std::int64_t> person_id, Instant now) {
  Options out;
  std::vector<std::string> allowed;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    if (person_id) {
      KOBAN_ASSIGN(allowed, credential_ids(s, *person_id));
      // Do not tell a stranger whether the login name has passkeys: without credentials the
      // ceremony simply fails later, the same way as with a wrong authenticator.
    }
    KOBAN_ASSIGN(out.challenge, new_challenge(s, rp, "get", person_id, now));
    return ok();
  }));
  nlohmann::json j = {
      {"challenge", base64url_encode(out.challenge)},
      {"timeout", rp.browser_timeout.count()},
      {"rpId", rp.id},
      {"userVerification", uv_word(rp)},
  };
  if (person_id) j["allowCredentials"] = descriptors(allowed);
  out.json = j.dump();
  return out;
}

Result<std::int64_t> finish_authentication(store::Database& db, const RelyingParty& rp,
                                           std::string_view credential_id,
                                           std::string_view client_data_json,
                                           std::string_view authenticator_data,
                                           std::string_view signature,
                                           std::string_view user_handle_bytes, Instant now) {
  if (credential_id.empty() || credential_id.size() > kMaxCredentialIdBytes ||
      signature.empty() || signature.size() > kMaxSignatureBytes ||
      user_handle_bytes.size() > kMaxUserHandleBytes ||
      authenticator_data.size() > kMaxAuthenticatorDataBytes)
    return Error::invalid("認証器の応答の形式が正しくありません");
  KOBAN_ASSIGN(ClientData cd, parse_client_data(client_data_json));
  KOBAN_ASSIGN(Challenge ch, consume_challenge(db, rp, cd.challenge, "get", now));
  KOBAN_TRY(check_client_data(cd, "webauthn.get", rp.origin));

  std::string id_text = base64url_encode(credential_id);
  store::Rows rows;
  std::string handle;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(rows, s.query("SELECT person_id, alg, public_key, sign_count"
                               " FROM webauthn_credentials WHERE credential_id = ?",
                               id_text));
    if (!rows.empty()) {
      KOBAN_ASSIGN(handle, user_handle(s, rows[0].int64(0), false));
    }
    return ok();
  }));
  if (rows.empty()) return refused("登録されていない認証器です");
  std::int64_t person = rows[0].int64(0);
  std::int64_t alg = rows[0].int64(1);
  std::string der = rows[0].text(2);
  std::int64_t stored_count = rows[0].int64(3);
  if (ch.person_id && *ch.person_id != person)
    return refused("この認証器はこの利用者のものではありません");
  if (!user_handle_bytes.empty() &&
      !constant_time_equal(base64url_encode(user_handle_bytes), handle))
    return refused("認証器の利用者情報が登録と一致しません");

  KOBAN_ASSIGN(AuthenticatorData ad,
               checked_authenticator_data(authenticator_data, rp, ch.user_verification));
  std::string signed_data = std::string(authenticator_data) + sha256_raw(client_data_json);
  KOBAN_TRY(verify_signature(alg, der, signed_data, signature));

  std::int64_t new_count = ad.sign_count;
  if (!(new_count == 0 && stored_count == 0) && new_count <= stored_count)
    return refused("認証器が複製された可能性があるため、この認証器ではログインできません。管理者に連絡してください");
  // Conditional on the counter still being below: two concurrent logins with one response
  // (or a clone racing the original) cannot both pass.
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto changed,
                 s.exec("UPDATE webauthn_credentials SET sign_count = ?, last_used_at = ?"
                        " WHERE credential_id = ? AND (sign_count < ? OR (sign_count = 0 AND ? = 0))",
                        new_count, to_unix(now), id_text, new_count, new_count));
    if (changed == 0)
      return refused("認証器が複製された可能性があるため、この認証器ではログインできません。管理者に連絡してください");
    return ok();
  }));
  return person;
}

Result<std::vector<Credential>> list_credentials(store::Database& db, std::int64_t person_id) {
  std::vector<Credential> out;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kCredentialColumns +
                                        " FROM webauthn_credentials WHERE person_id = ?"
                                        " ORDER BY created_at, credential_id",
                                    person_id));
    for (const auto& r : rows) out.push_back(credential_from_row(r));
    return ok();
  }));
  return out;
}

Result<void> remove_credential(store::Database& db, std::int64_t person_id,
                               std::string_view credential_id) {
  return db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, s.exec("DELETE FROM webauthn_credentials WHERE person_id = ? AND credential_id = ?",
                                person_id, base64url_encode(credential_id)));
    if (n == 0) return Error::not_found("認証器が見つかりません");
    return ok();
  });
}

Result<std::int64_t> remove_all_credentials(store::Database& db, std::int64_t person_id) {
  std::int64_t n = 0;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(n, s.exec("DELETE FROM webauthn_credentials WHERE person_id = ?", person_id));
    return ok();
  }));
  return n;
}

Result<std::int64_t> purge_expired_challenges(store::Database& db, Instant now) {
  std::int64_t n = 0;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(n, s.exec("DELETE FROM webauthn_challenges WHERE expires_at <= ?", to_unix(now)));
    return ok();
  }));
  return n;
}

}  // namespace koban::auth::webauthn
