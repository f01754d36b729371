// `koban site build` and `koban site verify` (issue 5, items 8 and 9).
#include <cstdio>
#include <filesystem>

#include "app/cli.h"
#include "app/commands.h"
#include "app/common_options.h"
#include "app/database_setup.h"
#include "app/public_alerts_archive_routes.h"
#include "app/secret_key.h"
#include "app/site_setup.h"
#include "site/integrity/verify_command.h"
#include "site/publish/site_build_command.h"
#include "web/site_context.h"

namespace koban::app {
namespace {

constexpr const char* kSiteHelp =
    "usage: koban site build [--data DIR] [--config FILE]\n"
    "       koban site verify [--dir DIR | --url URL] [--manifest FILE] [--public-key FILE|HEX]\n"
    "                         [--data DIR] [--config FILE]\n"
    "\n"
    "build   writes every page of the public site into DATA/public (removing pages koban wrote\n"
    "        before that are no longer part of it) and signs a fresh manifest of the directory\n"
    "        (DATA/site/manifest.json). koban serve may keep running.\n"
    "verify  compares the publish directory (or a live site over http://) with the signed\n"
    "        manifest: changed, added and removed files. Exit status 0: as published; 1: a\n"
    "        difference or a manifest whose signature fails; 2: the check could not run.\n";

int fail_build(const Error& e) {
  std::fprintf(stderr, "koban site build: %s\n", e.message.c_str());
  return 1;
}
// 2, not 1: verify's 1 means "differences found".
int fail_verify(const Error& e) {
  std::fprintf(stderr, "koban site verify: %s\n", e.message.c_str());
  return 2;
}

int site_build(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {{"data", "config"}, {}});
  if (!args || !args->positional.empty()) {
    std::fprintf(stderr, "koban: %s\n\n%s", args ? "unexpected words after build" : args.error().message.c_str(), kSiteHelp);
    return 2;
  }
  auto config = load_config(*args);
  if (!config) return fail_build(config.error());
  auto opened = open_database(*config);
  if (!opened) return fail_build(opened.error());
  if (auto m = migrate_database(*opened->db); !m) return fail_build(m.error());
  auto key = load_or_create_secret_key(*config);
  if (!key) return fail_build(key.error());
  const std::filesystem::path data = config->text("data.dir");
  store::Database& db = *opened->db;
  const int built = site::publish::run_site_build(
      db,
      {.publish_dir = data / "public", .upload_dir = data / "uploads", .base_url = config->text("server.base_url"),
       .site = web::site_context(*config), .home_alerts = [&db] { return home_alerts_context(db, 5); },
       .emergency = site_emergency_source()},
      stderr);
  if (built != 0) return built;
  // The manifest of what is now on disk, signed (the scheduled check compares against it).
  SystemClock clock;
  auto signing = manifest_key(*key);
  if (!signing) return fail_build(signing.error());
  site::integrity::Manifest manifest(manifest_file(data), std::move(*signing), clock);
  if (auto r = manifest.rebuild(data / "public"); !r) return fail_build(r.error());
  std::fprintf(stderr, "site build: manifest signed: %s\n", manifest.file().c_str());
  return 0;
}

int site_verify(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {{"data", "config", "dir", "url", "manifest", "public-key"}, {}});
  if (!args) {
    std::fprintf(stderr, "koban: %s\n\n%s", args.error().message.c_str(), kSiteHelp);
    return 2;
  }
  auto config = load_config(*args);
  if (!config) return fail_verify(config.error());
  const std::filesystem::path data = config->text("data.dir");
  // The key the manifest must be signed with, from the data key; never a new key here (a new
  // one would not match and every check would fail).
  std::optional<std::string> pinned;
  if (auto key = load_secret_key(*config)) {
    auto signing = manifest_key(*key);
    if (!signing) return fail_verify(signing.error());
    pinned = signing->public_key();
  } else if (key.error().code != ErrorCode::not_found) {
    return fail_verify(key.error());
  }
  return site::integrity::cmd_site_verify(argv, {.data_dir = data, .pinned_public_key = pinned});
}

}  // namespace

int cmd_site(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fputs(kSiteHelp, stderr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    std::fputs(kSiteHelp, stdout);
    return 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const auto& a : rest)
    if (a == "--help" || a == "-h") {
      std::fputs(kSiteHelp, stdout);
      return 0;
    }
  if (args[0] == "build") return site_build(rest);
  if (args[0] == "verify") return site_verify(rest);
  std::fprintf(stderr, "koban site: unknown subcommand '%s'\n\n%s", args[0].c_str(), kSiteHelp);
  return 2;
}

}  // namespace koban::app
