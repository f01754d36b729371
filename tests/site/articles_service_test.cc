// Articles, versions, files, the publication flow, scheduled publication and inspections
// (src/site/articles) on SQLite and PostgreSQL, with the demo force as the people.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "org/people.h"
#include "org/units.h"
#include "site/articles/article_demo.h"
#include "site/articles/article_flow.h"
#include "site/articles/inspections.h"
#include "site/articles/line_diff.h"
#include "site/sections.h"
#include "site_db_test.h"
#include "store/jobs.h"

namespace koban::site::articles {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

using site::test_support::kTue10;

class ArticlesTest : public site::test_support::SiteDbTest {
 protected:
  void SetUp() override {
    SiteDbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    hooks.on_published = [this](ArticleId id) { published.push_back(id); };
    hooks.on_closed = [this](ArticleId id) { closed.push_back(id); };
  }

  ArticleInput input(const std::string& title = "年末年始の特別警戒について") {
    return {.title = title, .body = "# 概要\n年末年始は特別警戒を行います。\n\n# 内容\n- 夜間のパトロール\n",
            .section = "safety", .topic = "prevention", .contact = "中央警察署 生活安全課", .summary = ""};
  }
  template <class F>
  auto in_write(F f) {
    using R = decltype(f(std::declval<store::Session&>()));
    std::optional<R> out;
    auto r = db_->write([&](store::Session& s) -> Result<void> {
      out.emplace(f(s));
      if (!*out) return out->error();
      return ok();
    });
    (void)r;
    return std::move(*out);
  }
  Result<Saved> save(const std::string& login, ArticleInput in, Instant at = kTue10) {
    return in_write([&](store::Session& s) { return save_article(s, st, in, {.person = pid(login)}, at); });
  }
  Article article(ArticleId id) {
    Article a;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(a, get_article(s, id));
      return ok();
    }).ok());
    return a;
  }
  Result<void> approve_as(const std::string& login, ArticleId id, Review review = {}, Instant at = kTue10) {
    return in_write([&](store::Session& s) { return approve_article(s, kinds, st, id, {.person = pid(login)}, review, at); });
  }
  Result<workflow::RequestId> request(const std::string& login, ArticleId id, Instant at = kTue10) {
    return in_write([&](store::Session& s) { return request_publication(s, kinds, st, id, {.person = pid(login)}, at); });
  }
  Result<void> carry(const std::string& login, ArticleId id, Instant at = kTue10) {
    return in_write([&](store::Session& s) { return carry_out_article(s, kinds, st, hooks, id, {.person = pid(login)}, at); });
  }
  // A chuo article through the unit head and 広報課 to published.
  ArticleId publish_new(ArticleInput in, Instant at = kTue10) {
    in.unit_id = std::nullopt;
    auto saved = save("chuo.tanto", in, at);
    EXPECT_TRUE(saved.ok()) << saved.error().message;
    EXPECT_TRUE(request("chuo.tanto", saved->article_id, at).ok());
    EXPECT_TRUE(approve_as("chuo.shocho", saved->article_id, {}, at).ok());
    auto r = approve_as("koho.kacho", saved->article_id, {}, at);
    EXPECT_TRUE(r.ok()) << r.error().message;
    auto c = carry("koho.kacho", saved->article_id, at);
    EXPECT_TRUE(c.ok()) << c.error().message;
    return saved->article_id;
  }
  std::vector<store::Job> jobs_of(const std::string& kind) {
    std::vector<store::Job> out;
    auto all = store::list_jobs(*db_, store::JobState::queued, 1000);
    EXPECT_TRUE(all.ok());
    for (auto& j : *all)
      if (j.kind == kind) out.push_back(j);
    return out;
  }

  InspectionSettings ins;
  std::vector<ArticleId> published, closed;
};

TEST_P(ArticlesTest, EverySaveIsAVersionAndRestoreMakesANewOne) {
  auto first = save("chuo.tanto", input());
  ASSERT_OK(first);
  auto in = input("年末年始の特別警戒（更新）");
  in.article_id = first->article_id;
  in.summary = "タイトルを修正";
  auto second = save("chuo.fukushocho", in, kTue10 + std::chrono::hours(1));
  ASSERT_OK(second);
  EXPECT_EQ(second->version_no, 2);
  auto restored = in_write([&](store::Session& s) {
    return restore_version(s, st, first->article_id, first->version_id, {.person = pid("chuo.tanto")}, kTue10);
  });
  ASSERT_OK(restored);
  EXPECT_EQ(restored->version_no, 3);
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto vs, versions_of(s, first->article_id));
    EXPECT_EQ(vs.size(), 3u);
    EXPECT_EQ(vs[0].version_no, 3);
    EXPECT_EQ(vs[0].title, "年末年始の特別警戒について");
    EXPECT_EQ(vs[0].restored_from, 1);
    EXPECT_EQ(vs[1].summary, "タイトルを修正");
    EXPECT_EQ(vs[1].created_by, pid("chuo.fukushocho"));
    KOBAN_ASSIGN(auto a, get_article(s, first->article_id));
    EXPECT_EQ(a.title, "年末年始の特別警戒について");
    EXPECT_EQ(a.unit_id, unit("chuo"));
    EXPECT_EQ(a.latest_version_id, restored->version_id);
    EXPECT_EQ(a.work_state, "draft");
    EXPECT_EQ(a.pub_state, "none");
    return ok();
  }));
}

TEST_P(ArticlesTest, BadInputIsRefusedWithEveryReason) {
  auto in = input();
  in.publish_start = kTue10 + std::chrono::hours(48);
  in.publish_end = kTue10 + std::chrono::hours(24);
  in.title = "";
  in.body = "本文\xff";
  auto r = save("chuo.tanto", in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_THAT(r.error().message, HasSubstr("公開期限は公開開始より後"));
  EXPECT_THAT(r.error().message, HasSubstr("タイトルを入力"));
  EXPECT_THAT(r.error().message, HasSubstr("本文: "));
  in = input();
  in.section = "stations";
  r = save("chuo.tanto", in);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("警察署を選んで"));
  in.station_id = unit("koho");  // not a station
  r = save("chuo.tanto", in);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("警察署の選択"));
  in = input();
  in.topic = "nope";
  EXPECT_FALSE(save("chuo.tanto", in).ok());
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, s.query("SELECT COUNT(*) FROM article_versions"));
    EXPECT_EQ(n[0].int64(0), 0);
    return ok();
  }));
}

TEST_P(ArticlesTest, OnlyWritersOfTheUnitMayEdit) {
  auto saved = save("chuo.tanto", input());
  ASSERT_OK(saved);
  auto in = input("北署から書き換え");
  in.article_id = saved->article_id;
  auto r = save("kita.tanto", in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::permission_denied);
  EXPECT_EQ(article(saved->article_id).title, "年末年始の特別警戒について");
  EXPECT_FALSE(save("system.kanri", input()).ok());  // the administrator does not write content
}

TEST_P(ArticlesTest, ScriptIsShownAsTextAndJavascriptLinksBlockTheReview) {
  auto in = input();
  in.body = "# 概要\n<script>alert(1)</script>\n\n[お知らせ](javascript:alert(1))\n";
  auto saved = save("chuo.tanto", in);
  ASSERT_OK(saved);
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto v, get_version(s, saved->version_id));
    KOBAN_ASSIGN(auto html, render_version(st, v, {}));
    EXPECT_THAT(html.html, HasSubstr("&lt;script&gt;"));
    EXPECT_THAT(html.html, ::testing::Not(HasSubstr("<script")));
    EXPECT_THAT(html.html, ::testing::Not(HasSubstr("javascript:")));
    auto findings = check_version(st, v, {});
    EXPECT_TRUE(checks::blocks_approval(findings));
    bool refused = false;
    for (const auto& f : findings) refused |= f.code == "link_refused";
    EXPECT_TRUE(refused);
    return ok();
  }));
  const auto id = saved->article_id;
  ASSERT_OK(request("chuo.tanto", id));
  ASSERT_OK(approve_as("chuo.shocho", id));
  auto r = approve_as("koho.kacho", id);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("公開前チェック"));
  EXPECT_EQ(article(id).work_state, "review");
  // An override without a reason does not count; with a reason it is kept with the approval.
  EXPECT_FALSE(approve_as("koho.kacho", id, {.overrides = {{"link_refused", 4, "  "}}}).ok());
  ASSERT_OK(approve_as("koho.kacho", id, {.overrides = {{"link_refused", 4, "リンクは公開時に外れることを確認済み"}}}));
  EXPECT_EQ(article(id).work_state, "approved");
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto o, overrides_of(s, id));
    EXPECT_EQ(o.size(), 1u);
    if (!o.empty()) {
      EXPECT_EQ(o[0].code, "link_refused");
      EXPECT_EQ(o[0].person, pid("koho.kacho"));
      EXPECT_EQ(o[0].version_id, saved->version_id);
    }
    return ok();
  }));
}

TEST_P(ArticlesTest, PublicationFlowWithRemandAndTheRightPeople) {
  auto saved = save("chuo.tanto", input());
  ASSERT_OK(saved);
  const auto id = saved->article_id;
  ASSERT_OK(request("chuo.tanto", id));
  EXPECT_EQ(article(id).work_state, "review");
  // Editing while under review is refused.
  auto in = input("差し替え");
  in.article_id = id;
  EXPECT_EQ(save("chuo.tanto", in).error().code, ErrorCode::conflict);
  // Someone without the right: another station's head, the writer, the reviewer too early.
  EXPECT_EQ(approve_as("kita.shocho", id).error().code, ErrorCode::permission_denied);
  EXPECT_FALSE(approve_as("chuo.tanto", id).ok());
  EXPECT_FALSE(approve_as("koho.kacho", id).ok());
  ASSERT_OK(approve_as("chuo.shocho", id));
  // The reviewer remands with a comment; the writer edits and sends it again.
  ASSERT_OK(in_write([&](store::Session& s) {
    return remand_article(s, kinds, id, {.person = pid("koho.kacho")}, "写真の説明を加えてください", kTue10);
  }));
  EXPECT_EQ(article(id).work_state, "draft");
  ASSERT_OK(save("chuo.tanto", in));
  auto again = request("chuo.tanto", id);
  ASSERT_OK(again);
  EXPECT_EQ(*again, *article(id).request_id);  // the same request, a new round
  ASSERT_OK(approve_as("chuo.shocho", id));
  ASSERT_OK(approve_as("koho.kacho", id));
  // The unit head may publish its own unit's things elsewhere, but articles are 広報課's (SITE-6).
  EXPECT_EQ(carry("chuo.shocho", id).error().code, ErrorCode::permission_denied);
  EXPECT_TRUE(published.empty());
  ASSERT_OK(carry("koho.kacho", id));
  const auto a = article(id);
  EXPECT_EQ(a.pub_state, "published");
  EXPECT_EQ(a.work_state, "none");
  EXPECT_EQ(a.title, "差し替え");
  EXPECT_EQ(a.live_version_id, a.latest_version_id);
  EXPECT_EQ(published, std::vector<ArticleId>{id});
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto req, workflow::get_request(s, *a.request_id));
    EXPECT_EQ(req.state, workflow::RequestState::carried_out);
    EXPECT_EQ(req.kind, kPublishKind);
    return ok();
  }));
}

TEST_P(ArticlesTest, EditingAPublishedArticleKeepsTheLiveVersionUntilTheReplacementIsPublished) {
  const auto id = publish_new(input());
  const auto live = *article(id).live_version_id;
  auto in = input("更新版");
  in.article_id = id;
  ASSERT_OK(save("chuo.tanto", in));
  auto a = article(id);
  EXPECT_TRUE(a.has_replacement());
  EXPECT_EQ(a.live_version_id, live);
  EXPECT_EQ(a.pub_state, "published");
  ASSERT_OK(request("chuo.tanto", id));
  ASSERT_OK(approve_as("chuo.shocho", id));
  ASSERT_OK(approve_as("koho.kacho", id));
  EXPECT_EQ(article(id).live_version_id, live);
  ASSERT_OK(carry("koho.kacho", id));
  a = article(id);
  EXPECT_NE(a.live_version_id, live);
  EXPECT_FALSE(a.has_replacement());
  EXPECT_EQ(published.size(), 2u);
  // Nothing new to publish now.
  EXPECT_EQ(request("chuo.tanto", id).error().code, ErrorCode::conflict);
}

TEST_P(ArticlesTest, ScheduledPublicationAndClosingByJobs) {
  auto in = input();
  in.publish_start = kTue10 + std::chrono::hours(24);
  in.publish_end = kTue10 + std::chrono::hours(72);
  const auto id = publish_new(in);
  auto a = article(id);
  EXPECT_EQ(a.pub_state, "scheduled");
  EXPECT_FALSE(a.live_version_id);
  EXPECT_TRUE(published.empty());
  auto due = jobs_of(kPublishDueJob);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].run_at, *in.publish_start);
  auto p = nlohmann::json::parse(due[0].payload);
  const VersionId v = p["version_id"];
  // Too early: refused (the job is retried), nothing changes.
  EXPECT_FALSE(in_write([&](store::Session& s) { return publish_due(s, hooks, id, v, kTue10); }).ok());
  ASSERT_OK(in_write([&](store::Session& s) { return publish_due(s, hooks, id, v, *in.publish_start); }));
  a = article(id);
  EXPECT_EQ(a.pub_state, "published");
  EXPECT_EQ(a.live_version_id, v);
  EXPECT_EQ(published, std::vector<ArticleId>{id});
  auto closing = jobs_of(kCloseDueJob);
  ASSERT_EQ(closing.size(), 1u);
  EXPECT_EQ(closing[0].run_at, *in.publish_end);
  ASSERT_OK(in_write([&](store::Session& s) { return close_due(s, hooks, id, v, *in.publish_end); }));
  EXPECT_EQ(article(id).pub_state, "closed");
  EXPECT_EQ(closed, std::vector<ArticleId>{id});
  // A stale job (another version) does nothing.
  ASSERT_OK(in_write([&](store::Session& s) { return publish_due(s, hooks, id, v + 100, *in.publish_end); }));
  EXPECT_EQ(article(id).pub_state, "closed");
}

TEST_P(ArticlesTest, DeletionIsRequestedAndCarriedOutTheSameWay) {
  const auto id = publish_new(input());
  auto bad = in_write([&](store::Session& s) {
    return request_deletion(s, kinds, id, {.person = pid("chuo.tanto")}, "", kTue10);
  });
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  ASSERT_OK(in_write([&](store::Session& s) {
    return request_deletion(s, kinds, id, {.person = pid("chuo.tanto")}, "行事が終わったため", kTue10);
  }));
  EXPECT_EQ(article(id).request_kind, kDeleteKind);
  ASSERT_OK(approve_as("chuo.shocho", id));
  ASSERT_OK(approve_as("koho.kacho", id));
  EXPECT_EQ(article(id).pub_state, "published");
  ASSERT_OK(carry("koho.kacho", id));
  EXPECT_EQ(article(id).pub_state, "deleted");
  EXPECT_EQ(closed, std::vector<ArticleId>{id});
  auto in = input();
  in.article_id = id;
  EXPECT_EQ(save("chuo.tanto", in).error().code, ErrorCode::conflict);
}

TEST_P(ArticlesTest, UploadsAreCheckedByTheirBytes) {
  auto saved = save("chuo.tanto", input());
  ASSERT_OK(saved);
  const auto id = saved->article_id;
  auto write = [&](const std::string& name, const std::string& bytes) {
    auto p = fs::path(dir_) / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  };
  auto add = [&](const fs::path& p, const std::string& alt, const std::string& login = "chuo.tanto") {
    return in_write([&](store::Session& s) {
      return add_file(s, st, id, {.path = p, .original_name = p.filename().string(), .alt = alt},
                      {.person = pid(login)}, kTue10);
    });
  };
  // An HTML file named .png is not an image.
  auto fake = add(write("evil.png", "<html><script>alert(1)</script></html>"), "説明");
  ASSERT_FALSE(fake.ok());
  EXPECT_EQ(fake.error().code, ErrorCode::invalid_argument);
  // Too large.
  st.max_image_bytes = 64;
  auto big = add(write("big.png", demo_png() + std::string(100, '\0')), "大きな画像");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::too_large);
  st.max_image_bytes = 5 * 1024 * 1024;
  // Alt text is required.
  EXPECT_FALSE(add(write("a.png", demo_png()), "  ").ok());
  EXPECT_EQ(add(write("b.png", demo_png()), "パトカーの写真", "kita.tanto").error().code, ErrorCode::permission_denied);
  auto png = add(write("c.png", demo_png()), "防犯教室の様子");
  ASSERT_OK(png);
  EXPECT_EQ(png->media_type, "image/png");
  EXPECT_EQ(png->stored_name, png->sha256 + ".png");
  EXPECT_TRUE(fs::exists(st.upload_dir / png->stored_name));
  auto pdf = add(write("d.pdf", demo_pdf("案内")), "防犯教室の案内（PDF）");
  ASSERT_OK(pdf);
  EXPECT_EQ(pdf->kind, "pdf");
  EXPECT_EQ(sniff_media_type(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "image/webp");
  EXPECT_EQ(sniff_media_type("GIF89a"), "image/gif");
  EXPECT_EQ(sniff_media_type("%PDX"), "");
  // Only the article's own images render; another URL is refused.
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto files, files_of(s, id));
    EXPECT_EQ(files.size(), 2u);
    Version v;
    v.title = "t";
    v.body = "![防犯教室の様子](" + png->url() + ")\n\n![外部](https://example.com/x.png)\n";
    KOBAN_ASSIGN(auto html, render_version(st, v, files));
    EXPECT_THAT(html.html, HasSubstr("src=\"" + png->url() + "\""));
    EXPECT_THAT(html.html, ::testing::Not(HasSubstr("example.com")));
    return ok();
  }));
}

TEST_P(ArticlesTest, ListFiltersAndKeysetPaging) {
  for (int i = 0; i < 5; ++i) ASSERT_OK(save("chuo.tanto", input("記事" + std::to_string(i))));
  auto traffic = input("交通の記事");
  traffic.section = "traffic";
  traffic.topic = "enforcement";
  ASSERT_OK(save("kita.tanto", traffic));
  const auto pubd = publish_new(input("公開済み"));
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto all, list_articles(s, {.limit = 3}, std::nullopt));
    EXPECT_EQ(all.size(), 3u);
    KOBAN_ASSIGN(auto rest, list_articles(s, {.before_id = all.back().id, .limit = 10}, std::nullopt));
    EXPECT_EQ(rest.size(), 4u);
    EXPECT_LT(rest.front().id, all.back().id);
    KOBAN_ASSIGN(auto t, list_articles(s, {.section = "traffic"}, std::nullopt));
    EXPECT_EQ(t.size(), 1u);
    KOBAN_ASSIGN(auto p, list_articles(s, {.state = "published"}, std::nullopt));
    EXPECT_EQ(p.size(), 1u);
    if (!p.empty()) EXPECT_EQ(p[0].id, pubd);
    KOBAN_ASSIGN(auto kita, list_articles(s, {}, std::vector<org::UnitId>{unit("kita")}));
    EXPECT_EQ(kita.size(), 1u);
    KOBAN_ASSIGN(auto byunit, list_articles(s, {.unit = unit("chuo")}, std::nullopt));
    EXPECT_EQ(byunit.size(), 6u);
    EXPECT_FALSE(list_articles(s, {.state = "bogus"}, std::nullopt).ok());
    return ok();
  }));
}

TEST_P(ArticlesTest, InspectionsRoundsMarksOverdueAndStale) {
  const Instant long_ago = kTue10 - std::chrono::days(400);
  const auto old_one = publish_new(input("古い記事"), long_ago);
  const auto fresh = publish_new(input("新しい記事"));
  ASSERT_OK(save("chuo.tanto", input("下書きは点検しない")));
  EXPECT_EQ(current_round(ins, {2026, 11, 24}), (Date{2027, 1, 31}));
  EXPECT_EQ(current_round(ins, {2027, 1, 31}), (Date{2027, 1, 31}));
  EXPECT_EQ(previous_round(ins, {2026, 11, 24}), (Date{2026, 7, 31}));
  // Not yet open (more than 31 days before the end of January).
  ASSERT_OK(in_write([&](store::Session& s) { return ensure_rounds(s, ins, kTue10); }));
  const Date round{2027, 1, 31};
  const Instant jan5 = from_jst({{2027, 1, 5}, 10, 0, 0});
  ASSERT_OK(in_write([&](store::Session& s) { return ensure_rounds(s, ins, jan5); }));
  std::vector<InspectionItem> items;
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(items, inspection_items(s, ins, round, unit("chuo"), jan5));
    return ok();
  }));
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].article_id, old_one);
  EXPECT_TRUE(items[0].stale);
  EXPECT_FALSE(items[1].stale);
  EXPECT_EQ(items[1].article_id, fresh);
  // Staff may not mark; the unit manager may; a bad decision is refused.
  auto by_staff = in_write([&](store::Session& s) {
    return mark_inspection(s, items[0].id, "keep", "", {.person = pid("chuo.tanto")}, jan5);
  });
  EXPECT_EQ(by_staff.error().code, ErrorCode::permission_denied);
  EXPECT_FALSE(in_write([&](store::Session& s) {
    return mark_inspection(s, items[0].id, "maybe", "", {.person = pid("chuo.shocho")}, jan5);
  }).ok());
  ASSERT_OK(in_write([&](store::Session& s) {
    return mark_inspection(s, items[0].id, "update", "統計を最新にする", {.person = pid("chuo.shocho")}, jan5);
  }));
  const Instant feb3 = from_jst({{2027, 2, 3}, 9, 0, 0});
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto late, overdue_units(s, ins, feb3));
    EXPECT_EQ(late.size(), 1u);
    if (!late.empty()) {
      EXPECT_EQ(late[0].unit_id, unit("chuo"));
      EXPECT_EQ(late[0].total, 2);
      EXPECT_EQ(late[0].decided, 1);
    }
    KOBAN_ASSIGN(auto none_yet, overdue_units(s, ins, jan5));
    EXPECT_TRUE(none_yet.empty());
    KOBAN_ASSIGN(auto stale, stale_articles(s, ins, std::nullopt, kTue10));
    EXPECT_EQ(stale.size(), 1u);
    if (!stale.empty()) EXPECT_EQ(stale[0].id, old_one);
    KOBAN_ASSIGN(auto item, get_inspection_item(s, items[0].id));
    EXPECT_EQ(item.decision, "update");
    EXPECT_EQ(item.note, "統計を最新にする");
    return ok();
  }));
  auto queued = in_write([&](store::Session& s) { return remind_overdue(s, ins, feb3); });
  ASSERT_OK(queued);
  EXPECT_EQ(*queued, 1);
  ASSERT_OK(in_write([&](store::Session& s) { return remind_overdue(s, ins, feb3); }));  // same day: deduped
  auto daily = in_write([&](store::Session& s) { return inspection_daily(s, ins, feb3); });
  ASSERT_OK(daily);
  EXPECT_EQ(*daily, 1);  // counted, but the job is the same one (deduped per day)
  auto reminders = jobs_of(kInspectionRemindJob);
  ASSERT_EQ(reminders.size(), 1u);
  auto p = nlohmann::json::parse(reminders[0].payload);
  EXPECT_EQ(p["unit_id"], unit("chuo"));
  EXPECT_EQ(p["undecided"], 1);
  EXPECT_EQ(p["recipients"][0], pid("chuo.shocho"));
}

TEST_P(ArticlesTest, DemoCoversEverySectionAndStation) {
  auto report = in_write([&](store::Session& s) { return fill_demo_articles(s, kinds, st, ins, kTue10); });
  ASSERT_OK(report);
  EXPECT_GE(report->articles, 60);
  EXPECT_GT(report->scheduled, 0);
  EXPECT_GT(report->awaiting_review, 0);
  EXPECT_GT(report->published, 30);
  EXPECT_GT(report->drafts, 0);
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    for (const auto& sec : sections()) {
      KOBAN_ASSIGN(auto n, s.query("SELECT COUNT(*) FROM articles WHERE section = ?", std::string(sec.slug)));
      EXPECT_GT(n[0].int64(0), 0) << sec.slug;
    }
    KOBAN_ASSIGN(auto units, org::list_units(s));
    for (const auto& u : units) {
      if (u.kind != org::UnitKind::station) continue;
      KOBAN_ASSIGN(auto n, s.query("SELECT COUNT(*) FROM articles WHERE station_id = ?", u.id));
      EXPECT_GT(n[0].int64(0), 0) << u.code;
    }
    KOBAN_ASSIGN(auto files, s.query("SELECT COUNT(DISTINCT kind) FROM article_files"));
    EXPECT_EQ(files[0].int64(0), 2);
    KOBAN_ASSIGN(auto late, overdue_units(s, ins, kTue10));
    EXPECT_FALSE(late.empty());
    KOBAN_ASSIGN(auto stale, stale_articles(s, ins, std::nullopt, kTue10));
    EXPECT_FALSE(stale.empty());
    KOBAN_ASSIGN(auto repl, s.query("SELECT COUNT(*) FROM articles WHERE live_version_id IS NOT NULL"
                                    " AND latest_version_id <> live_version_id"));
    EXPECT_EQ(repl[0].int64(0), 1);
    return ok();
  }));
  auto again = in_write([&](store::Session& s) { return fill_demo_articles(s, kinds, st, ins, kTue10); });
  ASSERT_OK(again);
  EXPECT_EQ(again->articles, 0);
}

KOBAN_BACKEND_TESTS(ArticlesTest);

TEST(LineDiff, MarksRemovedAndAddedLines) {
  auto d = diff_lines("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n");
  ASSERT_TRUE(d.ok());
  std::string got;
  for (const auto& l : *d) got += (l.op == DiffOp::same ? " " : l.op == DiffOp::added ? "+" : "-") + l.text + "\n";
  EXPECT_EQ(got, " a\n-b\n+B\n c\n d\n+e\n");
  EXPECT_EQ((*d)[2].new_line, 2);
  EXPECT_EQ((*d)[1].old_line, 2);
  auto same = diff_lines("x\r\ny", "x\ny");
  ASSERT_TRUE(same.ok());
  for (const auto& l : *same) EXPECT_EQ(l.op, DiffOp::same);
  std::string many_a, many_b;
  for (int i = 0; i < 3000; ++i) {
    many_a += "a" + std::to_string(i) + "\n";
    many_b += "b" + std::to_string(i) + "\n";
  }
  auto big = diff_lines(many_a, many_b, 1000);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::too_large);
}

TEST(Sections, EverySectionHasItsTopics) {
  EXPECT_EQ(sections().size(), 6u);
  EXPECT_NE(find_topic("traffic", "enforcement"), nullptr);
  EXPECT_EQ(find_topic("traffic", "crime-stats"), nullptr);
  EXPECT_EQ(label_of("safety", "110"), "安全な暮らし ＞ 110番の仕組み");
  for (const auto& s : sections())
    if (s.slug != kStationsSection) EXPECT_FALSE(s.topics.empty()) << s.slug;
}

}  // namespace
}  // namespace koban::site::articles
