#include "site/search/search_migrations.h"

#include <mutex>

namespace koban::site::search {
namespace {

// Copied from the article's live version when it is indexed; url is the public path.
constexpr const char* kDocsTable =
    "CREATE TABLE site_search_docs ("
    " article_id {{BIGINT}} PRIMARY KEY,"
    " version_id {{BIGINT}} NOT NULL,"
    " title TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " section TEXT NOT NULL,"
    " topic TEXT NOT NULL,"
    " station_code TEXT NOT NULL DEFAULT '',"
    " station_name TEXT NOT NULL DEFAULT '',"
    " url TEXT NOT NULL,"
    " published_at {{BIGINT}} NOT NULL);"
    "CREATE INDEX site_search_docs_newest ON site_search_docs(published_at, article_id);"
    "CREATE TABLE site_search_rate_limits ("
    " key TEXT PRIMARY KEY,"
    " window_start {{BIGINT}} NOT NULL,"
    " count {{BIGINT}} NOT NULL);";

}  // namespace

std::vector<store::Migration> search_migrations() {
  return {{1, "search index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL)",
           "{{POSTGRES:CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;}}" + std::string(kDocsTable) +
               "{{SQLITE:CREATE VIRTUAL TABLE site_search_fts USING fts5(title, body, tokenize='trigram');}}"
               "{{POSTGRES:CREATE INDEX site_search_docs_title_trgm ON site_search_docs USING gin (title public.gin_trgm_ops);"
               "CREATE INDEX site_search_docs_body_trgm ON site_search_docs USING gin (body public.gin_trgm_ops);}}"}};
}

Result<void> register_search_migrations() {
  static std::once_flag once;
  static Result<void> result = ok();
  std::call_once(once, [] { result = store::register_migrations(kMigrationModule, search_migrations()); });
  return result;
}

}  // namespace koban::site::search
