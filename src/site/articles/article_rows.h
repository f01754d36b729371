// Internal to site/articles: column lists, row decoding and the audit helper shared by the
// articles' .cc files. Not for use outside src/site/articles.
#pragma once

#include <string>

#include "site/articles/articles.h"

namespace koban::site::articles {

inline constexpr const char* kArticleColumns =
    "id, unit_id, title, section, topic, station_id, pub_state, work_state, latest_version_id, live_version_id,"
    " scheduled_version_id, pending_version_id, request_id, request_kind, created_by, created_at, updated_at,"
    " published_at, closed_at";
inline constexpr const char* kVersionColumns =
    "id, article_id, version_no, title, body, section, topic, station_id, publish_start, publish_end, contact,"
    " summary, restored_from, created_by, created_at";

// Without spaces, tabs, line breaks and ideographic spaces (U+3000) at both ends.
std::string strip(std::string_view s);

Article article_from_row(const store::Row& r);
Version version_from_row(const store::Row& r);
std::optional<Instant> opt_time(const store::Row& r, std::size_t i);

// Appends "site.article.<verb>" for the article (outcome ok) in s's transaction.
Result<void> audit_article(store::Session& s, const workflow::By& by, const std::string& verb, ArticleId id,
                           const std::string& summary, Instant now);

}  // namespace koban::site::articles
