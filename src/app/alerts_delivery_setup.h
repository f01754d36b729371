// Wiring of the alert delivery (alerts/alert_delivery.h) into a koban process: the job handler
// of "alerts.deliver", its settings from the configuration, and the demo's delivery history.
//
//   // App::register_jobs(), with the app's secret key (secret_key.h):
//   KOBAN_TRY(register_alert_delivery(*worker_, db, config_, data_dir_, secret, clock_));
//   // App::fill_demo(), after fill_demo_alerts and fill_demo_subscribers:
//   KOBAN_TRY(fill_demo_deliveries(db, clock_));
//
// The handler keeps the job's lease alive while a long send runs (store::extend_lease every
// minute), re-enqueues the job at the run's resume_at when only deferred retries are left, and
// with mail.transport = catcher sends nothing out (alert_delivery.h: the first 20 messages go
// to the catcher, the rest are recorded as sent; the progress page says so).
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>

#include "alerts/alert_delivery.h"
#include "core/config.h"
#include "core/result.h"
#include "core/time.h"
#include "mail/smtp.h"
#include "store/database.h"
#include "store/worker.h"

namespace koban::app {

// server.base_url (or http://LISTEN), mail.from / mail.from_name, site.force_name, data
// directory for the bulk journals.
alerts::DeliverySettings alert_delivery_settings(const Config& config, const std::filesystem::path& data_dir);
// mail.* SMTP settings and domain policies, plus the carriers' limits with alerts.docomo_rate
// and alerts.carrier_rate (messages per second, 0 = unlimited) on docomo, au and SoftBank.
Result<mail::DeliveryPolicy> alert_delivery_policy(const Config& config);
// Whether alerts really leave the machine (mail.transport = smtp).
bool alerts_use_smtp(const Config& config);

// on_sent runs when an alert's delivery has finished (the static home page lists it then).
Result<void> register_alert_delivery(store::Worker& worker, store::Database& db, const Config& config,
                                     const std::filesystem::path& data_dir, std::string_view secret,
                                     const Clock& clock, std::function<void(std::int64_t alert_id)> on_sent = {});

// Completed runs for the demo's sent alerts (alerts::fill_demo_alert_runs); returns how many.
Result<int> fill_demo_deliveries(store::Database& db, const Clock& clock);

}  // namespace koban::app
