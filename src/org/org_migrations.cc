#include "org/org_migrations.h"

namespace koban::org {

std::vector<store::Migration> org_migrations() {
  return {
      {1, "org_units_people_roles",
       // units.head_person_id / pr_lead_person_id point at people, which point at units: the
       // two columns are added after people exists so that both ends keep a foreign key.
       "CREATE TABLE units ("
       " id {{ID}},"
       " parent_id {{BIGINT}} REFERENCES units(id),"
       " kind TEXT NOT NULL CHECK (kind IN ('hq_division','station','duty_desk','other')),"
       " code TEXT NOT NULL UNIQUE,"
       " name TEXT NOT NULL,"
       " phone TEXT NOT NULL DEFAULT '',"
       " address TEXT NOT NULL DEFAULT '',"
       " jurisdiction TEXT NOT NULL DEFAULT '',"
       " sort_order INTEGER NOT NULL DEFAULT 0,"
       " active INTEGER NOT NULL DEFAULT 1);"
       "CREATE INDEX units_parent ON units (parent_id);"
       "CREATE TABLE people ("
       " id {{ID}},"
       " login_name TEXT NOT NULL UNIQUE,"
       " display_name TEXT NOT NULL,"
       " kana TEXT NOT NULL DEFAULT '',"
       " unit_id {{BIGINT}} NOT NULL REFERENCES units(id),"
       " title TEXT NOT NULL DEFAULT '',"
       " email TEXT NOT NULL DEFAULT '',"
       " status TEXT NOT NULL DEFAULT 'active'"
       "  CHECK (status IN ('active','suspended','restricted','retired')),"
       " created_at {{BIGINT}} NOT NULL,"
       " status_changed_at {{BIGINT}} NOT NULL,"
       " retired_at {{BIGINT}});"
       "CREATE INDEX people_unit ON people (unit_id);"
       "ALTER TABLE units ADD COLUMN head_person_id {{BIGINT}} REFERENCES people(id);"
       "ALTER TABLE units ADD COLUMN pr_lead_person_id {{BIGINT}} REFERENCES people(id);"
       "CREATE TABLE role_grants ("
       " id {{ID}},"
       " person_id {{BIGINT}} NOT NULL REFERENCES people(id),"
       " purpose TEXT NOT NULL,"
       " role TEXT NOT NULL,"
       " unit_id {{BIGINT}} REFERENCES units(id),"  // NULL = the whole force
       " granted_at {{BIGINT}} NOT NULL,"
       " granted_by {{BIGINT}} REFERENCES people(id),"
       " revoked_at {{BIGINT}},"
       " revoked_by {{BIGINT}} REFERENCES people(id));"
       "CREATE INDEX role_grants_person ON role_grants (person_id, revoked_at);"
       "CREATE INDEX role_grants_unit ON role_grants (unit_id, role);"
       "CREATE TABLE absences ("
       " id {{ID}},"
       " person_id {{BIGINT}} NOT NULL REFERENCES people(id),"
       " starts_at {{BIGINT}} NOT NULL,"
       " ends_at {{BIGINT}} NOT NULL,"
       " reason TEXT NOT NULL DEFAULT '',"
       " created_at {{BIGINT}} NOT NULL,"
       " cancelled_at {{BIGINT}});"
       "CREATE INDEX absences_person ON absences (person_id, starts_at)"},
  };
}

Result<void> register_org_migrations() { return store::register_migrations("org", org_migrations()); }

}  // namespace koban::org
