// The search index's tables (module "site_search"). They differ per backend ({{SQLITE:…}} and
// {{POSTGRES:…}} parts of one migration, store/migrations.h):
//   SQLite:     site_search_docs + an FTS5 table site_search_fts (tokenize='trigram', rowid =
//               article id) that holds the same title and body for substring matching.
//   PostgreSQL: site_search_docs with pg_trgm GIN indexes on title and body (ILIKE uses them).
//               pg_trgm is installed into schema public (CREATE EXTENSION IF NOT EXISTS ...
//               SCHEMA public; the operator class is named public.gin_trgm_ops, so a search_path
//               without public works too). It is a trusted extension: the database owner may
//               install it. A database where pg_trgm already lives in another schema fails this
//               migration: move the extension to public first.
// Both: site_search_rate_limits for store::count_hit (the /search route's per-address limit).
//
//   KOBAN_TRY(site::search::register_search_migrations());   // before store::migrate
//   reg.add("site_search", site::search::search_migrations());  // a test registry
#pragma once

#include <vector>

#include "core/result.h"
#include "store/database.h"
#include "store/migrations.h"

namespace koban::site::search {

inline constexpr const char* kMigrationModule = "site_search";

std::vector<store::Migration> search_migrations();
// Registers once per process (idempotent).
Result<void> register_search_migrations();

}  // namespace koban::site::search
