// The pages of the published site, made from a Snapshot (site_snapshot.h): article pages,
// section indexes, topic lists and station pages (paginated at per_page, newest first), the
// station index, the home page (latest news and alerts, or the emergency notice alone), the
// human sitemap, news.atom, sitemap.xml and robots.txt. Paths are relative to the publish dir.
//
//   publish::SiteRenderer r({.base_url = "https://www.police.example.jp", .site = web::site_context(cfg),
//                            .templates = t});
//   auto index = r.index(snap);                          // lists and every path, no rendering
//   auto jobs = r.jobs(snap, index, publish::Selection::all(), home);  // one function per page
//   for (auto& j : jobs) { KOBAN_ASSIGN(publish::Page p, j()); ... }   // any thread
//
// Lists are named by key: "safety/prevention" (a topic) or "stations/chuo" (a station's news,
// every live article with that station); their pages are <key>/index.html, <key>/page2.html ...
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "site/articles/articles.h"
#include "site/publish/page_templates.h"
#include "site/publish/site_snapshot.h"

namespace koban::site::publish {

// The emergency layout (緊急災害モード) of the home page: only this notice, its links and a
// minimal list of sections.
struct EmergencyNotice {
  struct Link {
    std::string text, url;  // a URL that markdown::refuse_url refuses is left out
  };
  std::string message;
  std::vector<Link> links;
};

struct RenderConfig {
  std::string base_url{};  // absolute, for Atom, sitemap.xml and robots.txt ("https://host")
  nlohmann::json site{};  // web::site_context(config): {"site": {force_name, sections ...}}
  std::shared_ptr<const PageTemplates> templates{};
  articles::Settings article_settings{};  // Markdown limits
  std::size_t per_page = 50;
  std::size_t home_news = 10;
  std::size_t feed_entries = 50;
  std::size_t section_latest = 5;
};

struct Page {
  std::string path;  // "safety/prevention/12.html"
  std::string body;
};

// What the home page shows besides the news.
struct HomeExtras {
  std::optional<EmergencyNotice> emergency;
  nlohmann::json alerts;  // app::home_alerts_context: latest_alerts, has_latest_alerts, ... (or null)
};

struct SiteIndex {
  std::map<std::string, std::vector<const LiveArticle*>> lists;  // key → newest first
  std::set<std::string> paths;                                    // every page and upload
  // The lists an article appears in (its topic, its station).
  static std::vector<std::string> lists_of(const LiveArticle& a, const Snapshot& snap);
};

struct Selection {
  bool everything = false;
  std::set<articles::ArticleId> articles{};  // their article pages
  std::set<std::string> lists{};           // every page of these lists
  bool shared = false;  // home, section indexes, station index, sitemaps, news.atom, robots.txt
  bool home_only = false;
  static Selection all() { return {.everything = true, .shared = true}; }
};

using PageJob = std::function<Result<Page>()>;

class SiteRenderer {
 public:
  explicit SiteRenderer(RenderConfig config);
  SiteIndex index(const Snapshot& snap) const;
  // One job per page selected; the jobs refer to snap, index and home (keep them alive).
  std::vector<PageJob> jobs(const Snapshot& snap, const SiteIndex& index, const Selection& sel,
                            const HomeExtras& home) const;
  const RenderConfig& config() const { return config_; }

 private:
  nlohmann::json layout(std::string_view section, std::string title,
                        const std::vector<std::pair<std::string, std::string>>& crumbs) const;
  Result<Page> article_page(const Snapshot& snap, const LiveArticle& a) const;
  Result<Page> list_page(const Snapshot& snap, const std::string& key, const std::vector<const LiveArticle*>& items,
                         std::size_t page_no) const;
  Result<Page> section_page(const SiteIndex& index, std::string_view section) const;
  Result<Page> stations_page(const Snapshot& snap) const;
  Result<Page> home_page(const Snapshot& snap, const HomeExtras& home) const;
  Result<Page> sitemap_page(const Snapshot& snap) const;
  Page atom_feed(const Snapshot& snap) const;
  Page sitemap_xml(const SiteIndex& index, const Snapshot& snap) const;
  Page robots_txt() const;

  RenderConfig config_;
  std::map<std::string, nlohmann::json, std::less<>> site_by_section_;  // nav with aria-current
};

// Helpers shared with the tests and the command.
std::string jst_date_text(Instant t);  // "2026年11月24日"
std::string size_text(std::uint64_t bytes);  // "12KB", "1.5MB"
std::string xml_escape(std::string_view s);  // & < > " ' ; control characters dropped

}  // namespace koban::site::publish
