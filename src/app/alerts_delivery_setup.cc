#include "app/alerts_delivery_setup.h"

#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "alerts/alerts.h"
#include "app/mail_setup.h"
#include "app/public_alerts_routes.h"
#include "mail/bulk/bulk.h"
#include "store/jobs.h"

namespace koban::app {
namespace {

// Extends a running job's lease every minute until stopped (a send of 100,000 messages takes
// longer than the worker's lease, and another worker must not take the job over meanwhile).
class LeaseKeeper {
 public:
  LeaseKeeper(store::Database& db, const store::Job& job, const Clock& clock) : db_(db), job_(job), clock_(clock) {
    thread_ = std::thread([this] {
      std::unique_lock lock(mu_);
      while (!cv_.wait_for(lock, std::chrono::seconds(60), [this] { return stop_; })) {
        lock.unlock();
        if (auto r = store::extend_lease(db_, job_, clock_.now() + std::chrono::minutes(5)); !r)
          std::fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"alert delivery: lease not extended\",\"error\":\"%s\"}\n",
                       r.error().message.c_str());
        lock.lock();
      }
    });
  }
  ~LeaseKeeper() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  store::Database& db_;
  const store::Job& job_;
  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

struct Delivery {
  store::Database& db;
  alerts::SubscriberKeys keys;
  alerts::DeliverySettings settings;
  bool smtp = false;
  mail::SmtpConfig smtp_config;
  mail::DeliveryPolicy policy;
  const Clock& clock;
  std::function<void(std::int64_t)> on_sent;
};

Result<void> handle(Delivery& d, const store::Job& job) {
  auto payload = nlohmann::json::parse(job.payload, nullptr, false);
  if (payload.is_discarded() || !payload.is_object() || !payload.contains("alert_id") ||
      !payload["alert_id"].is_number_integer())
    return Error::invalid("alerts.deliver: payload needs an integer alert_id");
  const std::int64_t alert_id = payload["alert_id"].get<std::int64_t>();
  LeaseKeeper keeper(d.db, job, d.clock);
  // One SmtpDelivery per job: its per-domain token buckets then belong to this send alone.
  std::unique_ptr<mail::SmtpDelivery> smtp;
  if (d.smtp) smtp = std::make_unique<mail::SmtpDelivery>(d.smtp_config, d.policy);
  KOBAN_ASSIGN(auto out, alerts::deliver_alert(d.db, smtp.get(), d.keys, d.settings, alert_id, d.clock));
  std::fprintf(stderr,
               "{\"level\":\"info\",\"msg\":\"alert delivery\",\"alert\":%lld,\"done\":%s,\"total\":%lld,"
               "\"sent\":%lld,\"bounced\":%lld,\"deferred\":%lld,\"demo\":%s}\n",
               static_cast<long long>(alert_id), out.done ? "true" : "false",
               static_cast<long long>(out.progress.total), static_cast<long long>(out.progress.sent),
               static_cast<long long>(out.progress.bounced), static_cast<long long>(out.progress.deferred),
               out.demo ? "true" : "false");
  if (out.done && !out.skipped_alert && d.on_sent) d.on_sent(alert_id);
  if (out.done || !out.resume_at) return ok();
  // Only deferred retries are left: the same job again when the next one is due.
  return d.db.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(store::enqueue(s, {.kind = alerts::kDeliverJob, .payload = job.payload, .run_at = *out.resume_at,
                                 .dedupe_key = "alerts.deliver:" + std::to_string(alert_id) + ":" +
                                               std::to_string(to_unix(*out.resume_at))},
                             d.clock.now()));
    return ok();
  });
}

}  // namespace

alerts::DeliverySettings alert_delivery_settings(const Config& config, const std::filesystem::path& data_dir) {
  const auto subs = subscriber_settings(config);
  alerts::DeliverySettings ds;
  ds.base_url = subs.base_url;
  ds.from = {subs.from_name, subs.from_address};
  ds.force_name = config.text("site.force_name");
  ds.hard_failure_limit = subs.hard_failure_limit;
  ds.bulk.data_dir = data_dir.string();
  return ds;
}

Result<mail::DeliveryPolicy> alert_delivery_policy(const Config& config) {
  KOBAN_ASSIGN(auto policy, parse_delivery_policy(config));
  const double docomo = static_cast<double>(std::max<std::int64_t>(0, config.integer("alerts.docomo_rate")));
  const double carrier = static_cast<double>(std::max<std::int64_t>(0, config.integer("alerts.carrier_rate")));
  policy = mail::bulk::carrier_policy(std::move(policy), docomo, carrier);
  // carrier_policy keeps domains the configuration already names (sessions, recipients from
  // mail.domain_policies); the rates apply to them as well.
  policy.domains["docomo.ne.jp"].max_messages_per_second = docomo;
  for (const char* d : {"ezweb.ne.jp", "au.com", "softbank.ne.jp", "i.softbank.jp"})
    policy.domains[d].max_messages_per_second = carrier;
  return policy;
}

bool alerts_use_smtp(const Config& config) { return config.text("mail.transport") == "smtp"; }

Result<void> register_alert_delivery(store::Worker& worker, store::Database& db, const Config& config,
                                     const std::filesystem::path& data_dir, std::string_view secret,
                                     const Clock& clock, std::function<void(std::int64_t)> on_sent) {
  KOBAN_ASSIGN(auto keys, alerts::SubscriberKeys::from_secret(secret));
  KOBAN_ASSIGN(auto policy, alert_delivery_policy(config));
  KOBAN_ASSIGN(auto smtp, smtp_config_from(config));
  auto d = std::make_shared<Delivery>(Delivery{db, std::move(keys), alert_delivery_settings(config, data_dir),
                                               alerts_use_smtp(config), std::move(smtp), std::move(policy), clock,
                                               std::move(on_sent)});
  worker.handle(alerts::kDeliverJob, [d](const store::Job& job) { return handle(*d, job); });
  return ok();
}

Result<int> fill_demo_deliveries(store::Database& db, const Clock& clock) {
  int made = 0;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(made, alerts::fill_demo_alert_runs(s, clock.now()));
    return ok();
  }));
  return made;
}

}  // namespace koban::app
