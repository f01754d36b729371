// App: the wiring of one koban process — configuration, data directory, database, HTTP server,
// job workers, mail delivery. `koban serve` runs all of it; `koban worker` only the workers.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/config.h"
#include "core/metrics.h"
#include "core/result.h"
#include "core/time.h"

namespace koban::http {
class Router;
class Server;
class StaticFiles;
}  // namespace koban::http
namespace koban::web {
class Templates;
}

namespace koban::app {

struct AppOptions {
  bool http = true;     // serve: the HTTP server; worker: false
  bool workers = true;  // job workers and mail delivery
  bool demo = false;    // fill the demo force on an empty database
};

class App {
 public:
  static Result<std::unique_ptr<App>> open(Config config, AppOptions options);
  ~App();
  // Starts the server and workers; returns once the HTTP socket accepts connections.
  Result<void> start();
  // Graceful stop: in-flight requests finish, workers stop at a safe point.
  void stop();
  void wait();

  const Config& config() const { return config_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  std::uint16_t port() const;

 private:
  App(Config config, AppOptions options);
  Result<void> init();
  void add_routes();

  Config config_;
  AppOptions options_;
  std::filesystem::path data_dir_;
  SystemClock clock_;
  Metrics metrics_;
  std::shared_ptr<web::Templates> templates_;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<http::StaticFiles> static_assets_;
  std::unique_ptr<http::StaticFiles> public_site_;
  std::unique_ptr<http::Server> server_;
};

// "HOST:PORT" → host, port; "[::1]:8080" too.
Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& listen);

}  // namespace koban::app
