// The residents' safety-alert pages end to end over HTTP: sign-up form with CSRF, honeypot and
// field errors, confirmation by button, the personal manage link, RFC 8058 one-click
// unsubscribe without cookies, forged links, the short link and the QR code.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <regex>

#include "alerts/subscriber_migrations.h"
#include "alerts/subscribers.h"
#include "app/database_setup.h"
#include "app/public_alerts_archive_routes.h"
#include "app/public_alerts_routes.h"
#include "core/metrics.h"
#include "http/forms/urlencoded.h"
#include "http/server.h"
#include "incidents/suspension.h"
#include "mail/message_view.h"
#include "org/demo.h"
#include "org/people.h"
#include "org/permissions.h"
#include "staff_http_client.h"

namespace koban::app {
namespace {

using testing::exchange;
using testing::Reply;

class PublicAlertsRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("koban-public-alerts-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::Database::open({.sqlite_path = (dir_ / "koban.db").string()});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(migrate_database(*db_));
    // Until database_setup.cc registers them: after org (units), once per process.
    static std::once_flag once;
    std::call_once(once, [] {
      bool present = false;
      for (const auto& m : store::migration_registry().modules()) present |= m.name == "subscribers";
      if (!present) ASSERT_TRUE(alerts::register_subscriber_migrations());
    });
    auto migrated = store::migrate(*db_);
    ASSERT_TRUE(migrated) << migrated.error().message;
    ASSERT_TRUE(db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(org::fill_demo(s, clock_.now()));
      return ok();
    }));
    ASSERT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(stations_, alerts::area_options(s));
      return ok();
    }));
    ASSERT_GE(stations_.size(), 2u);

    config_.set("server.base_url", "https://police.example.jp/");
    config_.set("mail.transport", "catcher");
    auto keys = alerts::SubscriberKeys::from_secret(std::string(32, 'k'));
    ASSERT_TRUE(keys);
    subs_ = std::make_shared<alerts::Subscribers>(*keys, subscriber_settings(config_));
    auto templates = web::Templates::load(web::Templates::default_dir());
    ASSERT_TRUE(templates) << templates.error().message;
    add_public_alerts_routes(router_, *db_, subs_, *templates, config_, clock_);
    add_public_alerts_archive_routes(router_, *db_, *templates, config_);
    server_ = std::make_unique<http::Server>(http::ServerConfig{.port = 0, .io_threads = 1, .handler_threads = 1},
                                             router_, &metrics_);
    ASSERT_TRUE(server_->start());
  }
  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  Reply get(const std::string& path) {
    return exchange(server_->port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }
  Reply post(const std::string& path, const std::string& body, const std::string& cookie = "") {
    return exchange(server_->port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                                         (cookie.empty() ? "" : "Cookie: " + std::string(kAlertsCsrfCookie) + "=" + cookie + "\r\n") +
                                         "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                         std::to_string(body.size()) + "\r\n\r\n" + body);
  }
  // Fetches the form and posts fields with its CSRF cookie and field.
  Reply sign_up(const std::string& fields) {
    auto form = get("/alerts/");
    EXPECT_EQ(form.status, 200);
    const std::string cookie = testing::cookie_value(form, kAlertsCsrfCookie);
    return post("/alerts/", "csrf=" + http::forms::form_urlencode(testing::csrf_field(form.body)) + "&" + fields, cookie);
  }
  std::int64_t count(const std::string& sql) {
    std::int64_t n = -1;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query(sql));
      n = rows.at(0).int64(0);
      return ok();
    }));
    return n;
  }
  std::string last_mail_text() {
    std::string raw;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT message FROM mail_outbox ORDER BY id DESC"));
      if (!rows.empty()) raw = rows[0].text(0);
      return ok();
    }));
    return mail::view_message(raw).text;
  }
  std::string personal_token() {
    std::string tok;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto found, subs_->find_by_address(s, "hanako..t@docomo.ne.jp"));
      if (found) tok = subs_->personal_token(found->id, found->link_key);
      return ok();
    }));
    return tok;
  }

  FixedClock clock_{from_jst({{2026, 11, 24}, 10, 0})};
  Config config_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Database> db_;
  std::vector<alerts::AreaOption> stations_;
  std::shared_ptr<alerts::Subscribers> subs_;
  http::Router router_;
  Metrics metrics_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(PublicAlertsRoutes, FormShowsCategoriesAreasEncodingAndDomainAdvice) {
  auto short_link = get("/m");
  EXPECT_EQ(short_link.status, 301);
  EXPECT_EQ(short_link.location, "/alerts/");
  auto r = get("/alerts/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("子供安全情報"), std::string::npos);
  EXPECT_NE(r.body.find("18歳以下の子供に対する声かけ事案"), std::string::npos);
  EXPECT_NE(r.body.find("<legend>受け取る情報の種類"), std::string::npos);
  EXPECT_NE(r.body.find(stations_[0].jurisdiction), std::string::npos);
  EXPECT_NE(r.body.find("ISO-2022-JP"), std::string::npos);
  EXPECT_NE(r.body.find("ドメイン指定受信"), std::string::npos);
  EXPECT_NE(r.body.find("police.example.jp"), std::string::npos);  // the sender domain from mail.from
  EXPECT_NE(r.body.find("name=\"website\""), std::string::npos);   // the honeypot
  EXPECT_EQ(r.body.find("<script"), std::string::npos);
  EXPECT_FALSE(testing::cookie_value(r, kAlertsCsrfCookie).empty());
  EXPECT_EQ(testing::cookie_value(r, kAlertsCsrfCookie), testing::csrf_field(r.body));

  auto qr = get("/alerts/qr.svg");
  ASSERT_EQ(qr.status, 200);
  EXPECT_TRUE(qr.body.starts_with("<svg")) << qr.body.substr(0, 40);
  EXPECT_NE(qr.body.find("https://police.example.jp/alerts/"), std::string::npos);
}

TEST_F(PublicAlertsRoutes, RefusalsStoreNothing) {
  const std::string area = "&area=" + std::to_string(stations_[0].id);
  // No CSRF cookie: refused.
  auto no_cookie = post("/alerts/", "csrf=abc&address=a%40example.jp&category=1" + area);
  EXPECT_EQ(no_cookie.status, 403);
  // Field errors: each named in the summary, linked to its field.
  auto bad = sign_up("address=not-an-address&category=9&area=987654");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("href=\"#address\""), std::string::npos);
  EXPECT_NE(bad.body.find("href=\"#category-1\""), std::string::npos);
  EXPECT_NE(bad.body.find("href=\"#whole\""), std::string::npos);
  EXPECT_NE(bad.body.find("存在しない地域"), std::string::npos);
  EXPECT_NE(bad.body.find("value=\"not-an-address\""), std::string::npos);  // what was typed stays
  auto none = sign_up("address=a%40example.jp");
  EXPECT_EQ(none.status, 422);
  // The honeypot: a bot gets the usual answer and nothing happens.
  auto bot = sign_up("address=bot%40example.jp&category=1&whole=1&website=http%3A%2F%2Fspam");
  EXPECT_EQ(bot.status, 303);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_outbox"), 0);
  // Forged links.
  EXPECT_EQ(post("/alerts/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "").status, 404);
  EXPECT_EQ(get("/alerts/manage/1.AAAAAAAAAAAAAAAAAAAAAA").status, 404);
  EXPECT_EQ(post("/alerts/unsubscribe/1.AAAAAAAAAAAAAAAAAAAAAA", "List-Unsubscribe=One-Click").status, 404);
  EXPECT_EQ(get("/alerts/unsubscribe/garbage").status, 404);
}

TEST_F(PublicAlertsRoutes, SignUpConfirmManageAndOneClickUnsubscribe) {
  auto r = sign_up("address=hanako..t%40DoCoMo.ne.jp&category=1&category=3&area=" + std::to_string(stations_[0].id) +
                   "&area=" + std::to_string(stations_[1].id) + "&encoding=utf8");
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.location, "/alerts/sent");
  EXPECT_EQ(get("/alerts/sent").status, 200);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers WHERE state = 'pending'"), 1);
  // The same address again: the same page, whatever the address's state.
  auto again = sign_up("address=hanako..t%40docomo.ne.jp&category=2&whole=1");
  EXPECT_EQ(again.status, 303);
  EXPECT_EQ(again.location, "/alerts/sent");

  std::smatch m;
  const std::string text = last_mail_text();
  ASSERT_TRUE(std::regex_search(text, m, std::regex("https://police\\.example\\.jp(/alerts/confirm/[A-Za-z0-9_-]+)"))) << text;
  const std::string link = m[1].str();
  auto button = get(link);
  ASSERT_EQ(button.status, 200);
  EXPECT_NE(button.body.find("登録を完了する"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers WHERE state = 'pending'"), 1);  // a GET changes nothing
  auto done = post(link, "");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("登録が完了しました"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers WHERE state = 'confirmed'"), 1);
  EXPECT_EQ(post(link, "").status, 409);

  const std::string tok = personal_token();
  ASSERT_FALSE(tok.empty());
  auto manage = get("/alerts/manage/" + tok);
  ASSERT_EQ(manage.status, 200);
  EXPECT_NE(manage.body.find("ha…@docomo.ne.jp"), std::string::npos);
  EXPECT_EQ(manage.body.find("hanako"), std::string::npos);  // never the whole address
  EXPECT_NE(manage.body.find("id=\"category-3\" name=\"category\" value=\"3\" checked"), std::string::npos);
  auto bad_change = post("/alerts/manage/" + tok, "category=4&area=55555");
  EXPECT_EQ(bad_change.status, 422);
  EXPECT_EQ(count("SELECT categories FROM subscribers"), 0b101);
  auto change = post("/alerts/manage/" + tok, "category=4&whole=1&encoding=iso2022jp");
  ASSERT_EQ(change.status, 200) << change.body;
  EXPECT_NE(change.body.find("変更しました"), std::string::npos);
  EXPECT_EQ(count("SELECT categories FROM subscribers"), 0b1000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers WHERE encoding = 'iso2022jp' AND all_areas = 1"), 1);

  // RFC 8058: GET shows a button and changes nothing; the client's POST, without cookies,
  // unsubscribes.
  auto confirm_page = get("/alerts/unsubscribe/" + tok);
  ASSERT_EQ(confirm_page.status, 200);
  EXPECT_NE(confirm_page.body.find("配信を停止する"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers WHERE state = 'confirmed'"), 1);
  auto one_click = post("/alerts/unsubscribe/" + tok, "List-Unsubscribe=One-Click");
  ASSERT_EQ(one_click.status, 200) << one_click.body;
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers WHERE state = 'unsubscribed'"), 1);
  EXPECT_EQ(post("/alerts/unsubscribe/" + tok, "List-Unsubscribe=One-Click").status, 200);  // idempotent
}


// ORG-10: while the safety-alert mail is suspended its public pages show the notice and take
// no sign-up; unsubscribing stays open. Resumed, the form is back.
TEST_F(PublicAlertsRoutes, SuspendedServiceShowsTheNoticeButStillUnsubscribes) {
  const std::string token_before = [&] {
    sign_up("address=hanako..t%40docomo.ne.jp&category=1&whole=1&encoding=utf8");
    return personal_token();
  }();
  ASSERT_FALSE(token_before.empty());
  const std::string notice = "安心メールは点検のため停止しています。";
  auto change = [&](bool stop) {
    ASSERT_TRUE(db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto person, org::find_person_by_login(s, "system.kanri"));
      if (!person) return Error::not_found("system.kanri");
      KOBAN_ASSIGN(auto actor, org::load_actor(s, person->id));
      const incidents::Who who{.actor = actor, .unit_name = "情報管理課", .address = "192.0.2.1"};
      return stop ? incidents::suspend(s, who, incidents::Subsystem::alerts, notice, clock_.now())
                  : incidents::resume(s, who, incidents::Subsystem::alerts, clock_.now());
    }));
    incidents::clear_suspension_cache();
  };
  change(true);
  const auto subscribers = count("SELECT COUNT(*) FROM subscribers");
  for (const char* path : {"/alerts/", "/alerts/sent", "/alerts/archive", "/alerts/feed.atom"}) {
    auto r = get(path);
    EXPECT_EQ(r.status, 503) << path;
    EXPECT_NE(r.body.find(notice), std::string::npos) << path;
  }
  EXPECT_EQ(get("/alerts/manage/" + token_before).status, 503);
  auto refused = post("/alerts/", "csrf=x&address=taro%40example.jp&category=1&whole=1", "x");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers"), subscribers);
  // Unsubscribing still works (RFC 8058 one-click POST).
  auto gone = post("/alerts/unsubscribe/" + token_before, "List-Unsubscribe=One-Click");
  EXPECT_EQ(gone.status, 200);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers WHERE state = 'unsubscribed'"), 1);
  change(false);
  EXPECT_EQ(get("/alerts/").status, 200);
}

}  // namespace
}  // namespace koban::app
