// The incident and subsystem pages over real HTTP with the demo force on SQLite: a station's
// staff member reports, the system administrator acknowledges and resolves; a staff member may
// not suspend (403, audited, nothing changed); the website's business owner (koho.kacho)
// suspends the website with a notice after a confirmation step and resumes it.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "app/admin_incidents_routes.h"
#include "app/staff_auth.h"
#include "audit/audit_log.h"
#include "auth/credentials.h"
#include "auth/migrations.h"
#include "http/forms/urlencoded.h"
#include "http/server.h"
#include "incidents/incidents_migrations.h"
#include "incidents/suspension.h"
#include "org/demo.h"
#include "org/org_migrations.h"
#include "org/people.h"
#include "store/migrations.h"
#include "staff_http_client.h"

namespace koban::app {
namespace {

namespace fs = std::filesystem;
constexpr const char* kPassword = "Demo-Koban-2026";

using testing::Reply;
using testing::cookie_value;
using testing::csrf_field;
using testing::exchange;

std::string enc(const std::string& v) { return http::forms::form_urlencode(v); }

class IncidentsRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    incidents::clear_suspension_cache();
    dir_ = fs::temp_directory_path() / ("koban-incidents-routes-" + std::to_string(::getpid()));
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
    ASSERT_TRUE(registry.add("incidents", incidents::incidents_migrations()));
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
    add_incidents_routes(router_, *db_, *staff_);
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
    incidents::clear_suspension_cache();
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
  std::string report(const std::string& session) {
    auto r = post(session, "/admin/incidents/new",
                  "kind=failure&subsystem=website&title=" + enc("トップページが表示されない") +
                      "&what_happened=" + enc("午前9時ごろからトップページが500を返す。") +
                      "&impact=" + enc("県民がお知らせを読めない") + "&noticed_at=");
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_TRUE(r.location.starts_with("/admin/incidents/")) << r.location;
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

TEST_F(IncidentsRoutesTest, StaffReportsAdministratorAcknowledgesAndResolves) {
  const std::string reporter = login("chuo.tanto");
  EXPECT_EQ(get(reporter, "/admin/incidents/new").status, 200);

  // A blank title is refused with the form again, nothing stored, the refusal audited.
  auto blank = post(reporter, "/admin/incidents/new",
                    "kind=failure&subsystem=website&title=&what_happened=x&impact=&noticed_at=");
  EXPECT_EQ(blank.status, 400);
  EXPECT_NE(blank.body.find("role=\"alert\""), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM incidents"), 0);
  EXPECT_EQ(audits("incidents.incident.report", "refused"), 1);

  const std::string page = report(reporter);
  EXPECT_EQ(audits("incidents.incident.report", "ok"), 1);
  EXPECT_GT(count("SELECT COUNT(*) FROM jobs WHERE kind = 'incidents.notify'"), 0);
  auto mine = get(reporter, page);
  EXPECT_EQ(mine.status, 200);
  EXPECT_NE(mine.body.find("トップページが表示されない"), std::string::npos);
  EXPECT_NE(mine.body.find("報告済み"), std::string::npos);
  EXPECT_EQ(mine.body.find("/transition"), std::string::npos);  // the reporter does not move it
  EXPECT_NE(get(reporter, "/admin/incidents").body.find(page), std::string::npos);

  // The reporter may not acknowledge their own report: 403, nothing changed, audited.
  auto self = post(reporter, page + "/transition", "to=acknowledged&note=" + enc("確認"));
  EXPECT_EQ(self.status, 403);
  EXPECT_EQ(count("SELECT COUNT(*) FROM incidents WHERE state = 'reported'"), 1);
  EXPECT_EQ(audits("incidents.incident.transition", "refused"), 1);
  // Another station's staff member sees neither the list entry nor the page.
  const std::string other = login("kita.tanto");
  EXPECT_EQ(get(other, "/admin/incidents").body.find(page), std::string::npos);
  EXPECT_EQ(get(other, page).status, 403);
  EXPECT_EQ(audits("incidents.incident.view", "refused"), 1);

  const std::string admin = login("system.kanri");
  auto shown = get(admin, page);
  EXPECT_EQ(shown.status, 200);
  EXPECT_NE(shown.body.find("/transition"), std::string::npos);
  EXPECT_NE(shown.body.find("value=\"acknowledged\""), std::string::npos);
  EXPECT_NE(shown.body.find("システム管理者"), std::string::npos);  // among the recipients
  // The note is required; a jump not allowed from the state is a conflict.
  EXPECT_EQ(post(admin, page + "/transition", "to=acknowledged&note=").status, 400);
  EXPECT_EQ(post(admin, page + "/transition", "to=closed&note=" + enc("終結")).status, 409);
  EXPECT_EQ(count("SELECT COUNT(*) FROM incidents WHERE state = 'reported'"), 1);
  EXPECT_EQ(audits("incidents.incident.transition", "refused"), 3);

  auto ack = post(admin, page + "/transition", "to=acknowledged&note=" + enc("確認しました。調査します。"));
  EXPECT_EQ(ack.status, 303);
  EXPECT_EQ(ack.location, page + "?done=move");
  auto solved = post(admin, page + "/transition", "to=resolved&note=" + enc("設定を戻して復旧しました。"));
  EXPECT_EQ(solved.status, 303);
  EXPECT_EQ(count("SELECT COUNT(*) FROM incidents WHERE state = 'resolved'"), 1);
  EXPECT_EQ(audits("incidents.incident.acknowledged", "ok"), 1);
  EXPECT_EQ(audits("incidents.incident.resolved", "ok"), 1);
  auto after = get(reporter, page);
  EXPECT_NE(after.body.find("設定を戻して復旧しました。"), std::string::npos);
  EXPECT_NE(after.body.find("解決済み"), std::string::npos);

  // Filters: by state and subsystem, bad values answer 400.
  EXPECT_NE(get(admin, "/admin/incidents?state=resolved&subsystem=website").body.find(page), std::string::npos);
  EXPECT_EQ(get(admin, "/admin/incidents?state=reported").body.find(page), std::string::npos);
  EXPECT_EQ(get(admin, "/admin/incidents?state=bogus").status, 400);
  EXPECT_EQ(get(admin, "/admin/incidents?before=abc").status, 400);
}

TEST_F(IncidentsRoutesTest, ListPagesWithKeyset) {
  const std::string reporter = login("chuo.tanto");
  for (int i = 0; i < 51; ++i) report(reporter);
  auto first = get(reporter, "/admin/incidents");
  EXPECT_EQ(first.status, 200);
  const auto at = first.body.find("before=");
  ASSERT_NE(at, std::string::npos);
  auto second = get(reporter, "/admin/incidents?before=" + first.body.substr(at + 7, first.body.find('"', at) - at - 7));
  EXPECT_EQ(second.status, 200);
  EXPECT_NE(second.body.find("/admin/incidents/1\""), std::string::npos);
  EXPECT_EQ(first.body.find("/admin/incidents/1\""), std::string::npos);
}

TEST_F(IncidentsRoutesTest, OnlyTheResponsibleSuspendWithConfirmationAndResume) {
  const std::string notice = "ただいまメンテナンス中です。\n午後5時に再開します。";
  const std::string staff = login("chuo.tanto");
  auto denied = post(staff, "/admin/subsystems/website/suspend", "notice=" + enc(notice));
  EXPECT_EQ(denied.status, 403);
  auto denied2 = post(staff, "/admin/subsystems/website/suspend", "confirm=yes&notice=" + enc(notice));
  EXPECT_EQ(denied2.status, 403);
  EXPECT_EQ(audits("incidents.subsystem.suspend", "refused"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subsystem_status_history"), 0);
  EXPECT_FALSE(incidents::suspended(*db_, incidents::Subsystem::website));

  const std::string owner = login("koho.kacho");
  auto status = get(owner, "/admin/subsystems");
  EXPECT_EQ(status.status, 200);
  EXPECT_NE(status.body.find("/admin/subsystems/website/suspend"), std::string::npos);
  // Without a notice: refused, nothing changed.
  EXPECT_EQ(post(owner, "/admin/subsystems/website/suspend", "notice=").status, 400);
  // First the confirmation page, nothing changed yet.
  auto confirm = post(owner, "/admin/subsystems/website/suspend", "notice=" + enc(notice));
  EXPECT_EQ(confirm.status, 200);
  EXPECT_NE(confirm.body.find("name=\"confirm\" value=\"yes\""), std::string::npos);
  EXPECT_NE(confirm.body.find("ただいまメンテナンス中です。"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subsystem_status_history"), 0);
  auto done = post(owner, "/admin/subsystems/website/suspend", "confirm=yes&notice=" + enc(notice));
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(audits("incidents.subsystem.suspend", "ok"), 1);
  auto n = incidents::suspended(*db_, incidents::Subsystem::website);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->text, notice);
  auto now_status = get(owner, "/admin/subsystems");
  EXPECT_NE(now_status.body.find("停止中"), std::string::npos);
  EXPECT_NE(now_status.body.find("/admin/subsystems/website/resume"), std::string::npos);
  // The owner of the website is not responsible for the safety-alert mail.
  EXPECT_EQ(post(owner, "/admin/subsystems/alerts/suspend", "confirm=yes&notice=" + enc(notice)).status, 403);
  // Suspending twice is a conflict; a staff member may not resume.
  EXPECT_EQ(post(owner, "/admin/subsystems/website/suspend", "confirm=yes&notice=" + enc(notice)).status, 409);
  EXPECT_EQ(post(staff, "/admin/subsystems/website/resume", "confirm=yes").status, 403);
  EXPECT_EQ(get(owner, "/admin/subsystems/unknown").status, 404);
  EXPECT_EQ(post(owner, "/admin/subsystems/unknown/suspend", "notice=x").status, 404);

  auto resume_confirm = post(owner, "/admin/subsystems/website/resume", "");
  EXPECT_EQ(resume_confirm.status, 200);
  EXPECT_TRUE(incidents::suspended(*db_, incidents::Subsystem::website));
  EXPECT_EQ(post(owner, "/admin/subsystems/website/resume", "confirm=yes").status, 303);
  EXPECT_FALSE(incidents::suspended(*db_, incidents::Subsystem::website));
  EXPECT_EQ(audits("incidents.subsystem.resume", "ok"), 1);
  EXPECT_EQ(audits("incidents.subsystem.resume", "refused"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subsystem_status_history"), 2);
  auto history = get(staff, "/admin/subsystems");
  EXPECT_EQ(history.status, 200);
  EXPECT_NE(history.body.find("午後5時に再開します。"), std::string::npos);
  EXPECT_EQ(history.body.find("/admin/subsystems/website/suspend"), std::string::npos);
}

}  // namespace
}  // namespace koban::app
