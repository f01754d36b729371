// The published website's moving parts in `koban serve` and `koban site build` (issue 5,
// items 8 and 9): the publisher that writes DATA/public, the signed manifest of that directory
// (DATA/site/manifest.json, Ed25519 key derived from the data key), and the article hooks
// that keep the output, the manifest and the search index up to date after each commit.
//
//   KOBAN_ASSIGN(auto site, make_site_output(db, config, data_dir, data_key, clock));
//   site->on_changed = [&] { public_files.invalidate(); };    // after each publish
//   KOBAN_TRY(site->build_if_missing());                       // first start, demo
//   register_article_jobs(worker, db, site->hooks(), clock);   // and add_site_routes(...)
//   site->refresh_home();                                      // alert sent, emergency switched
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "core/config.h"
#include "core/result.h"
#include "core/time.h"
#include "site/articles/article_flow.h"
#include "site/integrity/manifest.h"
#include "site/integrity/signing_key.h"
#include "site/publish/publisher.h"
#include "store/database.h"

namespace koban::app {

struct SiteOutput {
  std::filesystem::path publish_dir;  // DATA/public
  std::unique_ptr<site::integrity::Manifest> manifest;
  std::unique_ptr<site::publish::Publisher> publisher;
  std::function<void()> on_changed;  // set by the app once its static file server exists

  // The article flow's hooks: search index first, then the static output (and the manifest).
  site::articles::Hooks hooks(store::Database& db);
  // Builds every page when the directory holds no published output yet (first start, demo)
  // and signs a fresh manifest; an existing output is left as it is.
  Result<void> build_if_missing();
  // Everything again, and a freshly signed manifest (`koban site build`).
  Result<site::publish::PublishReport> build_all();
  // The home page only: an alert was sent or the emergency notice changed. Errors are logged.
  void refresh_home();
};

Result<std::unique_ptr<SiteOutput>> make_site_output(store::Database& db, const Config& config,
                                                     const std::filesystem::path& data_dir,
                                                     const std::string& data_key, const Clock& clock);

// The emergency switch (site/emergency) as the publisher's home page reads it.
site::publish::EmergencySource site_emergency_source();

// The manifest file and the Ed25519 key that signs it.
std::filesystem::path manifest_file(const std::filesystem::path& data_dir);
Result<site::integrity::SigningKey> manifest_key(const std::string& data_key);

}  // namespace koban::app
