// Site search that works for Japanese (issue 5 item 1, SITE-1): an index of the live versions
// of published articles, searched by substring so that no word segmentation is needed.
//
//   SQLite:     terms of 3+ characters through the FTS5 trigram table (site_search_fts MATCH),
//   PostgreSQL: ILIKE over title and body, which the pg_trgm GIN indexes serve;
//   both:       terms of 1–2 characters (「詐欺」) cannot use trigrams and fall back to
//               LIKE / ILIKE over site_search_docs; results are bounded by LIMIT/OFFSET and the
//               count by kMaxCounted, so every query does bounded work per page.
// Terms are ANDed; each must occur in the title or the body. Order: articles whose title holds
// a term first, then the newest. LIKE wildcards typed by a visitor match themselves.
//
//   // after an article goes live or leaves the site (Hooks in site/articles/article_flow.h):
//   db.write([&](store::Session& s) { return search::index_article(s, id); });
//   db.write([&](store::Session& s) { return search::reindex_all(s).ok() ? ok() : ...; });
//   KOBAN_ASSIGN(auto page, search::search(s, "特殊詐欺 還付金", 1));
//   for (auto& h : page.hits) show(h.url, h.title_html, h.snippet_html);   // HTML: escaped + <mark>
//
// Tables: search_migrations.h. Queries: query.h. Snippets: snippet.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "site/articles/articles.h"
#include "store/database.h"

namespace koban::site::search {

using articles::ArticleId;

inline constexpr int kPageSize = 10;
inline constexpr int kMaxPage = 100;      // deeper pages are refused (bounded OFFSET)
inline constexpr int kMaxCounted = 1000;  // "1000件以上"

// The public path of an article: /<section>/<topic>/<id>.html, or
// /stations/<station-code>/<id>.html for the 警察署 section.
std::string article_path(std::string_view section, std::string_view topic, std::string_view station_code,
                         ArticleId id);

// Indexes the article's live version when it is published; removes its entry otherwise
// (closed, deleted, scheduled without a live version). not_found for an unknown article.
Result<void> index_article(store::Session& s, ArticleId id);
Result<void> remove_article(store::Session& s, ArticleId id);
// Empties the index and indexes every published article; returns how many.
Result<int> reindex_all(store::Session& s);

struct Hit {
  ArticleId article_id = 0;
  std::string url;
  std::string title;          // plain
  std::string title_html;     // escaped, hits in <mark>
  std::string snippet_html;   // escaped, hits in <mark>
  std::string section, topic;
  std::string section_label;  // "安全な暮らし ＞ 防犯" or the station's name under 警察署
  std::string station_name;
  Instant published_at{};
};

struct Page {
  std::vector<std::string> terms;  // as parsed; empty: nothing was asked
  std::vector<Hit> hits;
  int total = 0;                   // capped at kMaxCounted
  bool total_capped = false;       // more than kMaxCounted matched
  int page = 1;
  int pages = 0;                   // of the (capped) total
};

// page 1..kMaxPage (invalid_argument otherwise, and for a query parse_query refuses).
Result<Page> search(store::Session& s, std::string_view query, int page);

}  // namespace koban::site::search
