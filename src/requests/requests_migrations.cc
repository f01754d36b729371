#include "requests/requests_migrations.h"

namespace koban::requests {

std::vector<store::Migration> requests_migrations() {
  return {
      {1, "request forms",
       // One row per request; a remanded request that is corrected keeps its id and row (the
       // audit trail holds the earlier values' summary).
       "CREATE TABLE request_forms ("
       " request_id {{BIGINT}} PRIMARY KEY REFERENCES requests(id),"
       " kind TEXT NOT NULL,"
       " fields_json TEXT NOT NULL,"
       " updated_at {{BIGINT}} NOT NULL)"},
  };
}

Result<void> register_requests_migrations() {
  return store::register_migrations("requests", requests_migrations());
}

}  // namespace koban::requests
