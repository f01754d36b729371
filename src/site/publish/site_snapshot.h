// What the public site shows, read from the database in a few queries (not one per article):
// the live version of every published article, the files reviewed with it, the police stations
// and the units' names. The renderer (site_renderer.h) turns it into pages.
//
//   KOBAN_ASSIGN(auto snap, publish::load_snapshot(s, {.bodies = publish::Bodies::all}));
//   for (const auto& a : snap.articles) ...   // newest first (published_at, then id)
//   const Station* st = snap.station(a.station_id);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "site/articles/articles.h"
#include "store/database.h"

namespace koban::site::publish {

struct Station {
  org::UnitId id = 0;
  std::string code, name, phone, address, jurisdiction;
};

struct LiveArticle {
  articles::ArticleId id = 0;
  org::UnitId unit_id = 0;
  std::optional<org::UnitId> station_id;
  std::string title, section, topic, contact;
  std::string body;  // empty unless asked for (Bodies)
  int version_no = 0;
  Instant version_at{};    // when the live version was saved (its content)
  Instant published_at{};  // when it went live
  // The article's files saved before the live version, i.e. the ones reviewed with it: a photo
  // uploaded for a replacement draft is not public until that draft is approved.
  std::vector<articles::File> files;
  std::string path;  // the page, relative to the publish dir: "safety/prevention/12.html"
};

enum class Bodies { none, all, one };

struct SnapshotOptions {
  Bodies bodies = Bodies::all;
  articles::ArticleId body_of = 0;  // with Bodies::one: the only article whose body is read
};

struct Snapshot {
  std::vector<LiveArticle> articles;  // newest first
  std::vector<Station> stations;      // active police stations, in the org's order
  std::unordered_map<org::UnitId, std::string> unit_names;

  const Station* station(std::optional<org::UnitId> id) const;
  const LiveArticle* article(articles::ArticleId id) const;
};

Result<Snapshot> load_snapshot(store::Session& s, const SnapshotOptions& opt = {});

// Whether s is a safe single path segment for a written file ([A-Za-z0-9._-], no leading dot).
bool safe_segment(std::string_view s);

// The page of an article ("" when its section is unknown: not published).
std::string article_path(const LiveArticle& a, const Snapshot& snap);

}  // namespace koban::site::publish
