// /admin/audit and /admin/audit.csv end to end: a real server on 127.0.0.1, the demo force in a
// temp SQLite database, staff logged in through the login form, audit rows seeded at known
// times. Checks who sees what, filters, keyset paging, validation (400) and the CSV export
// (which must itself be audited).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <set>

#include "app/admin_audit_routes.h"
#include "app/staff_auth.h"
#include "audit/audit_log.h"
#include "auth/credentials.h"
#include "auth/migrations.h"
#include "core/config.h"
#include "http/router.h"
#include "http/server.h"
#include "http/test_client.h"
#include "mail/outbox.h"
#include "org/demo.h"
#include "org/org_migrations.h"
#include "org/people.h"
#include "org/roles.h"
#include "org/units.h"
#include "store/migrations.h"
#include "web/templates.h"

namespace koban::app {
namespace {

namespace fs = std::filesystem;
using http::testing::RawClient;
using http::testing::RawResponse;

constexpr const char* kPassword = "Audit-Test-2026x";

// The value of a cookie from every Set-Cookie line of a raw response (RawClient keeps only the
// last header of a name, and a login answer sets two cookies).
std::string cookie_from(const std::string& raw, const std::string& name) {
  std::regex re("\r\n[Ss]et-[Cc]ookie: " + name + "=([^;\r\n]*)");
  std::smatch m;
  return std::regex_search(raw, m, re) ? m[1].str() : "";
}

class AuditRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("koban-auditui-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
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
    ASSERT_TRUE(store::migrate(*db_, registry, SystemClock{}.now()));

    auth::Credentials creds(auth::CredentialsConfig{.hash = auth::HashParams::fastest()});
    auto seeded = db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(org::fill_demo(s, SystemClock{}.now()));
      for (const char* login : {"system.kanri", "chuo.shocho", "chuo.tanto"}) {
        KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
        if (!p) return Error::internal(std::string("demo person missing: ") + login);
        KOBAN_TRY(creds.set_password(s, p->id, login, kPassword, SystemClock{}.now()));
        ids_[login] = p->id;
      }
      for (const char* code : {"chuo", "kita", "somu"}) {
        KOBAN_ASSIGN(auto u, org::find_unit_by_code(s, code));
        if (!u) return Error::internal(std::string("demo unit missing: ") + code);
        units_[code] = u->id;
      }
      // The station head may see the audit trail of the station only (the demo grants a head
      // administration over their own unit).
      // 60 edits in 中央警察署 on 2026-04-01 (JST), from 10:00, one a minute.
      const Instant day1 = from_jst({.date = {2026, 4, 1}, .hour = 10});
      for (int i = 0; i < 60; ++i)
        KOBAN_TRY(audit::append(s, {.actor_id = ids_["chuo.tanto"], .actor_name = "担当 太郎",
                                    .unit_id = units_["chuo"], .unit_name = "中央警察署",
                                    .action = "test.item.edit", .object_type = "item",
                                    .object_id = std::to_string(i), .summary = "編集 " + std::to_string(i)},
                                day1 + std::chrono::minutes(i)));
      // 5 refused attempts in 北警察署 on 2026-04-02.
      const Instant day2 = from_jst({.date = {2026, 4, 2}, .hour = 9});
      for (int i = 0; i < 5; ++i)
        KOBAN_TRY(audit::append(s, {.unit_id = units_["kita"], .unit_name = "北警察署",
                                    .action = "test.item.delete", .object_type = "item", .object_id = "k",
                                    .summary = "削除の試み =SUM(A1)", .outcome = audit::Outcome::refused},
                                day2 + std::chrono::minutes(i)));
      // 3 views by the system administrator in 総務課 on 2026-04-03, 23:59 JST (still the 3rd).
      const Instant day3 = from_jst({.date = {2026, 4, 3}, .hour = 23, .minute = 59});
      for (int i = 0; i < 3; ++i)
        KOBAN_TRY(audit::append(s, {.actor_id = ids_["system.kanri"], .actor_name = "管理 花子",
                                    .unit_id = units_["somu"], .unit_name = "総務課",
                                    .action = "test.other.view", .summary = "閲覧"},
                                day3 + std::chrono::seconds(i)));
      return ok();
    });
    ASSERT_TRUE(seeded) << seeded.error().message;

    auto templates = web::Templates::load(web::Templates::default_dir());
    ASSERT_TRUE(templates) << templates.error().message;
    staff_ = std::make_unique<StaffAuth>(*db_, clock_, config_, *templates);
    staff_->add_routes(router_);
    add_audit_routes(router_, *db_, *staff_);
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

  // Logs in through the form as the smoke test does; returns the session cookie value.
  std::string login(const std::string& name) {
    const std::string form_raw = [&] {
      RawClient c(server_->port());
      c.send(http::testing::get_request("/admin/login"));
      auto r = c.read_response();
      EXPECT_TRUE(r);
      if (!r) return std::string();
      form_cookie_ = r->headers["set-cookie"];
      return r->body;
    }();
    std::smatch m;
    const std::regex csrf_re("name=\"csrf\" value=\"([^\"]+)\"");
    EXPECT_TRUE(std::regex_search(form_raw, m, csrf_re));
    const std::string csrf = m[1].str();
    const std::string login_cookie = form_cookie_.substr(0, form_cookie_.find(';'));
    const std::string body = "csrf=" + csrf + "&login_name=" + name + "&password=" + kPassword;
    const std::string raw = exchange_raw(
        "POST /admin/login HTTP/1.1\r\nHost: localhost\r\nCookie: " + login_cookie +
        "\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_NE(raw.find(" 303 "), std::string::npos) << raw.substr(0, 300);
    const std::string session = cookie_from(raw, kSessionCookie);
    EXPECT_FALSE(session.empty()) << raw.substr(0, 500);
    return session;
  }

  // Every byte the server sends for one request (Connection: close), headers included.
  std::string exchange_raw(const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server_->port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string out;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buf[8192];
      for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) break;
        auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
      }
    }
    ::close(fd);
    return out;
  }

  std::optional<RawResponse> get(const std::string& target, const std::string& session) {
    RawClient c(server_->port());
    c.send(http::testing::get_request(target, session.empty() ? "" : "Cookie: koban_session=" + session + "\r\n"));
    return c.read_response();
  }

  // The seq numbers of the table rows, in page order.
  static std::vector<std::int64_t> seqs(const std::string& html) {
    std::vector<std::int64_t> out;
    const std::regex re("<th scope=\"row\">([0-9]+)</th>");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it)
      out.push_back(std::stoll((*it)[1].str()));
    return out;
  }
  static std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
    return n;
  }
  static std::string next_url(const std::string& html) {
    std::smatch m;
    if (!std::regex_search(html, m, std::regex("<a href=\"([^\"]*before=[0-9]+)\">次の"))) return "";
    std::string url = m[1].str();
    for (auto p = url.find("&amp;"); p != std::string::npos; p = url.find("&amp;")) url.replace(p, 5, "&");
    return url;
  }

  std::int64_t audit_rows(const std::string& action, std::optional<std::int64_t> actor) {
    std::int64_t n = -1;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id IS ?", action, actor));
      n = rows.at(0).int64(0);
      return ok();
    }));
    return n;
  }

  fs::path dir_;
  std::unique_ptr<store::Database> db_;
  SystemClock clock_;
  Config config_;
  http::Router router_;
  Metrics metrics_;
  std::unique_ptr<StaffAuth> staff_;
  std::unique_ptr<http::Server> server_;
  std::map<std::string, std::int64_t> ids_;
  std::map<std::string, std::int64_t> units_;
  std::string form_cookie_;
};

TEST_F(AuditRoutes, RequiresLoginAndPermission) {
  auto anonymous = get("/admin/audit", "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 303);
  EXPECT_NE(anonymous->headers["location"].find("/admin/login?next="), std::string::npos);

  const auto tanto = login("chuo.tanto");  // a station clerk: no administration role at all
  for (const char* path : {"/admin/audit", "/admin/audit.csv"}) {
    auto r = get(path, tanto);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << path;
  }
  EXPECT_EQ(audit_rows("audit.export", ids_["chuo.tanto"]), 0);
}

TEST_F(AuditRoutes, AdministratorPagesThroughEverythingNewestFirst) {
  const auto admin = login("system.kanri");
  auto first = get("/admin/audit?action=test.", admin);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  EXPECT_NE(first->body.find("<caption>"), std::string::npos);
  EXPECT_NE(first->body.find("<th scope=\"col\">日時</th>"), std::string::npos);
  EXPECT_EQ(count(first->body, "<option value=\"\">すべて</option>"), 2u);  // any unit, any outcome
  auto page1 = seqs(first->body);
  ASSERT_EQ(page1.size(), 50u);
  EXPECT_TRUE(std::is_sorted(page1.rbegin(), page1.rend()));  // newest first
  // The newest seeded row is the last of the three views on 04-03 (23:59:02 JST).
  EXPECT_NE(first->body.find("2026-04-03 23:59:02"), std::string::npos);

  const std::string next = next_url(first->body);
  ASSERT_FALSE(next.empty());
  EXPECT_NE(next.find("action=test."), std::string::npos);  // the filter is kept
  auto second = get(next, admin);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 200);
  auto page2 = seqs(second->body);
  ASSERT_EQ(page2.size(), 18u);  // 60 + 5 + 3 seeded rows
  EXPECT_LT(page2.front(), page1.back());
  std::set<std::int64_t> all(page1.begin(), page1.end());
  all.insert(page2.begin(), page2.end());
  EXPECT_EQ(all.size(), 68u);
  EXPECT_TRUE(next_url(second->body).empty());
  EXPECT_NE(second->body.find("最新へ戻る"), std::string::npos);
}

TEST_F(AuditRoutes, FiltersNarrowTheRows) {
  const auto admin = login("system.kanri");
  auto refused = get("/admin/audit?action=test.&outcome=refused", admin);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->status, 200);
  EXPECT_EQ(seqs(refused->body).size(), 5u);
  EXPECT_EQ(count(refused->body, "<strong>拒否</strong>"), 5u);

  auto by_actor = get("/admin/audit?actor=system.kanri&action=test.", admin);
  ASSERT_TRUE(by_actor);
  EXPECT_EQ(seqs(by_actor->body).size(), 3u);

  auto by_unit = get("/admin/audit?action=test.&unit=" + std::to_string(units_["kita"]), admin);
  ASSERT_TRUE(by_unit);
  EXPECT_EQ(seqs(by_unit->body).size(), 5u);

  // JST days, both ends included: 04-02..04-03 holds the 5 refusals and the 3 late views.
  auto days = get("/admin/audit?action=test.&from=2026-04-02&to=2026-04-03", admin);
  ASSERT_TRUE(days);
  EXPECT_EQ(seqs(days->body).size(), 8u);
  auto one_day = get("/admin/audit?action=test.&from=2026-04-01&to=2026-04-01", admin);
  ASSERT_TRUE(one_day);
  EXPECT_EQ(seqs(one_day->body).size(), 50u);  // 60 that day, first page

  auto object = get("/admin/audit?object_type=item&object_id=7", admin);
  ASSERT_TRUE(object);
  EXPECT_EQ(seqs(object->body).size(), 1u);
  auto text = get("/admin/audit?q=%E7%B7%A8%E9%9B%86+59", admin);  // 編集 59
  ASSERT_TRUE(text);
  EXPECT_EQ(seqs(text->body).size(), 1u);

  auto nobody = get("/admin/audit?actor=no.such.person", admin);
  ASSERT_TRUE(nobody);
  EXPECT_EQ(nobody->status, 200);
  EXPECT_TRUE(seqs(nobody->body).empty());
  EXPECT_NE(nobody->body.find("見つかりません"), std::string::npos);
}

TEST_F(AuditRoutes, BadParametersAre400) {
  const auto admin = login("system.kanri");
  for (const char* q : {"from=2026-13-01", "to=yesterday", "from=2026-04-05&to=2026-04-01", "outcome=maybe",
                        "before=abc", "before=-3", "before=99999999999999999999", "unit=chuo",
                        "action=drop%20table", "actor=%E5%B1%B1", "q=a%01b", "from=%zz"}) {
    auto r = get(std::string("/admin/audit?") + q, admin);
    ASSERT_TRUE(r) << q;
    EXPECT_EQ(r->status, 400) << q;
    auto csv = get(std::string("/admin/audit.csv?") + q, admin);
    ASSERT_TRUE(csv) << q;
    EXPECT_EQ(csv->status, 400) << q;
  }
  auto long_text = get("/admin/audit?q=" + std::string(300, 'a'), admin);
  ASSERT_TRUE(long_text);
  EXPECT_EQ(long_text->status, 400);
  std::string fields = "a=1";
  for (int i = 0; i < 40; ++i) fields += "&x" + std::to_string(i) + "=1";  // more fields than a form has
  auto many = get("/admin/audit?" + fields, admin);
  ASSERT_TRUE(many);
  EXPECT_EQ(many->status, 400);
}

TEST_F(AuditRoutes, UnitManagerSeesOnlyTheirUnits) {
  const auto head = login("chuo.shocho");
  auto own = get("/admin/audit?action=test.", head);
  ASSERT_TRUE(own);
  ASSERT_EQ(own->status, 200);
  EXPECT_EQ(seqs(own->body).size(), 50u);  // 中央警察署's 60 edits, first page
  EXPECT_EQ(own->body.find("北警察署"), std::string::npos);
  // Only the outcome select offers すべて: no "all units" choice for a unit manager.
  EXPECT_EQ(count(own->body, "<option value=\"\">すべて</option>"), 1u);

  const std::string kita = std::to_string(units_["kita"]);
  auto other = get("/admin/audit?unit=" + kita, head);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  auto other_csv = get("/admin/audit.csv?unit=" + kita, head);
  ASSERT_TRUE(other_csv);
  EXPECT_EQ(other_csv->status, 403);
  EXPECT_EQ(audit_rows("auth.permission.refused", ids_["chuo.shocho"]), 2);
  EXPECT_EQ(audit_rows("audit.export", ids_["chuo.shocho"]), 0);

  // The CSV of a unit manager holds their unit's rows only.
  auto csv = get("/admin/audit.csv?action=test.", head);
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(count(csv->body, "test.item.edit"), 60u);
  EXPECT_EQ(count(csv->body, "test.item.delete"), 0u);
}

TEST_F(AuditRoutes, CsvExportIsAttachedAndAudited) {
  const auto admin = login("system.kanri");
  EXPECT_EQ(audit_rows("audit.export", ids_["system.kanri"]), 0);
  auto csv = get("/admin/audit.csv?action=test.item.delete", admin);
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(csv->headers["content-type"], "text/csv; charset=utf-8");
  const auto& disposition = csv->headers["content-disposition"];
  EXPECT_TRUE(std::regex_match(disposition, std::regex("attachment; filename=\"koban-audit-[0-9]{8}-[0-9]{6}\\.csv\"")))
      << disposition;
  EXPECT_TRUE(csv->body.starts_with("\xEF\xBB\xBF"));  // BOM for Excel
  EXPECT_EQ(count(csv->body, "test.item.delete"), 5u);
  EXPECT_EQ(audit_rows("audit.export", ids_["system.kanri"]), 1);

  // The export record says how many rows left and with which filter.
  ASSERT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT summary, address FROM audit_log WHERE action = 'audit.export'"));
    EXPECT_EQ(rows.size(), 1u);
    EXPECT_NE(rows.at(0).text(0).find("5 件"), std::string::npos) << rows.at(0).text(0);
    EXPECT_NE(rows.at(0).text(0).find("action=test.item.delete"), std::string::npos);
    EXPECT_EQ(rows.at(0).text(1), "127.0.0.1");
    return ok();
  }));

  // The list page links to the export with the same filter.
  auto list = get("/admin/audit?outcome=refused", admin);
  ASSERT_TRUE(list);
  EXPECT_NE(list->body.find("href=\"/admin/audit.csv?outcome=refused\""), std::string::npos);
}

}  // namespace
}  // namespace koban::app
