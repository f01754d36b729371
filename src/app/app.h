// App: the wiring of one koban process — configuration, data directory, database, HTTP server,
// job workers, mail delivery. `koban serve` runs all of it; `koban worker` only the workers.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <memory>
#include <string>

#include "alerts/alerts.h"
#include "alerts/subscribers.h"
#include "core/config.h"
#include "mailbox/mailbox.h"
#include "site/articles/articles.h"
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
namespace koban::store {
class Database;
class Worker;
class Scheduler;
}  // namespace koban::store
namespace koban::workflow {
class KindRegistry;
}
namespace koban::ledger {
class Ledger;
}
namespace koban::calendar {
class BusinessCalendar;
}

namespace koban::app {

struct SiteOutput;

class MailDelivery;
class StaffAuth;

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
  Result<void> init_http();
  void add_routes();
  void register_jobs();
  void scheduler_loop();

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

  Result<void> fill_demo();
  alerts::Settings alert_settings() const;
  site::articles::Settings article_settings() const;

  struct Storage;  // the open database and its data-directory lock
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<calendar::BusinessCalendar> calendar_;
  // The published website (static output, manifest, hooks); before worker_ so that it
  // outlives the job handlers that publish.
  std::unique_ptr<SiteOutput> site_;
  std::unique_ptr<store::Worker> worker_;
  std::unique_ptr<store::Scheduler> scheduler_;
  std::unique_ptr<MailDelivery> mail_;
  std::unique_ptr<StaffAuth> staff_;
  std::shared_ptr<const ledger::Ledger> ledger_;
  std::shared_ptr<const workflow::KindRegistry> request_kinds_;
  std::string data_key_;  // the secret for encryption at rest (secret_key.h)
  std::shared_ptr<alerts::Subscribers> subscribers_;
  std::shared_ptr<const mailbox::Mailbox> mailbox_;
  std::thread scheduler_thread_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

// "HOST:PORT" → host, port; "[::1]:8080" too.
Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& listen);

}  // namespace koban::app
