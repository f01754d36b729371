#include "site/search/search.h"

#include <algorithm>

#include "org/units.h"
#include "site/sections.h"
#include "site/search/plain_text.h"
#include "site/search/query.h"
#include "site/search/snippet.h"

namespace koban::site::search {
namespace {

constexpr const char* kDocColumns =
    "d.article_id, d.title, d.body, d.section, d.topic, d.station_name, d.url, d.published_at";

// The WHERE clause and its parameters for the terms. Only fixed fragments go into the SQL;
// every term is a parameter.
struct Where {
  std::string sql;
  std::vector<store::Value> params;
};

Where where_for(store::Backend backend, const std::vector<std::string>& terms) {
  Where w;
  const bool sqlite = backend == store::Backend::sqlite;
  const char* like = sqlite ? " LIKE " : " ILIKE ";
  std::string match;  // SQLite: the long terms as one FTS5 expression of quoted phrases
  for (const auto& t : terms) {
    if (sqlite && char_count(t) >= kTrigramChars) {
      std::string phrase = "\"";
      for (char c : t) {
        if (c == '"') phrase += '"';  // FTS5 quotes a quote by doubling it
        phrase += c;
      }
      phrase += '"';
      match += match.empty() ? phrase : " AND " + phrase;
      continue;
    }
    const std::string pattern = "%" + escape_like(t) + "%";
    w.sql += w.sql.empty() ? " WHERE " : " AND ";
    w.sql += std::string("(d.title") + like + "? ESCAPE '\\' OR d.body" + like + "? ESCAPE '\\')";
    w.params.emplace_back(pattern);
    w.params.emplace_back(pattern);
  }
  if (!match.empty()) {
    w.sql += w.sql.empty() ? " WHERE " : " AND ";
    w.sql += "d.article_id IN (SELECT rowid FROM site_search_fts WHERE site_search_fts MATCH ?)";
    w.params.emplace_back(match);
  }
  return w;
}

// 0 when any term is in the title (listed first), else 1.
Where title_rank(store::Backend backend, const std::vector<std::string>& terms) {
  Where r;
  const char* like = backend == store::Backend::sqlite ? " LIKE " : " ILIKE ";
  r.sql = "CASE WHEN ";
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (i) r.sql += " OR ";
    r.sql += std::string("d.title") + like + "? ESCAPE '\\'";
    r.params.emplace_back("%" + escape_like(terms[i]) + "%");
  }
  r.sql += " THEN 0 ELSE 1 END";
  return r;
}

std::string section_label(std::string_view section, std::string_view topic, std::string_view station_name) {
  if (section == kStationsSection) {
    const auto* sec = find_section(section);
    std::string label(sec ? sec->name : "警察署");
    if (!station_name.empty()) label += " ＞ " + std::string(station_name);
    return label;
  }
  return label_of(section, topic);
}

}  // namespace

std::string article_path(std::string_view section, std::string_view topic, std::string_view station_code,
                         ArticleId id) {
  if (section == kStationsSection)
    return "/stations/" + std::string(station_code) + "/" + std::to_string(id) + ".html";
  return "/" + std::string(section) + "/" + std::string(topic) + "/" + std::to_string(id) + ".html";
}

Result<void> remove_article(store::Session& s, ArticleId id) {
  KOBAN_TRY(s.exec("DELETE FROM site_search_docs WHERE article_id = ?", id));
  if (s.backend() == store::Backend::sqlite) KOBAN_TRY(s.exec("DELETE FROM site_search_fts WHERE rowid = ?", id));
  return ok();
}

Result<void> index_article(store::Session& s, ArticleId id) {
  KOBAN_ASSIGN(auto a, articles::get_article(s, id));
  KOBAN_TRY(remove_article(s, id));
  if (a.pub_state != "published" || !a.live_version_id) return ok();
  KOBAN_ASSIGN(auto v, articles::get_version(s, *a.live_version_id));
  std::string station_code, station_name;
  if (v.station_id) {
    KOBAN_ASSIGN(auto unit, org::get_unit(s, *v.station_id));
    station_code = unit.code;
    station_name = unit.name;
  }
  if (v.section == kStationsSection && station_code.empty())
    return Error::internal("station article without a station: " + std::to_string(id));
  const std::string body = plain_text(v.body);
  const std::string url = article_path(v.section, v.topic, station_code, id);
  const Instant published = a.published_at.value_or(v.created_at);
  KOBAN_TRY(s.exec("INSERT INTO site_search_docs (article_id, version_id, title, body, section, topic, station_code,"
                   " station_name, url, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   id, v.id, v.title, body, v.section, v.topic, station_code, station_name, url, to_unix(published)));
  if (s.backend() == store::Backend::sqlite)
    KOBAN_TRY(s.exec("INSERT INTO site_search_fts (rowid, title, body) VALUES (?, ?, ?)", id, v.title, body));
  return ok();
}

Result<int> reindex_all(store::Session& s) {
  KOBAN_TRY(s.exec("DELETE FROM site_search_docs"));
  if (s.backend() == store::Backend::sqlite) KOBAN_TRY(s.exec("DELETE FROM site_search_fts"));
  KOBAN_ASSIGN(auto rows, s.query("SELECT id FROM articles WHERE pub_state = 'published' AND live_version_id IS NOT NULL"
                                  " ORDER BY id"));
  int n = 0;
  for (const auto& r : rows) {
    KOBAN_TRY(index_article(s, r.int64(0)));
    ++n;
  }
  return n;
}

Result<Page> search(store::Session& s, std::string_view query, int page) {
  if (page < 1 || page > kMaxPage)
    return Error::invalid("ページの指定が正しくありません（1〜" + std::to_string(kMaxPage) + "）。");
  KOBAN_ASSIGN(auto q, parse_query(query));
  Page out;
  out.page = page;
  out.terms = q.terms;
  if (q.terms.empty()) return out;

  const Where where = where_for(s.backend(), q.terms);
  {
    std::vector<store::Value> params = where.params;
    params.emplace_back(std::int64_t{kMaxCounted + 1});
    KOBAN_ASSIGN(auto rows, s.query_values("SELECT COUNT(*) FROM (SELECT 1 FROM site_search_docs d" + where.sql +
                                               " LIMIT ?) x",
                                           params));
    const int n = rows.empty() ? 0 : static_cast<int>(rows[0].int64(0));
    out.total_capped = n > kMaxCounted;
    out.total = std::min(n, kMaxCounted);
    out.pages = std::min((out.total + kPageSize - 1) / kPageSize, kMaxPage);
  }
  if (out.total == 0 || page > out.pages) return out;

  const Where rank = title_rank(s.backend(), q.terms);
  std::vector<store::Value> params = rank.params;
  params.insert(params.end(), where.params.begin(), where.params.end());
  params.emplace_back(std::int64_t{kPageSize});
  params.emplace_back(std::int64_t{(page - 1) * kPageSize});
  KOBAN_ASSIGN(auto rows, s.query_values(std::string("SELECT ") + kDocColumns + ", " + rank.sql +
                                             " AS title_rank FROM site_search_docs d" + where.sql +
                                             " ORDER BY title_rank, d.published_at DESC, d.article_id DESC"
                                             " LIMIT ? OFFSET ?",
                                         params));
  for (const auto& r : rows) {
    Hit h;
    h.article_id = r.int64(0);
    h.title = r.text(1);
    const std::string body = r.text(2);
    h.section = r.text(3);
    h.topic = r.text(4);
    h.station_name = r.text(5);
    h.url = r.text(6);
    h.published_at = from_unix(r.int64(7));
    h.title_html = mark_html(h.title, q.terms);
    h.snippet_html = snippet_html(body, q.terms);
    h.section_label = section_label(h.section, h.topic, h.station_name);
    out.hits.push_back(std::move(h));
  }
  return out;
}

}  // namespace koban::site::search
