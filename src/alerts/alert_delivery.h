// Delivering an approved alert to its subscribers (issue 4, items 9–11): one bulk run per
// alert (mail/bulk/bulk.h), personal messages in each subscriber's encoding, hard failures
// counted against the subscriber, the alert marked sent when the run is done.
//
//   // the job handler of "alerts.deliver" {"alert_id": N} (see app/alerts_delivery_setup.h):
//   alerts::DeliverySettings ds{.base_url = "https://police.example.jp",
//                               .from = {"サンプル県警察", "anshin@police.example.jp"},
//                               .force_name = "サンプル県警察", .bulk = {.data_dir = dir}};
//   KOBAN_ASSIGN(auto out, alerts::deliver_alert(db, &smtp, keys, ds, alert_id, clock));
//   if (!out.done) re-enqueue the job at *out.resume_at;     // only deferred retries are left
//
// The run's items come from ONE INSERT ... SELECT over subscribers (confirmed, category bit
// set, and whole prefecture, all areas or an area in common); a second job for the same alert
// reuses the run, so nobody gets the alert twice from a repeated job. The common part of the
// message (headers, encoded text) is built once per alert and encoding; each message only
// splices in its To, Message-ID, List-Unsubscribe (RFC 8058 one-click) and personal link.
//
// With no SMTP delivery (mail.transport = catcher, the demo), deliver_alert renders every
// message, keeps the first DeliverySettings::catcher_keep in the outbox's catcher (the staff
// page /admin/mail) and records the rest as sent without sending them (DeliveryOutcome::demo).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/subscriber_keys.h"
#include "alerts/subscribers.h"
#include "core/result.h"
#include "core/time.h"
#include "mail/bulk/bulk.h"
#include "mail/mime.h"
#include "store/database.h"

namespace koban::alerts {

inline constexpr const char* kRunKind = "alert";  // mail_bulk_runs.kind; ref = the alert id

struct DeliverySettings {
  std::string base_url{};      // public site, no trailing slash (personal links)
  mail::Mailbox from{};        // From: of the alert mails; its address is the envelope sender
  std::string force_name{};    // signs the footer
  int hard_failure_limit = 3;  // consecutive 5xx before a subscriber is suspended
  std::size_t catcher_keep = 20;  // without SMTP: messages kept for the staff to look at
  mail::bulk::BulkOptions bulk{};  // data_dir (journals), chunk size, retries
};

// The run of an alert, if one was created.
Result<std::optional<std::int64_t>> find_alert_run(store::Session& s, std::int64_t alert_id);
// The run of an alert: the existing one, or a new one with one item per matching subscriber
// (created in s's transaction; the alert's row is locked first so two jobs never make two).
Result<std::int64_t> ensure_alert_run(store::Session& s, std::int64_t alert_id, Instant now);

// The common part of one alert's messages, built once; render() splices the personal parts.
class AlertMessages {
 public:
  static Result<AlertMessages> build(store::Session& s, const SubscriberKeys& keys, std::int64_t alert_id,
                                     const DeliverySettings& settings, Instant date);
  // A complete RFC 5322 message for one subscriber (token from personal_token()). The
  // Message-ID is stable per alert and subscriber (a resend after a crash carries the same one,
  // so mail programs can fold the duplicate) and reveals nothing: a keyed hash.
  Result<std::string> render(std::int64_t subscriber_id, std::string_view address, std::string_view token,
                             MailEncoding encoding) const;
  const std::string& subject() const { return subject_; }

 private:
  struct Template {
    std::vector<std::string> pieces;  // static text between the slots
    std::vector<int> slots;           // what goes after pieces[i]: see alert_delivery.cc
    bool quoted_printable = false;
    mail::Charset charset = mail::Charset::utf8;
  };
  static Result<Template> make_template(const mail::Message& m, mail::Charset cs);
  Result<std::string> render_with(const Template& t, std::int64_t subscriber_id, std::string_view address,
                                  std::string_view token) const;

  std::string subject_;
  std::string base_url_;
  std::string id_domain_;
  std::optional<SubscriberKeys> keys_;  // keys the Message-ID hash
  std::int64_t alert_id_ = 0;
  Template utf8_, iso_;
};

struct DeliveryOutcome {
  bool done = false;
  std::optional<Instant> resume_at;  // when !done: re-enqueue the job then
  mail::bulk::Progress progress;
  bool demo = false;                 // no SMTP: recorded as sent, catcher_keep kept
  bool skipped_alert = false;        // the alert is not approved (withdrawn ...): nothing sent
};

// Creates or reuses the run, sends it (smtp == nullptr: the demo path above), and marks the
// alert sent when the run is done. A long send blocks for minutes: the caller keeps the job's
// lease alive meanwhile.
Result<DeliveryOutcome> deliver_alert(store::Database& db, mail::SmtpDelivery* smtp, const SubscriberKeys& keys,
                                      const DeliverySettings& settings, std::int64_t alert_id, const Clock& clock);

// "a***@docomo.ne.jp": the first character of the local part and the domain, for people who
// may see that an address bounced but not which one.
std::string mask_address(std::string_view address);

// A bounced (or failed) item with its address opened, for the progress page.
struct BouncedAddress {
  std::int64_t subscriber_id = 0;
  std::string address;  // in clear: mask it for people without alerts administer permission
  std::string state;    // bounced | failed
  int code = 0;
  std::string detail;
};
Result<std::vector<BouncedAddress>> bounced_addresses(store::Database& db, const SubscriberKeys& keys,
                                                      std::int64_t run_id, std::size_t limit = 200);

// Deliveries of alert runs per JST day (by the day the run finished), from `from` to `to`
// inclusive, one entry per day (zeros included).
struct DailyDeliveries {
  Date day;
  std::int64_t alerts = 0, sent = 0, bounced = 0, failed = 0;
};
Result<std::vector<DailyDeliveries>> deliveries_per_day(store::Session& s, Date from, Date to);

// The demo (`koban serve --demo`, after fill_demo_alerts and fill_demo_subscribers): a
// completed run for every sent alert without one, with the matching subscribers as items,
// mostly sent, a few bounced and skipped, finished when the alert was sent. Returns how many.
Result<int> fill_demo_alert_runs(store::Session& s, Instant now);

}  // namespace koban::alerts
