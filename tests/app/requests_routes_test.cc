// The administrative request pages over real HTTP with the demo force on SQLite: station staff
// file an access-grant request, the station head and the HQ reviewer approve, the reviewer
// carries it out; a remand with a comment and the corrected resubmission; self-approval, an
// outsider and a remand without a comment refused (audited, nothing changed).
#include <gtest/gtest.h>

#include <filesystem>

#include "app/admin_requests_routes.h"
#include "app/staff_auth.h"
#include "audit/audit_log.h"
#include "auth/credentials.h"
#include "auth/migrations.h"
#include "http/forms/urlencoded.h"
#include "http/server.h"
#include "org/demo.h"
#include "org/org_migrations.h"
#include "org/people.h"
#include "org/roles.h"
#include "org/units.h"
#include "requests/forms.h"
#include "requests/requests_migrations.h"
#include "staff_http_client.h"
#include "store/migrations.h"
#include "workflow/workflow_migrations.h"

namespace koban::app {
namespace {

namespace fs = std::filesystem;
constexpr const char* kPassword = "Demo-Koban-2026";

using testing::Reply;
using testing::cookie_value;
using testing::csrf_field;
using testing::exchange;

std::string enc(const std::string& v) { return http::forms::form_urlencode(v); }

// A Wednesday at 10:00 JST: office hours, so the station head (not the duty desk) decides.
const Instant kWeekday10 = from_jst({{2026, 11, 18}, 10, 0, 0});

std::string grant_form(const std::string& start_date) {
  return "kind=org.access_grant&title=" + enc("生活安全課員のHP更新権限") + "&system=website&grantee=" +
         enc("中央警察署 生活安全課") + "&scope=" + enc("記事の作成と公開依頼") + "&start_date=" + start_date +
         "&reason=" + enc("防犯情報を掲載するため");
}

class RequestsRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("koban-requests-routes-" + std::to_string(::getpid()));
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
    ASSERT_TRUE(registry.add("workflow", workflow::workflow_migrations()));
    ASSERT_TRUE(registry.add("requests", requests::requests_migrations()));
    ASSERT_TRUE(store::migrate(*db_, registry, clock_.now()));

    auth::Credentials creds(auth::CredentialsConfig{.hash = auth::HashParams::fastest()});
    auto filled = db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto people, org::fill_demo(s, clock_.now()));
      for (const auto& p : people) {
        KOBAN_ASSIGN(auto person, org::find_person_by_login(s, p.login_name));
        KOBAN_TRY(creds.set_password(s, person->id, p.login_name, kPassword, clock_.now()));
      }
      // Administrative requests need administration on the station: the demo gives it to the
      // head (unit_manager); the filer here is a staff member given it below. The reviewer
      // (総務課長) is overall manager for every purpose.
      KOBAN_ASSIGN(auto chuo, org::find_unit_by_code(s, "chuo"));
      auto grant = [&](const std::string& login, org::Role role, org::UnitId unit) -> Result<void> {
        KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
        KOBAN_ASSIGN(auto g, org::grant_role(s, {.person = p->id, .purpose = org::Purpose::administration,
                                                 .role = role, .unit = unit}, clock_.now()));
        (void)g;
        return ok();
      };
      KOBAN_TRY(grant("chuo.tanto", org::Role::staff, chuo->id));
      return ok();
    });
    ASSERT_TRUE(filled) << filled.error().message;

    auto kinds = std::make_shared<workflow::KindRegistry>();
    ASSERT_TRUE(requests::register_request_kinds(*kinds, calendar::BusinessCalendar{}));
    auto templates = web::Templates::load(web::Templates::default_dir());
    ASSERT_TRUE(templates) << templates.error().message;
    staff_ = std::make_unique<StaffAuth>(*db_, clock_, config_, *templates);
    staff_->add_routes(router_);
    add_requests_routes(router_, *db_, *staff_, kinds, clock_);
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
  std::string text(const std::string& sql) {
    std::string t;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query(sql));
      t = rows.at(0).text(0);
      return ok();
    }));
    return t;
  }
  std::int64_t audits(const std::string& action, const std::string& outcome) {
    return count("SELECT COUNT(*) FROM audit_log WHERE action = '" + action + "' AND outcome = '" + outcome + "'");
  }
  // Files the access-grant request as chuo.tanto; returns its path.
  std::string file(const std::string& session) {
    auto r = post(session, "/admin/requests", grant_form("2026-12-01"));
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_TRUE(r.location.starts_with("/admin/requests/")) << r.location;
    return r.location.substr(0, r.location.find('?'));
  }
  std::string state(const std::string& path) {
    return text("SELECT state FROM requests WHERE id = " + path.substr(path.rfind('/') + 1));
  }

  fs::path dir_;
  FixedClock clock_{kWeekday10};
  Config config_;
  Metrics metrics_;
  std::unique_ptr<store::Database> db_;
  http::Router router_;
  std::unique_ptr<StaffAuth> staff_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(RequestsRoutesTest, FiledApprovedTwiceAndCarriedOut) {
  const std::string tanto = login("chuo.tanto");
  auto choose = get(tanto, "/admin/requests/new");
  EXPECT_EQ(choose.status, 200);
  EXPECT_NE(choose.body.find("kind=org.access_grant"), std::string::npos);
  auto form = get(tanto, "/admin/requests/new?kind=org.access_grant");
  EXPECT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("name=\"start_date\""), std::string::npos);
  EXPECT_NE(form.body.find("対象システム"), std::string::npos);

  // Bad fields: the form again with every problem, nothing filed.
  auto bad = post(tanto, "/admin/requests", grant_form("2026-02-30"));
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("利用開始日"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM requests"), 0);

  const std::string path = file(tanto);
  EXPECT_EQ(state(path), "submitted");
  auto mine = get(tanto, "/admin/requests");
  EXPECT_NE(mine.body.find("生活安全課員のHP更新権限"), std::string::npos);
  EXPECT_NE(mine.body.find("承認待ち"), std::string::npos);
  auto page = get(tanto, path);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("中央警察署 生活安全課"), std::string::npos);
  EXPECT_NE(page.body.find("withdraw"), std::string::npos);
  EXPECT_EQ(page.body.find(path + "/approve"), std::string::npos);  // no approve button for the filer

  // Self-approval refused, audited, nothing changed.
  auto self = post(tanto, path + "/approve", "");
  EXPECT_EQ(self.status, 403);
  EXPECT_NE(self.body.find("変更は行われていません"), std::string::npos);
  EXPECT_EQ(state(path), "submitted");
  EXPECT_EQ(audits("workflow.request.approve", "refused"), 1);

  // Another station's head: cannot see it, cannot approve it.
  const std::string outsider = login("kita.shocho");
  EXPECT_EQ(get(outsider, path).status, 403);
  EXPECT_EQ(post(outsider, path + "/approve", "").status, 403);
  EXPECT_EQ(audits("workflow.request.approve", "refused"), 2);
  EXPECT_EQ(audits("workflow.request.view", "refused"), 1);
  EXPECT_EQ(state(path), "submitted");

  const std::string head = login("chuo.shocho");
  auto waiting = get(head, "/admin/requests");
  EXPECT_NE(waiting.body.find(path), std::string::npos);
  auto head_page = get(head, path);
  EXPECT_NE(head_page.body.find(path + "/approve"), std::string::npos);
  EXPECT_NE(head_page.body.find(path + "/remand"), std::string::npos);
  auto approved = post(head, path + "/approve", "comment=" + enc("確認しました"));
  EXPECT_EQ(approved.status, 303);
  EXPECT_EQ(state(path), "submitted");  // now at the HQ review
  EXPECT_EQ(post(head, path + "/approve", "").status, 403);  // not assigned to the second step

  const std::string reviewer = login("somu.kacho");
  EXPECT_NE(get(reviewer, "/admin/requests").body.find(path), std::string::npos);
  EXPECT_EQ(post(reviewer, path + "/approve", "comment=" + enc("了承")).status, 303);
  EXPECT_EQ(state(path), "approved");
  EXPECT_EQ(audits("workflow.request.approve", "ok"), 2);
  // Only someone who may publish for the unit carries it out: not the filer.
  EXPECT_EQ(post(tanto, path + "/carry-out", "").status, 403);
  EXPECT_EQ(state(path), "approved");
  EXPECT_NE(get(reviewer, path).body.find(path + "/carry-out"), std::string::npos);
  EXPECT_EQ(post(reviewer, path + "/carry-out", "").status, 303);
  EXPECT_EQ(state(path), "carried_out");

  // Every step with comment, actor and date; the print page with the 別記様式 title.
  auto done = get(tanto, path);
  EXPECT_NE(done.body.find("確認しました"), std::string::npos);
  EXPECT_NE(done.body.find("了承"), std::string::npos);
  EXPECT_NE(done.body.find("2026-11-18 10:00"), std::string::npos);
  EXPECT_NE(done.body.find("実施済み"), std::string::npos);
  auto print = get(tanto, path + "/print");
  EXPECT_EQ(print.status, 200);
  EXPECT_NE(print.body.find("別記第4号様式"), std::string::npos);
  EXPECT_NE(print.body.find("記事の作成と公開依頼"), std::string::npos);
  EXPECT_NE(print.body.find("了承"), std::string::npos);
}

TEST_F(RequestsRoutesTest, RemandNeedsACommentAndTheFilerResubmits) {
  const std::string tanto = login("chuo.tanto");
  const std::string path = file(tanto);
  const std::string head = login("chuo.shocho");

  auto no_comment = post(head, path + "/remand", "comment=");
  EXPECT_EQ(no_comment.status, 400);
  EXPECT_NE(no_comment.body.find("コメント"), std::string::npos);
  EXPECT_EQ(state(path), "submitted");
  EXPECT_EQ(audits("workflow.request.remand", "refused"), 1);

  EXPECT_EQ(post(head, path + "/remand", "comment=" + enc("利用開始日を見直してください")).status, 303);
  EXPECT_EQ(state(path), "remanded");
  EXPECT_EQ(audits("workflow.request.remand", "ok"), 1);
  auto page = get(tanto, path);
  EXPECT_NE(page.body.find("利用開始日を見直してください"), std::string::npos);
  EXPECT_NE(page.body.find(path + "/resubmit"), std::string::npos);

  // Only the filer resubmits; bad fields change nothing.
  EXPECT_EQ(post(head, path + "/resubmit", grant_form("2027-01-04")).status, 403);
  EXPECT_EQ(post(tanto, path + "/resubmit", grant_form("明日")).status, 400);
  EXPECT_EQ(state(path), "remanded");
  EXPECT_EQ(post(tanto, path + "/resubmit", grant_form("2027-01-04")).status, 303);
  EXPECT_EQ(state(path), "submitted");
  EXPECT_EQ(count("SELECT round FROM requests WHERE id = " + path.substr(path.rfind('/') + 1)), 2);
  EXPECT_NE(get(tanto, path).body.find("2027-01-04"), std::string::npos);
  EXPECT_NE(get(head, "/admin/requests").body.find(path), std::string::npos);

  // Withdrawn by the filer; afterwards nobody may approve.
  EXPECT_EQ(post(tanto, path + "/withdraw", "").status, 303);
  EXPECT_EQ(state(path), "withdrawn");
  EXPECT_EQ(post(head, path + "/approve", "").status, 409);
  EXPECT_EQ(state(path), "withdrawn");
}

TEST_F(RequestsRoutesTest, UnknownThingsAreRefused) {
  const std::string tanto = login("chuo.tanto");
  EXPECT_EQ(get(tanto, "/admin/requests/new?kind=org.nothing").status, 404);
  EXPECT_EQ(get(tanto, "/admin/requests/999").status, 404);
  EXPECT_EQ(get(tanto, "/admin/requests/abc").status, 404);
  EXPECT_EQ(post(tanto, "/admin/requests/999/approve", "").status, 404);
  EXPECT_EQ(post(tanto, "/admin/requests/steps/999/acknowledge", "").status, 404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM requests"), 0);
  // Without a login: to the login page.
  auto anon = exchange(port(), "GET /admin/requests HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(anon.status, 200);
}

}  // namespace
}  // namespace koban::app
