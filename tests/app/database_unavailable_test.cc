// A database that is full answers 503 over HTTP (Japanese page, Retry-After) and loses
// nothing that was already accepted.
#include <gtest/gtest.h>

#include <filesystem>

#include "http/router.h"
#include "http/server.h"
#include "http/test_client.h"
#include "mail/outbox.h"
#include "store/database.h"
#include "store/migrations.h"

namespace koban::app {
namespace {

TEST(DatabaseUnavailable, FullDatabaseGives503AndKeepsAcceptedRows) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("koban-full-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto db = store::Database::open({.sqlite_path = (dir / "koban.db").string()});
  ASSERT_TRUE(db) << db.error().message;
  store::MigrationRegistry registry;
  ASSERT_TRUE(registry.add("store", store::store_migrations()));
  ASSERT_TRUE(registry.add("mail", mail::outbox_migrations()));
  ASSERT_TRUE(store::migrate(**db, registry, SystemClock{}.now()));

  // A handler that accepts a mail for sending, as a feature would.
  http::Router router;
  router.post("/queue", [&](http::Request& req) {
    auto r = (*db)->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(mail::enqueue(s, {.transport = "catcher", .sender = "a@example.jp", .recipient = "b@example.jp",
                                  .message = "Subject: x\r\n\r\n" + req.body},
                              SystemClock{}.now()));
      return ok();
    });
    return r ? http::Response::text(202, "accepted") : http::response_for(r.error());
  }, {.max_body = 1 << 20});
  Metrics metrics;
  http::Server server({.port = 0, .io_threads = 1, .handler_threads = 1}, router, &metrics);
  ASSERT_TRUE(server.start());
  auto post = [&](const std::string& body) {
    http::testing::RawClient c(server.port());
    c.send("POST /queue HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    return c.read_response();
  };

  auto first = post("first");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 202);

  // The disk is full: cap the file at its current size.
  ASSERT_TRUE((*db)->write([](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto pages, s.query("PRAGMA page_count"));
    return s.exec_script("PRAGMA max_page_count = " + std::to_string(pages[0].int64(0)));
  }));
  auto refused = post(std::string(300000, 'x'));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->headers["retry-after"], "30");
  EXPECT_NE(refused->body.find("ただいまサービスを利用できません"), std::string::npos);

  ASSERT_TRUE((*db)->read([](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*) FROM mail_outbox"));
    EXPECT_EQ(rows.at(0).int64(0), 1);  // the accepted mail is still there, nothing half-written
    return ok();
  }));
  server.stop();
  db->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace koban::app
