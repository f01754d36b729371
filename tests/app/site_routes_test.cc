// End-to-end tests of the website's staff pages (app/admin_site_routes.h) over HTTP with the
// demo force: write with preview, upload, request, review with overrides, publish, history,
// diff, restore, 様式1, inspections (様式2), and the refusals of bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/admin_site_routes.h"
#include "app/staff_app_fixture.h"
#include "site/articles/article_demo.h"
#include "site/site_migrations.h"

namespace koban::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace articles = site::articles;
using http::forms::form_urlencode;

class SiteRoutes : public testing::StaffAppTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(site::register_site_migrations().ok());
    opts_.settings.upload_dir = std::filesystem::temp_directory_path() /
                                ("koban-site-uploads-" + std::to_string(::getpid()));
    opts_.settings.max_image_bytes = 4096;  // small, so that the oversized upload is small too
    opts_.hooks.on_published = [this](articles::ArticleId id) { published_.push_back(id); };
    ASSERT_TRUE(articles::register_article_kinds(*kinds_, opts_.settings).ok());
    StaffAppTest::SetUp();
  }
  void TearDown() override {
    StaffAppTest::TearDown();
    std::filesystem::remove_all(opts_.settings.upload_dir);
  }
  void add_routes(http::Router& r) override { add_site_routes(r, db(), staff(), kinds_, opts_, clock_); }

  std::int64_t id_from(const testing::Reply& r) {
    auto at = r.location.rfind('/');
    return std::stoll(r.location.substr(at + 1, r.location.find('?') - at - 1));
  }
  std::string article_form(const std::string& s, const std::string& title, const std::string& body,
                           const std::string& extra = "") {
    return "csrf=" + csrf(s) + "&title=" + form_urlencode(title) + "&place=safety%2Fprevention&body=" +
           form_urlencode(body) + "&contact=" + form_urlencode("中央警察署 生活安全課") + extra;
  }
  articles::Article article(std::int64_t id) {
    articles::Article a;
    EXPECT_TRUE(db().read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(a, articles::get_article(s, id));
      return ok();
    }).ok());
    return a;
  }
  testing::Reply upload(const std::string& s, std::int64_t id, const std::string& name, const std::string& bytes,
                        const std::string& alt) {
    const std::string b = "XyZbOuNdArY42";
    std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" +
                       testing::csrf_field(get(s, "/admin/").body) + "\r\n--" + b +
                       "\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n" + alt + "\r\n--" + b +
                       "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
                       "\"\r\nContent-Type: image/png\r\n\r\n" + bytes + "\r\n--" + b + "--\r\n";
    return testing::exchange(port(), "POST /admin/site/" + std::to_string(id) +
                                         "/files HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " +
                                         std::string(kSessionCookie) + "=" + s +
                                         "\r\nContent-Type: multipart/form-data; boundary=" + b +
                                         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  }

  std::shared_ptr<workflow::KindRegistry> kinds_ = std::make_shared<workflow::KindRegistry>();
  SiteRoutesOptions opts_;
  std::vector<articles::ArticleId> published_;
};

TEST_F(SiteRoutes, WriteReviewAndPublishThroughThePages) {
  auto writer = login("chuo.tanto");
  auto form = get(writer, "/admin/site/new");
  ASSERT_EQ(form.status, 200);
  EXPECT_THAT(form.body, HasSubstr("記事の作成"));
  // Preview: script shown as text, the javascript: link reported; nothing saved.
  const std::string body = "# 概要\n<script>alert(1)</script>\n\n[お知らせ](javascript:alert(1))\n";
  auto preview = post(writer, "/admin/site", article_form(writer, "年末の特別警戒", body, "&action=preview"));
  ASSERT_EQ(preview.status, 200);
  EXPECT_THAT(preview.body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(preview.body, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(preview.body, Not(HasSubstr("href=\"javascript:")));
  EXPECT_THAT(preview.body, HasSubstr("【要修正】"));
  EXPECT_THAT(get(writer, "/admin/site").body, HasSubstr("該当する記事はありません"));
  // Save, then request publication.
  auto saved = post(writer, "/admin/site", article_form(writer, "年末の特別警戒", body, "&action=save"));
  ASSERT_EQ(saved.status, 303);
  const auto id = id_from(saved);
  const std::string page = "/admin/site/" + std::to_string(id);
  EXPECT_THAT(get(writer, page).body, HasSubstr("公開を依頼する"));
  auto requested = post(writer, page + "/request", "csrf=" + csrf(writer));
  ASSERT_EQ(requested.status, 303) << requested.body;
  EXPECT_EQ(article(id).work_state, "review");
  // Someone without the right (another station's head) is refused and audited.
  auto kita = login("kita.shocho");
  auto refused = post(kita, page + "/approve", "csrf=" + csrf(kita));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(article(id).work_state, "review");
  bool audited = false;
  for (const auto& [action, outcome, summary] : audit_rows("site.article.approve")) audited |= outcome == "refused";
  EXPECT_TRUE(audited);
  // The unit head approves (the publication request, 様式1).
  auto head = login("chuo.shocho");
  EXPECT_THAT(get(head, "/admin/site").body, HasSubstr("あなたの判断を待っている依頼"));
  ASSERT_EQ(post(head, page + "/approve", "csrf=" + csrf(head)).status, 303);
  // 広報課: the blocking finding needs a reason.
  auto koho = login("koho.kacho");
  auto review = get(koho, page);
  EXPECT_THAT(review.body, HasSubstr("要修正の項目を理由付きで承認する"));
  auto blocked = post(koho, page + "/approve", "csrf=" + csrf(koho));
  EXPECT_EQ(blocked.status, 400);
  EXPECT_THAT(blocked.body, HasSubstr("公開前チェック"));
  EXPECT_EQ(article(id).work_state, "review");
  auto approved = post(koho, page + "/approve",
                       "csrf=" + csrf(koho) + "&code_0=link_refused&line_0=4&reason_0=" +
                           form_urlencode("リンクが外れて表示されることを確認"));
  ASSERT_EQ(approved.status, 303) << approved.body;
  EXPECT_EQ(article(id).work_state, "approved");
  // The unit head may not carry it out; 広報課 does.
  EXPECT_EQ(post(head, page + "/publish", "csrf=" + csrf(head)).status, 403);
  ASSERT_EQ(post(koho, page + "/publish", "csrf=" + csrf(koho)).status, 303);
  EXPECT_EQ(article(id).pub_state, "published");
  EXPECT_EQ(published_, std::vector<articles::ArticleId>{id});
  auto shown = get(koho, page);
  EXPECT_THAT(shown.body, HasSubstr("理由を付けて承認されたチェック結果"));
  EXPECT_THAT(shown.body, HasSubstr("リンクが外れて表示されることを確認"));
  auto f1 = get(writer, page + "/form1");
  ASSERT_EQ(f1.status, 200);
  EXPECT_THAT(f1.body, HasSubstr("様式1"));
  EXPECT_THAT(f1.body, HasSubstr("年末の特別警戒"));
}

TEST_F(SiteRoutes, BadInputIsRefusedWithTheFormAgain) {
  auto writer = login("chuo.tanto");
  auto r = post(writer, "/admin/site",
                article_form(writer, "期間の誤り", "本文", "&start=2026-12-10T09%3A00&end=2026-12-01T09%3A00&action=save"));
  EXPECT_EQ(r.status, 422);
  EXPECT_THAT(r.body, HasSubstr("公開期限は公開開始より後"));
  EXPECT_THAT(r.body, HasSubstr("期間の誤り"));  // what was typed comes back
  auto bad_date = post(writer, "/admin/site", article_form(writer, "日付", "本文", "&start=tomorrow&action=save"));
  EXPECT_EQ(bad_date.status, 422);
  auto admin = login("system.kanri");
  EXPECT_EQ(get(admin, "/admin/site/new").status, 403);
  EXPECT_EQ(get(writer, "/admin/site?state=nope").status, 400);
  ASSERT_TRUE(db().read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, s.query("SELECT COUNT(*) FROM articles"));
    EXPECT_EQ(n[0].int64(0), 0);
    return ok();
  }).ok());
}

TEST_F(SiteRoutes, UploadsHistoryDiffAndRestore) {
  auto writer = login("chuo.tanto");
  auto saved = post(writer, "/admin/site", article_form(writer, "防犯教室", "# 概要\n初版の本文\n", "&action=save"));
  ASSERT_EQ(saved.status, 303);
  const auto id = id_from(saved);
  const std::string page = "/admin/site/" + std::to_string(id);
  // Not an image (HTML named .png), too large, no alt text: refused, nothing stored.
  EXPECT_EQ(upload(writer, id, "evil.png", "<html><script>alert(1)</script></html>", "説明").status, 400);
  EXPECT_EQ(upload(writer, id, "big.png", articles::demo_png() + std::string(5000, 'x'), "大きい").status, 413);
  EXPECT_EQ(upload(writer, id, "a.png", articles::demo_png(), "").status, 400);
  auto good = upload(writer, id, "kyoshitsu.png", articles::demo_png(), "防犯教室の様子");
  ASSERT_EQ(good.status, 303) << good.body;
  auto shown = get(writer, page);
  EXPECT_THAT(shown.body, HasSubstr("防犯教室の様子"));
  EXPECT_THAT(shown.body, HasSubstr("![防犯教室の様子](/uploads/"));
  // A second version, then history, diff and restore.
  auto edit = get(writer, page + "/edit");
  ASSERT_EQ(edit.status, 200);
  EXPECT_THAT(edit.body, HasSubstr("初版の本文"));
  ASSERT_EQ(post(writer, page, article_form(writer, "防犯教室", "# 概要\n二版の本文\n", "&summary=x&action=save")).status, 303);
  auto hist = get(writer, page + "/history");
  ASSERT_EQ(hist.status, 200);
  EXPECT_THAT(hist.body, HasSubstr("第2版"));
  std::vector<std::int64_t> versions;
  ASSERT_TRUE(db().read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto vs, articles::versions_of(s, id));
    for (const auto& v : vs) versions.push_back(v.id);
    return ok();
  }).ok());
  ASSERT_EQ(versions.size(), 2u);
  auto diff = get(writer, page + "/diff?from=" + std::to_string(versions[1]) + "&to=" + std::to_string(versions[0]));
  ASSERT_EQ(diff.status, 200);
  EXPECT_THAT(diff.body, HasSubstr("追加 1行、削除 1行"));
  EXPECT_THAT(diff.body, HasSubstr("二版の本文"));
  ASSERT_EQ(post(writer, page + "/restore", "csrf=" + csrf(writer) + "&version=" + std::to_string(versions[1])).status, 303);
  ASSERT_TRUE(db().read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto vs, articles::versions_of(s, id));
    EXPECT_EQ(vs.size(), 3u);
    EXPECT_EQ(vs[0].body, "# 概要\n初版の本文\n");
    return ok();
  }).ok());
  // Another station cannot see it.
  auto kita = login("kita.tanto");
  EXPECT_EQ(get(kita, page).status, 403);
}

TEST_F(SiteRoutes, DemoListAndInspections) {
  ASSERT_TRUE(db().write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(articles::fill_demo_articles(s, *kinds_, opts_.settings, opts_.inspections, clock_.now()));
    return ok();
  }).ok());
  auto koho = login("koho.kacho");
  auto list = get(koho, "/admin/site");
  ASSERT_EQ(list.status, 200);
  EXPECT_THAT(list.body, HasSubstr("次の50件"));
  EXPECT_THAT(list.body, HasSubstr("あなたの判断を待っている依頼"));
  auto traffic = get(koho, "/admin/site?section=traffic&state=published");
  EXPECT_THAT(traffic.body, HasSubstr("交通安全 ＞"));
  auto ins = get(koho, "/admin/site/inspections");
  ASSERT_EQ(ins.status, 200);
  EXPECT_THAT(ins.body, HasSubstr("報告期限を過ぎて点検が終わっていない所属"));
  // The chuo head marks one of the chuo articles in the past round.
  const auto chuo = person("chuo.shocho").unit_id;
  const auto past = articles::previous_round(opts_.inspections, to_jst(clock_.now()).date).iso();
  auto head = login("chuo.shocho");
  auto report = get(head, "/admin/site/inspections/" + std::to_string(chuo) + "?round=" + past);
  ASSERT_EQ(report.status, 200);
  EXPECT_THAT(report.body, HasSubstr("様式2"));
  std::int64_t item = 0;
  ASSERT_TRUE(db().read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto q, s.query("SELECT id FROM site_inspections WHERE unit_id = ? AND round = ? ORDER BY id", chuo, past));
    if (!q.empty()) item = q[0].int64(0);
    return ok();
  }).ok());
  ASSERT_GT(item, 0);
  auto staff = login("chuo.tanto");
  EXPECT_EQ(post(staff, "/admin/site/inspections/items/" + std::to_string(item), "csrf=" + csrf(staff) + "&decision=keep").status, 403);
  ASSERT_EQ(post(head, "/admin/site/inspections/items/" + std::to_string(item),
                 "csrf=" + csrf(head) + "&decision=delete&note=" + form_urlencode("行事終了")).status, 303);
  EXPECT_THAT(get(head, "/admin/site/inspections/" + std::to_string(chuo) + "?round=" + past).body, HasSubstr("行事終了"));
}

}  // namespace
}  // namespace koban::app
