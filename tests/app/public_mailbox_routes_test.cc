// The public mailbox form end to end over HTTP (issue 5 item 10 and its bad input): a resident
// sends a message and gets a receipt number (and a receipt mail); a forged post without the
// form token, a honeypot hit and a post sent too fast store nothing; the rate limit refuses
// with a message; every refusal brings the form back with the resident's text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "app/database_setup.h"
#include "app/public_mailbox_routes.h"
#include "core/metrics.h"
#include "http/forms/urlencoded.h"
#include "http/server.h"
#include "mail/outbox.h"
#include "mailbox/mailbox_migrations.h"
#include "org/demo.h"
#include "staff_http_client.h"

namespace koban::app {
namespace {

using testing::cookie_value;
using testing::csrf_field;
using testing::exchange;
using testing::Reply;

std::string enc(const std::string& v) { return http::forms::form_urlencode(v); }

class PublicMailboxRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("koban-public-mailbox-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::Database::open({.sqlite_path = (dir_ / "koban.db").string()});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    // Until database_setup.cc registers them (register_mailbox_migrations is idempotent).
    ASSERT_TRUE(mailbox::register_mailbox_migrations());
    auto migrated = migrate_database(*db_);
    ASSERT_TRUE(migrated) << migrated.error().message;
    ASSERT_TRUE(db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(org::fill_demo(s, clock_.now()));
      return ok();
    }));
    config_.set("server.base_url", "https://police.example.jp/");
    auto box = mailbox::Mailbox::create(std::string(32, 'k'),
                                        {.ip_limit_per_hour = 3, .base_url = "https://police.example.jp"},
                                        calendar::BusinessCalendar{});
    ASSERT_TRUE(box) << box.error().message;
    box_ = std::make_shared<const mailbox::Mailbox>(std::move(*box));
    auto templates = web::Templates::load(web::Templates::default_dir());
    ASSERT_TRUE(templates) << templates.error().message;
    add_public_mailbox_routes(router_, *db_, box_, *templates, config_, clock_);
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

  Reply get(const std::string& path, const std::string& cookie = "") {
    return exchange(server_->port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                                         (cookie.empty() ? "" : "Cookie: " + cookie + "\r\n") + "\r\n");
  }
  Reply post(const std::string& body, const std::string& cookie) {
    return exchange(server_->port(), "POST /mailbox/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                                         (cookie.empty() ? "" : "Cookie: " + cookie + "\r\n") +
                                         "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                         std::to_string(body.size()) + "\r\n\r\n" + body);
  }
  // Fetches the form, waits like a person (the fixed clock moves), returns the cookie header.
  std::string open_form(std::string* token) {
    auto form = get("/mailbox/");
    EXPECT_EQ(form.status, 200);
    *token = csrf_field(form.body);
    EXPECT_FALSE(token->empty());
    EXPECT_EQ(cookie_value(form, kMailboxFormCookie), *token);
    clock_.advance(std::chrono::seconds(40));
    return std::string(kMailboxFormCookie) + "=" + *token;
  }
  std::string body(const std::string& token, const std::string& text, const std::string& extra = "") {
    return "csrf=" + enc(token) + "&kind=request&text=" + enc(text) + "&name=" + enc("山田 太郎") +
           "&contact=" + enc("taro@example.jp") + "&consent=1&website=" + extra;
  }
  std::int64_t messages() {
    std::int64_t n = -1;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*) FROM mailbox_messages"));
      n = rows[0].int64(0);
      return ok();
    }));
    return n;
  }

  FixedClock clock_{from_jst({{2026, 11, 24}, 10, 0})};  // a Tuesday, office hours
  Config config_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Database> db_;
  std::shared_ptr<const mailbox::Mailbox> box_;
  http::Router router_;
  Metrics metrics_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(PublicMailboxRoutes, FormShowsKindsPrivacyNoticeAndHoneypot) {
  auto r = get("/mailbox/");
  ASSERT_EQ(r.status, 200);
  for (const char* s : {"意見", "要望", "苦情", "情報提供", "個人情報の取扱い", "365日", "広報課", "本部総合当直",
                        "name=\"website\"", "name=\"consent\"", "110番"})
    EXPECT_NE(r.body.find(s), std::string::npos) << s;
  EXPECT_EQ(r.cache_control, "no-store");
  EXPECT_EQ(get("/mailbox").status, 301);
}

TEST_F(PublicMailboxRoutes, SendingGivesAReceiptNumberAndAReceiptMail) {
  std::string token;
  const std::string cookie = open_form(&token);
  auto r = post(body(token, "交差点の見守りをお願いします。"), cookie);
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.location, "/mailbox/sent");
  const std::string receipt = cookie_value(r, kMailboxReceiptCookie);
  ASSERT_TRUE(mailbox::is_receipt_number(receipt)) << receipt;
  auto sent = get("/mailbox/sent", std::string(kMailboxReceiptCookie) + "=" + receipt);
  ASSERT_EQ(sent.status, 200);
  EXPECT_NE(sent.body.find(receipt), std::string::npos);
  EXPECT_EQ(messages(), 1);
  auto mails = mail::list_mail(*db_, mail::MailListQuery());
  ASSERT_TRUE(mails);
  ASSERT_EQ(mails->size(), 1u);
  EXPECT_EQ((*mails)[0].recipient, "taro@example.jp");
  // A made-up cookie shows no number.
  auto fake = get("/mailbox/sent", std::string(kMailboxReceiptCookie) + "=<script>");
  EXPECT_EQ(fake.body.find("<script>"), std::string::npos);
}

TEST_F(PublicMailboxRoutes, ForgedPostWithoutTokenStoresNothingAndKeepsTheText) {
  auto r = post("kind=request&text=" + enc("偽の投稿の本文") + "&consent=1", "");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("内容はまだ送信されていません"), std::string::npos);
  EXPECT_NE(r.body.find("偽の投稿の本文"), std::string::npos);
  // A token in the field but another (or no) cookie: also refused.
  std::string token;
  open_form(&token);
  auto other = post(body(token, "本文"), std::string(kMailboxFormCookie) + "=abc");
  EXPECT_EQ(other.status, 403);
  auto no_cookie = post(body(token, "本文"), "");
  EXPECT_EQ(no_cookie.status, 403);
  EXPECT_EQ(messages(), 0);
}

TEST_F(PublicMailboxRoutes, HoneypotGetsTheNormalAnswerAndStoresNothing) {
  std::string token;
  const std::string cookie = open_form(&token);
  auto r = post(body(token, "広告です", "http%3A%2F%2Fspam.example"), cookie);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.location, "/mailbox/sent");
  EXPECT_EQ(cookie_value(r, kMailboxReceiptCookie), "");
  EXPECT_EQ(messages(), 0);
}

TEST_F(PublicMailboxRoutes, TooFastIsRefusedWithTheTextKept) {
  auto form = get("/mailbox/");
  const std::string token = csrf_field(form.body);
  clock_.advance(std::chrono::seconds(1));
  auto r = post(body(token, "急いで書いた本文"), std::string(kMailboxFormCookie) + "=" + token);
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("急いで書いた本文"), std::string::npos);
  EXPECT_NE(r.body.find("短すぎた"), std::string::npos);
  EXPECT_EQ(messages(), 0);
  // The answer carries a new token: waiting and sending again works.
  const std::string fresh = csrf_field(r.body);
  ASSERT_FALSE(fresh.empty());
  clock_.advance(std::chrono::seconds(10));
  auto again = post(body(fresh, "急いで書いた本文"), std::string(kMailboxFormCookie) + "=" + fresh);
  EXPECT_EQ(again.status, 303);
  EXPECT_EQ(messages(), 1);
}

TEST_F(PublicMailboxRoutes, ValidationErrorsBringTheFormBackWithEverything) {
  std::string token;
  const std::string cookie = open_form(&token);
  auto r = post("csrf=" + enc(token) + "&kind=&text=" + enc("私の本文") + "&name=" + enc("佐藤") +
                    "&contact=" + enc("not-a-contact") + "&website=",
                cookie);
  EXPECT_EQ(r.status, 422);
  for (const char* s : {"私の本文", "佐藤", "not-a-contact", "種別", "連絡先は", "同意", "href=\"#kind\"", "href=\"#consent\""})
    EXPECT_NE(r.body.find(s), std::string::npos) << s;
  EXPECT_EQ(messages(), 0);
  // Over-long text: its own message, the text still there.
  std::string long_text;
  for (int i = 0; i < 4001; ++i) long_text += "長";
  clock_.advance(std::chrono::seconds(10));
  const std::string fresh = csrf_field(r.body);
  auto big = post(body(fresh, long_text), std::string(kMailboxFormCookie) + "=" + fresh);
  EXPECT_EQ(big.status, 422);
  EXPECT_NE(big.body.find("4,000文字以内"), std::string::npos);
  EXPECT_NE(big.body.find(long_text), std::string::npos);
}

TEST_F(PublicMailboxRoutes, RateLimitRefusesWithAMessageAndKeepsTheText) {
  for (int i = 0; i < 3; ++i) {
    std::string token;
    const std::string cookie = open_form(&token);
    ASSERT_EQ(post(body(token, "投稿 " + std::to_string(i)), cookie).status, 303);
  }
  std::string token;
  const std::string cookie = open_form(&token);
  auto r = post(body(token, "四通目の本文"), cookie);
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("四通目の本文"), std::string::npos);
  EXPECT_NE(r.body.find("しばらく"), std::string::npos);
  EXPECT_EQ(messages(), 3);
}

}  // namespace
}  // namespace koban::app
