// `koban site build`: every page of the public site into the publish directory, with progress
// on stderr every 1,000 pages and one summary line. The app opens and migrates the database and
// passes its configuration in (commands.cc wires it).
//
//   publish::SiteBuildOptions o{.publish_dir = data / "public", .upload_dir = data / "uploads",
//                               .base_url = config.text("site.base_url"), .site = web::site_context(config)};
//   return publish::run_site_build(*db, o, stderr);   // exit status: 0 built, 1 failed
#pragma once

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "site/publish/publisher.h"
#include "store/database.h"

namespace koban::site::publish {

struct SiteBuildOptions {
  std::filesystem::path publish_dir;
  std::filesystem::path upload_dir;
  std::filesystem::path templates_dir = default_templates_dir();
  std::string base_url;
  nlohmann::json site;  // web::site_context(config)
  int threads = 0;      // 0: every core
  std::function<Result<nlohmann::json>()> home_alerts{};
  EmergencySource emergency{};
  FilesCallback on_files{};
};

int run_site_build(store::Database& db, const SiteBuildOptions& options, std::FILE* err);

}  // namespace koban::site::publish
