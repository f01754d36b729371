// A shared fixture for end-to-end tests of staff pages: a temp SQLite database with every
// module's migrations (the same list `koban serve` uses), the demo force with one password for
// everybody, StaffAuth, the routes under test, and an http::Server on a free loopback port.
//
//   class MyRoutes : public StaffAppTest {
//     void add_routes(http::Router& r) override { add_my_routes(r, db(), staff()); }
//   };
//   TEST_F(MyRoutes, ListsThings) {
//     auto s = login("koho.kacho");
//     auto page = get(s, "/admin/things");
//     EXPECT_EQ(page.status, 200);
//     auto r = post(s, "/admin/things", "csrf=" + csrf(s) + "&name=x");
//   }
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "app/database_setup.h"
#include "app/staff_auth.h"
#include "auth/credentials.h"
#include "auth/secret_box.h"
#include "core/config.h"
#include "core/metrics.h"
#include "core/time.h"
#include "http/forms/urlencoded.h"
#include "http/router.h"
#include "http/server.h"
#include "org/demo.h"
#include "org/people.h"
#include "staff_http_client.h"
#include "store/database.h"
#include "web/templates.h"

namespace koban::app::testing {

inline constexpr const char* kDemoPassword = "Demo-Koban-2026";

class StaffAppTest : public ::testing::Test {
 protected:
  // The routes under test; StaffAuth's own (/admin/login, /admin/) are always there.
  virtual void add_routes(http::Router& router) = 0;
  // Runs after the demo force is filled, before the server starts (extra people, grants, rows).
  virtual Result<void> seed(store::Session&) { return ok(); }

  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("koban-staff-app-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::Database::open({.sqlite_path = (dir_ / "koban.db").string()});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    auto migrated = migrate_database(*db_);
    ASSERT_TRUE(migrated) << migrated.error().message;

    auth::CredentialsConfig fast;
    fast.hash = auth::HashParams::fastest();
    auth::Credentials creds(fast);
    auto filled = db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto people, org::fill_demo(s, clock_.now()));
      for (const auto& p : people) {
        KOBAN_ASSIGN(auto person, org::find_person_by_login(s, p.login_name));
        KOBAN_TRY(creds.set_password(s, person->id, p.login_name, kDemoPassword, clock_.now()));
      }
      return seed(s);
    });
    ASSERT_TRUE(filled) << filled.error().message;

    auto templates = web::Templates::load(web::Templates::default_dir());
    ASSERT_TRUE(templates) << templates.error().message;
    templates_ = *templates;
    auto box = auth::SecretBox::from_key(std::string(auth::SecretBox::kKeyBytes, 'k'));
    ASSERT_TRUE(box);
    staff_ = std::make_unique<StaffAuth>(*db_, clock_, config_, templates_, std::move(*box));
    staff_->add_routes(router_);
    add_routes(router_);
    server_ = std::make_unique<http::Server>(http::ServerConfig{.port = 0, .io_threads = 1, .handler_threads = 1},
                                             router_, &metrics_);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message;
  }

  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
    staff_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  store::Database& db() { return *db_; }
  StaffAuth& staff() { return *staff_; }
  std::uint16_t port() const { return server_->port(); }

  // A person who is not in the demo force, with the demo password (call from seed()).
  Result<org::PersonId> hire_with_password(store::Session& s, const org::NewPerson& p) {
    KOBAN_ASSIGN(auto id, org::hire(s, p, clock_.now()));
    auth::CredentialsConfig fast;
    fast.hash = auth::HashParams::fastest();
    auth::Credentials creds(fast);
    KOBAN_TRY(creds.set_password(s, id, p.login_name, kDemoPassword, clock_.now()));
    return id;
  }

  // Logs in through the form and returns the session cookie value ("" on failure).
  std::string login(const std::string& login_name) {
    auto form = exchange(port(), "GET /admin/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const std::string login_cookie = cookie_value(form, kLoginCookie);
    const std::string body = "csrf=" + http::forms::form_urlencode(csrf_field(form.body)) +
                             "&login_name=" + http::forms::form_urlencode(login_name) +
                             "&password=" + http::forms::form_urlencode(kDemoPassword);
    auto r = exchange(port(), "POST /admin/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " +
                                  std::string(kLoginCookie) + "=" + login_cookie +
                                  "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_EQ(r.status, 303) << "login " << login_name;
    return cookie_value(r, kSessionCookie);
  }

  Reply get(const std::string& session, const std::string& path) {
    return exchange(port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                                (session.empty() ? "" : "Cookie: " + std::string(kSessionCookie) + "=" + session + "\r\n") +
                                "\r\n");
  }
  // body is urlencoded as given: encode values with http::forms::form_urlencode.
  Reply post(const std::string& session, const std::string& path, const std::string& body) {
    return exchange(port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " +
                                std::string(kSessionCookie) + "=" + session +
                                "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body);
  }
  // A CSRF token for the session's forms, urlencoded, ready to put after "csrf=".
  std::string csrf(const std::string& session) {
    return http::forms::form_urlencode(csrf_field(get(session, "/admin/").body));
  }

  org::Person person(const std::string& login_name) {
    org::Person p;
    auto r = db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto found, org::find_person_by_login(s, login_name));
      if (!found) return Error::not_found(login_name);
      p = *found;
      return ok();
    });
    EXPECT_TRUE(r) << login_name;
    return p;
  }

  // (action, outcome, summary) of every audit row whose action starts with prefix.
  std::vector<std::tuple<std::string, std::string, std::string>> audit_rows(const std::string& prefix) {
    std::vector<std::tuple<std::string, std::string, std::string>> rows;
    auto r = db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto q, s.query("SELECT action, outcome, summary FROM audit_log WHERE action LIKE ? ORDER BY seq",
                                   prefix + "%"));
      for (const auto& row : q) rows.emplace_back(row.text(0), row.text(1), row.text(2));
      return ok();
    });
    EXPECT_TRUE(r);
    return rows;
  }

  FixedClock clock_{from_jst({{2026, 11, 24}, 10, 0})};  // a Tuesday, office hours
  Config config_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Database> db_;
  std::shared_ptr<web::Templates> templates_;
  std::unique_ptr<StaffAuth> staff_;
  http::Router router_;
  Metrics metrics_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace koban::app::testing
