#include "site/site_migrations.h"

#include <mutex>

namespace koban::site {

std::vector<store::Migration> site_migrations() {
  return {
      {1, "articles",
       // pub_state: none | scheduled | published | closed | deleted (the public side);
       // work_state: none | draft | review | approved (the newest version's way to publication).
       // title/section/topic/station_id copy the newest version, for lists and filters.
       "CREATE TABLE articles ("
       " id {{ID}},"
       " unit_id {{BIGINT}} NOT NULL REFERENCES units(id),"
       " title TEXT NOT NULL,"
       " section TEXT NOT NULL,"
       " topic TEXT NOT NULL,"
       " station_id {{BIGINT}},"
       " pub_state TEXT NOT NULL DEFAULT 'none',"
       " work_state TEXT NOT NULL DEFAULT 'draft',"
       " latest_version_id {{BIGINT}},"
       " live_version_id {{BIGINT}},"
       " scheduled_version_id {{BIGINT}},"
       " pending_version_id {{BIGINT}},"
       " request_id {{BIGINT}} REFERENCES requests(id),"
       " request_kind TEXT,"
       " created_by {{BIGINT}} NOT NULL,"
       " created_at {{BIGINT}} NOT NULL,"
       " updated_at {{BIGINT}} NOT NULL,"
       " published_at {{BIGINT}},"
       " closed_at {{BIGINT}});"
       "CREATE INDEX articles_unit ON articles(unit_id, id);"
       "CREATE INDEX articles_section ON articles(section, id);"
       "CREATE INDEX articles_pub ON articles(pub_state, id);"
       "CREATE INDEX articles_work ON articles(work_state, id);"
       // Every save is a version; nothing is ever updated or deleted here.
       "CREATE TABLE article_versions ("
       " id {{ID}},"
       " article_id {{BIGINT}} NOT NULL REFERENCES articles(id),"
       " version_no INTEGER NOT NULL,"
       " title TEXT NOT NULL,"
       " body TEXT NOT NULL,"
       " section TEXT NOT NULL,"
       " topic TEXT NOT NULL,"
       " station_id {{BIGINT}},"
       " publish_start {{BIGINT}},"
       " publish_end {{BIGINT}},"
       " contact TEXT NOT NULL,"
       " summary TEXT NOT NULL,"
       " restored_from INTEGER,"
       " created_by {{BIGINT}} NOT NULL,"
       " created_at {{BIGINT}} NOT NULL,"
       " UNIQUE (article_id, version_no));"
       // Uploaded images and PDFs, stored under DATA/uploads as <sha256>.<ext>.
       "CREATE TABLE article_files ("
       " id {{ID}},"
       " article_id {{BIGINT}} NOT NULL REFERENCES articles(id),"
       " kind TEXT NOT NULL,"
       " sha256 TEXT NOT NULL,"
       " stored_name TEXT NOT NULL,"
       " original_name TEXT NOT NULL,"
       " media_type TEXT NOT NULL,"
       " size_bytes {{BIGINT}} NOT NULL,"
       " alt TEXT NOT NULL,"
       " created_by {{BIGINT}} NOT NULL,"
       " created_at {{BIGINT}} NOT NULL);"
       "CREATE INDEX article_files_article ON article_files(article_id, id);"
       // The reviewer's explicit overrides of blocking findings, kept with the approval.
       "CREATE TABLE article_overrides ("
       " id {{ID}},"
       " article_id {{BIGINT}} NOT NULL REFERENCES articles(id),"
       " version_id {{BIGINT}} NOT NULL,"
       " request_id {{BIGINT}} NOT NULL,"
       " code TEXT NOT NULL,"
       " line INTEGER NOT NULL,"
       " message TEXT NOT NULL,"
       " excerpt TEXT NOT NULL,"
       " reason TEXT NOT NULL,"
       " person_id {{BIGINT}} NOT NULL,"
       " created_at {{BIGINT}} NOT NULL);"
       "CREATE INDEX article_overrides_article ON article_overrides(article_id, id);"
       // One row per (round, article): round is the due date "YYYY-MM-DD" (end of Jan / Jul).
       "CREATE TABLE site_inspections ("
       " id {{ID}},"
       " round TEXT NOT NULL,"
       " unit_id {{BIGINT}} NOT NULL,"
       " article_id {{BIGINT}} NOT NULL REFERENCES articles(id),"
       " version_id {{BIGINT}},"
       " decision TEXT,"
       " note TEXT NOT NULL DEFAULT '',"
       " decided_by {{BIGINT}},"
       " decided_at {{BIGINT}},"
       " created_at {{BIGINT}} NOT NULL,"
       " UNIQUE (round, article_id));"
       "CREATE INDEX site_inspections_unit ON site_inspections(round, unit_id, id);"},
  };
}

Result<void> register_site_migrations() {
  static std::once_flag once;
  static Result<void> result = ok();
  std::call_once(once, [] { result = store::register_migrations("site", site_migrations()); });
  return result;
}

}  // namespace koban::site
