// Writes the published site into a directory (DATA/public) that koban or any web server can
// serve as it is: pages from SiteRenderer, and the live articles' images and PDFs copied from
// DATA/uploads to <dir>/uploads/<stored_name>. Files are written atomically (a temp file in the
// same folder, then rename), so a reader sees the old page or the new one, never half a page.
//
//   publish::Publisher pub(db, {.publish_dir = data / "public", .upload_dir = data / "uploads",
//                               .render = {.base_url = url, .site = web::site_context(cfg), .templates = t},
//                               .home_alerts = [&] { return app::home_alerts_context(db, 5); },
//                               .emergency = emergency_switch,   // (Session&) → optional notice
//                               .on_files = [&](auto& written, auto& removed) { manifest.update(...); },
//                               .on_changed = [&] { public_files.invalidate(); }});
//   KOBAN_ASSIGN(auto report, pub.build_all());     // every page; removes its own stale files
//   articles::Hooks hooks = pub.hooks();             // on_published / on_closed → incremental
//   pub.refresh_home();                              // after an alert was sent or the emergency switch
//
// Incremental updates render only what an article touches: its page, every page of its topic
// list and station list (old and new, when a replacement moved it), the section indexes, the
// station index, home, news.atom, sitemap.xml and the sitemap page. The publisher keeps the
// list of files it wrote in <dir>/.koban-publish (hidden: StaticFiles never serves it) and
// only ever removes files on that list, so uploads or files put there by hand stay.
// One operation at a time: a mutex in the process and a lock file (<dir>/.koban-publish.lock)
// between processes, e.g. `koban site build` next to `koban serve`. Callbacks run inside
// them, after the files are in place. The Publisher must outlive the hooks it hands out.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "site/articles/article_flow.h"
#include "site/publish/site_renderer.h"
#include "store/database.h"

namespace koban::site::publish {

using EmergencySource = std::function<Result<std::optional<EmergencyNotice>>(store::Session&)>;
using FilesCallback = std::function<void(const std::vector<std::string>& written, const std::vector<std::string>& removed)>;

struct PublisherConfig {
  std::filesystem::path publish_dir;  // DATA/public
  std::filesystem::path upload_dir;   // DATA/uploads (articles::Settings::upload_dir)
  RenderConfig render{};
  int threads = 2;     // pages rendered and written in parallel
  bool fsync = false;  // fsync each file before the rename (slower; for power-loss safety)
  std::function<Result<nlohmann::json>()> home_alerts{};  // app::home_alerts_context(db, 5)
  EmergencySource emergency{};                          // nullopt: the normal home page
  FilesCallback on_files{};                             // paths relative to publish_dir
  std::function<void()> on_changed{};                   // e.g. StaticFiles::invalidate()
  std::function<void(std::size_t done, std::size_t total)> progress{};  // build_all, every 1,000 pages
};

struct PublishReport {
  std::vector<std::string> written, removed;  // relative paths, sorted
  std::size_t pages = 0;                      // pages rendered (uploads not counted)
};

class Publisher {
 public:
  Publisher(store::Database& db, PublisherConfig config);

  // Every page of the site; removes the files it wrote before that are no longer part of it.
  Result<PublishReport> build_all();
  // An article went live (or a replacement did) / left the site. Before any build_all (no
  // list of written files yet) these build everything.
  Result<PublishReport> on_published(articles::ArticleId id) { return update(id); }
  Result<PublishReport> on_closed(articles::ArticleId id) { return update(id); }
  // Only index.html: new alerts, or the emergency notice switched on or off (everything when
  // nothing was published into the directory yet).
  Result<PublishReport> refresh_home();
  // Hooks for the article flow (article_flow.h): errors go to stderr (the article is committed
  // either way; `koban site build` repairs the output).
  articles::Hooks hooks();

  const PublisherConfig& config() const { return config_; }

 private:
  struct Manifest {
    bool loaded = false, exists = false;
    std::set<std::string> files;
    std::map<articles::ArticleId, std::vector<std::string>> lists;  // the lists each article is in
    std::uintmax_t size = 0;  // of the file when last read or written
    std::int64_t mtime = -1;
  };
  void forget_manifest_if_changed();
  void remember_manifest_stamp();
  Result<PublishReport> update(articles::ArticleId id);
  Result<PublishReport> build_all_locked();  // mu_ and the directory lock held, manifest loaded
  Result<void> load_manifest();
  Result<void> save_manifest();
  Result<HomeExtras> home_extras(store::Session& s);
  Result<HomeExtras> read_snapshot(Snapshot& snap, const SnapshotOptions& opt);
  // Runs the jobs over config_.threads threads, writing each page; fills report.
  Result<void> run(const std::vector<PageJob>& jobs, PublishReport& report, bool progress);
  Result<void> copy_uploads(const Snapshot& snap, const std::set<articles::ArticleId>* only, PublishReport& report);
  Result<void> finish(const SiteIndex& index, const Snapshot& snap, bool full, PublishReport& report);
  Result<void> write_file(const std::string& rel, std::string_view bytes);

  store::Database& db_;
  PublisherConfig config_;
  SiteRenderer renderer_;
  Manifest manifest_;
  std::mutex mu_;
};

}  // namespace koban::site::publish
