#include "app/app.h"

#include "app/calendar_from_config.h"
#include "app/admin_mail_routes.h"
#include "app/admin_audit_routes.h"
#include "app/admin_incidents_routes.h"
#include "app/admin_ledger_routes.h"
#include "app/admin_requests_routes.h"
#include "requests/forms.h"
#include "incidents/suspension.h"
#include "ledger/ledger.h"
#include "app/admin_org_routes.h"
#include "app/admin_roster_routes.h"
#include "app/public_alerts_routes.h"
#include "app/public_mailbox_routes.h"
#include "app/admin_mailbox_routes.h"
#include "mailbox/mailbox_config.h"
#include "mailbox/mailbox_demo.h"
#include "mailbox/mailbox_jobs.h"
#include "app/public_alerts_archive_routes.h"
#include "app/admin_alerts_routes.h"
#include "app/admin_site_routes.h"
#include "app/admin_site_emergency_routes.h"
#include "app/public_search_routes.h"
#include "app/site_setup.h"
#include "site/integrity/incident_sink.h"
#include "site/integrity/verify_job.h"
#include "site/search/search.h"
#include "site/articles/article_demo.h"
#include "site/articles/article_flow.h"
#include "site/articles/inspections.h"
#include "app/admin_subscribers_routes.h"
#include "app/admin_alerts_progress_routes.h"
#include "app/alerts_delivery_setup.h"
#include "alerts/alert_demo.h"
#include "alerts/alert_kind.h"
#include "alerts/alert_register.h"
#include "alerts/alerts.h"
#include "alerts/subscriber_demo.h"
#include "alerts/subscribers.h"
#include "app/auth_settings.h"
#include "auth/sessions.h"
#include "auth/webauthn/webauthn.h"
#include "app/database_setup.h"
#include "app/mail_setup.h"
#include "app/notifications.h"
#include "workflow/queues.h"
#include "app/secret_key.h"
#include "app/staff_auth.h"
#include "auth/secret_box.h"
#include "auth/credentials.h"
#include "org/demo.h"
#include "org/people.h"
#include "mail/mime.h"
#include "core/calendar/business_calendar.h"
#include "core/calendar/schedule.h"
#include "http/router.h"
#include "store/jobs.h"
#include "store/scheduler.h"
#include "store/worker.h"
#include "http/server.h"
#include "http/static_files.h"
#include "web/site_context.h"
#include "web/templates.h"

namespace koban::app {
namespace fs = std::filesystem;

Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= listen.size())
    return Error::invalid("listen must be HOST:PORT, not '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  for (char c : listen.substr(colon + 1)) {
    if (c < '0' || c > '9') return Error::invalid("port must be a number: '" + listen + "'");
    port = port * 10 + (c - '0');
    if (port > 65535) return Error::invalid("port must be 0..65535: '" + listen + "'");
  }
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

struct App::Storage {
  OpenedDatabase opened;
  store::Database& db() { return *opened.db; }
};

App::App(Config config, AppOptions options) : config_(std::move(config)), options_(options) {}
App::~App() { stop(); }

Result<std::unique_ptr<App>> App::open(Config config, AppOptions options) {
  std::unique_ptr<App> app(new App(std::move(config), options));
  KOBAN_TRY(app->init());
  return app;
}

Result<void> App::init() {
  data_dir_ = config_.text("data.dir");
  std::error_code ec;
  for (const char* sub : {"", "logs", "public", "uploads", "tmp"}) {
    fs::create_directories(data_dir_ / sub, ec);
    if (ec) return Error::unavailable("cannot create data directory " + (data_dir_ / sub).string() + ": " + ec.message());
  }
  KOBAN_ASSIGN(auto cal, calendar_from_config(config_));
  calendar_ = std::make_unique<calendar::BusinessCalendar>(std::move(cal));

  // The database: opened, locked (SQLite data directory) and migrated before anything runs.
  KOBAN_ASSIGN(auto opened, open_database(config_));
  storage_ = std::make_unique<Storage>(Storage{std::move(opened)});
  KOBAN_TRY(migrate_database(storage_->db()));

  auto& db = storage_->db();
  for (auto state : {store::JobState::queued, store::JobState::running, store::JobState::dead}) {
    metrics_.add_gauge(std::string("koban_jobs_") + store::to_string(state), 
                       std::string("Jobs in state ") + store::to_string(state), [&db, state] {
      auto counts = store::count_jobs_by_state(db);
      if (!counts) return -1.0;
      auto it = counts->find(state);
      return it == counts->end() ? 0.0 : static_cast<double>(it->second);
    });
  }

  // Keys for encryption at rest, and the services that use them in pages and jobs.
  KOBAN_ASSIGN(data_key_, load_or_create_secret_key(config_));
  KOBAN_ASSIGN(auto subscriber_keys, alerts::SubscriberKeys::from_secret(data_key_));
  subscribers_ = std::make_shared<alerts::Subscribers>(std::move(subscriber_keys), subscriber_settings(config_));
  KOBAN_ASSIGN(auto mailbox_settings, mailbox::settings_from_config(config_));
  KOBAN_ASSIGN(auto mailbox, mailbox::Mailbox::create(data_key_, std::move(mailbox_settings), *calendar_));
  mailbox_ = std::make_shared<const mailbox::Mailbox>(std::move(mailbox));

  // The published website: DATA/public, its signed manifest, the hooks that keep both current.
  KOBAN_ASSIGN(site_, make_site_output(db, config_, data_dir_, data_key_, clock_));
  if (options_.demo) KOBAN_TRY(fill_demo());
  KOBAN_TRY(site_->build_if_missing());

  if (options_.workers) {
    KOBAN_ASSIGN(mail_, MailDelivery::create(config_, db, clock_));
    mail_->add_metrics(metrics_);
    worker_ = std::make_unique<store::Worker>(db, store::WorkerOptions{
        .threads = static_cast<int>(std::max<std::int64_t>(1, config_.integer("jobs.workers"))),
        .poll_interval = std::chrono::milliseconds(std::max<std::int64_t>(10, config_.integer("jobs.poll_ms")))});
    scheduler_ = std::make_unique<store::Scheduler>(db);
    // Jobs an earlier process of this host was running when it died (kill -9, power loss) are
    // taken up at once, not when their 300 s lease runs out: an alert delivery goes on.
    KOBAN_ASSIGN(auto released, store::release_orphaned_jobs(db, store::local_host_name(), clock_.now()));
    if (released > 0)
      std::fprintf(stderr, "{\"level\":\"info\",\"msg\":\"jobs of a stopped process taken up again\",\"count\":%lld}\n",
                   static_cast<long long>(released));
    register_jobs();
    // A sent alert appears in the published home page's alerts block.
    KOBAN_TRY(register_alert_delivery(*worker_, db, config_, data_dir_, data_key_, clock_,
                                      [site = site_.get()](std::int64_t) { site->refresh_home(); }));
    mailbox::register_mailbox_jobs(*worker_, db, mailbox_, clock_);
    site::articles::register_article_jobs(*worker_, db, site_->hooks(db), clock_);
    // SITE-8: the published files against the signed manifest; findings raise an incident.
    site::integrity::register_site_verify_job(
        *worker_, db, site_->publish_dir, *site_->manifest,
        site::integrity::incident_sink({.reporter_login = config_.text("site.integrity_reporter")}), clock_);
  }
  if (options_.http) KOBAN_TRY(init_http());
  return ok();
}

void App::register_jobs() {
  // Finished jobs are kept a week for the staff UI, then purged every night.
  worker_->handle("jobs.purge_done", [this](const store::Job&) -> Result<void> {
    KOBAN_TRY(store::purge_done(storage_->db(), clock_.now() - std::chrono::hours(24 * 7)));
    return ok();
  });
  // Staff notifications (approvals, incidents, ledger changes) become mails.
  register_notification_handlers(*worker_, storage_->db(), notification_settings(config_), clock_);
  // Requests waiting more than a day for their approver: a reminder once a day (JST).
  worker_->handle("workflow.reminders", [this](const store::Job&) -> Result<void> {
    return storage_->db().write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(workflow::enqueue_reminders(s, clock_.now(), std::chrono::hours(24)));
      return ok();
    });
  });
  if (auto hourly = calendar::Schedule::parse("every hour")) {
    (void)scheduler_->add({.name = "workflow.reminders",
                           .next_due = [s = *hourly, cal = calendar_.get()](Instant after) { return s.next_after(after, *cal); },
                           .kind = "workflow.reminders"});
  }
  // Expired sessions, lapsed login-failure counters and unused WebAuthn challenges: nightly.
  worker_->handle("auth.purge", [this](const store::Job&) -> Result<void> {
    const Instant now = clock_.now();
    KOBAN_TRY(auth::SessionStore(session_config(config_)).purge_expired(storage_->db(), now));
    KOBAN_TRY(storage_->db().write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(auth::Credentials(credentials_config(config_)).purge_lockouts(s, now));
      return ok();
    }));
    KOBAN_TRY(auth::webauthn::purge_expired_challenges(storage_->db(), now));
    return ok();
  });
  // Safety-alert subscribers: the daily count snapshot, spent tokens, unconfirmed sign-ups.
  worker_->handle("alerts.subscribers.daily", [this](const store::Job&) -> Result<void> {
    return storage_->db().write([&](store::Session& s) {
      return alerts::daily_subscriber_maintenance(s, to_jst(clock_.now()).date, clock_.now());
    });
  });
  if (auto daily = calendar::Schedule::parse("every day 00:05")) {
    (void)scheduler_->add({.name = "alerts.subscribers.daily",
                           .next_due = [s = *daily, cal = calendar_.get()](Instant after) { return s.next_after(after, *cal); },
                           .kind = "alerts.subscribers.daily"});
  }
  // ALERT-7: the register keeps the calendar year plus alerts.register_keep_years.
  worker_->handle("alerts.register_purge", [this](const store::Job&) -> Result<void> {
    return storage_->db().write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(alerts::purge_register(s, static_cast<int>(config_.integer("alerts.register_keep_years")), clock_.now()));
      return ok();
    });
  });
  if (auto nightly = calendar::Schedule::parse("every day 03:30")) {
    (void)scheduler_->add({.name = "alerts.register_purge",
                           .next_due = [s = *nightly, cal = calendar_.get()](Instant after) { return s.next_after(after, *cal); },
                           .kind = "alerts.register_purge"});
  }
  // SITE-10: mailbox messages closed longer than mailbox.retention_days are purged nightly.
  if (auto nightly = calendar::Schedule::parse("every day 03:15")) {
    (void)scheduler_->add({.name = "mailbox.purge",
                           .next_due = [s = *nightly, cal = calendar_.get()](Instant after) { return s.next_after(after, *cal); },
                           .kind = mailbox::kPurgeJob});
  }
  // SITE-7: inspection rounds fall due and overdue units are reminded.
  worker_->handle("site.inspections.daily", [this](const store::Job&) -> Result<void> {
    return storage_->db().write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(site::articles::inspection_daily(s, {}, clock_.now()));
      return ok();
    });
  });
  if (auto verify = calendar::Schedule::parse(config_.text("site.verify_schedule"))) {
    (void)scheduler_->add({.name = "site.verify",
                           .next_due = [s = *verify, cal = calendar_.get()](Instant after) { return s.next_after(after, *cal); },
                           .kind = site::integrity::kVerifyJobKind});
  } else {
    std::fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"site.verify_schedule is not a schedule; the tamper check does not run\"}\n");
  }
  if (auto morning = calendar::Schedule::parse("every day 06:00")) {
    (void)scheduler_->add({.name = "site.inspections.daily",
                           .next_due = [s = *morning, cal = calendar_.get()](Instant after) { return s.next_after(after, *cal); },
                           .kind = "site.inspections.daily"});
  }
  auto schedule = calendar::Schedule::parse("every day 03:00");
  const calendar::BusinessCalendar* cal = calendar_.get();
  if (schedule) {
    (void)scheduler_->add({.name = "jobs.purge_done",
                           .next_due = [s = *schedule, cal](Instant after) { return s.next_after(after, *cal); },
                           .kind = "jobs.purge_done"});
    (void)scheduler_->add({.name = "auth.purge",
                           .next_due = [s = *schedule, cal](Instant after) { return s.next_after(after, *cal); },
                           .kind = "auth.purge"});
  }
}

void App::scheduler_loop() {
  std::unique_lock lock(stop_mu_);
  while (!stopping_) {
    lock.unlock();
    if (auto r = scheduler_->tick(clock_.now()); !r)
      std::fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"scheduler tick failed\",\"error\":\"%s\"}\n",
                   r.error().message.c_str());
    lock.lock();
    stop_cv_.wait_for(lock, std::chrono::seconds(15), [this] { return stopping_; });
  }
}

Result<void> App::init_http() {
  KOBAN_ASSIGN(templates_, web::Templates::load(web::Templates::default_dir()));
  router_ = std::make_unique<http::Router>();
  const std::string& data_key = data_key_;
  KOBAN_ASSIGN(auto totp_box, auth::SecretBox::from_secret(data_key, "totp"));
  staff_ = std::make_unique<StaffAuth>(storage_->db(), clock_, config_, templates_, std::move(totp_box));
  KOBAN_ASSIGN(auto ledger_box, auth::SecretBox::from_secret(data_key, "ledger"));
  ledger_ = std::make_shared<const ledger::Ledger>(std::move(ledger_box));
  // The administrative request forms (ORG-12) and their approval chains.
  auto kinds = std::make_shared<workflow::KindRegistry>();
  KOBAN_TRY(requests::register_request_kinds(*kinds, *calendar_));
  KOBAN_TRY(alerts::register_alert_kind(*kinds, *calendar_));
  KOBAN_TRY(site::articles::register_article_kinds(*kinds, article_settings()));
  request_kinds_ = std::move(kinds);
  static_assets_ = std::make_unique<http::StaticFiles>(http::StaticFilesConfig{
      .root = fs::path(KOBAN_SOURCE_DIR) / "static", .cache_control = "public, max-age=3600"});
  public_site_ = std::make_unique<http::StaticFiles>(http::StaticFilesConfig{.root = data_dir_ / "public"});
  // A publish replaces files: forget the cached copies at once (not after the 1 s revalidation).
  site_->on_changed = [files = public_site_.get()] { files->invalidate(); };
  add_routes();

  KOBAN_ASSIGN(auto listen, parse_listen(config_.text("server.listen")));
  http::ServerConfig sc;
  sc.host = listen.first;
  sc.port = listen.second;
  sc.io_threads = static_cast<int>(config_.integer("server.io_threads"));
  sc.handler_threads = static_cast<int>(std::max<std::int64_t>(1, config_.integer("server.handler_threads")));
  sc.max_header_bytes = static_cast<std::size_t>(config_.integer("server.max_header_bytes"));
  sc.max_requests_per_connection = static_cast<int>(config_.integer("server.max_requests_per_connection"));
  sc.max_connections = static_cast<std::size_t>(config_.integer("server.max_connections"));
  sc.request_timeout = std::chrono::milliseconds(config_.integer("server.request_timeout_ms"));
  sc.idle_timeout = std::chrono::milliseconds(config_.integer("server.idle_timeout_ms"));
  sc.shutdown_grace = std::chrono::milliseconds(config_.integer("server.shutdown_grace_ms"));
  const auto& log = config_.text("server.access_log");
  sc.access_log = log.empty() ? (data_dir_ / "logs" / "access.log").string() : log == "off" ? "" : log;
  server_ = std::make_unique<http::Server>(sc, *router_, &metrics_);
  auto templates = templates_;
  auto site = web::site_context(config_);
  server_->set_error_renderer([templates, site](const http::Request& req, int status, std::string_view message) {
    if (req.wants_json()) return http::default_error_response(req, status, message);
    nlohmann::json data = site;
    data["title"] = std::string(message);
    data["message"] = std::string(message);
    data["status"] = status;
    auto html = templates->page("layout/public", "errors/page", data);
    if (!html) return http::default_error_response(req, status, message);
    return http::Response::html(status, std::move(*html));
  });
  return ok();
}

void App::add_routes() {
  auto& r = *router_;
  r.get("/healthz", [](http::Request&) { return http::Response::text(200, "ok"); }, {.blocking = false});
  r.get("/metrics", [this](http::Request&) {
    auto res = http::Response::text(200, metrics_.render());
    res.set("content-type", "text/plain; version=0.0.4; charset=utf-8");
    return res;
  });
  r.get("/static/*path", [this](http::Request& req) { return static_assets_->serve(req, req.param("path")); },
        {.blocking = false});
  r.get("/", [this](http::Request& req) {
    // ORG-10: while the website is suspended the public sees the notice (cached; /admin works).
    if (auto notice = incidents::suspended(storage_->db(), incidents::Subsystem::website))
      return incidents::suspended_response(*notice);
    // A published home page wins; before anything is published, the built-in one.
    auto published = public_site_->serve(req, "index.html");
    if (published.status != 404) return published;
    // The built-in home page lists the latest safety alerts (a database read: blocking).
    auto ctx = web::site_context(config_);
    if (auto latest = home_alerts_context(storage_->db(), 5)) ctx.update(*latest);
    auto html = templates_->page("layout/public", "public/home", ctx);
    if (!html) return http::Response::html(500, "");
    return http::Response::html(200, std::move(*html));
  });
  staff_->add_routes(r);
  add_admin_mail_routes(r, storage_->db(), *staff_);
  add_org_routes(r, storage_->db(), *staff_);
  add_roster_routes(r, storage_->db(), *staff_, *calendar_, clock_);
  add_audit_routes(r, storage_->db(), *staff_);
  add_ledger_routes(r, storage_->db(), *staff_, ledger_);
  add_requests_routes(r, storage_->db(), *staff_, request_kinds_, clock_);
  add_incidents_routes(r, storage_->db(), *staff_);
  add_public_alerts_routes(r, storage_->db(), subscribers_, templates_, config_, clock_);
  add_public_alerts_archive_routes(r, storage_->db(), templates_, config_);  // after the sign-up routes
  add_public_mailbox_routes(r, storage_->db(), mailbox_, templates_, config_, clock_);
  add_admin_mailbox_routes(r, storage_->db(), *staff_, mailbox_, clock_);
  // Before the alert pages: /admin/alerts/:id would otherwise take "stats" and "subscribers".
  add_subscribers_routes(r, storage_->db(), *staff_, subscribers_, clock_);
  add_alerts_progress_routes(r, storage_->db(), *staff_, subscribers_->keys(), {.smtp = alerts_use_smtp(config_)}, clock_);
  // The website's articles (issue 5): carrying out a publication updates DATA/public at once.
  // Before the article pages: /admin/site/:id would otherwise take "emergency".
  add_site_emergency_routes(r, storage_->db(), *staff_, clock_,
                            {.on_changed = [site = site_.get()] { site->refresh_home(); }});
  add_site_routes(r, storage_->db(), *staff_, request_kinds_,
                  {.settings = article_settings(), .hooks = site_->hooks(storage_->db())}, clock_);
  add_public_search_routes(r, storage_->db(), templates_, config_, clock_, {.address_key = data_key_});
  add_alerts_routes(r, storage_->db(), *staff_, request_kinds_, alert_settings(),
                    {config_.text("mail.from_name"), config_.text("mail.from")}, clock_);
  // Everything else is the published site (static HTML written by the CMS).
  r.get("/*path", [this](http::Request& req) {
    if (auto notice = incidents::suspended(storage_->db(), incidents::Subsystem::website))
      return incidents::suspended_response(*notice);
    return public_site_->serve(req, req.param("path"));
  }, {.blocking = false});
}

Result<void> App::start() {
  if (server_) KOBAN_TRY(server_->start());
  if (worker_) worker_->start();
  if (mail_) mail_->start();
  if (scheduler_) scheduler_thread_ = std::thread([this] { scheduler_loop(); });
  return ok();
}

void App::stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  // Requests first (they may enqueue work), then the workers at a safe point.
  if (server_) server_->stop();
  if (scheduler_thread_.joinable()) scheduler_thread_.join();
  if (worker_) worker_->stop();
  if (mail_) mail_->stop();
}

void App::wait() {
  if (server_) {
    server_->wait();
    return;
  }
  std::unique_lock lock(stop_mu_);
  stop_cv_.wait(lock, [this] { return stopping_; });
}

// Printed at the start of a demo; never used outside --demo.
constexpr const char* kDemoPassword = "Demo-Koban-2026";

// The demo force: filled once, into an empty database (later issues add their parts here).
Result<void> App::fill_demo() {
  auto& db = storage_->db();
  bool empty = false;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*) FROM mail_outbox"));
    empty = rows.empty() || rows[0].int64(0) == 0;
    return ok();
  }));
  if (!empty) return ok();

  // The force: units and one person in every role, all with the same demo password. The demo
  // hashes use the cheapest argon2id parameters so that the first start stays quick; each
  // person's hash is upgraded to the configured strength at their first login.
  auth::CredentialsConfig demo_hashing;
  demo_hashing.hash = auth::HashParams::fastest();
  auth::Credentials demo_credentials(demo_hashing);
  std::vector<org::DemoPerson> people;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(people, org::fill_demo(s, clock_.now()));
    for (const auto& p : people) {
      KOBAN_ASSIGN(auto person, org::find_person_by_login(s, p.login_name));
      if (!person) continue;
      KOBAN_TRY(demo_credentials.set_password(s, person->id, p.login_name, kDemoPassword, clock_.now()));
    }
    // Residents subscribed to the safety-alert mail, across carriers, categories and areas.
    KOBAN_TRY(alerts::fill_demo_subscribers(s, subscribers_->keys(), 300, clock_.now()));
    // Public mailbox messages in both queues, every kind and state.
    KOBAN_TRY(mailbox::fill_demo_mailbox(s, *mailbox_, clock_.now()));
    // A history of sent alerts in every category, with follow-ups and resolutions, each
    // through the real approval chain (the kinds of init_http are not built yet here).
    workflow::KindRegistry alert_kinds;
    KOBAN_TRY(alerts::register_alert_kind(alert_kinds, *calendar_));
    KOBAN_TRY(alerts::fill_demo_alerts(s, alert_kinds, alert_settings(), clock_.now()));
    // Website articles across every section and station, in every state of the flow.
    workflow::KindRegistry article_kinds;
    KOBAN_TRY(site::articles::register_article_kinds(article_kinds, article_settings()));
    KOBAN_TRY(site::articles::fill_demo_articles(s, article_kinds, article_settings(), {}, clock_.now()));
    KOBAN_TRY(site::search::reindex_all(s));
    return ok();
  }));
  // Delivery figures for the demo's sent alerts (progress pages and charts).
  KOBAN_TRY(fill_demo_deliveries(db, clock_));
  if (!people.empty()) {
    std::printf("demo: サンプル県警察 — every person's password is %s\n", kDemoPassword);
    for (const auto& p : people)
      std::printf("demo:   %-20s %s（%s、%s）\n", p.login_name.c_str(), p.display_name.c_str(),
                  p.role_label.c_str(), p.unit_name.c_str());
  }

  mail::Message m;
  m.from = {config_.text("mail.from_name"), config_.text("mail.from")};
  m.to = {{"デモ 太郎", "demo.taro@example.jp"}};
  m.subject = "【デモ】koban へようこそ";
  m.date = clock_.now();
  m.text =
      "これは koban のデモで送られたメールです。\n"
      "配信方式が catcher のときは外部へ送られず、業務システムの「送信メール」画面で確認できます。\n";
  KOBAN_ASSIGN(auto raw, mail::build_message(m));
  return db.write([&](store::Session& s) -> Result<void> {
    return mail::enqueue(s, {.transport = config_.text("mail.transport"), .sender = config_.text("mail.from"),
                             .recipient = "demo.taro@example.jp", .message = raw, .batch_key = "demo"},
                         clock_.now())
        .ok() ? ok() : Result<void>(Error::internal("demo mail could not be queued"));
  });
}

site::articles::Settings App::article_settings() const {
  site::articles::Settings settings{.calendar = *calendar_, .upload_dir = data_dir_ / "uploads"};
  return settings;
}

alerts::Settings App::alert_settings() const {
  alerts::Settings settings{.calendar = *calendar_};
  settings.max_body_chars = static_cast<std::size_t>(config_.integer("alerts.max_body_chars"));
  return settings;
}

std::uint16_t App::port() const { return server_ ? server_->port() : 0; }

}  // namespace koban::app
