// The staff pages of the public mailbox over HTTP with the shared fixture (demo force, SQLite):
// queue members list, open (audited), assign, note, reply by mail from a template, hand over
// and close; people outside a queue get 403, audited, nothing changed.
#include <gtest/gtest.h>

#include <regex>

#include "app/admin_mailbox_routes.h"
#include "mail/outbox.h"
#include "mailbox/mailbox_migrations.h"
#include "staff_app_fixture.h"

namespace koban::app {
namespace {

std::string enc(const std::string& v) { return http::forms::form_urlencode(v); }

class AdminMailboxRoutes : public testing::StaffAppTest {
 protected:
  void SetUp() override {
    // Until database_setup.cc registers them; the fixture's migrate_database applies them.
    ASSERT_TRUE(mailbox::register_mailbox_migrations());
    auto box = mailbox::Mailbox::create(std::string(32, 'k'), {.ip_limit_per_hour = 0}, calendar::BusinessCalendar{});
    ASSERT_TRUE(box) << box.error().message;
    box_ = std::make_shared<const mailbox::Mailbox>(std::move(*box));
    StaffAppTest::SetUp();
  }
  void add_routes(http::Router& r) override { add_admin_mailbox_routes(r, db(), staff(), box_, clock_); }
  Result<void> seed(store::Session& s) override {
    KOBAN_ASSIGN(auto a, box_->submit(s, {.kind = mailbox::Kind::opinion, .text = "広報課あての本文",
                                          .name = "山田 太郎", .contact = "taro@example.jp", .consent = true},
                                      clock_.now()));
    KOBAN_ASSIGN(auto b, box_->submit(s, {.kind = mailbox::Kind::information, .text = "夜間の情報提供の本文",
                                          .consent = true},
                                      from_jst({{2026, 11, 23}, 23, 0})));
    pr_id_ = a.id;
    duty_id_ = b.id;
    pr_receipt_ = a.receipt;
    return ok();
  }
  std::string path(std::int64_t id, const std::string& tail = "") {
    return "/admin/mailbox/" + std::to_string(id) + tail;
  }

  std::shared_ptr<const mailbox::Mailbox> box_;
  std::int64_t pr_id_ = 0, duty_id_ = 0;
  std::string pr_receipt_;
};

TEST_F(AdminMailboxRoutes, MembersSeeTheirQueuesOnly) {
  auto kacho = login("koho.kacho");  // force-wide mailbox grant: both queues
  auto list = get(kacho, "/admin/mailbox");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(pr_receipt_), std::string::npos);
  EXPECT_NE(list.body.find(path(duty_id_)), std::string::npos);
  auto desk = login("honbu.tochoku");  // the HQ duty desk's queue only
  auto dl = get(desk, "/admin/mailbox");
  ASSERT_EQ(dl.status, 200);
  EXPECT_NE(dl.body.find(path(duty_id_)), std::string::npos);
  EXPECT_EQ(dl.body.find(path(pr_id_)), std::string::npos);
  EXPECT_EQ(get(desk, "/admin/mailbox?queue=pr").status, 403);
  auto open = get(desk, path(pr_id_));
  EXPECT_EQ(open.status, 403);
  EXPECT_EQ(open.body.find("広報課あての本文"), std::string::npos);
  auto ok_open = get(desk, path(duty_id_));
  ASSERT_EQ(ok_open.status, 200);
  EXPECT_NE(ok_open.body.find("夜間の情報提供の本文"), std::string::npos);
  // Outsiders: a station head and the system administrator.
  for (const char* login_name : {"chuo.shocho", "system.kanri"}) {
    auto s = login(login_name);
    EXPECT_EQ(get(s, "/admin/mailbox").status, 403) << login_name;
    auto page = get(s, path(pr_id_));
    EXPECT_EQ(page.status, 403) << login_name;
    EXPECT_EQ(page.body.find("広報課あての本文"), std::string::npos);
    auto r = post(s, path(pr_id_, "/close"), "csrf=" + csrf(s));
    EXPECT_EQ(r.status, 403);
  }
  int refused = 0, views = 0;
  for (const auto& [action, outcome, summary] : audit_rows("mailbox.")) {
    if (outcome == "refused") ++refused;
    if (action == "mailbox.message.view" && outcome == "ok") ++views;
  }
  EXPECT_EQ(refused, 1 + 1 + 3 * 2);  // desk: queue=pr and the PR message; 3 each for the outsiders
  EXPECT_EQ(views, 1);
  auto filtered = get(kacho, "/admin/mailbox?kind=information");
  EXPECT_EQ(filtered.body.find(pr_receipt_), std::string::npos);
  EXPECT_EQ(get(kacho, "/admin/mailbox?state=bogus").status, 400);
}

TEST_F(AdminMailboxRoutes, AssignNoteReplyHandOverAndClose) {
  auto s = login("koho.kacho");
  auto page = get(s, path(pr_id_));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("広報課あての本文"), std::string::npos);
  EXPECT_NE(page.body.find("taro@example.jp"), std::string::npos);
  const auto me = person("koho.kacho");
  auto r = post(s, path(pr_id_, "/assign"), "csrf=" + csrf(s) + "&person=" + std::to_string(me.id));
  ASSERT_EQ(r.status, 303) << r.body;
  r = post(s, path(pr_id_, "/note"), "csrf=" + csrf(s) + "&note=" + enc("刑事企画課に確認中"));
  ASSERT_EQ(r.status, 303) << r.body;
  // The template fills the reply box with the name and receipt number.
  auto tpl = get(s, path(pr_id_, "?template=thanks"));
  ASSERT_EQ(tpl.status, 200);
  EXPECT_NE(tpl.body.find("山田 太郎 様"), std::string::npos);
  r = post(s, path(pr_id_, "/reply"),
           "csrf=" + csrf(s) + "&template=thanks&body=" + enc("{名前}\nありがとうございました（{受付番号}）"));
  ASSERT_EQ(r.status, 303) << r.body;
  auto mails = mail::list_mail(db(), mail::MailListQuery());
  ASSERT_TRUE(mails);
  int to_resident = 0;
  for (const auto& m : *mails) to_resident += m.recipient == "taro@example.jp";
  EXPECT_EQ(to_resident, 2);  // the receipt and the reply
  auto after = get(s, path(pr_id_));
  EXPECT_NE(after.body.find("回答済み"), std::string::npos);
  EXPECT_NE(after.body.find("刑事企画課に確認中"), std::string::npos);
  EXPECT_NE(after.body.find("ありがとうございました（" + pr_receipt_ + "）"), std::string::npos);
  // Hand over to the HQ duty desk: then the desk sees it.
  r = post(s, path(pr_id_, "/handover"), "csrf=" + csrf(s) + "&note=");
  ASSERT_EQ(r.status, 303) << r.body;
  auto desk = login("honbu.tochoku");
  auto seen = get(desk, path(pr_id_));
  ASSERT_EQ(seen.status, 200);
  EXPECT_NE(seen.body.find("広報課 → 本部総合当直"), std::string::npos);
  r = post(desk, path(pr_id_, "/close"), "csrf=" + csrf(desk));
  ASSERT_EQ(r.status, 303) << r.body;
  auto again = post(desk, path(pr_id_, "/close"), "csrf=" + csrf(desk));
  EXPECT_EQ(again.status, 409);
  std::vector<std::string> actions;
  for (const auto& [action, outcome, summary] : audit_rows("mailbox.message."))
    if (outcome == "ok" && action != "mailbox.message.view" && action != "mailbox.message.receive") actions.push_back(action);
  EXPECT_EQ(actions, (std::vector<std::string>{"mailbox.message.assign", "mailbox.message.note", "mailbox.message.reply",
                                               "mailbox.message.handover", "mailbox.message.close"}));
}

TEST_F(AdminMailboxRoutes, BadInputIsRefusedWithNothingChanged) {
  auto s = login("koho.kacho");
  EXPECT_EQ(post(s, path(pr_id_, "/note"), "csrf=" + csrf(s) + "&note=").status, 400);
  EXPECT_EQ(post(s, path(pr_id_, "/reply"), "csrf=" + csrf(s) + "&template=nope&body=x").status, 400);
  EXPECT_EQ(post(s, path(duty_id_, "/reply"), "csrf=" + csrf(s) + "&template=thanks&body=x").status, 400);  // no address
  const auto outsider = person("chuo.shocho");
  EXPECT_EQ(post(s, path(pr_id_, "/assign"), "csrf=" + csrf(s) + "&person=" + std::to_string(outsider.id)).status, 400);
  EXPECT_EQ(get(s, "/admin/mailbox/999999").status, 404);
  EXPECT_EQ(post(s, path(pr_id_, "/close"), "csrf=wrong").status, 403);  // the guard's CSRF check
  auto page = get(s, path(pr_id_));
  EXPECT_NE(page.body.find("未対応"), std::string::npos);
  EXPECT_EQ(page.body.find("完了 "), std::string::npos);
}

}  // namespace
}  // namespace koban::app
