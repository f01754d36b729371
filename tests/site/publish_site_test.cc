// The published site (src/site/publish) on SQLite and PostgreSQL: pages written from the live
// versions through the real article flow with the publisher's hooks, escaping, links between
// pages, incremental updates on publish/replace/close, the emergency home page, stale files,
// the callbacks, and Atom / sitemap.xml checked by xmllint.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "org/people.h"
#include "org/units.h"
#include "site/articles/article_demo.h"
#include "site/articles/article_flow.h"
#include "site/publish/publisher.h"
#include "site/sections.h"
#include "site_db_test.h"

namespace koban::site::publish {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;
using articles::ArticleId;

using site::test_support::kTue10;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <class T>
Result<void> done(const Result<T>& r) {
  if (!r) return r.error();
  return ok();
}

int count_of(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (auto pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + needle.size())) ++n;
  return n;
}

// The layout's site data, as web::site_context makes it (the site module does not link web).
nlohmann::json site_json() {
  nlohmann::json sections = nlohmann::json::array();
  for (const auto& s : site::sections()) sections.push_back({{"slug", s.slug}, {"name", s.name}, {"current", false}});
  return {{"site", {{"force_name", "サンプル県警察"}, {"parent_site_name", ""}, {"parent_site_url", ""},
                    {"contact", "サンプル県警察本部 000-000-0110"}, {"sections", sections}}}};
}

class PublishTest : public site::test_support::SiteDbTest {
 protected:
  void SetUp() override {
    SiteDbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    out = fs::path(dir_) / "public";
    fs::create_directories(out);
    auto t = PageTemplates::load(default_templates_dir());
    ASSERT_OK(t);
    templates = *t;
    make_publisher(2);
  }

  void make_publisher(std::size_t per_page) {
    PublisherConfig c{.publish_dir = out,
                      .upload_dir = st.upload_dir,
                      .render = {.base_url = "https://police.example.jp/", .site = site_json(), .templates = templates,
                                 .per_page = per_page},
                      .threads = 2};
    c.home_alerts = [this]() -> Result<nlohmann::json> { return alerts; };
    c.emergency = [this](store::Session&) -> Result<std::optional<EmergencyNotice>> { return emergency; };
    c.on_files = [this](const std::vector<std::string>& w, const std::vector<std::string>& r) {
      written.push_back(w);
      removed.push_back(r);
    };
    c.on_changed = [this] { ++changed; };
    pub = std::make_unique<Publisher>(*db_, c);
    hooks = pub->hooks();
  }

  articles::ArticleInput input(const std::string& title, const std::string& topic = "prevention") {
    return {.title = title, .body = "# 概要\n年末年始は特別警戒を行います。\n\n# 内容\n- 夜間のパトロール\n",
            .section = "safety", .topic = topic, .contact = "中央警察署 生活安全課 000-000-0110", .summary = ""};
  }
  ArticleId publish_new(const articles::ArticleInput& in, Instant at = kTue10) {
    const ArticleId id = save_draft(in, at);
    go_live(id);
    return id;
  }
  std::string page(const std::string& rel) { return slurp(out / rel); }

  // Every href/src starting with "/" in the written HTML: a written file or a dynamic route.
  std::vector<std::string> broken_links() {
    static const std::regex link(R"re((?:href|src)="(/[^"]*)")re");
    static const std::vector<std::string> dynamic = {"/alerts/", "/mailbox/", "/search", "/static/", "/privacy/",
                                                     "/accessibility/", "/admin/"};
    std::vector<std::string> bad;
    for (const auto& e : fs::recursive_directory_iterator(out)) {
      if (e.path().extension() != ".html") continue;
      const std::string html = slurp(e.path());
      for (std::sregex_iterator it(html.begin(), html.end(), link), end; it != end; ++it) {
        std::string url = (*it)[1];
        if (std::any_of(dynamic.begin(), dynamic.end(), [&](const std::string& d) { return url.starts_with(d); })) continue;
        url = url.substr(0, url.find_first_of("?#"));
        std::string rel = url.substr(1);
        if (rel.empty() || rel.ends_with('/')) rel += "index.html";
        if (!fs::is_regular_file(out / rel)) bad.push_back(fs::relative(e.path(), out).string() + " → " + url);
      }
    }
    return bad;
  }

  std::shared_ptr<const PageTemplates> templates;
  fs::path out;
  std::unique_ptr<Publisher> pub;
  nlohmann::json alerts = nlohmann::json::object();
  std::optional<EmergencyNotice> emergency;
  std::vector<std::vector<std::string>> written, removed;
  int changed = 0;
};

TEST_P(PublishTest, PagesHaveTheirContentAndEscapedTitles) {
  const auto id = publish_new(input("<script>alert(1)</script>不審者に注意"));
  auto station_in = input("中央警察署からのお知らせ");
  station_in.section = "stations";
  station_in.topic = "";
  station_in.station_id = unit("chuo");
  const auto sid = publish_new(station_in);
  ASSERT_OK(pub->build_all());

  const std::string art = page("safety/prevention/" + std::to_string(id) + ".html");
  EXPECT_THAT(art, HasSubstr("<html lang=\"ja\">"));
  EXPECT_THAT(art, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;不審者に注意"));
  EXPECT_THAT(art, Not(HasSubstr("<script>")));
  EXPECT_EQ(count_of(art, "<h1"), 1);
  EXPECT_THAT(art, HasSubstr("<title>&lt;script&gt;alert(1)&lt;/script&gt;不審者に注意 | サンプル県警察</title>"));
  EXPECT_THAT(art, HasSubstr("公開日：<time datetime=\"2026-11-24T10:00:00+09:00\">2026年11月24日</time>"));
  EXPECT_THAT(art, HasSubstr("<h2 id=\"h-1\">概要</h2>"));  // the Markdown body
  EXPECT_THAT(art, HasSubstr("中央警察署 生活安全課 000-000-0110"));
  EXPECT_THAT(art, HasSubstr("<a href=\"/safety/prevention/\">"));  // breadcrumbs
  EXPECT_THAT(art, HasSubstr("aria-current=\"page\">安全な暮らし</a>"));  // nav

  const std::string list = page("safety/prevention/index.html");
  EXPECT_THAT(list, HasSubstr("href=\"/safety/prevention/" + std::to_string(id) + ".html\""));
  EXPECT_THAT(page("safety/index.html"), HasSubstr(std::to_string(id) + ".html"));
  const std::string station = page("stations/chuo/index.html");
  EXPECT_THAT(station, HasSubstr("/alerts/archive?area=chuo"));
  EXPECT_THAT(station, HasSubstr("stations/chuo/" + std::to_string(sid) + ".html"));
  EXPECT_THAT(page("stations/index.html"), HasSubstr("href=\"/stations/chuo/\""));
  const std::string home = page("index.html");
  EXPECT_THAT(home, HasSubstr(std::to_string(sid) + ".html"));
  EXPECT_THAT(home, HasSubstr("最近の配信はありません"));
  EXPECT_EQ(count_of(home, "<h1"), 1);
  EXPECT_THAT(page("robots.txt"), HasSubstr("Sitemap: https://police.example.jp/sitemap.xml"));
  EXPECT_THAT(page("robots.txt"), HasSubstr("Disallow: /admin/"));
  EXPECT_THAT(page("sitemap/index.html"), HasSubstr("href=\"/traffic/\""));
  EXPECT_THAT(broken_links(), ::testing::IsEmpty());
}

TEST_P(PublishTest, ImagesAndPdfsAreCopiedAndLinkedWithTheirAltAndSize) {
  ArticleId id = 0;
  ASSERT_OK(w([&](store::Session& s) -> Result<void> {
    auto in = input("防犯教室のご案内");
    KOBAN_ASSIGN(auto saved, articles::save_article(s, st, in, {.person = pid("chuo.tanto")}, kTue10 - std::chrono::hours(2)));
    id = saved.article_id;
    const fs::path png = fs::path(dir_) / "a.png", pdf = fs::path(dir_) / "a.pdf";
    std::ofstream(png, std::ios::binary) << articles::demo_png();
    std::ofstream(pdf, std::ios::binary) << articles::demo_pdf("案内");
    KOBAN_ASSIGN(auto img, articles::add_file(s, st, id, {.path = png, .original_name = "a.png", .alt = "防犯教室の様子"},
                                              {.person = pid("chuo.tanto")}, kTue10 - std::chrono::hours(2)));
    KOBAN_ASSIGN(auto doc, articles::add_file(s, st, id, {.path = pdf, .original_name = "a.pdf", .alt = "案内チラシ"},
                                              {.person = pid("chuo.tanto")}, kTue10 - std::chrono::hours(2)));
    // The version that goes live is saved after the uploads.
    in.article_id = id;
    in.body += "\n![教室の写真](" + img.url() + ")\n";
    KOBAN_TRY(articles::save_article(s, st, in, {.person = pid("chuo.tanto")}, kTue10 - std::chrono::hours(1)));
    return ok();
  }));
  go_live(id);  // the first publish builds everything
  const std::string art = page("safety/prevention/" + std::to_string(id) + ".html");
  EXPECT_THAT(art, HasSubstr("alt=\"教室の写真\""));
  EXPECT_THAT(art, HasSubstr("案内チラシ（PDF形式：1KB）"));
  EXPECT_THAT(art, Not(HasSubstr("防犯教室の様子")));  // that image is in the body already
  std::smatch m;
  ASSERT_TRUE(std::regex_search(art, m, std::regex(R"re(href="/uploads/([0-9a-f]+\.pdf)")re")));
  EXPECT_EQ(slurp(out / "uploads" / m[1].str()), articles::demo_pdf("案内"));
  EXPECT_THAT(broken_links(), ::testing::IsEmpty());
}

TEST_P(PublishTest, IncrementalPublishReplaceAndCloseTouchOnlyWhatTheyShould) {
  make_publisher(2);  // two per page: the third article makes page2.html
  const auto a = publish_new(input("一件目のお知らせ"));
  ASSERT_EQ(written.size(), 1u);  // the first one built everything
  EXPECT_TRUE(fs::exists(out / "traffic/index.html"));
  const auto b = publish_new(input("二件目のお知らせ"), kTue10 + std::chrono::minutes(1));
  ASSERT_EQ(written.size(), 2u);
  const std::set<std::string> w2(written[1].begin(), written[1].end());
  for (const char* p : {"index.html", "news.atom", "sitemap.xml", "sitemap/index.html", "safety/index.html",
                        "safety/prevention/index.html", "stations/index.html"})
    EXPECT_TRUE(w2.count(p)) << p;
  EXPECT_TRUE(w2.count("safety/prevention/" + std::to_string(b) + ".html"));
  EXPECT_FALSE(w2.count("safety/prevention/" + std::to_string(a) + ".html"));  // untouched
  EXPECT_FALSE(w2.count("traffic/accident-stats/index.html"));
  EXPECT_TRUE(removed[1].empty());
  EXPECT_EQ(changed, 2);

  const auto c = publish_new(input("三件目のお知らせ"), kTue10 + std::chrono::minutes(2));
  EXPECT_TRUE(fs::exists(out / "safety/prevention/page2.html"));
  EXPECT_THAT(page("safety/prevention/page2.html"), HasSubstr(std::to_string(a) + ".html"));

  // A replacement version: the page shows it, and it moves to another topic.
  ASSERT_OK(w([&](store::Session& s) -> Result<void> {
    auto in = input("一件目のお知らせ（訂正）", "tips");
    in.article_id = a;
    return done(articles::save_article(s, st, in, {.person = pid("chuo.tanto")}, kTue10 + std::chrono::minutes(3)));
  }));
  go_live(a);
  EXPECT_FALSE(fs::exists(out / ("safety/prevention/" + std::to_string(a) + ".html")));
  const std::string moved = page("safety/tips/" + std::to_string(a) + ".html");
  EXPECT_THAT(moved, HasSubstr("一件目のお知らせ（訂正）"));
  EXPECT_THAT(moved, HasSubstr("更新日"));
  EXPECT_THAT(page("safety/tips/index.html"), HasSubstr(std::to_string(a) + ".html"));
  EXPECT_THAT(page("safety/prevention/index.html"), Not(HasSubstr("/" + std::to_string(a) + ".html")));
  EXPECT_FALSE(fs::exists(out / "safety/prevention/page2.html"));  // two left: one page
  EXPECT_THAT(removed.back(), ::testing::Contains("safety/prevention/" + std::to_string(a) + ".html"));
  EXPECT_THAT(removed.back(), ::testing::Contains("safety/prevention/page2.html"));

  // Closing (deletion carried out): the page goes, the lists and feeds forget it.
  go_live(c, kTue10, /*deletion=*/true);
  EXPECT_FALSE(fs::exists(out / ("safety/prevention/" + std::to_string(c) + ".html")));
  EXPECT_THAT(removed.back(), ::testing::ElementsAre("safety/prevention/" + std::to_string(c) + ".html"));
  EXPECT_THAT(page("safety/prevention/index.html"), Not(HasSubstr(std::to_string(c) + ".html")));
  EXPECT_THAT(page("index.html"), Not(HasSubstr("三件目")));
  EXPECT_THAT(page("news.atom"), Not(HasSubstr("三件目")));
  EXPECT_THAT(page("sitemap.xml"), Not(HasSubstr("/" + std::to_string(c) + ".html")));
  EXPECT_THAT(page("news.atom"), HasSubstr("二件目"));
  EXPECT_THAT(broken_links(), ::testing::IsEmpty());
}

TEST_P(PublishTest, EmergencyHomeShowsOnlyTheNoticeAndItsLinks) {
  publish_new(input("通常のお知らせ"));
  emergency = EmergencyNotice{.message = "大雨特別警報が発表されました。<b>避難</b>してください。",
                              .links = {{"避難所の一覧", "https://www.pref.example.jp/hinan/"},
                                        {"危険なリンク", "javascript:alert(1)"}}};
  ASSERT_OK(pub->refresh_home());
  const std::string home = page("index.html");
  EXPECT_THAT(home, HasSubstr("role=\"alert\""));
  EXPECT_THAT(home, HasSubstr("大雨特別警報が発表されました。&lt;b&gt;避難&lt;/b&gt;してください。"));
  EXPECT_THAT(home, HasSubstr("href=\"https://www.pref.example.jp/hinan/\""));
  EXPECT_THAT(home, Not(HasSubstr("javascript:")));
  EXPECT_THAT(home, Not(HasSubstr("通常のお知らせ")));
  EXPECT_THAT(home, HasSubstr("href=\"/traffic/\""));  // the minimal list of sections
  EXPECT_EQ(count_of(home, "<h1"), 1);
  EXPECT_THAT(written.back(), ::testing::ElementsAre("index.html"));
  emergency.reset();
  alerts = {{"has_latest_alerts", true},
            {"latest_alerts", {{{"url", "/alerts/archive/7"}, {"title", "不審者情報"}, {"sent_text", "11月24日"},
                                {"sent_iso", "2026-11-24"}, {"areas_text", "中央市"}}}}};
  ASSERT_OK(pub->refresh_home());
  EXPECT_THAT(page("index.html"), HasSubstr("通常のお知らせ"));
  EXPECT_THAT(page("index.html"), HasSubstr("href=\"/alerts/archive/7\">不審者情報</a>"));
}

TEST_P(PublishTest, BuildAllRemovesItsOwnStaleFilesAndKeepsOthers) {
  const auto a = publish_new(input("消える記事"));
  fs::create_directories(out / "uploads");
  std::ofstream(out / "foreign.html") << "<p>手で置いたページ</p>";
  std::ofstream(out / "uploads" / "manual.png") << "x";
  std::ofstream(out / "safety" / "prevention" / "999999.html") << "not ours";
  // Closed behind the publisher's back (no hook): the next full build notices.
  ASSERT_OK(w([&](store::Session& s) -> Result<void> {
    return done(s.exec("UPDATE articles SET pub_state = 'closed' WHERE id = ?", a));
  }));
  auto report = pub->build_all();
  ASSERT_OK(report);
  EXPECT_THAT(report->removed, ::testing::ElementsAre("safety/prevention/" + std::to_string(a) + ".html"));
  EXPECT_FALSE(fs::exists(out / ("safety/prevention/" + std::to_string(a) + ".html")));
  EXPECT_TRUE(fs::exists(out / "foreign.html"));
  EXPECT_TRUE(fs::exists(out / "uploads" / "manual.png"));
  EXPECT_TRUE(fs::exists(out / "safety" / "prevention" / "999999.html"));
  EXPECT_EQ(written.back(), report->written);
  EXPECT_EQ(removed.back(), report->removed);
  EXPECT_EQ(report->pages, report->written.size());
  for (const auto& e : fs::recursive_directory_iterator(out))  // no temp files left behind
    EXPECT_THAT(e.path().filename().string(), Not(HasSubstr(".tmp"))) << e.path();
}

TEST_P(PublishTest, AnEmptyDirectoryOrADamagedListGetsTheWholeSite) {
  ASSERT_OK(pub->refresh_home());  // nothing there yet: not a lone home page
  EXPECT_TRUE(fs::exists(out / "safety/prevention/index.html"));
  EXPECT_TRUE(fs::exists(out / "sitemap.xml"));
  std::ofstream(out / ".koban-publish", std::ios::trunc) << "garbage\nF ../../etc/passwd\n";
  make_publisher(50);  // a restart reads the list again
  auto report = pub->build_all();
  ASSERT_OK(report);
  EXPECT_TRUE(report->removed.empty());
  EXPECT_TRUE(fs::exists(out / "safety/prevention/index.html"));
  EXPECT_THAT(page(".koban-publish"), HasSubstr("F safety/prevention/index.html"));
  EXPECT_THAT(page(".koban-publish"), Not(HasSubstr("passwd")));
}

TEST_P(PublishTest, DemoSiteLinksResolveAndFeedsAreValidXml) {
  articles::InspectionSettings ins;
  ASSERT_OK(w([&](store::Session& s) -> Result<void> {
    return done(articles::fill_demo_articles(s, kinds, st, ins, kTue10));
  }));
  make_publisher(50);
  auto report = pub->build_all();
  ASSERT_OK(report);
  EXPECT_GT(report->pages, 60u);
  EXPECT_THAT(broken_links(), ::testing::IsEmpty());
  for (const char* f : {"news.atom", "sitemap.xml"}) {
    const std::string cmd = "xmllint --noout '" + (out / f).string() + "' 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << f;
  }
  const std::string atom = page("news.atom");
  EXPECT_THAT(atom, HasSubstr("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
  EXPECT_THAT(atom, HasSubstr("<link rel=\"alternate\" type=\"text/html\" href=\"https://police.example.jp/"));
  const std::string sitemap = page("sitemap.xml");
  EXPECT_THAT(sitemap, HasSubstr("<loc>https://police.example.jp/</loc>"));
  EXPECT_THAT(sitemap, HasSubstr("<loc>https://police.example.jp/stations/chuo/</loc>"));
  // Every page but the feeds is in sitemap.xml.
  int html = 0;
  for (const auto& p : report->written) html += p.ends_with(".html");
  EXPECT_EQ(count_of(sitemap, "<loc>"), html);
}

}  // namespace

KOBAN_BACKEND_TESTS(PublishTest);

}  // namespace koban::site::publish
