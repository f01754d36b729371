#include "incidents/incidents_migrations.h"

namespace koban::incidents {

std::vector<store::Migration> incidents_migrations() {
  return {
      {1, "incidents and subsystem status",
       // Nothing is deleted: the timeline (incident_events) and the suspension history are the
       // record the seeds ask for (who did what, when, with which note).
       "CREATE TABLE incidents ("
       " id {{ID}},"
       " kind TEXT NOT NULL,"
       " subsystem TEXT NOT NULL,"
       " title TEXT NOT NULL,"
       " what_happened TEXT NOT NULL,"
       " impact TEXT NOT NULL,"
       " noticed_at {{BIGINT}} NOT NULL,"
       " state TEXT NOT NULL,"
       " reporter_id {{BIGINT}} NOT NULL REFERENCES people(id),"
       " unit_id {{BIGINT}} NOT NULL REFERENCES units(id),"
       " created_at {{BIGINT}} NOT NULL,"
       " updated_at {{BIGINT}} NOT NULL);"
       "CREATE INDEX incidents_state ON incidents (state, id);"
       "CREATE INDEX incidents_subsystem ON incidents (subsystem, id);"
       "CREATE INDEX incidents_reporter ON incidents (reporter_id, id);"
       "CREATE TABLE incident_events ("
       " id {{ID}},"
       " incident_id {{BIGINT}} NOT NULL REFERENCES incidents(id),"
       " from_state TEXT,"
       " to_state TEXT NOT NULL,"
       " note TEXT NOT NULL,"
       " actor_id {{BIGINT}} NOT NULL REFERENCES people(id),"
       " at {{BIGINT}} NOT NULL);"
       "CREATE INDEX incident_events_incident ON incident_events (incident_id, id);"
       "CREATE TABLE incident_recipients ("
       " incident_id {{BIGINT}} NOT NULL REFERENCES incidents(id),"
       " person_id {{BIGINT}} NOT NULL REFERENCES people(id),"
       " reason TEXT NOT NULL,"
       " PRIMARY KEY (incident_id, person_id));"
       "CREATE INDEX incident_recipients_person ON incident_recipients (person_id, incident_id);"
       "CREATE TABLE subsystem_status ("
       " subsystem TEXT PRIMARY KEY,"
       " suspended INTEGER NOT NULL,"
       " notice TEXT NOT NULL,"
       " changed_by {{BIGINT}} REFERENCES people(id),"
       " changed_at {{BIGINT}} NOT NULL);"
       "CREATE TABLE subsystem_status_history ("
       " id {{ID}},"
       " subsystem TEXT NOT NULL,"
       " action TEXT NOT NULL,"  // suspend | resume
       " notice TEXT NOT NULL,"
       " actor_id {{BIGINT}} NOT NULL REFERENCES people(id),"
       " at {{BIGINT}} NOT NULL);"
       "CREATE INDEX subsystem_status_history_subsystem ON subsystem_status_history (subsystem, id)"},
  };
}

Result<void> register_incidents_migrations() {
  return store::register_migrations("incidents", incidents_migrations());
}

}  // namespace koban::incidents
