// The search index on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm): articles taken through
// the real publication flow, indexed, searched with Japanese terms of 2 and 3+ characters.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "org/people.h"
#include "org/units.h"
#include "site/articles/article_flow.h"
#include "site/search/search.h"
#include "site/search/search_migrations.h"
#include "site/sections.h"
#include "site_db_test.h"

namespace koban::site::search {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
namespace art = site::articles;

using site::test_support::kTue10;

class SearchIndexTest : public site::test_support::SiteDbTest {
 protected:
  void add_migrations(store::MigrationRegistry& reg) override {
    ASSERT_TRUE(reg.add(kMigrationModule, search_migrations()).ok());
  }
  void SetUp() override {
    SiteDbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // As the app wires it: the index follows the article after each commit.
    hooks.on_published = [this](art::ArticleId id) {
      EXPECT_TRUE(db_->write([&](store::Session& s) { return index_article(s, id); }).ok());
    };
    hooks.on_closed = [this](art::ArticleId id) {
      EXPECT_TRUE(db_->write([&](store::Session& s) { return index_article(s, id); }).ok());
    };
  }

  template <class F>
  void write_ok(F f) {
    auto r = db_->write([&](store::Session& s) -> Result<void> { return f(s); });
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  // Saves (a new article or a replacement version) and takes it through the flow to live.
  art::ArticleId publish(const std::string& title, const std::string& body, Instant at = kTue10,
                         std::optional<art::ArticleId> existing = std::nullopt) {
    const art::ArticleId id = save_draft({.article_id = existing, .title = title, .body = body, .section = "safety",
                                          .topic = "prevention", .contact = "中央警察署 生活安全課", .summary = ""},
                                         at);
    go_live(id, at);
    return id;
  }

  Page find(const std::string& q, int page = 1) {
    Page out;
    auto r = db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(out, search(s, q, page));
      return ok();
    });
    EXPECT_TRUE(r.ok()) << q << ": " << r.error().message;
    return out;
  }
  std::vector<art::ArticleId> ids(const std::string& q) {
    std::vector<art::ArticleId> v;
    for (const auto& h : find(q).hits) v.push_back(h.article_id);
    return v;
  }
};

TEST_P(SearchIndexTest, FindsJapaneseTermsOfTwoAndMoreCharacters) {
  const auto fraud = publish("特殊詐欺にご注意ください", "# 概要\n還付金をかたる電話が増えています。\n\n# 対策\nATMでお金は戻りません。");
  const auto bike = publish("自転車の盗難防止", "# 概要\n鍵は二重にかけましょう。");
  // 2 characters: LIKE / ILIKE.
  EXPECT_THAT(ids("詐欺"), ElementsAre(fraud));
  EXPECT_THAT(ids("盗難"), ElementsAre(bike));
  EXPECT_THAT(ids("概要"), testing::UnorderedElementsAre(fraud, bike));
  // 3+ characters: the trigram index; in the body and in the title.
  EXPECT_THAT(ids("還付金"), ElementsAre(fraud));
  EXPECT_THAT(ids("自転車の盗難"), ElementsAre(bike));
  // ASCII without case, like LIKE.
  EXPECT_THAT(ids("atm"), ElementsAre(fraud));
  // Nothing.
  const auto none = find("交通安全週間");
  EXPECT_TRUE(none.hits.empty());
  EXPECT_EQ(none.total, 0);
  EXPECT_EQ(none.pages, 0);
  // The hit's details.
  const auto page = find("還付金");
  ASSERT_EQ(page.hits.size(), 1u);
  const auto& h = page.hits[0];
  EXPECT_EQ(h.url, "/safety/prevention/" + std::to_string(fraud) + ".html");
  EXPECT_EQ(h.title, "特殊詐欺にご注意ください");
  EXPECT_THAT(h.snippet_html, HasSubstr("<mark>還付金</mark>をかたる電話"));
  EXPECT_THAT(h.snippet_html, Not(HasSubstr("#")));  // Markdown syntax is not text
  EXPECT_EQ(h.section_label, label_of("safety", "prevention"));
  EXPECT_EQ(h.published_at, kTue10);
}

TEST_P(SearchIndexTest, TermsAreAndedAcrossShortAndLongTerms) {
  const auto a = publish("還付金詐欺の手口", "# 概要\n市役所を名乗る電話です。");
  const auto b = publish("特殊詐欺の被害状況", "# 概要\n件数が増えています。");
  publish("防犯教室のお知らせ", "# 概要\n地域の防犯教室です。");
  EXPECT_THAT(ids("詐欺 還付金"), ElementsAre(a));
  EXPECT_THAT(ids("詐欺　市役所"), ElementsAre(a));       // full-width space
  EXPECT_THAT(ids("詐欺 件数"), ElementsAre(b));           // both short
  EXPECT_THAT(ids("被害状況 件数が増え"), ElementsAre(b));  // both long
  EXPECT_TRUE(ids("還付金 件数").empty());
}

TEST_P(SearchIndexTest, TitleHitsFirstThenNewest) {
  const auto old_title = publish("詐欺の相談窓口", "# 概要\n窓口のご案内です。", kTue10 - std::chrono::hours(48));
  const auto new_body = publish("防犯のお知らせ", "# 概要\n詐欺の電話に注意してください。", kTue10);
  const auto new_title = publish("詐欺被害の統計", "# 概要\n統計です。", kTue10 - std::chrono::hours(24));
  EXPECT_THAT(ids("詐欺"), ElementsAre(new_title, old_title, new_body));
}

TEST_P(SearchIndexTest, ClosedArticleDisappearsAndReplacementUpdates) {
  const auto id = publish("年末の特別警戒", "# 概要\n年末は警戒を強めます。");
  ASSERT_THAT(ids("特別警戒"), ElementsAre(id));
  // A replacement draft does not change what is found until it goes live.
  write_ok([&](store::Session& s) -> Result<void> {
    return art::save_article(s, st,
                             {.article_id = id, .title = "年始の交通安全運動", .body = "# 概要\n初詣の渋滞に注意。",
                              .section = "safety", .topic = "prevention", .contact = "交通課", .summary = ""},
                             {.person = pid("chuo.tanto")}, kTue10)
               .ok()
               ? ok()
               : Error::internal("save");
  });
  write_ok([&](store::Session& s) { return index_article(s, id); });
  EXPECT_THAT(ids("特別警戒"), ElementsAre(id));
  EXPECT_TRUE(ids("渋滞").empty());
  // Live: the old words are gone, the new ones found.
  publish("年始の交通安全運動", "# 概要\n初詣の渋滞に注意。", kTue10, id);
  EXPECT_TRUE(ids("特別警戒").empty());
  EXPECT_THAT(ids("渋滞"), ElementsAre(id));
  EXPECT_THAT(ids("交通安全運動"), ElementsAre(id));
  // Deleted through the deletion request (SITE-5): out of the index through the hook.
  write_ok([&](store::Session& s) -> Result<void> {
    auto r = art::request_deletion(s, kinds, id, {.person = pid("chuo.tanto")}, "期間が終わったため", kTue10);
    return r.ok() ? ok() : r.error();
  });
  write_ok([&](store::Session& s) {
    return art::approve_article(s, kinds, st, id, {.person = pid("chuo.shocho")}, {}, kTue10);
  });
  write_ok([&](store::Session& s) {
    return art::approve_article(s, kinds, st, id, {.person = pid("koho.kacho")}, {}, kTue10);
  });
  write_ok([&](store::Session& s) {
    return art::carry_out_article(s, kinds, st, hooks, id, {.person = pid("koho.kacho")}, kTue10);
  });
  EXPECT_TRUE(ids("渋滞").empty());
  EXPECT_TRUE(ids("交通安全運動").empty());
  // reindex_all agrees.
  int n = -1;
  write_ok([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(n, reindex_all(s));
    return ok();
  });
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(ids("渋滞").empty());
}

TEST_P(SearchIndexTest, ReindexAllIndexesEveryPublishedArticle) {
  const auto a = publish("防犯カメラの設置", "# 概要\n商店街に設置しました。");
  const auto b = publish("防犯ブザーの配布", "# 概要\n小学生に配布しました。");
  write_ok([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("DELETE FROM site_search_docs"));
    if (s.backend() == store::Backend::sqlite) KOBAN_TRY(s.exec("DELETE FROM site_search_fts"));
    return ok();
  });
  EXPECT_TRUE(ids("防犯").empty());
  int n = 0;
  write_ok([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(n, reindex_all(s));
    return ok();
  });
  EXPECT_EQ(n, 2);
  EXPECT_THAT(ids("防犯"), testing::UnorderedElementsAre(a, b));
  EXPECT_THAT(ids("商店街に設置"), ElementsAre(a));
}

TEST_P(SearchIndexTest, LikeWildcardsInTheQueryAreLiteral) {
  const auto pct = publish("検挙率のお知らせ", "# 概要\n検挙率は100%を目指します。");
  const auto under = publish("メールアドレスの変更", "# 概要\n新しい宛先は info_koban です。");
  publish("防犯教室", "# 概要\n地域で開きました。");
  EXPECT_THAT(ids("%"), ElementsAre(pct));
  EXPECT_THAT(ids("0%"), ElementsAre(pct));
  EXPECT_THAT(ids("100%を"), ElementsAre(pct));  // 3+ characters on the trigram path
  EXPECT_THAT(ids("_"), ElementsAre(under));
  EXPECT_THAT(ids("o_k"), ElementsAre(under));
  EXPECT_TRUE(ids("1_0").empty());
  EXPECT_TRUE(ids("検挙%お知らせ").empty());
  EXPECT_TRUE(ids("\\").empty());
  EXPECT_TRUE(ids("\"").empty());  // a quote in an FTS5 phrase is data
  EXPECT_TRUE(ids("\"OR\"").empty());
}

TEST_P(SearchIndexTest, SnippetsAndTitlesAreEscaped) {
  const auto id = publish("<script>alert(1)</script>詐欺の注意", "# 概要\n<b>太字</b>の詐欺&注意");
  const auto page = find("詐欺");
  ASSERT_EQ(page.hits.size(), 1u);
  const auto& h = page.hits[0];
  EXPECT_EQ(h.article_id, id);
  EXPECT_EQ(h.title_html, "&lt;script&gt;alert(1)&lt;/script&gt;<mark>詐欺</mark>の注意");
  EXPECT_THAT(h.snippet_html, HasSubstr("&lt;b&gt;太字&lt;/b&gt;の<mark>詐欺</mark>&amp;注意"));
  EXPECT_THAT(h.snippet_html, Not(HasSubstr("<b>")));
  EXPECT_THAT(find("<script>").hits, testing::SizeIs(1));
}

TEST_P(SearchIndexTest, PagesAndLimits) {
  for (int i = 0; i < 12; ++i)
    publish("防犯情報 第" + std::to_string(i + 1) + "号", "# 概要\nお知らせです。", kTue10 - std::chrono::hours(i));
  auto p1 = find("防犯");
  EXPECT_EQ(p1.total, 12);
  EXPECT_EQ(p1.pages, 2);
  EXPECT_EQ(p1.hits.size(), static_cast<std::size_t>(kPageSize));
  EXPECT_EQ(p1.hits[0].title, "防犯情報 第1号");  // newest first
  auto p2 = find("防犯", 2);
  EXPECT_EQ(p2.hits.size(), 2u);
  EXPECT_EQ(p2.hits[1].title, "防犯情報 第12号");
  EXPECT_TRUE(find("防犯", 3).hits.empty());
  auto bad = db_->read([&](store::Session& s) -> Result<void> { return search(s, "防犯", 0).ok() ? ok() : search(s, "防犯", 0).error(); });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  auto deep = db_->read([&](store::Session& s) -> Result<void> {
    auto r = search(s, "防犯", kMaxPage + 1);
    return r.ok() ? ok() : r.error();
  });
  EXPECT_FALSE(deep.ok());
  // An empty query asks nothing.
  auto empty = find("　");
  EXPECT_TRUE(empty.terms.empty());
  EXPECT_EQ(empty.total, 0);
}

TEST_P(SearchIndexTest, StationArticlesHaveTheStationPath) {
  art::ArticleId id = 0;
  org::Unit chuo;
  write_ok([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto u, org::find_unit_by_code(s, "chuo"));
    if (!u) return Error::not_found("chuo");
    chuo = *u;
    KOBAN_ASSIGN(auto saved, art::save_article(s, st,
                                               {.title = "中央署からのお知らせ", .body = "# 概要\n窓口の受付時間です。",
                                                .section = "stations", .station_id = chuo.id,
                                                .contact = "中央警察署", .summary = ""},
                                               {.person = pid("chuo.tanto")}, kTue10));
    id = saved.article_id;
    return ok();
  });
  go_live(id);
  const auto page = find("受付時間");
  ASSERT_EQ(page.hits.size(), 1u);
  EXPECT_EQ(page.hits[0].url, "/stations/chuo/" + std::to_string(id) + ".html");
  EXPECT_EQ(page.hits[0].station_name, chuo.name);
  EXPECT_THAT(page.hits[0].section_label, HasSubstr(chuo.name));
}

KOBAN_BACKEND_TESTS(SearchIndexTest);

}  // namespace
}  // namespace koban::site::search
