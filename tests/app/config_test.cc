#include <gtest/gtest.h>

#include "app/app.h"
#include "app/cli.h"
#include "app/mail_setup.h"
#include "app/staff_auth.h"
#include "core/config.h"

namespace koban::app {
namespace {

TEST(Config, FileEnvironmentAndErrors) {
  auto c = Config::parse("[server]\nlisten = 0.0.0.0:9000\n# comment\n[mail]\ntransport = smtp\n",
                         {{"KOBAN_MAIL_SMTP_PASSWORD", "secret"}, {"KOBAN_SERVER_LISTEN", "127.0.0.1:1"}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->text("server.listen"), "127.0.0.1:1");  // environment wins over the file
  EXPECT_EQ(c->text("mail.transport"), "smtp");
  EXPECT_EQ(c->text("mail.smtp_password"), "secret");
  EXPECT_EQ(c->text("data.dir"), "./data");

  auto unknown = Config::parse("[server]\nlisen = x\n", {}, "k.conf");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("k.conf:2"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("server.lisen"), std::string::npos);
  EXPECT_FALSE(Config::parse("[server]\nmax_connections = lots\n", {}));
  EXPECT_FALSE(Config::parse("garbage line\n", {}));
  EXPECT_EQ(Config::env_name("mail.smtp_password"), "KOBAN_MAIL_SMTP_PASSWORD");
  // The defaults file parses back to the defaults (every line commented out).
  EXPECT_TRUE(Config::parse(Config::defaults_file(), {}));
  EXPECT_NE(Config::defaults_file().find("KOBAN_DATABASE_URL"), std::string::npos);
}

TEST(Cli, ParsesOptionsAndRejectsUnknown) {
  auto a = parse_args({"--data", "/d", "--listen=1.2.3.4:5", "--demo", "x"}, {{"data", "listen"}, {"demo"}});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->option("data"), "/d");
  EXPECT_EQ(a->option("listen"), "1.2.3.4:5");
  EXPECT_TRUE(a->has("demo"));
  EXPECT_EQ(a->positional, std::vector<std::string>{"x"});
  EXPECT_FALSE(parse_args({"--nope"}, {}));
  EXPECT_FALSE(parse_args({"--data"}, {{"data"}, {}}));
  EXPECT_FALSE(parse_args({"--demo=1"}, {{}, {"demo"}}));
}

TEST(Listen, ParsesHostAndPort) {
  auto l = parse_listen("127.0.0.1:8080");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->first, "127.0.0.1");
  EXPECT_EQ(l->second, 8080);
  auto v6 = parse_listen("[::1]:80");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->first, "::1");
  EXPECT_FALSE(parse_listen("8080"));
  EXPECT_FALSE(parse_listen("h:99999"));
  EXPECT_FALSE(parse_listen("h:x"));
}

TEST(MailSetup, DomainPolicies) {
  Config c;
  auto p = parse_delivery_policy(c);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->domains.at("docomo.ne.jp").max_recipients_per_session, 100);
  c.set("mail.domain_policies", "Example.JP:sessions=2,recipients=7");
  p = parse_delivery_policy(c);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->domains.at("example.jp").max_connections, 2);
  EXPECT_EQ(p->domains.at("example.jp").max_recipients_per_session, 7);
  c.set("mail.domain_policies", "example.jp:speed=9");
  EXPECT_FALSE(parse_delivery_policy(c));
  c.set("mail.domain_policies", "example.jp:recipients=0");
  EXPECT_FALSE(parse_delivery_policy(c));
  c.set("mail.smtp_starttls", "maybe");
  EXPECT_FALSE(smtp_config_from(c));
}

}  // namespace
}  // namespace koban::app

namespace koban::app {
namespace {

TEST(StaffAuth, NextPathsStayInsideAdmin) {
  EXPECT_EQ(safe_next("/admin/mail?state=sent"), "/admin/mail?state=sent");
  EXPECT_EQ(safe_next("https://evil.example/"), "/admin/");
  EXPECT_EQ(safe_next("//evil.example/admin"), "/admin/");
  EXPECT_EQ(safe_next("/public/page"), "/admin/");
  EXPECT_EQ(safe_next("/admin\\..\\x"), "/admin/");
  EXPECT_EQ(safe_next("/admin/x\r\nSet-Cookie: a=b"), "/admin/");
}

}  // namespace
}  // namespace koban::app
