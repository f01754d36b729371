// Emergency mode (緊急災害モード) on SQLite and PostgreSQL: switching on and off by 広報課,
// refusals for others (audited), link and message validation, history and the after-commit hook.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <tuple>

#include "audit/audit_log.h"
#include "org/people.h"
#include "site/emergency/emergency.h"
#include "site_db_test.h"

namespace koban::site::emergency {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Instant kNow = site::test_support::kTue10;

TEST(EmergencyLinks, ParsesLabelBarUrlLines) {
  auto links = parse_links("避難所の一覧 | https://bousai.example.jp/hinan\r\n\n  県警のお知らせ｜注意 | /safety/ \n");
  ASSERT_TRUE(links.ok()) << links.error().message;
  ASSERT_EQ(links->size(), 2u);
  EXPECT_EQ((*links)[0].label, "避難所の一覧");
  EXPECT_EQ((*links)[0].url, "https://bousai.example.jp/hinan");
  EXPECT_EQ((*links)[1].label, "県警のお知らせ｜注意");
  EXPECT_EQ((*links)[1].url, "/safety/");
  auto back = parse_links(format_links(*links));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)[1].url, "/safety/");
  auto bad = parse_links("ラベルだけ\nよい | /x");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("1行目"));
}

TEST(EmergencyLinks, AllowsOnlyHttpsAndSiteRelativeUrls) {
  EXPECT_TRUE(allowed_url("https://www.pref.example.jp/bousai/"));
  EXPECT_TRUE(allowed_url("/"));
  EXPECT_TRUE(allowed_url("/safety/prevention/12.html?x=1#a"));
  EXPECT_FALSE(allowed_url("javascript:alert(1)"));
  EXPECT_FALSE(allowed_url("JavaScript:alert(1)"));
  EXPECT_FALSE(allowed_url("http://example.jp/"));
  EXPECT_FALSE(allowed_url("//evil.example/"));
  EXPECT_FALSE(allowed_url("/\\evil.example"));
  EXPECT_FALSE(allowed_url("https://"));
  EXPECT_FALSE(allowed_url("https://user@evil.example/"));
  EXPECT_FALSE(allowed_url("https://example.jp/a b"));
  EXPECT_FALSE(allowed_url("https://example.jp/\"onmouseover=x"));
  EXPECT_FALSE(allowed_url("data:text/html,x"));
  EXPECT_FALSE(allowed_url(""));
  EXPECT_FALSE(allowed_url("safety/"));
}

TEST(EmergencyValidate, MessageAndLinks) {
  auto n = validate({.message = "  大雨特別警報が出ています。\r\n身の安全を確保してください。　", .links = {}});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->message, "大雨特別警報が出ています。\n身の安全を確保してください。");
  EXPECT_FALSE(validate({.message = "　", .links = {}}).ok());
  std::string longest;
  for (int i = 0; i < 500; ++i) longest += "警";
  EXPECT_TRUE(validate({.message = longest, .links = {}}).ok());
  auto too_long = validate({.message = longest + "報", .links = {}});
  ASSERT_FALSE(too_long.ok());
  EXPECT_THAT(too_long.error().message, HasSubstr("500文字"));
  std::vector<Link> eleven(11, Link{"避難所", "/hinan"});
  EXPECT_THAT(validate({.message = "x", .links = eleven}).error().message, HasSubstr("10件"));
  auto js = validate({.message = "x", .links = {{"押す", "javascript:alert(1)"}}});
  ASSERT_FALSE(js.ok());
  EXPECT_EQ(js.error().code, ErrorCode::invalid_argument);
  EXPECT_THAT(js.error().message, HasSubstr("リンク1"));
  EXPECT_FALSE(validate({.message = "x", .links = {{"", "/a"}}}).ok());
  EXPECT_FALSE(validate({.message = "a\x01" "b", .links = {}}).ok());
}

class EmergencyTest : public site::test_support::SiteDbTest {
 protected:
  void add_migrations(store::MigrationRegistry& reg) override {
    ASSERT_TRUE(reg.add("site_emergency", emergency_migrations()).ok());
  }
  void SetUp() override {
    SiteDbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    opt.on_changed = [this] { ++changed; };
  }

  workflow::By by(const std::string& login) { return {.person = pid(login), .address = "192.0.2.7"}; }
  std::optional<Notice> now_showing() {
    std::optional<Notice> n;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(n, current(s));
      return ok();
    }).ok());
    return n;
  }
  std::vector<HistoryEntry> past() {
    std::vector<HistoryEntry> h;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(h, history(s));
      return ok();
    }).ok());
    return h;
  }
  std::vector<std::tuple<std::string, std::string, std::string>> audit_rows() {
    std::vector<std::tuple<std::string, std::string, std::string>> rows;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto q, s.query("SELECT action, outcome, address FROM audit_log WHERE action LIKE 'site.emergency.%'"
                                   " ORDER BY seq"));
      for (const auto& r : q) rows.emplace_back(r.text(0), r.text(1), r.text(2));
      return ok();
    }).ok());
    return rows;
  }

  Options opt;
  int changed = 0;
};

TEST_P(EmergencyTest, PrSwitchesOnChangesAndOff) {
  EXPECT_FALSE(now_showing());
  const Notice n{.message = "大雨特別警報が発表されました。", .links = {{"避難所の一覧", "https://bousai.example.jp/"},
                                                                         {"交通規制", "/traffic/"}}};
  ASSERT_OK(switch_on(*db_, opt, n, by("koho.kacho"), kNow));
  EXPECT_EQ(changed, 1);
  auto shown = now_showing();
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->message, n.message);
  ASSERT_EQ(shown->links.size(), 2u);
  EXPECT_EQ(shown->links[1].label, "交通規制");
  EXPECT_EQ(shown->links[1].url, "/traffic/");
  EXPECT_EQ(shown->since, kNow);

  // A new message while on: replaced, the start time kept.
  ASSERT_OK(switch_on(*db_, opt, {.message = "避難指示が出ています。", .links = {}}, by("koho.kacho"),
                      kNow + std::chrono::minutes(30)));
  shown = now_showing();
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->message, "避難指示が出ています。");
  EXPECT_TRUE(shown->links.empty());
  EXPECT_EQ(shown->since, kNow);

  ASSERT_OK(switch_off(*db_, opt, by("koho.kacho"), kNow + std::chrono::hours(5)));
  EXPECT_FALSE(now_showing());
  EXPECT_EQ(changed, 3);

  const auto h = past();
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].action, "deactivate");
  EXPECT_EQ(h[0].message, "避難指示が出ています。");
  EXPECT_EQ(h[1].action, "activate");
  EXPECT_EQ(h[2].links.size(), 2u);
  EXPECT_EQ(h[2].at, kNow);
  EXPECT_FALSE(h[2].person_name.empty());
  EXPECT_THAT(audit_rows(), ElementsAre(std::make_tuple("site.emergency.activate", "ok", "192.0.2.7"),
                                        std::make_tuple("site.emergency.activate", "ok", "192.0.2.7"),
                                        std::make_tuple("site.emergency.deactivate", "ok", "192.0.2.7")));
}

TEST_P(EmergencyTest, StationWriterIsRefusedAndAudited) {
  auto r = switch_on(*db_, opt, {.message = "テスト", .links = {}}, by("chuo.tanto"), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::permission_denied);
  EXPECT_THAT(r.error().message, HasSubstr("広報課"));
  EXPECT_FALSE(now_showing());
  EXPECT_EQ(changed, 0);
  EXPECT_TRUE(past().empty());
  EXPECT_THAT(audit_rows(), ElementsAre(std::make_tuple("site.emergency.activate", "refused", "192.0.2.7")));

  // Also a station head, and switching off.
  ASSERT_OK(switch_on(*db_, opt, {.message = "本番", .links = {}}, by("koho.kacho"), kNow));
  auto off = switch_off(*db_, opt, by("chuo.shocho"), kNow);
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().code, ErrorCode::permission_denied);
  EXPECT_TRUE(now_showing());
  EXPECT_EQ(std::get<1>(audit_rows().back()), "refused");
}

TEST_P(EmergencyTest, BadLinksAndDoubleOffAreRefusedWithNothingChanged) {
  auto r = switch_on(*db_, opt, {.message = "お知らせ", .links = {{"押してください", "javascript:alert(1)"}}},
                     by("koho.kacho"), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_THAT(r.error().message, HasSubstr("https://"));
  EXPECT_FALSE(now_showing());
  auto off = switch_off(*db_, opt, by("koho.kacho"), kNow);
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().code, ErrorCode::conflict);
  EXPECT_EQ(changed, 0);
  EXPECT_TRUE(past().empty());
  EXPECT_THAT(audit_rows(), ElementsAre(std::make_tuple("site.emergency.activate", "refused", "192.0.2.7"),
                                        std::make_tuple("site.emergency.deactivate", "refused", "192.0.2.7")));
}

TEST_P(EmergencyTest, HookRunsOnlyAfterCommit) {
  // activate inside a caller's transaction that then fails: nothing stored, no hook.
  auto r = db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(activate(s, opt, {.message = "取り消される", .links = {}}, by("koho.kacho"), kNow));
    return Error::conflict("caller gives up");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(changed, 0);
  EXPECT_FALSE(now_showing());
}

KOBAN_BACKEND_TESTS(EmergencyTest);

}  // namespace
}  // namespace koban::site::emergency
