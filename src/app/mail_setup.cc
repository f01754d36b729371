#include "app/mail_setup.h"

#include "core/text.h"

#include <cstdio>

namespace koban::app {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto p = s.find(sep);
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

using text::trim;

Result<int> positive(std::string_view v, std::string_view what) {
  int n = 0;
  if (v.empty() || v.size() > 6) return Error::invalid(std::string(what) + " must be a positive number");
  for (char c : v) {
    if (c < '0' || c > '9') return Error::invalid(std::string(what) + " must be a positive number");
    n = n * 10 + (c - '0');
  }
  if (n == 0) return Error::invalid(std::string(what) + " must be a positive number");
  return n;
}

}  // namespace

Result<mail::DeliveryPolicy> parse_delivery_policy(const Config& config) {
  mail::DeliveryPolicy policy;
  KOBAN_ASSIGN(policy.max_sessions, positive(std::to_string(config.integer("mail.sessions")), "mail.sessions"));
  const std::string& text = config.text("mail.domain_policies");
  if (trim(text).empty()) return policy;
  for (auto entry : split(text, ';')) {
    entry = trim(entry);
    if (entry.empty()) continue;
    const auto colon = entry.find(':');
    if (colon == std::string_view::npos)
      return Error::invalid("mail.domain_policies: expected DOMAIN:sessions=N,recipients=N, not '" + std::string(entry) + "'");
    std::string domain(trim(entry.substr(0, colon)));
    for (auto& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    mail::DomainPolicy dp = policy.defaults;
    for (auto kv : split(entry.substr(colon + 1), ',')) {
      kv = trim(kv);
      const auto eq = kv.find('=');
      const auto key = trim(kv.substr(0, eq));
      const auto value = eq == std::string_view::npos ? std::string_view{} : trim(kv.substr(eq + 1));
      if (key == "sessions") {
        KOBAN_ASSIGN(dp.max_connections, positive(value, "mail.domain_policies sessions"));
      } else if (key == "recipients") {
        KOBAN_ASSIGN(dp.max_recipients_per_session, positive(value, "mail.domain_policies recipients"));
      } else {
        return Error::invalid("mail.domain_policies: unknown key '" + std::string(key) + "' (sessions, recipients)");
      }
    }
    policy.domains[domain] = dp;
  }
  return policy;
}

Result<mail::SmtpConfig> smtp_config_from(const Config& config) {
  mail::SmtpConfig c;
  c.host = config.text("mail.smtp_host");
  const auto port = config.integer("mail.smtp_port");
  if (port <= 0 || port > 65535) return Error::invalid("mail.smtp_port must be 1..65535");
  c.port = static_cast<std::uint16_t>(port);
  c.helo_name = config.text("mail.helo_name");
  const auto& tls = config.text("mail.smtp_starttls");
  if (tls == "auto") c.tls = mail::TlsMode::opportunistic;
  else if (tls == "require") c.tls = mail::TlsMode::required;
  else if (tls == "off") c.tls = mail::TlsMode::none;
  else return Error::invalid("mail.smtp_starttls must be auto, require or off");
  c.verify_peer = config.boolean("mail.smtp_verify_tls");
  c.username = config.text("mail.smtp_user");
  c.password = config.text("mail.smtp_password");
  c.allow_auth_without_tls = c.host == "127.0.0.1" || c.host == "localhost" || c.host == "::1";
  return c;
}

Result<std::unique_ptr<MailDelivery>> MailDelivery::create(const Config& config, store::Database& db,
                                                           const Clock& clock) {
  const auto& transport = config.text("mail.transport");
  if (transport != "smtp" && transport != "catcher")
    return Error::invalid("mail.transport must be smtp or catcher, not '" + transport + "'");
  std::unique_ptr<MailDelivery> d(new MailDelivery());
  KOBAN_ASSIGN(auto policy, parse_delivery_policy(config));
  KOBAN_ASSIGN(auto smtp, smtp_config_from(config));
  d->smtp_ = std::make_unique<mail::SmtpTransport>(std::move(smtp), std::move(policy));
  mail::OutboxOptions options;
  options.max_attempts = static_cast<int>(std::max<std::int64_t>(1, config.integer("jobs.max_attempts")));
  d->outbox_ = std::make_unique<mail::Outbox>(db, clock, options);
  // Both transports are always there: rows keep the transport they were queued with, so mail
  // queued before a switch from catcher to smtp is not lost or sent by surprise.
  d->outbox_->add_transport(*d->smtp_);
  d->outbox_->add_transport(d->catcher_);
  return d;
}

MailDelivery::~MailDelivery() { stop(); }

void MailDelivery::start() { thread_ = std::thread([this] { loop(); }); }

void MailDelivery::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MailDelivery::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void MailDelivery::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    auto report = outbox_->run_once();
    if (!report) {
      std::fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"mail delivery run failed\",\"error\":\"%s\"}\n",
                   report.error().message.c_str());
    }
    const bool busy = report && report->claimed > 0;
    lock.lock();
    if (!busy) cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || woken_; });
  }
}

void MailDelivery::add_metrics(Metrics& metrics) {
  auto* outbox = outbox_.get();
  metrics.add_counter("koban_mail_sent_total", "Mails delivered (or caught) by this process",
                      [outbox] { return static_cast<double>(outbox->totals().sent); });
  metrics.add_counter("koban_mail_failed_total", "Mails given up after temporary failures by this process",
                      [outbox] { return static_cast<double>(outbox->totals().failed); });
  metrics.add_counter("koban_mail_bounced_total", "Mails refused permanently (5xx) in this process",
                      [outbox] { return static_cast<double>(outbox->totals().bounced); });
  metrics.add_counter("koban_mail_retried_total", "Temporary failures queued again by this process",
                      [outbox] { return static_cast<double>(outbox->totals().retried); });
  metrics.add_gauge("koban_mail_queued", "Mails waiting in the outbox", [outbox] {
    auto c = outbox->counts();
    return c ? static_cast<double>(c->queued + c->sending) : -1.0;
  });
}

}  // namespace koban::app
