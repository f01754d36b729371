// Mail delivery in a koban process: the transports the configuration asks for, the outbox,
// and a delivery thread that sends due rows until stop().
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core/config.h"
#include "core/metrics.h"
#include "mail/outbox.h"
#include "mail/smtp.h"

namespace koban::app {

// "docomo.ne.jp:sessions=4,recipients=100;..." → per-domain policies.
Result<mail::DeliveryPolicy> parse_delivery_policy(const Config& config);
Result<mail::SmtpConfig> smtp_config_from(const Config& config);

class MailDelivery {
 public:
  static Result<std::unique_ptr<MailDelivery>> create(const Config& config, store::Database& db, const Clock& clock);
  ~MailDelivery();
  void start();
  void stop();  // finishes the batch in hand, then returns
  void wake();  // something was queued: look now
  void add_metrics(Metrics& metrics);
  mail::Outbox& outbox() { return *outbox_; }

 private:
  MailDelivery() = default;
  void loop();

  std::unique_ptr<mail::SmtpTransport> smtp_;
  mail::CatcherTransport catcher_;
  std::unique_ptr<mail::Outbox> outbox_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
};

}  // namespace koban::app
