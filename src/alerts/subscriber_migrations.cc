#include "alerts/subscriber_migrations.h"

namespace koban::alerts {

std::vector<store::Migration> subscriber_migrations() {
  return {
      {1, "subscribers",
       // address_box: SecretBox output only; the address in clear never reaches the database.
       // address_index: keyed hash of the normalised address, for lookups and duplicates.
       // domain: kept in clear for per-domain delivery policies and counts.
       "CREATE TABLE subscribers ("
       " id {{ID}},"
       " address_box {{BLOB}} NOT NULL,"
       " address_index TEXT NOT NULL UNIQUE,"
       " domain TEXT NOT NULL,"
       " state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'unsubscribed', 'suspended')),"
       " encoding TEXT NOT NULL CHECK (encoding IN ('utf8', 'iso2022jp')),"
       " categories INTEGER NOT NULL,"
       " all_areas INTEGER NOT NULL,"
       " link_key {{BLOB}} NOT NULL,"
       " hard_failures INTEGER NOT NULL DEFAULT 0,"
       " created_at {{BIGINT}} NOT NULL,"
       " updated_at {{BIGINT}} NOT NULL,"
       " confirmed_at {{BIGINT}},"
       " unsubscribed_at {{BIGINT}},"
       " suspended_at {{BIGINT}},"
       " last_mail_at {{BIGINT}});"
       "CREATE INDEX subscribers_state ON subscribers (state, id);"
       "CREATE TABLE subscriber_areas ("
       " subscriber_id {{BIGINT}} NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,"
       " unit_id {{BIGINT}} NOT NULL REFERENCES units(id),"
       " PRIMARY KEY (subscriber_id, unit_id));"
       "CREATE INDEX subscriber_areas_unit ON subscriber_areas (unit_id, subscriber_id);"
       // Confirmation links: only the SHA-256 of the token is kept; single use, expiring.
       "CREATE TABLE subscriber_tokens ("
       " token_hash TEXT PRIMARY KEY,"
       " subscriber_id {{BIGINT}} NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,"
       " purpose TEXT NOT NULL,"
       " created_at {{BIGINT}} NOT NULL,"
       " expires_at {{BIGINT}} NOT NULL,"
       " used_at {{BIGINT}});"
       "CREATE INDEX subscriber_tokens_subscriber ON subscriber_tokens (subscriber_id);"
       // Fixed-window counters for the sign-up form (key: keyed hash of the client address).
       "CREATE TABLE subscriber_rate_limits ("
       " key TEXT PRIMARY KEY,"
       " window_start {{BIGINT}} NOT NULL,"
       " count INTEGER NOT NULL);"
       // One row per JST day and state, for the staff chart of subscriber numbers.
       "CREATE TABLE subscriber_counts ("
       " day TEXT NOT NULL,"
       " state TEXT NOT NULL,"
       " count {{BIGINT}} NOT NULL,"
       " PRIMARY KEY (day, state))"},
  };
}

Result<void> register_subscriber_migrations() {
  return store::register_migrations("subscribers", subscriber_migrations());
}

}  // namespace koban::alerts
