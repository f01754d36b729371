#include "app/site_setup.h"

#include <cstdio>

#include "app/public_alerts_archive_routes.h"
#include "site/emergency/emergency.h"
#include "site/publish/page_templates.h"
#include "site/search/search.h"
#include "web/site_context.h"

namespace koban::app {
namespace fs = std::filesystem;

namespace {

void log_error(const char* what, const Error& e) {
  std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"%s\",\"error\":%s}\n", what,
               nlohmann::json(e.message).dump().c_str());
}

// The emergency switch (site/emergency) as the publisher's home page wants it.
Result<std::optional<site::publish::EmergencyNotice>> emergency_notice(store::Session& s) {
  KOBAN_ASSIGN(auto n, site::emergency::current(s));
  if (!n) return std::optional<site::publish::EmergencyNotice>();
  site::publish::EmergencyNotice e{.message = n->message};
  for (const auto& l : n->links) e.links.push_back({l.label, l.url});
  return std::optional<site::publish::EmergencyNotice>(std::move(e));
}

}  // namespace

site::publish::EmergencySource site_emergency_source() { return emergency_notice; }

fs::path manifest_file(const fs::path& data_dir) { return data_dir / "site" / "manifest.json"; }

Result<site::integrity::SigningKey> manifest_key(const std::string& data_key) {
  return site::integrity::SigningKey::from_secret(data_key);
}

Result<std::unique_ptr<SiteOutput>> make_site_output(store::Database& db, const Config& config, const fs::path& data_dir,
                                                     const std::string& data_key, const Clock& clock) {
  auto out = std::make_unique<SiteOutput>();
  out->publish_dir = data_dir / "public";
  KOBAN_ASSIGN(auto key, manifest_key(data_key));
  out->manifest = std::make_unique<site::integrity::Manifest>(manifest_file(data_dir), std::move(key), clock);
  if (auto loaded = out->manifest->load(); !loaded && loaded.error().code != ErrorCode::not_found) {
    // Not rebuilt on purpose: a manifest that fails its check is a finding for site.verify.
    log_error("site manifest cannot be trusted", loaded.error());
  }
  KOBAN_ASSIGN(auto templates, site::publish::PageTemplates::load(site::publish::default_templates_dir()));
  SiteOutput* self = out.get();
  site::integrity::Manifest* manifest = out->manifest.get();
  const fs::path dir = out->publish_dir;
  out->publisher = std::make_unique<site::publish::Publisher>(db, site::publish::PublisherConfig{
      .publish_dir = dir,
      .upload_dir = data_dir / "uploads",
      .render = {.base_url = config.text("server.base_url"), .site = web::site_context(config), .templates = templates},
      .home_alerts = [&db] { return home_alerts_context(db, 5); },
      .emergency = emergency_notice,
      .on_files = [manifest, dir](const std::vector<std::string>& written, const std::vector<std::string>& removed) {
        if (auto u = manifest->update(dir, written, removed); !u) log_error("site manifest update failed", u.error());
      },
      .on_changed = [self] { if (self->on_changed) self->on_changed(); }});
  return out;
}

site::articles::Hooks SiteOutput::hooks(store::Database& db) {
  auto output = publisher->hooks();
  auto reindex = [&db](site::articles::ArticleId id) {
    auto r = db.write([&](store::Session& s) { return site::search::index_article(s, id); });
    if (!r) log_error("search index update failed", r.error());
  };
  return {.on_published = [output, reindex](site::articles::ArticleId id) {
            reindex(id);
            if (output.on_published) output.on_published(id);
          },
          .on_closed = [output, reindex](site::articles::ArticleId id) {
            reindex(id);
            if (output.on_closed) output.on_closed(id);
          }};
}

Result<site::publish::PublishReport> SiteOutput::build_all() {
  KOBAN_ASSIGN(auto report, publisher->build_all());
  KOBAN_TRY(manifest->rebuild(publish_dir));
  return report;
}

Result<void> SiteOutput::build_if_missing() {
  std::error_code ec;
  if (fs::exists(publish_dir / ".koban-publish", ec) && manifest->loaded()) return ok();
  if (!fs::exists(publish_dir / ".koban-publish", ec)) {
    KOBAN_TRY(build_all());
    return ok();
  }
  // Output exists but no manifest was ever written (e.g. an older version published it).
  if (!fs::exists(manifest->file(), ec)) KOBAN_TRY(manifest->rebuild(publish_dir));
  return ok();
}

void SiteOutput::refresh_home() {
  if (auto r = publisher->refresh_home(); !r) log_error("home page refresh failed", r.error());
}

}  // namespace koban::app
