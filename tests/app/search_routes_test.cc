// GET /search end to end over HTTP: the demo force, the 66 demo articles indexed with
// reindex_all (as the app does after the demo), a few articles published through the flow and
// indexed by the publication hook, then searched as a visitor.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/public_search_routes.h"
#include "site/articles/article_demo.h"
#include "site/articles/article_flow.h"
#include "site/search/search.h"
#include "site/search/search_migrations.h"
#include "staff_app_fixture.h"
#include "store/migrations.h"

namespace koban::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace art = site::articles;

class SearchRoutes : public testing::StaffAppTest {
 protected:
  void add_routes(http::Router& router) override {
    // The search tables (the app registers them in migrate_database once wired).
    store::MigrationRegistry reg = store::migration_registry();
    bool known = false;
    for (const auto& m : reg.modules()) known = known || m.name == site::search::kMigrationModule;
    if (!known) EXPECT_TRUE(reg.add(site::search::kMigrationModule, site::search::search_migrations()));
    auto migrated = store::migrate(db(), reg, clock_.now());
    EXPECT_TRUE(migrated) << migrated.error().message;
    EXPECT_TRUE(art::register_article_kinds(kinds_, st_));
    st_.upload_dir = dir_ / "uploads";
    // The demo articles, then the whole index, as `koban serve --demo` does.
    auto demo = db().write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(art::fill_demo_articles(s, kinds_, st_, {}, clock_.now()));
      KOBAN_ASSIGN(demo_indexed_, site::search::reindex_all(s));
      return ok();
    });
    EXPECT_TRUE(demo) << demo.error().message;
    hooks_.on_published = [this](art::ArticleId id) {
      EXPECT_TRUE(db().write([&](store::Session& s) { return site::search::index_article(s, id); }));
    };
    fraud_ = publish("還付金詐欺にご注意ください", "# 概要\n市役所を名乗る電話で**ATM**へ誘導する手口です。");
    script_ = publish("<script>alert(1)</script>の注意", "# 概要\n不審なメールの例です。");
    add_public_search_routes(router, db(), templates_, config_, clock_, {.address_key = "test-key-0123456789", .per_minute = 30});
  }

  art::ArticleId publish(const std::string& title, const std::string& body) {
    art::ArticleId id = 0;
    auto by = [&](const char* login) { return workflow::By{.person = person(login).id, .address = ""}; };
    auto r = db().write([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto saved, art::save_article(s, st_,
                                                 {.title = title, .body = body, .section = "safety",
                                                  .topic = "prevention", .contact = "中央警察署", .summary = ""},
                                                 by("chuo.tanto"), clock_.now()));
      id = saved.article_id;
      KOBAN_TRY(art::request_publication(s, kinds_, st_, id, by("chuo.tanto"), clock_.now()));
      KOBAN_TRY(art::approve_article(s, kinds_, st_, id, by("chuo.shocho"), {}, clock_.now()));
      KOBAN_TRY(art::approve_article(s, kinds_, st_, id, by("koho.kacho"), {}, clock_.now()));
      return art::carry_out_article(s, kinds_, st_, hooks_, id, by("koho.kacho"), clock_.now());
    });
    EXPECT_TRUE(r) << r.error().message;
    return id;
  }

  testing::Reply search(const std::string& q, const std::string& extra = "") {
    return get("", "/search?q=" + http::forms::form_urlencode(q) + extra);
  }

  art::Settings st_;
  art::Hooks hooks_;
  workflow::KindRegistry kinds_;
  int demo_indexed_ = 0;
  art::ArticleId fraud_ = 0, script_ = 0;
};

TEST_F(SearchRoutes, EmptyQueryShowsTheLabelledForm) {
  auto r = get("", "/search");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("<label for=\"search-page-q\">"));
  EXPECT_THAT(r.body, HasSubstr("id=\"search-page-q\" name=\"q\""));
  EXPECT_THAT(r.body, HasSubstr("role=\"search\""));
  EXPECT_THAT(r.body, Not(HasSubstr("検索結果</h2>")));
  EXPECT_THAT(r.body, HasSubstr("本文へ移動"));  // the public layout
}

TEST_F(SearchRoutes, FindsPublishedArticlesWithSnippetAndSection) {
  auto r = search("詐欺");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("<a href=\"/safety/prevention/" + std::to_string(fraud_) + ".html\">還付金<mark>詐欺</mark>"));
  EXPECT_THAT(r.body, HasSubstr("件見つかりました"));
  EXPECT_THAT(r.body, HasSubstr("安全な暮らし"));
  EXPECT_THAT(r.body, HasSubstr("<time datetime=\"2026-11-24\">2026年11月24日</time>"));
  auto two = search("市役所　ATM");
  ASSERT_EQ(two.status, 200);
  EXPECT_THAT(two.body, HasSubstr("1件見つかりました"));
  EXPECT_THAT(two.body, HasSubstr("<mark>市役所</mark>を名乗る電話で<mark>ATM</mark>へ"));
}

TEST_F(SearchRoutes, DemoArticlesAreFound) {
  EXPECT_GT(demo_indexed_, 20);
  // The title of a published demo article finds it.
  std::string title;
  ASSERT_TRUE(db().read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT title, url FROM site_search_docs WHERE article_id <> ? AND article_id <> ?"
                                    " ORDER BY article_id LIMIT 1",
                                    fraud_, script_));
    if (rows.empty()) return Error::not_found("no demo article indexed");
    title = rows[0].text(0);
    return ok();
  }));
  auto r = search(title);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("件見つかりました"));
  EXPECT_THAT(r.body, HasSubstr("<mark>"));
}

TEST_F(SearchRoutes, EscapesTheQueryAndTitles) {
  auto r = search("<script>");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, Not(HasSubstr("<script>")));
  EXPECT_THAT(r.body, HasSubstr("<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt;の注意"));
  EXPECT_THAT(r.body, HasSubstr("「&lt;script&gt;」の検索結果"));
}

TEST_F(SearchRoutes, NothingFoundShowsHints) {
  auto r = search("存在しない言葉です");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("見つかりませんでした"));
  EXPECT_THAT(r.body, HasSubstr("探し方のヒント"));
  EXPECT_THAT(r.body, HasSubstr("<a href=\"/safety/\">"));
}

TEST_F(SearchRoutes, BadQueriesAndPagesAre400) {
  std::string long_q;
  for (int i = 0; i < 101; ++i) long_q += "詐";
  auto r = search(long_q);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("100文字以内"));
  EXPECT_THAT(r.body, HasSubstr("role=\"alert\""));
  EXPECT_EQ(search("a b c d e f g h i j k").status, 400);
  EXPECT_EQ(search("詐欺", "&page=0").status, 400);
  EXPECT_EQ(search("詐欺", "&page=abc").status, 400);
  EXPECT_EQ(search("詐欺", "&page=101").status, 400);
  EXPECT_EQ(search("詐欺", "&page=").status, 400);
  EXPECT_EQ(get("", "/search?q=%").status, 400);  // a stray '%'
  EXPECT_EQ(search("詐欺", "&page=2").status, 200);
}

TEST_F(SearchRoutes, PagesLinkToEachOther) {
  for (int i = 0; i < 11; ++i) publish("防犯だより 第" + std::to_string(i + 1) + "号", "# 概要\nお知らせです。");
  auto p1 = search("防犯だより");
  ASSERT_EQ(p1.status, 200);
  EXPECT_THAT(p1.body, HasSubstr("11件見つかりました。（2ページ中1ページ目）"));
  EXPECT_THAT(p1.body, HasSubstr("href=\"/search?q=%E9%98%B2%E7%8A%AF%E3%81%A0%E3%82%88%E3%82%8A&amp;page=2\" rel=\"next\""));
  auto p2 = search("防犯だより", "&page=2");
  EXPECT_THAT(p2.body, HasSubstr("rel=\"prev\""));
  EXPECT_THAT(p2.body, HasSubstr("<ol class=\"search-results\" start=\"11\">"));
}

TEST_F(SearchRoutes, FormPartialForTheLayout) {
  auto html = templates_->render("public/search_form", {{"search_q", "<詐欺>"}});
  ASSERT_TRUE(html) << html.error().message;
  EXPECT_THAT(*html, HasSubstr("<label for=\"site-search-q\">サイト内検索</label>"));
  EXPECT_THAT(*html, HasSubstr("id=\"site-search-q\" name=\"q\" value=\"&lt;詐欺&gt;\""));
  EXPECT_THAT(*html, HasSubstr("action=\"/search\""));
}

TEST_F(SearchRoutes, RateLimitPerAddress) {
  int limited = 0;
  for (int i = 0; i < 32; ++i) {
    auto r = search("詐欺");
    if (r.status == 429) {
      ++limited;
      EXPECT_THAT(r.body, HasSubstr("1分ほどたってから"));
    } else {
      EXPECT_EQ(r.status, 200);
    }
  }
  EXPECT_EQ(limited, 2);  // 30 a minute
  clock_.advance(std::chrono::seconds(61));
  EXPECT_EQ(search("詐欺").status, 200);
}

}  // namespace
}  // namespace koban::app
