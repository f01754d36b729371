#include "site/integrity/integrity_migrations.h"

#include <mutex>

namespace koban::site::integrity {

std::vector<store::Migration> integrity_migrations() {
  return {
      {1, "site integrity alerts",
       // incident_id refers to incidents(id) of the incidents module; no foreign key so that this
       // module's schema does not depend on the order the modules are migrated in.
       "CREATE TABLE site_integrity_alerts ("
       " id {{ID}},"
       " findings_key TEXT NOT NULL,"
       " incident_id {{BIGINT}} NOT NULL,"
       " findings {{BIGINT}} NOT NULL,"
       " raised_at {{BIGINT}} NOT NULL);"
       "CREATE INDEX site_integrity_alerts_key ON site_integrity_alerts (findings_key, id)"},
  };
}

Result<void> register_integrity_migrations() {
  static std::once_flag once;
  static Result<void> result = ok();
  std::call_once(once, [] { result = store::register_migrations("site_integrity", integrity_migrations()); });
  return result;
}

}  // namespace koban::site::integrity
