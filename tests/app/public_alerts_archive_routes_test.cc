// The public archive of safety alerts end to end over HTTP: only sent alerts, filters, keyset
// paging, 解決済み, the page per alert with its follow-ups, 400/404 pages, Atom feeds and the
// syndication feed, CAP documents, and the sign-up pages still answering beside them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <regex>

#include "alerts/alert_demo.h"
#include "alerts/alert_kind.h"
#include "alerts/alerts_migrations.h"
#include "alerts/subscriber_migrations.h"
#include "alerts/subscribers.h"
#include "app/database_setup.h"
#include "app/public_alerts_archive_routes.h"
#include "app/public_alerts_routes.h"
#include "core/metrics.h"
#include "http/server.h"
#include "http/test_client.h"
#include "org/demo.h"
#include "org/people.h"

namespace koban::app {
namespace {

const Instant kSent = from_jst({{2026, 11, 18}, 10, 5, 0});

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

class PublicAlertsArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("koban-alerts-archive-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::Database::open({.sqlite_path = (dir_ / "koban.db").string()});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(migrate_database(*db_));
    // Until database_setup.cc registers them (both calls do nothing when already registered).
    static std::once_flag once;
    std::call_once(once, [] {
      bool subs = false;
      for (const auto& m : store::migration_registry().modules()) subs |= m.name == "subscribers";
      if (!subs) ASSERT_TRUE(alerts::register_subscriber_migrations());
      ASSERT_TRUE(alerts::register_alerts_migrations());
    });
    auto migrated = store::migrate(*db_);
    ASSERT_TRUE(migrated) << migrated.error().message;
    ASSERT_TRUE(db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(org::fill_demo(s, kSent - std::chrono::hours(24 * 400)));
      KOBAN_ASSIGN(areas_, alerts::public_areas(s));
      KOBAN_ASSIGN(auto writer, org::find_person_by_login(s, areas_.at(0).code + ".shocho"));
      if (!writer) return Error::not_found("demo station head");
      writer_ = writer->id;
      writer_name_ = writer->display_name;
      return ok();
    }));
    ASSERT_GE(areas_.size(), 2u);

    config_.set("server.base_url", "https://police.example.jp/");
    config_.set("mail.from", "anshin@police.example.jp");
    config_.set("mail.transport", "catcher");
    auto keys = alerts::SubscriberKeys::from_secret(std::string(32, 'k'));
    ASSERT_TRUE(keys);
    auto templates = web::Templates::load(web::Templates::default_dir());
    ASSERT_TRUE(templates) << templates.error().message;
    add_public_alerts_routes(router_, *db_, std::make_shared<alerts::Subscribers>(*keys, subscriber_settings(config_)),
                             *templates, config_, clock_);
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

  http::testing::RawResponse get(const std::string& path) {
    http::testing::RawClient c(server_->port());
    EXPECT_TRUE(c.connected());
    c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    auto r = c.read_response();
    EXPECT_TRUE(r.has_value()) << path;
    return r ? *r : http::testing::RawResponse{};
  }

  std::uint16_t port() const { return server_->port(); }

  // xmllint --schema on a served CAP document (the OASIS schema kept in the repository).
  bool valid_cap(const std::string& xml, std::string* log) {
    const auto file = dir_ / ("cap-" + std::to_string(counter_++) + ".xml");
    std::ofstream(file, std::ios::binary) << xml;
    const auto xsd = web::Templates::default_dir().parent_path() / "tests" / "data" / "cap" / "cap12.xsd";
    const auto out = dir_ / "xmllint.log";
    const std::string cmd = "xmllint --noout --schema '" + xsd.string() + "' '" + file.string() + "' > '" +
                            out.string() + "' 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream in(out);
    log->assign(std::istreambuf_iterator<char>(in), {});
    return rc == 0;
  }
  int counter_ = 0;

  struct Row {
    int category = 1;
    std::string title = "件名";
    std::string state = "sent";
    bool whole = false;
    std::vector<org::UnitId> areas{};
    int minutes = 0;
    std::optional<std::int64_t> follows{};
    std::optional<std::string> kind{};
    bool syndicate = false;
    std::string body = "一行目\n二行目";
  };
  std::int64_t add(const Row& r) {
    std::int64_t id = 0;
    EXPECT_TRUE(db_->write([&](store::Session& s) -> Result<void> {
      const auto at = to_unix(kSent) + r.minutes * 60;
      KOBAN_ASSIGN(auto rows, s.query("INSERT INTO alerts (category, unit_id, title, body, whole_prefecture, state,"
                                      " follows_id, follow_kind, syndicate, urgent_note, created_by, approved_by,"
                                      " created_at, updated_at, sent_at)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '内部の事情メモ', ?, ?, ?, ?, ?) RETURNING id",
                                      r.category, areas_[0].id, r.title, r.body, r.whole, r.state, r.follows, r.kind,
                                      r.syndicate, writer_, writer_, at, at,
                                      r.state == "sent" ? std::optional<std::int64_t>(at) : std::nullopt));
      id = rows[0].int64(0);
      for (auto u : r.areas) KOBAN_TRY(s.exec("INSERT INTO alert_areas (alert_id, unit_id) VALUES (?, ?)", id, u));
      return ok();
    }).ok());
    return id;
  }

  FixedClock clock_{kSent};
  Config config_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Database> db_;
  std::vector<alerts::PublicArea> areas_;
  org::PersonId writer_ = 0;
  std::string writer_name_;
  http::Router router_;
  Metrics metrics_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(PublicAlertsArchive, ListShowsSentAlertsOnlyNewestFirstWithFiltersAndResolvedMark) {
  const auto a0 = areas_[0].id;
  const auto orig = add({.category = 1, .title = "声かけ事案の発生", .areas = {a0}, .minutes = 0});
  const auto whole = add({.category = 5, .title = "大雨に警戒", .whole = true, .minutes = 10});
  add({.category = 1, .title = "承認待ちの下書き", .state = "submitted", .areas = {a0}, .minutes = 20});
  add({.category = 1, .title = "未配信の承認済み", .state = "approved", .areas = {a0}, .minutes = 25});
  const auto res = add({.category = 1, .title = "被疑者を検挙しました", .areas = {a0}, .minutes = 30, .follows = orig,
                        .kind = "resolution"});

  auto r = get("/alerts/archive");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(r.headers["cache-control"], "public, max-age=60");
  EXPECT_NE(r.body.find("【子供安全情報】声かけ事案の発生"), std::string::npos);
  EXPECT_NE(r.body.find("【防災情報】大雨に警戒"), std::string::npos);
  EXPECT_NE(r.body.find("【子供安全情報】【解除】被疑者を検挙しました"), std::string::npos);
  EXPECT_EQ(r.body.find("承認待ちの下書き"), std::string::npos);
  EXPECT_EQ(r.body.find("未配信の承認済み"), std::string::npos);
  // Newest first: the resolution, the whole-prefecture alert, the original.
  const auto p_res = r.body.find("href=\"/alerts/archive/" + std::to_string(res) + "\">【");
  const auto p_whole = r.body.find("href=\"/alerts/archive/" + std::to_string(whole) + "\">【");
  const auto p_orig = r.body.find("href=\"/alerts/archive/" + std::to_string(orig) + "\">【");
  ASSERT_NE(p_orig, std::string::npos);
  EXPECT_LT(p_res, p_whole);
  EXPECT_LT(p_whole, p_orig);
  EXPECT_NE(r.body.find("（解決済み）"), std::string::npos);
  EXPECT_NE(r.body.find("2026年11月18日 10時05分"), std::string::npos);
  // Who wrote or approved it, and internal notes, never appear.
  EXPECT_EQ(r.body.find(writer_name_), std::string::npos);
  EXPECT_EQ(r.body.find("内部の事情メモ"), std::string::npos);
  EXPECT_EQ(r.body.find("<script"), std::string::npos);
  EXPECT_NE(r.body.find("<link rel=\"alternate\" type=\"application/atom+xml\""), std::string::npos);

  auto by_cat = get("/alerts/archive?category=5");
  ASSERT_EQ(by_cat.status, 200);
  EXPECT_NE(by_cat.body.find("大雨に警戒"), std::string::npos);
  EXPECT_EQ(by_cat.body.find("声かけ事案の発生"), std::string::npos);
  EXPECT_NE(by_cat.body.find("<option value=\"5\" selected>"), std::string::npos);
  EXPECT_NE(by_cat.body.find("href=\"/alerts/feed.atom?category=5\""), std::string::npos);

  // Another station's area: the whole-prefecture alert only.
  auto other = get("/alerts/archive?area=" + areas_[1].code);
  ASSERT_EQ(other.status, 200);
  EXPECT_NE(other.body.find("大雨に警戒"), std::string::npos);
  EXPECT_EQ(other.body.find("声かけ事案の発生"), std::string::npos);
  EXPECT_NE(other.body.find(areas_[1].jurisdiction), std::string::npos);
  auto own = get("/alerts/archive?area=" + areas_[0].code + "&category=1");
  EXPECT_NE(own.body.find("声かけ事案の発生"), std::string::npos);
  EXPECT_EQ(own.body.find("大雨に警戒"), std::string::npos);
}

TEST_F(PublicAlertsArchive, KeysetPagingFollowsTheNextLink) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 45; ++i) ids.push_back(add({.title = "連番" + std::to_string(i), .whole = true, .minutes = i}));
  std::string url = "/alerts/archive";
  std::vector<std::string> seen;
  int pages = 0;
  static const std::regex title_re("\">【子供安全情報】(連番[0-9]+)</a>");
  static const std::regex next_re("<a href=\"([^\"]+)\" rel=\"next\">");
  while (!url.empty() && pages < 10) {
    ++pages;
    auto r = get(std::regex_replace(url, std::regex("&amp;"), "&"));
    ASSERT_EQ(r.status, 200) << url;
    for (std::sregex_iterator it(r.body.begin(), r.body.end(), title_re), end; it != end; ++it) seen.push_back((*it)[1]);
    std::smatch m;
    url = std::regex_search(r.body, m, next_re) ? m[1].str() : "";
  }
  EXPECT_EQ(pages, 3);  // 20 + 20 + 5
  ASSERT_EQ(seen.size(), 45u);
  for (int i = 0; i < 45; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)], "連番" + std::to_string(44 - i));
}

TEST_F(PublicAlertsArchive, BadParametersGive400AndUnknownAlerts404) {
  const auto draft = add({.title = "下書き", .state = "draft", .whole = true});
  for (const std::string& q : std::vector<std::string>{"category=9", "category=0", "category=abc", "category=12", "area=no-such-station",
                              "before=abc", "before=-1", "before=" + std::to_string(draft), "category=%ZZ"}) {
    auto r = get("/alerts/archive?" + q);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_NE(r.body.find("ページを表示できません"), std::string::npos) << q;
    EXPECT_EQ(r.headers["cache-control"], "no-store") << q;
  }
  EXPECT_EQ(get("/alerts/archive?" + std::string(600, 'x')).status, 400);
  EXPECT_EQ(get("/alerts/feed.atom?category=7").status, 400);
  EXPECT_EQ(get("/alerts/feed.atom?before=1").status, 400);  // feeds have no paging
  auto missing = get("/alerts/archive/" + std::to_string(draft));
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("お探しの安心メールは見つかりません"), std::string::npos);
  EXPECT_EQ(missing.body.find("下書き"), std::string::npos);
  EXPECT_EQ(get("/alerts/archive/999999").status, 404);
  EXPECT_EQ(get("/alerts/archive/abc").status, 404);
  EXPECT_EQ(get("/alerts/" + std::to_string(draft) + ".cap.xml").status, 404);
  EXPECT_EQ(get("/alerts/abc.cap.xml").status, 404);
  EXPECT_EQ(get("/alerts/12.xml").status, 404);
  // The sign-up pages beside the archive still answer.
  EXPECT_EQ(get("/alerts/sent").status, 200);
  EXPECT_EQ(get("/alerts/qr.svg").status, 200);
  EXPECT_EQ(get("/alerts/").status, 200);
}

TEST_F(PublicAlertsArchive, AlertPageLinksFollowUpsBothWaysAndEscapesText) {
  const auto a0 = areas_[0].id, a1 = areas_[1].id;
  const auto orig = add({.category = 3, .title = "刃物を持った男<script>", .areas = {a0, a1},
                         .body = "一行目 & <b>太字</b>\n二行目"});
  const auto upd = add({.category = 3, .title = "続報です", .areas = {a0, a1}, .minutes = 5, .follows = orig, .kind = "update"});
  auto r = get("/alerts/archive/" + std::to_string(orig));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("【防犯情報】刃物を持った男&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
  EXPECT_NE(r.body.find("<p>一行目 &amp; &lt;b&gt;太字&lt;/b&gt;</p>"), std::string::npos);
  EXPECT_NE(r.body.find("<p>二行目</p>"), std::string::npos);
  EXPECT_NE(r.body.find(areas_[0].jurisdiction + "、" + areas_[1].jurisdiction), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/alerts/archive/" + std::to_string(upd) + "\">【続報】続報です"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/alerts/" + std::to_string(orig) + ".cap.xml\""), std::string::npos);
  EXPECT_EQ(r.body.find("解決済み"), std::string::npos);
  EXPECT_EQ(r.body.find(writer_name_), std::string::npos);

  auto f = get("/alerts/archive/" + std::to_string(upd));
  ASSERT_EQ(f.status, 200);
  EXPECT_NE(f.body.find("href=\"/alerts/archive/" + std::to_string(orig) + "\">刃物を持った男&lt;script&gt;"), std::string::npos);

  add({.category = 3, .title = "解決しました", .areas = {a0, a1}, .minutes = 9, .follows = orig, .kind = "resolution"});
  auto resolved = get("/alerts/archive/" + std::to_string(orig));
  EXPECT_NE(resolved.body.find("解決済み"), std::string::npos);
  EXPECT_NE(resolved.body.find("【解除】解決しました"), std::string::npos);
}

TEST_F(PublicAlertsArchive, CapDocumentPerAlert) {
  const auto orig = add({.category = 2, .title = "つきまとい & 声かけ", .areas = {areas_[0].id}});
  const auto res = add({.category = 2, .title = "解除", .areas = {areas_[0].id}, .minutes = 60, .follows = orig,
                        .kind = "resolution"});
  auto r = get("/alerts/" + std::to_string(orig) + ".cap.xml");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/cap+xml");
  EXPECT_EQ(r.headers["cache-control"], "public, max-age=300");
  EXPECT_TRUE(r.body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  EXPECT_NE(r.body.find("<identifier>police.example.jp-alert-" + std::to_string(orig) + "</identifier>"), std::string::npos);
  EXPECT_NE(r.body.find("<sender>police.example.jp</sender>"), std::string::npos);  // the mail.from domain
  EXPECT_NE(r.body.find("<sent>2026-11-18T10:05:00+09:00</sent>"), std::string::npos);
  EXPECT_NE(r.body.find("<msgType>Alert</msgType>"), std::string::npos);
  EXPECT_NE(r.body.find("<headline>【女性安全情報】つきまとい &amp; 声かけ</headline>"), std::string::npos);
  EXPECT_NE(r.body.find("<areaDesc>" + areas_[0].jurisdiction + "</areaDesc>"), std::string::npos);
  EXPECT_NE(r.body.find("<web>https://police.example.jp/alerts/archive/" + std::to_string(orig) + "</web>"), std::string::npos);
  EXPECT_EQ(r.body.find(writer_name_), std::string::npos);
  auto c = get("/alerts/" + std::to_string(res) + ".cap.xml");
  ASSERT_EQ(c.status, 200);
  EXPECT_NE(c.body.find("<msgType>Update</msgType>"), std::string::npos);
  EXPECT_NE(c.body.find("<references>police.example.jp,police.example.jp-alert-" + std::to_string(orig) +
                        ",2026-11-18T10:05:00+09:00</references>"),
            std::string::npos);
  EXPECT_NE(c.body.find("<responseType>AllClear</responseType>"), std::string::npos);
}

TEST_F(PublicAlertsArchive, AtomFeedsPerCategoryAndAreaAndTheSyndicationFeed) {
  const auto a0 = areas_[0].id, a1 = areas_[1].id;
  const auto child = add({.category = 1, .title = "子供への声かけ", .areas = {a0}, .syndicate = true});
  const auto theft = add({.category = 3, .title = "自転車盗", .areas = {a0}, .minutes = 1});
  const auto far = add({.category = 1, .title = "他署の声かけ", .areas = {a1}, .minutes = 2, .syndicate = true});
  add({.category = 1, .title = "送信前", .state = "approved", .areas = {a0}, .minutes = 3, .syndicate = true});

  auto all = get("/alerts/feed.atom");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.headers["content-type"], "application/atom+xml; charset=utf-8");
  EXPECT_EQ(all.headers["cache-control"], "public, max-age=300");
  EXPECT_EQ(count(all.body, "<entry>"), 3u);
  EXPECT_NE(all.body.find("<id>tag:police.example.jp,2026:alerts/feed</id>"), std::string::npos);
  EXPECT_EQ(all.body.find("送信前"), std::string::npos);

  const std::string q = "?category=1&area=" + areas_[0].code;
  auto both = get("/alerts/feed.atom" + q);
  ASSERT_EQ(both.status, 200);
  EXPECT_EQ(count(both.body, "<entry>"), 1u);
  EXPECT_NE(both.body.find("<id>tag:police.example.jp,2026:alerts/" + std::to_string(child) + "</id>"), std::string::npos);
  EXPECT_NE(both.body.find("<id>tag:police.example.jp,2026:alerts/feed/category-1/area-" + areas_[0].code + "</id>"),
            std::string::npos);
  EXPECT_NE(both.body.find("rel=\"self\" type=\"application/atom+xml\" href=\"https://police.example.jp/alerts/feed.atom?category=1&amp;area=" +
                           areas_[0].code + "\""),
            std::string::npos);
  EXPECT_NE(both.body.find("href=\"https://police.example.jp/alerts/archive/" + std::to_string(child) + "\""), std::string::npos);
  EXPECT_EQ(both.body.find("自転車盗"), std::string::npos);
  EXPECT_EQ(both.body.find("他署の声かけ"), std::string::npos);
  EXPECT_EQ(get("/alerts/feed.atom?category=3").body.find("子供への声かけ"), std::string::npos);

  auto synd = get("/alerts/syndication.atom");
  ASSERT_EQ(synd.status, 200);
  EXPECT_EQ(synd.headers["content-type"], "application/atom+xml; charset=utf-8");
  EXPECT_EQ(count(synd.body, "<entry>"), 2u);
  EXPECT_NE(synd.body.find("type=\"application/cap+xml\" href=\"https://police.example.jp/alerts/" + std::to_string(far) + ".cap.xml\""),
            std::string::npos);
  EXPECT_NE(synd.body.find("/alerts/" + std::to_string(child) + ".cap.xml"), std::string::npos);
  EXPECT_EQ(synd.body.find("/alerts/" + std::to_string(theft) + ".cap.xml"), std::string::npos);
  EXPECT_EQ(synd.body.find("送信前"), std::string::npos);
}

TEST_F(PublicAlertsArchive, HomePageDataListsTheLatest) {
  auto empty = home_alerts_context(*db_, 5);
  ASSERT_TRUE(empty);
  EXPECT_FALSE((*empty)["has_latest_alerts"].get<bool>());
  for (int i = 0; i < 7; ++i) add({.title = "お知らせ" + std::to_string(i), .whole = true, .minutes = i});
  auto data = home_alerts_context(*db_, 5);
  ASSERT_TRUE(data);
  ASSERT_EQ((*data)["latest_alerts"].size(), 5u);
  EXPECT_EQ((*data)["latest_alerts"][0]["title"], "【子供安全情報】お知らせ6");
  EXPECT_EQ((*data)["latest_alerts"][0]["areas_text"], "県内全域");
  // The snippet renders with the home page's data.
  auto templates = web::Templates::load(web::Templates::default_dir());
  ASSERT_TRUE(templates);
  auto html = (*templates)->render("public/alerts_archive_latest", *data);
  ASSERT_TRUE(html) << html.error().message;
  EXPECT_EQ(count(*html, "<li>"), 5u);
  EXPECT_NE(html->find("href=\"/alerts/archive\""), std::string::npos);
}

// The demo history, made by the alert part's real approval path: every page renders and every
// alert's CAP document is valid against the schema.
TEST_F(PublicAlertsArchive, DemoHistoryRendersAndEveryCapValidates) {
  workflow::KindRegistry kinds;
  alerts::Settings settings;
  ASSERT_TRUE(alerts::register_alert_kind(kinds, settings.calendar));
  ASSERT_TRUE(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, alerts::fill_demo_alerts(s, kinds, settings, kSent));
    if (n == 0) return Error::internal("no demo alerts");
    return ok();
  }));
  std::vector<std::int64_t> sent;
  ASSERT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT id FROM alerts WHERE state = 'sent' ORDER BY id"));
    for (const auto& r : rows) sent.push_back(r.int64(0));
    return ok();
  }));
  ASSERT_GE(sent.size(), 6u);
  auto list = get("/alerts/archive");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("解決済み"), std::string::npos);
  for (int c = 1; c <= 6; ++c) EXPECT_EQ(get("/alerts/feed.atom?category=" + std::to_string(c)).status, 200);
  for (auto id : sent) {
    EXPECT_EQ(get("/alerts/archive/" + std::to_string(id)).status, 200) << id;
    auto cap = get("/alerts/" + std::to_string(id) + ".cap.xml");
    ASSERT_EQ(cap.status, 200) << id;
    std::string log;
    EXPECT_TRUE(valid_cap(cap.body, &log)) << id << ": " << log;
  }
  std::string log;
  EXPECT_FALSE(valid_cap("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>x</identifier></alert>", &log));
}

}  // namespace
}  // namespace koban::app
