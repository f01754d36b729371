// The public side of alerts: Atom and CAP builders (alert_feeds.h) on samples in memory, and
// the archive queries (alert_archive.h) on SQLite and PostgreSQL.
//
// FeedSamples.WriteForXmllint writes CAP documents and Atom feeds of every kind of alert into
// $KOBAN_FEED_SAMPLES_DIR (or a temp dir): tests/alerts/cap_xmllint_test.sh runs it and then
// validates the files with `xmllint --schema tests/data/cap/cap12.xsd`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "alerts/alert_archive.h"
#include "alerts/alert_feeds.h"
#include "alerts/alerts_migrations.h"
#include "audit/audit_log.h"
#include "org/demo.h"
#include "org/org_migrations.h"
#include "org/units.h"
#include "store/migrations.h"
#include "store/test_db.h"
#include "workflow/workflow_migrations.h"

namespace koban::alerts {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const Instant kSent = from_jst({{2026, 11, 18}, 10, 5, 0});

FeedSettings settings() {
  return {.base_url = "https://police.example.jp", .sender = "police.example.jp", .force_name = "サンプル県警察"};
}

PublicAlert sample(std::int64_t id, int category) {
  PublicAlert a;
  a.id = id;
  a.category = category;
  a.title = "不審者の出没";
  a.body = "本日午後、中央市内で不審な男が目撃されました。\n110番通報してください。";
  a.unit_name = "中央警察署";
  a.area_codes = {"chuo"};
  a.area_names = {"中央市全域"};
  a.sent_at = kSent;
  return a;
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

TEST(XmlEscape, EscapesMarkupAndDropsWhatXmlForbids) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape("]]>"), "]]&gt;");
  EXPECT_EQ(xml_escape("日本語\tタブ\n改行"), "日本語\tタブ\n改行");
  EXPECT_EQ(xml_escape(std::string("a\x01\x08\x1f" "b", 5)), "ab");     // C0 controls dropped
  EXPECT_EQ(xml_escape(std::string("x\0y", 3)), "xy");
  EXPECT_EQ(xml_escape("\xEF\xBF\xBE"), "");                           // U+FFFE
  EXPECT_EQ(xml_escape("a\xff" "b"), "a\xEF\xBF\xBD" "b");               // stray byte → U+FFFD
  EXPECT_EQ(xml_escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");         // overlong '/'
  EXPECT_EQ(xml_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(xml_escape("😀"), "😀");
}

TEST(CapAlert, OriginalHasEveryRequiredElementInOrder) {
  const std::string x = cap_alert(settings(), sample(12, 1));
  EXPECT_TRUE(x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"));
  EXPECT_THAT(x, HasSubstr("<identifier>police.example.jp-alert-12</identifier>"));
  EXPECT_THAT(x, HasSubstr("<sender>police.example.jp</sender>"));
  EXPECT_THAT(x, HasSubstr("<sent>2026-11-18T10:05:00+09:00</sent>"));
  EXPECT_THAT(x, HasSubstr("<status>Actual</status>"));
  EXPECT_THAT(x, HasSubstr("<msgType>Alert</msgType>"));
  EXPECT_THAT(x, HasSubstr("<scope>Public</scope>"));
  EXPECT_THAT(x, Not(HasSubstr("<references>")));
  EXPECT_THAT(x, HasSubstr("<language>ja-JP</language>"));
  EXPECT_THAT(x, HasSubstr("<category>Security</category>"));
  EXPECT_THAT(x, HasSubstr("<event>子供安全情報</event>"));
  EXPECT_THAT(x, HasSubstr("<senderName>サンプル県警察 中央警察署</senderName>"));
  EXPECT_THAT(x, HasSubstr("<headline>【子供安全情報】不審者の出没</headline>"));
  EXPECT_THAT(x, HasSubstr("<web>https://police.example.jp/alerts/archive/12</web>"));
  EXPECT_THAT(x, HasSubstr("<area>\n      <areaDesc>中央市全域</areaDesc>\n    </area>"));
  // The schema's sequence order.
  const char* order[] = {"<identifier>", "<sender>", "<sent>", "<status>", "<msgType>", "<scope>", "<info>",
                         "<language>", "<category>", "<event>", "<urgency>", "<severity>", "<certainty>",
                         "<senderName>", "<headline>", "<description>", "<web>", "<area>"};
  std::size_t last = 0;
  for (const char* tag : order) {
    const auto at = x.find(tag);
    ASSERT_NE(at, std::string::npos) << tag;
    EXPECT_GT(at, last) << tag;
    last = at;
  }
}

TEST(CapAlert, FollowUpsReferenceTheOriginalAndResolutionIsAllClear) {
  auto update = sample(20, 3);
  update.follow_kind = FollowKind::update;
  update.follows_id = 12;
  update.original_sent_at = from_jst({{2026, 11, 17}, 21, 0, 0});
  const std::string u = cap_alert(settings(), update);
  EXPECT_THAT(u, HasSubstr("<msgType>Update</msgType>"));
  EXPECT_THAT(u, HasSubstr("<references>police.example.jp,police.example.jp-alert-12,2026-11-17T21:00:00+09:00</references>"));
  EXPECT_THAT(u, HasSubstr("<headline>【防犯情報】【続報】不審者の出没</headline>"));
  EXPECT_THAT(u, Not(HasSubstr("AllClear")));

  auto fix = update;
  fix.follow_kind = FollowKind::correction;
  EXPECT_THAT(cap_alert(settings(), fix), HasSubstr("<msgType>Update</msgType>"));

  auto res = update;
  res.follow_kind = FollowKind::resolution;
  const std::string r = cap_alert(settings(), res);
  EXPECT_THAT(r, HasSubstr("<msgType>Update</msgType>"));
  EXPECT_THAT(r, HasSubstr("<responseType>AllClear</responseType>"));
  EXPECT_THAT(r, HasSubstr("<urgency>Past</urgency>"));
  EXPECT_THAT(r, HasSubstr("<references>police.example.jp,police.example.jp-alert-12,"));
  EXPECT_LT(r.find("<event>"), r.find("<responseType>"));
  EXPECT_LT(r.find("<responseType>"), r.find("<urgency>"));
}

TEST(CapAlert, CategoriesProfilesAndAreas) {
  EXPECT_THAT(cap_categories(1, false), ElementsAre(std::string_view("Security")));
  EXPECT_THAT(cap_categories(3, true), ElementsAre(std::string_view("Security"), std::string_view("Safety")));
  EXPECT_THAT(cap_categories(4, false), ElementsAre(std::string_view("Transport")));
  EXPECT_THAT(cap_categories(5, false), ElementsAre(std::string_view("Met"), std::string_view("Geo")));
  EXPECT_THAT(cap_categories(6, false), ElementsAre(std::string_view("Other")));

  auto urgent = sample(1, 3);
  urgent.urgent = true;
  EXPECT_STREQ(cap_profile(urgent).urgency, "Immediate");
  EXPECT_STREQ(cap_profile(urgent).severity, "Severe");
  EXPECT_STREQ(cap_profile(sample(1, 6)).urgency, "Unknown");
  EXPECT_STREQ(cap_profile(sample(1, 4)).severity, "Minor");

  auto whole = sample(2, 5);
  whole.whole_prefecture = true;
  whole.area_codes.clear();
  whole.area_names.clear();
  const std::string w = cap_alert(settings(), whole);
  EXPECT_EQ(count(w, "<area>"), 1u);
  EXPECT_THAT(w, HasSubstr("<areaDesc>県内全域</areaDesc>"));
  EXPECT_EQ(count(w, "<category>"), 2u);

  auto several = sample(3, 2);
  several.area_names = {"中央市全域", "北町・南村"};
  const std::string s = cap_alert(settings(), several);
  EXPECT_EQ(count(s, "<area>"), 2u);
  EXPECT_THAT(s, HasSubstr("<areaDesc>北町・南村</areaDesc>"));
}

TEST(CapAlert, TextIsEscapedNeverMarkup) {
  auto a = sample(7, 3);
  a.title = "<script>&\"注意\"";
  a.body = "A & B <b>太字</b> ]]> 'x'";
  a.unit_name = "署<1>";
  const std::string x = cap_alert(settings(), a);
  EXPECT_THAT(x, HasSubstr("<headline>【防犯情報】&lt;script&gt;&amp;&quot;注意&quot;</headline>"));
  EXPECT_THAT(x, HasSubstr("<description>A &amp; B &lt;b&gt;太字&lt;/b&gt; ]]&gt; &apos;x&apos;</description>"));
  EXPECT_THAT(x, HasSubstr("<senderName>サンプル県警察 署&lt;1&gt;</senderName>"));
  EXPECT_THAT(x, Not(HasSubstr("<script>")));
  EXPECT_THAT(x, Not(HasSubstr("<b>")));
}

TEST(AtomFeed, EntriesHaveTagIdsLinksAndTimes) {
  FeedSettings fs = settings();
  auto older = sample(5, 1);
  older.sent_at = kSent - std::chrono::hours(30);
  auto newer = sample(9, 1);
  newer.follow_kind = FollowKind::resolution;
  newer.follows_id = 5;
  newer.original_sent_at = older.sent_at;
  newer.title = "不審者の出没（解決）";
  std::vector<PublicAlert> list{newer, older};
  const std::string x = atom_feed(fs, {.id = tag_uri(fs, "alerts/feed/category-1"), .title = "子供安全情報 & 新着",
                                       .self_url = "https://police.example.jp/alerts/feed.atom?category=1&area=chuo",
                                       .html_url = "https://police.example.jp/alerts/archive?category=1",
                                       .updated = from_unix(0)},
                              list);
  EXPECT_TRUE(x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""));
  EXPECT_THAT(x, HasSubstr("<id>tag:police.example.jp,2026:alerts/feed/category-1</id>"));
  EXPECT_THAT(x, HasSubstr("<title>子供安全情報 &amp; 新着</title>"));
  // The feed is as new as its newest entry.
  EXPECT_THAT(x, HasSubstr("<updated>2026-11-18T10:05:00+09:00</updated>\n  <link rel=\"self\""));
  EXPECT_THAT(x, HasSubstr("href=\"https://police.example.jp/alerts/feed.atom?category=1&amp;area=chuo\""));
  EXPECT_EQ(count(x, "<entry>"), 2u);
  EXPECT_THAT(x, HasSubstr("<id>tag:police.example.jp,2026:alerts/9</id>"));
  EXPECT_THAT(x, HasSubstr("<id>tag:police.example.jp,2026:alerts/5</id>"));
  EXPECT_LT(x.find("alerts/9</id>"), x.find("alerts/5</id>"));  // in the order given
  EXPECT_THAT(x, HasSubstr("<title>【子供安全情報】【解除】不審者の出没（解決）</title>"));
  EXPECT_THAT(x, HasSubstr("<link rel=\"alternate\" type=\"text/html\" href=\"https://police.example.jp/alerts/archive/9\"/>"));
  EXPECT_THAT(x, HasSubstr("<link rel=\"alternate\" type=\"application/cap+xml\" href=\"https://police.example.jp/alerts/9.cap.xml\"/>"));
  EXPECT_THAT(x, HasSubstr("<link rel=\"related\" type=\"text/html\" href=\"https://police.example.jp/alerts/archive/5\"/>"));
  EXPECT_THAT(x, HasSubstr("<published>2026-11-17T04:05:00+09:00</published>"));
  EXPECT_THAT(x, HasSubstr("<name>サンプル県警察</name>"));
  // No entries: the given time.
  const std::string empty = atom_feed(fs, {.id = "tag:x,2026:e", .title = "t", .self_url = "s", .html_url = "h",
                                           .updated = kSent}, {});
  EXPECT_THAT(empty, HasSubstr("<updated>2026-11-18T10:05:00+09:00</updated>"));
  EXPECT_EQ(count(empty, "<entry>"), 0u);
}

// Samples for tests/alerts/cap_xmllint_test.sh: every category, urgent, follow-ups of each kind,
// whole prefecture, several areas, text full of XML special characters and stray bytes.
TEST(FeedSamples, WriteForXmllint) {
  const char* env = std::getenv("KOBAN_FEED_SAMPLES_DIR");
  const std::filesystem::path dir = env && *env ? std::filesystem::path(env)
                                                : std::filesystem::temp_directory_path() /
                                                      ("koban-feed-samples-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  FeedSettings fs = settings();
  std::vector<PublicAlert> all;
  for (int c = 1; c <= 6; ++c) all.push_back(sample(100 + c, c));
  all[2].physical_danger = true;
  all[0].urgent = true;
  for (auto k : {FollowKind::update, FollowKind::correction, FollowKind::resolution}) {
    auto f = sample(201 + static_cast<int>(k), 1);  // 201 続報, 202 訂正, 203 解除
    f.follow_kind = k;
    f.follows_id = 101;
    f.original_sent_at = kSent - std::chrono::hours(2);
    all.push_back(f);
  }
  auto whole = sample(301, 5);
  whole.whole_prefecture = true;
  whole.area_codes.clear();
  whole.area_names.clear();
  all.push_back(whole);
  auto several = sample(302, 2);
  several.area_codes = {"chuo", "kita"};
  several.area_names = {"中央市全域", "北市・東町"};
  all.push_back(several);
  auto nasty = sample(303, 3);
  nasty.title = "<&>\"' ]]> 注意";
  nasty.body = std::string("本文 <b>&amp;</b> \x01\x02 制御文字 \xff 壊れたバイト\n") + "\xEF\xBF\xBE末尾";
  nasty.unit_name = "A&B署";
  all.push_back(nasty);

  for (const auto& a : all) {
    std::ofstream out(dir / (std::to_string(a.id) + ".cap.xml"), std::ios::binary);
    out << cap_alert(fs, a);
    ASSERT_TRUE(out.good());
  }
  std::ofstream feed(dir / "all.atom", std::ios::binary);
  feed << atom_feed(fs, {.id = tag_uri(fs, "alerts/feed"), .title = "安心メール <全件> & 新着",
                         .self_url = fs.base_url + "/alerts/feed.atom?category=1&area=chuo",
                         .html_url = fs.base_url + "/alerts/archive", .updated = kSent},
                    all);
  ASSERT_TRUE(feed.good());
  feed.close();
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.path().string().ends_with(".cap.xml");
  EXPECT_EQ(files, all.size());
  if (!env || !*env) std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// Archive queries on both backends.

class ArchiveTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_TRUE(reg.add("store", store::store_migrations()).ok());
    ASSERT_TRUE(reg.add("org", org::org_migrations()).ok());
    ASSERT_TRUE(reg.add("audit", audit::audit_migrations()).ok());
    ASSERT_TRUE(reg.add("workflow", workflow::workflow_migrations()).ok());
    ASSERT_TRUE(reg.add("alerts", alerts_migrations()).ok());
    auto m = store::migrate(*db_, reg, kSent);
    ASSERT_TRUE(m.ok()) << m.error().message;
    ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(org::fill_demo(s, kSent - std::chrono::hours(24 * 400)));
      KOBAN_ASSIGN(areas_, public_areas(s));
      return ok();
    }));
    ASSERT_GE(areas_.size(), 3u);
  }

  struct Row {
    int category = 1;
    std::string state = "sent";
    bool whole = false;
    std::vector<org::UnitId> areas{};
    int minutes = 0;  // sent_at = kSent + minutes
    std::optional<std::int64_t> follows{};
    std::optional<std::string> kind{};
    bool syndicate = false;
  };
  std::int64_t add(const Row& r) {
    std::int64_t id = 0;
    EXPECT_TRUE(db_->write([&](store::Session& s) -> Result<void> {
      const auto at = to_unix(kSent) + r.minutes * 60;
      KOBAN_ASSIGN(auto rows, s.query("INSERT INTO alerts (category, unit_id, title, body, whole_prefecture, state,"
                                      " follows_id, follow_kind, syndicate, created_by, approved_by, created_at, updated_at, sent_at)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 2, ?, ?, ?) RETURNING id",
                                      r.category, areas_[0].id, "件名" + std::to_string(r.minutes), "本文", r.whole,
                                      r.state, r.follows, r.kind, r.syndicate, at, at,
                                      r.state == "sent" ? std::optional<std::int64_t>(at) : std::nullopt));
      id = rows[0].int64(0);
      for (auto u : r.areas) KOBAN_TRY(s.exec("INSERT INTO alert_areas (alert_id, unit_id) VALUES (?, ?)", id, u));
      return ok();
    }).ok());
    return id;
  }
  std::vector<std::int64_t> ids(const ArchiveFilter& f, std::optional<std::int64_t>* next = nullptr) {
    std::vector<std::int64_t> out;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto page, list_public_alerts(s, f));
      for (const auto& a : page.items) out.push_back(a.id);
      if (next) *next = page.next_before;
      return ok();
    }).ok());
    return out;
  }

  std::vector<PublicArea> areas_;
};

TEST_P(ArchiveTest, OnlySentAlertsNewestFirstWithoutPersonalData) {
  const auto a = areas_[0].id;
  const auto first = add({.areas = {a}, .minutes = 0});
  for (const char* st : {"draft", "submitted", "remanded", "withdrawn", "approved", "sending"})
    add({.state = st, .areas = {a}, .minutes = 5});
  const auto second = add({.category = 4, .areas = {a}, .minutes = 10});
  // A later id sent earlier (waited for 06:00) comes by its sent time.
  const auto third = add({.category = 2, .areas = {a}, .minutes = -30});
  EXPECT_THAT(ids({}), ElementsAre(second, first, third));

  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto pa, get_public_alert(s, second));
    EXPECT_EQ(pa.category, 4);
    EXPECT_EQ(pa.unit_name, areas_[0].station);
    EXPECT_THAT(pa.area_codes, ElementsAre(areas_[0].code));
    EXPECT_THAT(pa.area_names, ElementsAre(areas_[0].jurisdiction));
    EXPECT_EQ(pa.sent_at, kSent + std::chrono::minutes(10));
    // Drafts and the like do not exist for the public.
    KOBAN_ASSIGN(auto rows, s.query("SELECT id FROM alerts WHERE state = 'approved'"));
    auto hidden = get_public_alert(s, rows.at(0).int64(0));
    EXPECT_FALSE(hidden.ok());
    if (!hidden) {
      EXPECT_EQ(hidden.error().code, ErrorCode::not_found);
    }
    EXPECT_FALSE(get_public_alert(s, 999999).ok());
    KOBAN_ASSIGN(auto latest, latest_public_alerts(s, 2));
    EXPECT_EQ(latest.size(), 2u);
    EXPECT_EQ(latest.at(0).id, second);
    return ok();
  }));
}

TEST_P(ArchiveTest, CategoryAndAreaFiltersWithWholePrefectureEverywhere) {
  const auto a = areas_[0].id, b = areas_[1].id, c = areas_[2].id;
  const auto only_a = add({.category = 1, .areas = {a}, .minutes = 1});
  const auto a_and_b = add({.category = 3, .areas = {a, b}, .minutes = 2});
  const auto whole = add({.category = 1, .whole = true, .minutes = 3});
  const auto only_c = add({.category = 3, .areas = {c}, .minutes = 4});
  EXPECT_THAT(ids({.area = a}), ElementsAre(whole, a_and_b, only_a));
  EXPECT_THAT(ids({.area = b}), ElementsAre(whole, a_and_b));
  EXPECT_THAT(ids({.area = c}), ElementsAre(only_c, whole));
  EXPECT_THAT(ids({.category = 1}), ElementsAre(whole, only_a));
  EXPECT_THAT(ids({.category = 3, .area = b}), ElementsAre(a_and_b));
  EXPECT_THAT(ids({.category = 5}), ElementsAre());
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    auto bad = list_public_alerts(s, {.category = 7});
    EXPECT_FALSE(bad.ok());
    if (!bad) {
      EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
    }
    return ok();
  }));
}

TEST_P(ArchiveTest, KeysetPagingVisitsEveryAlertOnce) {
  std::vector<std::int64_t> all;
  // Two alerts share each sent time, so paging must also order by id.
  for (int i = 0; i < 7; ++i) {
    all.push_back(add({.whole = true, .minutes = i / 2}));
  }
  add({.state = "draft", .whole = true, .minutes = 100});
  std::vector<std::int64_t> seen;
  std::optional<std::int64_t> next;
  int pages = 0;
  do {
    auto page = ids({.before = next, .limit = 3}, &next);
    EXPECT_LE(page.size(), 3u);
    seen.insert(seen.end(), page.begin(), page.end());
  } while (next && ++pages < 10);
  std::vector<std::int64_t> expected(all.rbegin(), all.rend());
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(pages, 2);  // 3 + 3 + 1
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT id FROM alerts WHERE state = 'draft'"));
    auto forged = list_public_alerts(s, {.before = rows.at(0).int64(0)});  // not a public cursor
    EXPECT_FALSE(forged.ok());
    return ok();
  }));
}

TEST_P(ArchiveTest, FollowUpsLinkBothWaysAndResolutionMarksResolved) {
  const auto a = areas_[0].id;
  const auto orig = add({.category = 1, .areas = {a}, .minutes = 0, .syndicate = true});
  const auto upd = add({.category = 1, .areas = {a}, .minutes = 10, .follows = orig, .kind = "update", .syndicate = true});
  add({.category = 1, .state = "submitted", .areas = {a}, .minutes = 15, .follows = orig, .kind = "resolution"});
  const auto other = add({.category = 4, .areas = {a}, .minutes = 5});
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto o, get_public_alert(s, orig));
    EXPECT_FALSE(o.resolved);  // the resolution is not sent yet
    EXPECT_EQ(o.follow_ups.size(), 1u);
    KOBAN_ASSIGN(auto u, get_public_alert(s, upd));
    EXPECT_EQ(u.follows_id, orig);
    EXPECT_EQ(u.follow_kind, FollowKind::update);
    EXPECT_EQ(u.original_sent_at, kSent);
    return ok();
  }));
  const auto res = add({.category = 1, .areas = {a}, .minutes = 20, .follows = orig, .kind = "resolution", .syndicate = true});
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto o, get_public_alert(s, orig));
    EXPECT_TRUE(o.resolved);
    EXPECT_EQ(o.follow_ups.size(), 2u);
    if (o.follow_ups.size() != 2u) return ok();
    EXPECT_EQ(o.follow_ups[0].id, upd);
    EXPECT_EQ(o.follow_ups[1].id, res);
    EXPECT_EQ(o.follow_ups[1].kind, FollowKind::resolution);
    // The syndication feed: marked alerts only, follow-ups included.
    KOBAN_ASSIGN(auto synd, syndicated_public_alerts(s, 50));
    std::vector<std::int64_t> got;
    for (const auto& x : synd) got.push_back(x.id);
    EXPECT_THAT(got, ElementsAre(res, upd, orig));
    EXPECT_THAT(got, Not(::testing::Contains(other)));
    return ok();
  }));
}

KOBAN_BACKEND_TESTS(ArchiveTest);

}  // namespace
}  // namespace koban::alerts
