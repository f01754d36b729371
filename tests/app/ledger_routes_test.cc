// The password ledger's staff pages over real HTTP with the demo force on SQLite: a designated
// manager reveals (audit row, no-store), a non-manager is refused 403 (audited), a change
// notifies the other managers (job rows), administrators manage the managers.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "app/admin_ledger_routes.h"
#include "app/staff_auth.h"
#include "audit/audit_log.h"
#include "auth/credentials.h"
#include "auth/migrations.h"
#include "auth/secret_box.h"
#include "http/forms/urlencoded.h"
#include "http/server.h"
#include "ledger/ledger_migrations.h"
#include "org/demo.h"
#include "org/org_migrations.h"
#include "org/people.h"
#include "store/migrations.h"
#include "staff_http_client.h"

namespace koban::app {
namespace {

namespace fs = std::filesystem;
constexpr const char* kPassword = "Demo-Koban-2026";
constexpr const char* kSecret = "Xaccount-Pass-2026!";

using testing::Reply;
using testing::cookie_value;
using testing::csrf_field;
using testing::exchange;

std::string enc(const std::string& v) { return http::forms::form_urlencode(v); }

class LedgerRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("koban-ledger-routes-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto db = store::Database::open({.sqlite_path = (dir_ / "koban.db").string()});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    store::MigrationRegistry registry;
    ASSERT_TRUE(registry.add("store", store::store_migrations()));
    ASSERT_TRUE(registry.add("org", org::org_migrations()));
    ASSERT_TRUE(registry.add("auth", auth::auth_migrations()));
    ASSERT_TRUE(registry.add("audit", audit::audit_migrations()));
    ASSERT_TRUE(registry.add("ledger", ledger::ledger_migrations()));
    ASSERT_TRUE(store::migrate(*db_, registry, clock_.now()));

    auth::Credentials creds(auth::CredentialsConfig{.hash = auth::HashParams::fastest()});
    auto filled = db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto people, org::fill_demo(s, clock_.now()));
      for (const auto& p : people) {
        KOBAN_ASSIGN(auto person, org::find_person_by_login(s, p.login_name));
        KOBAN_TRY(creds.set_password(s, person->id, p.login_name, kPassword, clock_.now()));
      }
      return ok();
    });
    ASSERT_TRUE(filled) << filled.error().message;

    auto templates = web::Templates::load(web::Templates::default_dir());
    ASSERT_TRUE(templates) << templates.error().message;
    staff_ = std::make_unique<StaffAuth>(*db_, clock_, config_, *templates);
    staff_->add_routes(router_);
    auto box = auth::SecretBox::from_key(std::string(auth::SecretBox::kKeyBytes, 'L'));
    ASSERT_TRUE(box);
    add_ledger_routes(router_, *db_, *staff_, std::make_shared<const ledger::Ledger>(std::move(*box)));
    server_ = std::make_unique<http::Server>(http::ServerConfig{.port = 0, .io_threads = 1, .handler_threads = 1},
                                             router_, &metrics_);
    ASSERT_TRUE(server_->start());
  }

  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
    staff_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }

  std::uint16_t port() const { return server_->port(); }

  std::string login(const std::string& login_name) {
    auto form = exchange(port(), "GET /admin/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const std::string body = "csrf=" + enc(csrf_field(form.body)) + "&login_name=" + login_name +
                             "&password=" + enc(kPassword);
    auto r = exchange(port(), "POST /admin/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " +
                                  std::string(kLoginCookie) + "=" + cookie_value(form, kLoginCookie) +
                                  "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_EQ(r.status, 303) << login_name;
    return cookie_value(r, kSessionCookie);
  }
  Reply get(const std::string& session, const std::string& path) {
    return exchange(port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " +
                                std::string(kSessionCookie) + "=" + session + "\r\n\r\n");
  }
  // POSTs body with the session's CSRF token in front.
  Reply post(const std::string& session, const std::string& path, const std::string& body) {
    const std::string full = "csrf=" + enc(csrf_field(get(session, "/admin/").body)) + (body.empty() ? "" : "&") + body;
    return exchange(port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " +
                                std::string(kSessionCookie) + "=" + session +
                                "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                std::to_string(full.size()) + "\r\n\r\n" + full);
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
  std::int64_t audits(const std::string& action, const std::string& outcome) {
    return count("SELECT COUNT(*) FROM audit_log WHERE action = '" + action + "' AND outcome = '" + outcome + "'");
  }
  // The system administrator adds the X account with koho.kacho and koho.hosa as managers.
  std::string create_entry(const std::string& admin) {
    auto r = post(admin, "/admin/ledger/new",
                  "service_name=" + enc("X（旧Twitter）") + "&account_name=" + enc("@sample_police") +
                      "&url=" + enc("https://x.com/") + "&secret=" + enc(kSecret) + "&secret_confirm=" + enc(kSecret) +
                      "&notes=" + enc("認証アプリは広報課端末") + "&managers=" + enc("koho.kacho koho.hosa"));
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_TRUE(r.location.starts_with("/admin/ledger/")) << r.location;
    return r.location.substr(0, r.location.find('?'));
  }

  fs::path dir_;
  SystemClock clock_;
  Config config_;
  Metrics metrics_;
  std::unique_ptr<store::Database> db_;
  http::Router router_;
  std::unique_ptr<StaffAuth> staff_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(LedgerRoutesTest, ManagerRevealsOnceAuditedOthersAreRefused) {
  const std::string admin = login("system.kanri");
  const std::string entry = create_entry(admin);
  EXPECT_EQ(audits("ledger.entry.create", "ok"), 1);

  const std::string manager = login("koho.hosa");
  auto list = get(manager, "/admin/ledger");
  EXPECT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("X（旧Twitter）"), std::string::npos);
  EXPECT_EQ(list.body.find(kSecret), std::string::npos);
  auto details = get(manager, entry);
  EXPECT_EQ(details.status, 200);
  EXPECT_NE(details.body.find("@sample_police"), std::string::npos);
  EXPECT_EQ(details.body.find(kSecret), std::string::npos);

  auto shown = post(manager, entry + "/reveal", "");
  EXPECT_EQ(shown.status, 200);
  EXPECT_NE(shown.body.find(kSecret), std::string::npos);
  EXPECT_NE(shown.body.find("認証アプリは広報課端末"), std::string::npos);
  EXPECT_EQ(shown.cache_control, "no-store");
  EXPECT_EQ(audits("ledger.secret.view", "ok"), 1);

  // A station's staff member: not in the list, the page and the reveal refused and audited.
  const std::string outsider = login("chuo.tanto");
  EXPECT_EQ(get(outsider, "/admin/ledger").body.find("X（旧Twitter）"), std::string::npos);
  auto page = get(outsider, entry);
  EXPECT_EQ(page.status, 403);
  auto refused = post(outsider, entry + "/reveal", "");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.body.find(kSecret), std::string::npos);
  EXPECT_NE(refused.body.find("パスワード管理者"), std::string::npos);
  EXPECT_EQ(audits("ledger.secret.view", "refused"), 1);
  EXPECT_EQ(audits("ledger.entry.view", "refused"), 1);
  EXPECT_EQ(audits("ledger.secret.view", "ok"), 1);
  // The administrator sees the details but, not designated, cannot read the secret.
  EXPECT_EQ(get(admin, entry).status, 200);
  EXPECT_EQ(post(admin, entry + "/reveal", "").status, 403);
  // Without the CSRF token nothing is revealed.
  auto no_csrf = exchange(port(), "POST " + entry + "/reveal HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " +
                                      std::string(kSessionCookie) + "=" + manager +
                                      "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_EQ(no_csrf.body.find(kSecret), std::string::npos);
  EXPECT_EQ(audits("ledger.secret.view", "ok"), 1);
}

TEST_F(LedgerRoutesTest, ChangeFollowsTheRulesAndNotifiesTheOtherManagers) {
  const std::string admin = login("system.kanri");
  const std::string entry = create_entry(admin);
  const std::int64_t jobs_before = count("SELECT COUNT(*) FROM jobs WHERE kind = 'ledger.notify'");
  const std::string manager = login("koho.kacho");

  auto weak = post(manager, entry + "/secret", "secret=short&secret_confirm=short");
  EXPECT_EQ(weak.status, 422);
  EXPECT_NE(weak.body.find("12文字以上"), std::string::npos);
  auto mismatch = post(manager, entry + "/secret", "secret=" + enc("New-Secret-2027!") + "&secret_confirm=x");
  EXPECT_EQ(mismatch.status, 422);
  auto outsider = post(login("chuo.tanto"), entry + "/secret",
                       "secret=" + enc("New-Secret-2027!") + "&secret_confirm=" + enc("New-Secret-2027!"));
  EXPECT_EQ(outsider.status, 403);
  EXPECT_EQ(audits("ledger.secret.change", "refused"), 3);
  EXPECT_EQ(audits("ledger.secret.change", "ok"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'ledger.notify'"), jobs_before);

  auto changed = post(manager, entry + "/secret",
                      "secret=" + enc("New-Secret-2027!") + "&secret_confirm=" + enc("New-Secret-2027!"));
  EXPECT_EQ(changed.status, 303);
  EXPECT_EQ(audits("ledger.secret.change", "ok"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'ledger.notify'"), jobs_before + 1);
  const auto hosa = count("SELECT id FROM people WHERE login_name = 'koho.hosa'");
  const auto kacho = count("SELECT id FROM people WHERE login_name = 'koho.kacho'");
  std::string payload;
  ASSERT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT payload FROM jobs WHERE kind = 'ledger.notify' ORDER BY id DESC LIMIT 1"));
    payload = rows.at(0).text(0);
    return ok();
  }));
  const auto j = nlohmann::json::parse(payload);
  EXPECT_EQ(j["event"], "secret_changed");
  EXPECT_EQ(j["recipients"], nlohmann::json::array({hosa}));
  EXPECT_EQ(j["by"], kacho);
  EXPECT_EQ(payload.find("New-Secret"), std::string::npos);
  EXPECT_NE(post(login("koho.hosa"), entry + "/reveal", "").body.find("New-Secret-2027!"), std::string::npos);
}

TEST_F(LedgerRoutesTest, OnlyAdministratorsCreateAndDesignate) {
  const std::string manager = login("koho.kacho");
  EXPECT_EQ(get(manager, "/admin/ledger/new").status, 403);
  auto denied = post(manager, "/admin/ledger/new",
                     "service_name=YouTube&account_name=a&secret=" + enc(kSecret) + "&secret_confirm=" + enc(kSecret));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(count("SELECT COUNT(*) FROM ledger_entries"), 0);
  EXPECT_EQ(audits("ledger.entry.create", "refused"), 2);

  const std::string admin = login("somu.kacho");  // the overall manager
  auto weak = post(admin, "/admin/ledger/new", "service_name=YouTube&account_name=a&secret=abc&secret_confirm=abc");
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(count("SELECT COUNT(*) FROM ledger_entries"), 0);
  const std::string entry = create_entry(admin);

  auto by_manager = post(manager, entry + "/managers", "login_name=chuo.tanto");
  EXPECT_EQ(by_manager.status, 403);
  EXPECT_EQ(audits("ledger.manager.add", "refused"), 1);
  EXPECT_EQ(post(admin, entry + "/managers", "login_name=chuo.tanto").status, 303);
  EXPECT_EQ(audits("ledger.manager.add", "ok"), 1);
  const std::string tanto = login("chuo.tanto");
  EXPECT_EQ(post(tanto, entry + "/reveal", "").status, 200);
  const auto tanto_id = count("SELECT id FROM people WHERE login_name = 'chuo.tanto'");
  EXPECT_EQ(post(admin, entry + "/managers/" + std::to_string(tanto_id) + "/remove", "").status, 303);
  EXPECT_EQ(audits("ledger.manager.remove", "ok"), 1);
  EXPECT_EQ(post(tanto, entry + "/reveal", "").status, 403);
}

}  // namespace
}  // namespace koban::app
