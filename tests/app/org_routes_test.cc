// The staff pages for units and people over real HTTP: login through the form, permission
// checks per unit, keyset paging, bad parameters, and the audited state changes.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "app/admin_org_routes.h"
#include "app/staff_auth.h"
#include "audit/audit_log.h"
#include "auth/credentials.h"
#include "auth/migrations.h"
#include "auth/secret_box.h"
#include "http/forms/urlencoded.h"
#include "http/router.h"
#include "http/server.h"
#include "mail/outbox.h"
#include "org/demo.h"
#include "org/org_migrations.h"
#include "org/people.h"
#include "org/roles.h"
#include "org/units.h"
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

class OrgRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("koban-org-routes-" + std::to_string(::getpid()));
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
    ASSERT_TRUE(registry.add("mail", mail::outbox_migrations()));
    ASSERT_TRUE(store::migrate(*db_, registry, clock_.now()));

    auth::Credentials creds(auth::CredentialsConfig{.hash = auth::HashParams::fastest()});
    auto filled = db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto people, org::fill_demo(s, clock_.now()));
      KOBAN_ASSIGN(auto chuo, org::find_unit_by_code(s, "chuo"));
      KOBAN_ASSIGN(auto kita, org::find_unit_by_code(s, "kita"));
      chuo_ = chuo->id;
      kita_ = kita->id;
      // A station's own account manager: administration (system_admin) on 中央警察署 only.
      KOBAN_ASSIGN(auto local, org::hire(s, {.login_name = "chuo.kanri", .display_name = "中央 管理",
                                             .unit_id = chuo_}, clock_.now()));
      KOBAN_TRY(org::grant_role(s, {.person = local, .purpose = org::Purpose::administration,
                                    .role = org::Role::system_admin, .unit = chuo_}, clock_.now()));
      people.push_back({.login_name = "chuo.kanri"});
      for (const auto& p : people) {
        KOBAN_ASSIGN(auto person, org::find_person_by_login(s, p.login_name));
        KOBAN_TRY(creds.set_password(s, person->id, p.login_name, kPassword, clock_.now()));
      }
      return ok();
    });
    ASSERT_TRUE(filled) << filled.error().message;

    auto templates = web::Templates::load(web::Templates::default_dir());
    ASSERT_TRUE(templates) << templates.error().message;
    auto box = auth::SecretBox::from_key(std::string(auth::SecretBox::kKeyBytes, 'k'));
    ASSERT_TRUE(box);
    staff_ = std::make_unique<StaffAuth>(*db_, clock_, config_, *templates, std::move(*box));
    staff_->add_routes(router_);
    add_org_routes(router_, *db_, *staff_);
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

  // Logs in through the form and returns the session cookie value.
  std::string login(const std::string& login_name) {
    auto form = exchange(port(), "GET /admin/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const std::string login_cookie = cookie_value(form, kLoginCookie);
    const std::string body = "csrf=" + http::forms::form_urlencode(csrf_field(form.body)) +
                             "&login_name=" + login_name + "&password=" + http::forms::form_urlencode(kPassword);
    auto r = exchange(port(), "POST /admin/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " +
                                  std::string(kLoginCookie) + "=" + login_cookie +
                                  "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_EQ(r.status, 303) << login_name;
    return cookie_value(r, kSessionCookie);
  }

  Reply get(const std::string& session, const std::string& path) {
    return exchange(port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                                (session.empty() ? "" : "Cookie: " + std::string(kSessionCookie) + "=" + session + "\r\n") +
                                "\r\n");
  }
  Reply post(const std::string& session, const std::string& path, const std::string& body) {
    return exchange(port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " +
                                std::string(kSessionCookie) + "=" + session +
                                "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body);
  }
  // The CSRF token of a page the session may see.
  std::string csrf(const std::string& session) { return csrf_field(get(session, "/admin/").body); }

  org::Person person(const std::string& login_name) {
    org::Person p;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto found, org::find_person_by_login(s, login_name));
      if (!found) return Error::not_found(login_name);
      p = *found;
      return ok();
    }));
    return p;
  }
  std::vector<org::Grant> grants(org::PersonId id) {
    std::vector<org::Grant> g;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(g, org::grant_history(s, id));
      return ok();
    }));
    return g;
  }
  // (action, outcome, summary) of every audit row with an action starting "org."
  std::vector<std::tuple<std::string, std::string, std::string>> org_audit() {
    std::vector<std::tuple<std::string, std::string, std::string>> rows;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto r, s.query("SELECT action, outcome, summary FROM audit_log WHERE action LIKE 'org.%' ORDER BY seq"));
      for (const auto& row : r) rows.emplace_back(row.text(0), row.text(1), row.text(2));
      return ok();
    }));
    return rows;
  }

  std::uint16_t port() const { return server_->port(); }
  std::string path_of(const std::string& login_name) { return "/admin/people/" + std::to_string(person(login_name).id); }

  fs::path dir_;
  SystemClock clock_;
  Config config_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<StaffAuth> staff_;
  http::Router router_;
  Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  org::UnitId chuo_ = 0, kita_ = 0;
};

TEST_F(OrgRoutesTest, UnitsNeedOnlyALoginButPeopleNeedAdministrationView) {
  EXPECT_EQ(get("", "/admin/units").status, 303);  // to the login form

  const auto tanto = login("chuo.tanto");  // staff for website/alerts/procedures, no administration
  ASSERT_FALSE(tanto.empty());
  auto tree = get(tanto, "/admin/units");
  ASSERT_EQ(tree.status, 200);
  EXPECT_NE(tree.body.find("中央警察署"), std::string::npos);
  EXPECT_NE(tree.body.find("本部総合当直"), std::string::npos);
  EXPECT_NE(tree.body.find("<caption>"), std::string::npos);
  EXPECT_NE(tree.body.find("scope=\"row\""), std::string::npos);
  // The station's head is named in the tree (the demo's 署長 of 中央警察署).
  const auto shocho = person("chuo.shocho");
  EXPECT_NE(tree.body.find(shocho.display_name), std::string::npos);

  auto unit = get(tanto, "/admin/units/" + std::to_string(chuo_));
  ASSERT_EQ(unit.status, 200);
  EXPECT_NE(unit.body.find("この所属の職員一覧を見る権限がありません"), std::string::npos);
  EXPECT_EQ(unit.body.find("chuo.tanto"), std::string::npos);  // no people table
  EXPECT_EQ(get(tanto, "/admin/units/999999").status, 404);
  EXPECT_EQ(get(tanto, "/admin/units/abc").status, 404);

  EXPECT_EQ(get(tanto, "/admin/people").status, 403);
  EXPECT_EQ(get(tanto, path_of("chuo.shocho")).status, 403);

  const auto admin = login("system.kanri");
  auto full = get(admin, "/admin/units/" + std::to_string(chuo_));
  ASSERT_EQ(full.status, 200);
  EXPECT_NE(full.body.find("chuo.tanto"), std::string::npos);
  EXPECT_NE(full.body.find("担当者"), std::string::npos);  // the role label of chuo.tanto
}

TEST_F(OrgRoutesTest, PeopleListFiltersPagesAndRefusesBadParameters) {
  const auto admin = login("system.kanri");
  auto all = get(admin, "/admin/people");
  ASSERT_EQ(all.status, 200);
  EXPECT_NE(all.body.find("chuo.tanto"), std::string::npos);
  EXPECT_NE(all.body.find("kita.tanto"), std::string::npos);

  auto chuo_only = get(admin, "/admin/people?unit=" + std::to_string(chuo_));
  ASSERT_EQ(chuo_only.status, 200);
  EXPECT_NE(chuo_only.body.find("chuo.tanto"), std::string::npos);
  EXPECT_EQ(chuo_only.body.find("kita.tanto"), std::string::npos);

  auto text = get(admin, "/admin/people?q=kita.ta");
  ASSERT_EQ(text.status, 200);
  EXPECT_NE(text.body.find("kita.tanto"), std::string::npos);
  EXPECT_EQ(text.body.find("chuo.tanto"), std::string::npos);
  EXPECT_EQ(get(admin, "/admin/people?q=%25").status, 200);  // a LIKE wildcard is only a character

  auto retired = get(admin, "/admin/people?status=retired");
  ASSERT_EQ(retired.status, 200);
  EXPECT_EQ(retired.body.find("chuo.tanto"), std::string::npos);

  for (const char* bad : {"?status=gone", "?unit=abc", "?unit=-1", "?unit=999999", "?before=x1",
                          "?q=%FF%FE", "?before=99999999999999999999"})
    EXPECT_EQ(get(admin, std::string("/admin/people") + bad).status, 400) << bad;

  // Keyset paging: 60 more people in 北警察署 give two pages that do not overlap.
  ASSERT_TRUE(db_->write([&](store::Session& s) -> Result<void> {
    for (int i = 0; i < 60; ++i)
      KOBAN_TRY(org::hire(s, {.login_name = "kita.p" + std::to_string(100 + i), .display_name = "北 職員",
                              .unit_id = kita_}, clock_.now()));
    return ok();
  }));
  const std::string filter = "/admin/people?unit=" + std::to_string(kita_) + "&q=kita.p1";
  auto first = get(admin, filter);
  ASSERT_EQ(first.status, 200);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first.body, m, std::regex("href=\"(/admin/people\\?[^\"]*before=[0-9]+)\"")));
  std::string next = std::regex_replace(m[1].str(), std::regex("&amp;"), "&");
  EXPECT_NE(next.find("q=kita.p1"), std::string::npos);  // the filters survive paging
  auto second = get(admin, next);
  ASSERT_EQ(second.status, 200);
  std::set<std::string> seen;
  int count = 0;
  for (const auto* page : {&first, &second}) {
    std::regex login_re("<td>(kita\\.p1[0-9]+)</td>");
    for (auto it = std::sregex_iterator(page->body.begin(), page->body.end(), login_re); it != std::sregex_iterator(); ++it) {
      seen.insert((*it)[1].str());
      ++count;
    }
  }
  EXPECT_EQ(count, 60);
  EXPECT_EQ(seen.size(), 60u);
}

TEST_F(OrgRoutesTest, SuspendReinstateRetireWithConfirmationAndAudit) {
  const auto admin = login("system.kanri");
  const std::string token = csrf(admin);
  ASSERT_FALSE(token.empty());
  const auto target = person("chuo.tanto");
  const std::string base = path_of("chuo.tanto");

  EXPECT_EQ(post(admin, base + "/suspend", "csrf=forged&confirm=yes").status, 403);
  EXPECT_EQ(person("chuo.tanto").status, org::PersonStatus::active);

  auto confirm = post(admin, base + "/suspend", "csrf=" + token);
  ASSERT_EQ(confirm.status, 200);
  EXPECT_NE(confirm.body.find("name=\"confirm\" value=\"yes\""), std::string::npos);
  EXPECT_EQ(person("chuo.tanto").status, org::PersonStatus::active);  // only asked

  auto done = post(admin, base + "/suspend", "csrf=" + token + "&confirm=yes");
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(done.location, base + "?done=suspend");
  EXPECT_EQ(person("chuo.tanto").status, org::PersonStatus::suspended);
  auto page = get(admin, done.location);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("利用を停止しました"), std::string::npos);

  // Suspending again is an impossible transition: a message, nothing changes.
  auto again = post(admin, base + "/suspend", "csrf=" + token + "&confirm=yes");
  EXPECT_EQ(again.status, 409);

  EXPECT_EQ(post(admin, base + "/reinstate", "csrf=" + token + "&confirm=yes").status, 303);
  EXPECT_EQ(person("chuo.tanto").status, org::PersonStatus::active);

  EXPECT_EQ(post(admin, base + "/retire", "csrf=" + token + "&confirm=yes").status, 303);
  EXPECT_EQ(person("chuo.tanto").status, org::PersonStatus::retired);
  for (const auto& g : grants(target.id)) EXPECT_TRUE(g.revoked_at.has_value());

  auto refused = post(admin, base + "/reinstate", "csrf=" + token + "&confirm=yes");
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("退職した職員は変更できません"), std::string::npos);
  EXPECT_EQ(person("chuo.tanto").status, org::PersonStatus::retired);

  // Oneself: refused.
  auto self = post(admin, path_of("system.kanri") + "/suspend", "csrf=" + token + "&confirm=yes");
  EXPECT_EQ(self.status, 409);
  EXPECT_EQ(person("system.kanri").status, org::PersonStatus::active);

  const auto audit = org_audit();
  std::vector<std::string> ok_rows;
  for (const auto& [action, outcome, summary] : audit)
    if (outcome == "ok") ok_rows.push_back(action + " " + summary);
  ASSERT_EQ(ok_rows.size(), 3u);
  EXPECT_NE(ok_rows[0].find("org.person.suspend"), std::string::npos);
  EXPECT_NE(ok_rows[0].find("状態: 在職 → 利用停止"), std::string::npos);
  EXPECT_NE(ok_rows[1].find("org.person.reinstate"), std::string::npos);
  EXPECT_NE(ok_rows[2].find("状態: 在職 → 退職"), std::string::npos);
  EXPECT_GE(audit.size(), 6u);  // the refusals are recorded too
}

TEST_F(OrgRoutesTest, StationAdministratorActsOnlyOnTheirStation) {
  const auto local = login("chuo.kanri");
  const std::string token = csrf(local);
  EXPECT_EQ(get(local, path_of("chuo.tanto")).status, 200);
  EXPECT_EQ(get(local, path_of("kita.tanto")).status, 403);
  EXPECT_EQ(get(local, "/admin/people?unit=" + std::to_string(kita_)).status, 403);
  auto list = get(local, "/admin/people");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("chuo.tanto"), std::string::npos);
  EXPECT_EQ(list.body.find("kita.tanto"), std::string::npos);

  auto other = post(local, path_of("kita.tanto") + "/suspend", "csrf=" + token + "&confirm=yes");
  EXPECT_EQ(other.status, 403);
  EXPECT_NE(other.body.find("権限がありません"), std::string::npos);
  EXPECT_EQ(person("kita.tanto").status, org::PersonStatus::active);

  // Grants: a whole-force role is refused, one on the station works and can be revoked.
  const auto tanto = person("chuo.tanto");
  const auto before = grants(tanto.id).size();
  EXPECT_EQ(post(local, path_of("chuo.tanto") + "/grants", "csrf=" + token + "&purpose=mailbox&role=staff&unit=").status, 403);
  EXPECT_EQ(post(local, path_of("chuo.tanto") + "/grants",
                 "csrf=" + token + "&purpose=mailbox&role=staff&unit=" + std::to_string(kita_)).status, 403);
  EXPECT_EQ(post(local, path_of("chuo.tanto") + "/grants", "csrf=" + token + "&purpose=nothing&role=staff").status, 400);
  EXPECT_EQ(grants(tanto.id).size(), before);

  auto granted = post(local, path_of("chuo.tanto") + "/grants",
                      "csrf=" + token + "&purpose=mailbox&role=staff&unit=" + std::to_string(chuo_));
  EXPECT_EQ(granted.status, 303);
  auto after = grants(tanto.id);
  ASSERT_EQ(after.size(), before + 1);
  const auto& g = after.back();
  EXPECT_EQ(g.purpose, org::Purpose::mailbox);
  EXPECT_EQ(g.unit, chuo_);
  EXPECT_FALSE(g.revoked_at);

  const std::string revoke = path_of("chuo.tanto") + "/grants/" + std::to_string(g.id) + "/revoke";
  EXPECT_EQ(post(local, revoke, "csrf=" + token).status, 303);
  EXPECT_TRUE(grants(tanto.id).back().revoked_at.has_value());
  EXPECT_EQ(post(local, revoke, "csrf=" + token).status, 409);  // already revoked

  // A grant of another person under this person's URL is not found.
  const auto kita_grant = grants(person("kita.tanto").id).front();
  EXPECT_EQ(post(local, path_of("chuo.tanto") + "/grants/" + std::to_string(kita_grant.id) + "/revoke",
                 "csrf=" + token).status, 404);
  EXPECT_FALSE(grants(person("kita.tanto").id).front().revoked_at);

  bool granted_row = false, revoked_row = false;
  for (const auto& [action, outcome, summary] : org_audit()) {
    if (action == "org.grant.create" && outcome == "ok") granted_row = summary.find("中央警察署") != std::string::npos;
    if (action == "org.grant.revoke" && outcome == "ok") revoked_row = true;
  }
  EXPECT_TRUE(granted_row);
  EXPECT_TRUE(revoked_row);
}

}  // namespace
}  // namespace koban::app
