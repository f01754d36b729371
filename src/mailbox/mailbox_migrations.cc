#include "mailbox/mailbox_migrations.h"

namespace koban::mailbox {

std::vector<store::Migration> mailbox_migrations() {
  return {
      {1, "mailbox",
       "CREATE TABLE mailbox_messages ("
       " id {{ID}},"
       " receipt TEXT NOT NULL UNIQUE,"
       " kind TEXT NOT NULL,"
       " queue TEXT NOT NULL,"
       " state TEXT NOT NULL,"
       " urgent INTEGER NOT NULL,"
       " urgent_terms TEXT NOT NULL,"
       " contact_kind TEXT NOT NULL,"
       " sealed {{BLOB}} NOT NULL,"
       " received_at {{BIGINT}} NOT NULL,"
       " office_hours INTEGER NOT NULL,"
       " assignee_id {{BIGINT}},"
       " assignee_name TEXT,"
       " updated_at {{BIGINT}} NOT NULL,"
       " closed_at {{BIGINT}});"
       "CREATE INDEX mailbox_messages_queue ON mailbox_messages (queue, id);"
       "CREATE INDEX mailbox_messages_closed ON mailbox_messages (closed_at);"
       "CREATE TABLE mailbox_events ("
       " id {{ID}},"
       " message_id {{BIGINT}} NOT NULL,"
       " kind TEXT NOT NULL,"
       " actor_id {{BIGINT}},"
       " actor_name TEXT NOT NULL,"
       " at {{BIGINT}} NOT NULL,"
       " detail TEXT NOT NULL,"
       " sealed {{BLOB}});"
       "CREATE INDEX mailbox_events_message ON mailbox_events (message_id, id);"
       "CREATE TABLE mailbox_rate_limits ("
       " key TEXT PRIMARY KEY,"
       " window_start {{BIGINT}} NOT NULL,"
       " count INTEGER NOT NULL);"},
  };
}

Result<void> register_mailbox_migrations() {
  // Once per process: the app registers it at start-up, and tests that use the app's
  // migration list may have registered it already.
  static bool done = false;
  if (done) return ok();
  KOBAN_TRY(store::register_migrations("mailbox", mailbox_migrations()));
  done = true;
  return ok();
}

}  // namespace koban::mailbox
