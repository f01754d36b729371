// The koban side of bench/alert_bench.sh: the real alert pipeline (issue 4, the figure), from
// the head's approval to the last message accepted by an SMTP sink.
//
//   alert_pipeline_bench HOST PORT DATABASE_URL SUBSCRIBERS SESSIONS DATA_DIR
//
// Setup (not timed): every migration the app applies (app::migrate_database), the demo force
// (org::fill_demo), SUBSCRIBERS demo subscribers (alerts::fill_demo_subscribers: sealed
// addresses, blind index, carrier domains, both encodings), all of them put in every category
// so that one whole-prefecture alert reaches each of them; 生活安全企画課's writer creates the
// alert (about 1 KB of Japanese text) at 10:00 JST on a weekday.
// Timed: approve_alert (the head, checklist ticked: queues the delivery job) and deliver_alert
// with SMTP to HOST:PORT, using the DeliveryPolicy the app builds (alert_delivery_policy) from
// a configuration with mail.sessions = SESSIONS and the carrier rates at 0.
// Prints "koban: N messages ... R msg/s, peak RSS M MB" (VmHWM reset before the clock starts,
// so the setup's own peak does not count; the whole process's peak is printed too) and
// "size: S" (average bytes per message from rendering a sample, for smtp-source -l).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "alerts/alert_delivery.h"
#include "alerts/alert_kind.h"
#include "alerts/alerts.h"
#include "alerts/subscriber_demo.h"
#include "alerts/subscriber_keys.h"
#include "alerts/subscribers.h"
#include "app/alerts_delivery_setup.h"
#include "app/database_setup.h"
#include "app/mail_setup.h"
#include "core/config.h"
#include "org/demo.h"
#include "org/people.h"
#include "store/database.h"

using namespace koban;

namespace {

long status_kb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(f, line))
    if (line.rfind(prefix, 0) == 0) return std::atol(line.c_str() + prefix.size());
  return 0;
}

// Linux: writing 5 to clear_refs resets VmHWM to the current RSS.
void reset_peak_rss() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
}

// About 1 KB of alert text in UTF-8 (a typical 不審者 notice, 340 characters).
std::string alert_text() {
  return "サンプル県警察本部からお知らせします。\n"
         "本日午後３時３０分ころ、中央市本町地内の路上において、下校中の女子児童が、"
         "見知らぬ男から「車に乗らないか」などと声をかけられる事案が発生しました。\n"
         "男の特徴は、年齢３０歳から４０歳くらい、身長１７０センチメートルくらい、やせ型、"
         "黒色短髪、紺色の作業服を着用、白色の軽乗用車に乗っていたとのことです。\n"
         "このような事案に遭ったときは、大声を出して助けを求める、防犯ブザーを鳴らすなどして、"
         "すぐにその場から逃げ、直ちに１１０番通報してください。\n"
         "保護者の皆様は、お子様と一緒に通学路の危険な場所を確認するなど、"
         "防犯対策についてお話しください。\n";
}

Result<org::PersonId> person(store::Database& db, const std::string& login) {
  org::PersonId id = 0;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
    if (!p) return Error::not_found("demo person " + login);
    id = p->id;
    return ok();
  }));
  return id;
}

// Average size of the alert's messages over the first `sample` subscribers, rendered as
// deliver_alert renders them.
Result<std::size_t> average_size(store::Database& db, const alerts::SubscriberKeys& keys,
                                 const alerts::DeliverySettings& ds, std::int64_t alert_id, Instant date,
                                 int sample) {
  std::size_t bytes = 0, n = 0;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto messages, alerts::AlertMessages::build(s, keys, alert_id, ds, date));
    KOBAN_ASSIGN(auto rows, s.query("SELECT id, address_box, encoding, link_key FROM subscribers"
                                    " WHERE state = 'confirmed' ORDER BY id LIMIT ?",
                                    static_cast<std::int64_t>(sample)));
    for (const auto& r : rows) {
      KOBAN_ASSIGN(auto address, keys.box.open(r.text(1)));
      const auto enc = alerts::parse_mail_encoding(r.text(2)).value_or(alerts::MailEncoding::utf8);
      KOBAN_ASSIGN(auto data, messages.render(r.int64(0), address,
                                              alerts::personal_token(keys, r.int64(0), r.text(3)), enc));
      bytes += data.size();
      ++n;
    }
    return ok();
  }));
  return n ? bytes / n : 0;
}

Result<int> run(const std::string& host, int port, const std::string& url, std::int64_t count, int sessions,
                const std::string& data_dir) {
  // The configuration the app would read (mail.transport = smtp towards the sink, rates 0).
  const std::string conf = "mail.transport = smtp\nmail.smtp_host = " + host + "\nmail.smtp_port = " +
                           std::to_string(port) + "\nmail.smtp_starttls = off\nmail.sessions = " +
                           std::to_string(sessions) +
                           "\nalerts.docomo_rate = 0\nalerts.carrier_rate = 0\n"
                           "server.base_url = https://police.example.jp\n";
  KOBAN_ASSIGN(auto config, Config::parse(conf, {}, "bench"));

  KOBAN_ASSIGN(auto dbcfg, store::parse_database_url(url));
  KOBAN_ASSIGN(auto db, store::Database::open(dbcfg));
  KOBAN_TRY(app::migrate_database(*db));

  // A Wednesday 10:00 JST: inside sending hours, so approval queues the delivery for now.
  const Instant t0 = from_jst({{2026, 11, 18}, 10, 0, 0});
  const std::string secret(32, 'b');
  KOBAN_ASSIGN(auto keys, alerts::SubscriberKeys::from_secret(secret));
  const auto fill_start = std::chrono::steady_clock::now();
  KOBAN_TRY(db->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(org::fill_demo(s, t0 - std::chrono::hours(24 * 400)));
    KOBAN_ASSIGN(auto made, alerts::fill_demo_subscribers(s, keys, count, t0 - std::chrono::hours(24)));
    if (made != count) return Error::internal("fill_demo_subscribers made " + std::to_string(made));
    // Every subscriber in every category (bits 1..6), so the alert reaches all of them.
    KOBAN_TRY(s.exec("UPDATE subscribers SET categories = 63"));
    return ok();
  }));
  // A freshly filled PostgreSQL table has no statistics yet; a production table of this size
  // has been analysed by autovacuum long ago. Without them the planner may scan every
  // subscriber for each chunk the renderer reads (a bitmap scan on the state index).
  if (url.rfind("postgresql:", 0) == 0)
    KOBAN_TRY(db->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(s.exec("ANALYZE"));
      return ok();
    }));
  std::fprintf(stderr, "setup: %lld subscribers in %.1f s\n", static_cast<long long>(count),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count());

  workflow::KindRegistry kinds;
  alerts::Settings settings;
  KOBAN_TRY(alerts::register_alert_kind(kinds, settings.calendar));
  KOBAN_ASSIGN(auto writer, person(*db, "seian.hosa"));
  KOBAN_ASSIGN(auto head, person(*db, "seian.kacho"));
  const alerts::AlertInput input{.category = 3,
                                 .title = "【子供安全情報】声かけ事案の発生（中央市本町）",
                                 .body = alert_text(),
                                 .whole_prefecture = true};
  std::int64_t alert_id = 0;
  KOBAN_TRY(db->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(alert_id, alerts::create_alert(s, kinds, settings, input, {.person = writer}, t0));
    return ok();
  }));

  auto ds = app::alert_delivery_settings(config, data_dir);
  KOBAN_ASSIGN(auto policy, app::alert_delivery_policy(config));
  KOBAN_ASSIGN(auto smtp_cfg, app::smtp_config_from(config));
  const long setup_peak = status_kb("VmHWM");
  FixedClock clock{t0 + std::chrono::minutes(1)};

  reset_peak_rss();
  const auto start = std::chrono::steady_clock::now();
  KOBAN_TRY(db->write([&](store::Session& s) {
    return alerts::approve_alert(s, kinds, settings, alert_id, {.person = head},
                                 {.checklist = {true, true, true}}, t0 + std::chrono::seconds(30));
  }));
  const double approve_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // One SmtpDelivery per job, as the alerts.deliver handler does.
  mail::SmtpDelivery smtp(smtp_cfg, policy);
  KOBAN_ASSIGN(auto out, alerts::deliver_alert(*db, &smtp, keys, ds, alert_id, clock));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long peak = status_kb("VmHWM");

  KOBAN_ASSIGN(auto size, average_size(*db, keys, ds, alert_id, clock.now(), 2000));
  std::string state;
  KOBAN_TRY(db->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, alerts::get_alert(s, alert_id));
    state = a.state;
    return ok();
  }));
  const auto& p = out.progress;
  std::printf("koban: %lld messages of ~%zu bytes in %.2f s from approval (approve %.3f s), %.0f msg/s,"
              " peak RSS %ld MB (whole process %ld MB) (sent %lld, deferred %lld, bounced %lld, failed %lld,"
              " alert %s)\n",
              static_cast<long long>(p.total), size, secs, approve_secs, static_cast<double>(p.sent) / secs,
              peak / 1024, std::max(peak, setup_peak) / 1024, static_cast<long long>(p.sent),
              static_cast<long long>(p.deferred), static_cast<long long>(p.bounced),
              static_cast<long long>(p.failed), state.c_str());
  std::printf("size: %zu\n", size);
  return out.done && p.sent == count && state == "sent" ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s HOST PORT DATABASE_URL SUBSCRIBERS SESSIONS DATA_DIR\n", argv[0]);
    return 2;
  }
  try {
    auto r = run(argv[1], std::atoi(argv[2]), argv[3], std::atoll(argv[4]), std::atoi(argv[5]), argv[6]);
    if (!r) {
      std::fprintf(stderr, "alert_pipeline_bench: %s\n", r.error().message.c_str());
      return 1;
    }
    return *r;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "alert_pipeline_bench: %s\n", e.what());
    return 1;
  }
}
