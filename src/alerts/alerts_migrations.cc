#include "alerts/alerts_migrations.h"

namespace koban::alerts {

std::vector<store::Migration> alerts_migrations() {
  return {
      {1, "alerts",
       // state: draft | submitted | remanded | withdrawn | approved (waiting for send_after) |
       // sending | sent (the delivery part moves approved → sending → sent).
       // follow_kind: update (続報) | correction (訂正) | resolution (解除), with follows_id.
       "CREATE TABLE alerts ("
       " id {{ID}},"
       " category INTEGER NOT NULL,"
       " unit_id {{BIGINT}} NOT NULL REFERENCES units(id),"
       " title TEXT NOT NULL,"
       " body TEXT NOT NULL,"
       " whole_prefecture INTEGER NOT NULL DEFAULT 0,"
       " state TEXT NOT NULL,"
       " request_id {{BIGINT}} REFERENCES requests(id),"
       " urgent INTEGER NOT NULL DEFAULT 0,"
       " urgent_reason TEXT,"
       " urgent_note TEXT,"
       " send_after {{BIGINT}},"
       " follows_id {{BIGINT}} REFERENCES alerts(id),"
       " follow_kind TEXT,"
       " physical_danger INTEGER NOT NULL DEFAULT 0,"
       " syndicate INTEGER NOT NULL DEFAULT 0,"
       " syndication_seen_at {{BIGINT}},"
       " checklist_ok INTEGER NOT NULL DEFAULT 0,"
       " created_by {{BIGINT}} NOT NULL,"
       " approved_by {{BIGINT}},"
       " created_at {{BIGINT}} NOT NULL,"
       " updated_at {{BIGINT}} NOT NULL,"
       " approved_at {{BIGINT}},"
       " sent_at {{BIGINT}});"
       "CREATE INDEX alerts_state ON alerts(state, id);"
       "CREATE INDEX alerts_unit ON alerts(unit_id, id);"
       "CREATE INDEX alerts_follows ON alerts(follows_id);"
       "CREATE INDEX alerts_sent ON alerts(category, sent_at);"
       "CREATE TABLE alert_areas ("
       " alert_id {{BIGINT}} NOT NULL REFERENCES alerts(id),"
       " unit_id {{BIGINT}} NOT NULL REFERENCES units(id),"
       " PRIMARY KEY (alert_id, unit_id));"
       "CREATE INDEX alert_areas_unit ON alert_areas(unit_id, alert_id);"
       // The register: a copy made at approval, so that later edits or purges of other tables
       // never change what was approved. approvals_json: [{"name","acting_as","at","post_hoc_to"}].
       "CREATE TABLE alert_register ("
       " id {{ID}},"
       " alert_id {{BIGINT}} NOT NULL UNIQUE,"
       " approved_at {{BIGINT}} NOT NULL,"
       " category INTEGER NOT NULL,"
       " unit_name TEXT NOT NULL,"
       " areas_text TEXT NOT NULL,"
       " title TEXT NOT NULL,"
       " body TEXT NOT NULL,"
       " follow_kind TEXT,"
       " follows_id {{BIGINT}},"
       " written_by TEXT NOT NULL,"
       " approvals_json TEXT NOT NULL,"
       " checklist TEXT NOT NULL,"
       " urgent_reason TEXT,"
       " send_after {{BIGINT}} NOT NULL);"
       "CREATE INDEX alert_register_at ON alert_register(approved_at, id);"
       // 送信依頼: a station asks an HQ division (or the HQ duty desk) to send for several
       // stations or the whole prefecture; the HQ side turns it into its own draft.
       "CREATE TABLE alert_send_requests ("
       " id {{ID}},"
       " from_unit_id {{BIGINT}} NOT NULL REFERENCES units(id),"
       " to_unit_id {{BIGINT}} NOT NULL REFERENCES units(id),"
       " category INTEGER NOT NULL,"
       " title TEXT NOT NULL,"
       " body TEXT NOT NULL,"
       " whole_prefecture INTEGER NOT NULL DEFAULT 0,"
       " areas_text TEXT NOT NULL,"
       " physical_danger INTEGER NOT NULL DEFAULT 0,"
       " requested_by {{BIGINT}} NOT NULL,"
       " state TEXT NOT NULL,"
       " alert_id {{BIGINT}} REFERENCES alerts(id),"
       " created_at {{BIGINT}} NOT NULL,"
       " updated_at {{BIGINT}} NOT NULL);"
       "CREATE INDEX alert_send_requests_to ON alert_send_requests(to_unit_id, state, id)"},
  };
}

Result<void> register_alerts_migrations() {
  for (const auto& m : store::migration_registry().modules())
    if (m.name == "alerts") return ok();
  return store::register_migrations("alerts", alerts_migrations());
}

}  // namespace koban::alerts
