#include "ledger/ledger_migrations.h"

namespace koban::ledger {

std::vector<store::Migration> ledger_migrations() {
  return {
      {1, "ledger entries and managers",
       // secret_sealed / notes_sealed hold SecretBox output only (nonce || ciphertext): the
       // plaintext never reaches the database, its backups or its logs.
       "CREATE TABLE ledger_entries ("
       " id {{ID}},"
       " service_name TEXT NOT NULL,"
       " account_name TEXT NOT NULL,"
       " url TEXT NOT NULL DEFAULT '',"
       " secret_sealed {{BLOB}} NOT NULL,"
       " notes_sealed {{BLOB}} NOT NULL,"
       " created_by {{BIGINT}} NOT NULL REFERENCES people(id),"
       " created_at {{BIGINT}} NOT NULL,"
       " secret_changed_by {{BIGINT}} NOT NULL REFERENCES people(id),"
       " secret_changed_at {{BIGINT}} NOT NULL);"
       "CREATE TABLE ledger_managers ("
       " entry_id {{BIGINT}} NOT NULL REFERENCES ledger_entries(id),"
       " person_id {{BIGINT}} NOT NULL REFERENCES people(id),"
       " added_by {{BIGINT}} NOT NULL REFERENCES people(id),"
       " added_at {{BIGINT}} NOT NULL,"
       " PRIMARY KEY (entry_id, person_id));"
       "CREATE INDEX ledger_managers_person ON ledger_managers (person_id, entry_id)"},
  };
}

Result<void> register_ledger_migrations() { return store::register_migrations("ledger", ledger_migrations()); }

}  // namespace koban::ledger
