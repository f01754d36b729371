#include "auth/webauthn/migrations.h"

namespace koban::auth::webauthn {

std::vector<store::Migration> webauthn_migrations() {
  return {
      {1, "webauthn",
       "CREATE TABLE webauthn_user_handles ("
       " person_id {{BIGINT}} PRIMARY KEY,"
       " user_handle TEXT NOT NULL UNIQUE);"
       "CREATE TABLE webauthn_credentials ("
       " credential_id TEXT PRIMARY KEY,"  // base64url of the raw id
       " person_id {{BIGINT}} NOT NULL,"
       " alg INTEGER NOT NULL,"
       " public_key {{BLOB}} NOT NULL,"  // DER SubjectPublicKeyInfo
       " sign_count {{BIGINT}} NOT NULL,"
       " user_verified INTEGER NOT NULL,"
       " aaguid TEXT NOT NULL,"
       " nickname TEXT NOT NULL,"
       " created_at {{BIGINT}} NOT NULL,"
       " last_used_at {{BIGINT}});"
       "CREATE INDEX webauthn_credentials_person ON webauthn_credentials (person_id);"
       "CREATE TABLE webauthn_challenges ("
       " challenge_hash TEXT PRIMARY KEY,"
       " purpose TEXT NOT NULL,"  // 'create' or 'get'
       " person_id {{BIGINT}},"   // NULL: passwordless login, person not yet known
       " rp_id TEXT NOT NULL,"
       " user_verification INTEGER NOT NULL,"
       " created_at {{BIGINT}} NOT NULL,"
       " expires_at {{BIGINT}} NOT NULL);"
       "CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at)"},
  };
}

Result<void> register_webauthn_migrations() {
  return store::register_migrations("webauthn", webauthn_migrations());
}

}  // namespace koban::auth::webauthn
