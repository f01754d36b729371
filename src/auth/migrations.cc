#include "auth/migrations.h"

namespace koban::auth {

std::vector<store::Migration> auth_migrations() {
  return {
      {1, "credentials",
       "CREATE TABLE credentials ("
       " person_id {{BIGINT}} PRIMARY KEY,"
       " hash TEXT NOT NULL,"
       " changed_at {{BIGINT}} NOT NULL,"
       " must_change INTEGER NOT NULL DEFAULT 0);"
       "CREATE TABLE password_history ("
       " id {{ID}},"
       " person_id {{BIGINT}} NOT NULL,"
       " hash TEXT NOT NULL,"
       " changed_at {{BIGINT}} NOT NULL);"
       "CREATE INDEX password_history_person ON password_history (person_id, id);"
       "CREATE TABLE login_failures ("
       " failure_key TEXT PRIMARY KEY,"
       " failures INTEGER NOT NULL,"
       " last_failure_at {{BIGINT}} NOT NULL,"
       " locked_until {{BIGINT}})"},
      {2, "sessions",
       "CREATE TABLE sessions ("
       " token_hash TEXT PRIMARY KEY,"
       " person_id {{BIGINT}} NOT NULL,"
       " created_at {{BIGINT}} NOT NULL,"
       " last_seen {{BIGINT}} NOT NULL,"
       " idle_expires_at {{BIGINT}} NOT NULL,"
       " absolute_expires_at {{BIGINT}} NOT NULL,"
       " address TEXT NOT NULL,"
       " user_agent TEXT NOT NULL,"
       " csrf_secret TEXT NOT NULL,"
       " mfa_done INTEGER NOT NULL DEFAULT 0);"
       "CREATE INDEX sessions_person ON sessions (person_id);"
       "CREATE INDEX sessions_idle ON sessions (idle_expires_at)"},
      {3, "totp_secrets",
       "CREATE TABLE totp_secrets ("
       " person_id {{BIGINT}} PRIMARY KEY,"
       " sealed_secret {{BLOB}} NOT NULL,"
       " confirmed INTEGER NOT NULL DEFAULT 0,"
       " last_step {{BIGINT}},"
       " created_at {{BIGINT}} NOT NULL)"},
  };
}

Result<void> register_auth_migrations() {
  return store::register_migrations("auth", auth_migrations());
}

}  // namespace koban::auth
