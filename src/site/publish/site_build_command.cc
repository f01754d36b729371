#include "site/publish/site_build_command.h"

#include <chrono>
#include <thread>

namespace koban::site::publish {

int run_site_build(store::Database& db, const SiteBuildOptions& o, std::FILE* err) {
  const auto start = std::chrono::steady_clock::now();
  auto templates = PageTemplates::load(o.templates_dir);
  if (!templates) {
    std::fprintf(err, "site build: %s\n", templates.error().message.c_str());
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(o.publish_dir, ec);
  if (ec) {
    std::fprintf(err, "site build: cannot create %s: %s\n", o.publish_dir.c_str(), ec.message().c_str());
    return 1;
  }
  const int threads = o.threads > 0 ? o.threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  Publisher pub(db, {.publish_dir = o.publish_dir,
                     .upload_dir = o.upload_dir,
                     .render = {.base_url = o.base_url, .site = o.site, .templates = *templates},
                     .threads = threads,
                     .home_alerts = o.home_alerts,
                     .emergency = o.emergency,
                     .on_files = o.on_files,
                     .progress = [err](std::size_t done, std::size_t total) {
                       std::fprintf(err, "site build: %zu/%zu pages\n", done, total);
                     }});
  auto report = pub.build_all();
  if (!report) {
    std::fprintf(err, "site build: failed: %s\n", report.error().message.c_str());
    return 1;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(err, "site build: %zu pages, %zu files written, %zu removed in %.2f s (%.0f pages/s) into %s\n",
               report->pages, report->written.size(), report->removed.size(), secs,
               secs > 0 ? static_cast<double>(report->pages) / secs : 0.0, o.publish_dir.c_str());
  return 0;
}

}  // namespace koban::site::publish
