#include "workflow/workflow_migrations.h"

namespace koban::workflow {

std::vector<store::Migration> workflow_migrations() {
  return {
      {1, "requests and steps",
       // Nothing here is ever deleted: a request keeps every round of steps (a remanded request
       // that is resubmitted starts a new round), every decision, comment and actor.
       "CREATE TABLE requests ("
       " id {{ID}},"
       " kind TEXT NOT NULL,"
       " object_type TEXT NOT NULL,"
       " object_id TEXT NOT NULL,"
       " unit_id {{BIGINT}} NOT NULL REFERENCES units(id),"
       " title TEXT NOT NULL,"
       " state TEXT NOT NULL,"
       " created_by {{BIGINT}} NOT NULL REFERENCES people(id),"
       " round INTEGER NOT NULL,"            // submissions so far
       " current_step_id {{BIGINT}},"        // the open step while submitted
       " created_at {{BIGINT}} NOT NULL,"
       " updated_at {{BIGINT}} NOT NULL,"
       " submitted_at {{BIGINT}},"
       " decided_at {{BIGINT}},"             // approved, or last remanded
       " withdrawn_at {{BIGINT}},"
       " carried_out_at {{BIGINT}},"
       " carried_out_by {{BIGINT}} REFERENCES people(id));"
       "CREATE INDEX requests_state ON requests (state, id);"
       "CREATE INDEX requests_creator ON requests (created_by, state);"
       "CREATE INDEX requests_object ON requests (object_type, object_id);"
       "CREATE TABLE request_steps ("
       " id {{ID}},"
       " request_id {{BIGINT}} NOT NULL REFERENCES requests(id),"
       " round INTEGER NOT NULL,"
       " step_no INTEGER NOT NULL,"          // 1, 2 ... within the round
       " rule_name TEXT NOT NULL,"
       " acting_as TEXT NOT NULL,"
       " post_hoc_to {{BIGINT}} REFERENCES people(id),"
       " created_at {{BIGINT}} NOT NULL,"    // when the step started waiting
       " decision TEXT,"                     // NULL while open; approved | remanded | withdrawn
       " comment TEXT NOT NULL DEFAULT '',"
       " actor_id {{BIGINT}} REFERENCES people(id),"
       " decided_at {{BIGINT}},"
       " acknowledged_at {{BIGINT}},"
       " UNIQUE (request_id, round, step_no));"
       "CREATE INDEX request_steps_post_hoc ON request_steps (post_hoc_to, acknowledged_at);"
       "CREATE INDEX request_steps_open ON request_steps (decision, created_at);"
       "CREATE TABLE request_step_approvers ("
       " step_id {{BIGINT}} NOT NULL REFERENCES request_steps(id),"
       " person_id {{BIGINT}} NOT NULL REFERENCES people(id),"
       " PRIMARY KEY (step_id, person_id));"
       "CREATE INDEX request_step_approvers_person ON request_step_approvers (person_id, step_id)"},
  };
}

Result<void> register_workflow_migrations() {
  return store::register_migrations("workflow", workflow_migrations());
}

}  // namespace koban::workflow
