#include "mail/smtp_protocol.h"

#include <gtest/gtest.h>

namespace koban::mail {
namespace {

TEST(SmtpReply, ParsesSingleAndMultiLine) {
  std::size_t used = 0;
  auto r = parse_reply("250 2.1.0 Ok\r\nrest", used);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->code, 250);
  EXPECT_EQ((*r)->lines, std::vector<std::string>{"2.1.0 Ok"});
  EXPECT_EQ(used, 14u);

  const std::string ehlo = "250-mx.example.jp\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-AUTH LOGIN PLAIN\r\n250-STARTTLS\r\n250 8BITMIME\r\n";
  r = parse_reply(ehlo, used);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(used, ehlo.size());
  EXPECT_EQ((*r)->lines.size(), 6u);
  auto caps = parse_capabilities(**r);
  EXPECT_TRUE(caps.pipelining);
  EXPECT_TRUE(caps.starttls);
  EXPECT_TRUE(caps.auth_plain);
  EXPECT_TRUE(caps.auth_login);
  EXPECT_EQ(caps.size, 10240000u);
  EXPECT_EQ((*r)->text(), "250 mx.example.jp / PIPELINING / SIZE 10240000 / AUTH LOGIN PLAIN / STARTTLS / 8BITMIME");

  // Old-style "AUTH=LOGIN", a bare code, LF only.
  r = parse_reply("250-x\n250 AUTH=LOGIN\n", used);
  ASSERT_TRUE(r && *r);
  EXPECT_TRUE(parse_capabilities(**r).auth_login);
  EXPECT_FALSE(parse_capabilities(**r).pipelining);
  r = parse_reply("354\r\n", used);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->code, 354);
}

TEST(SmtpReply, IncompleteAndMalformed) {
  std::size_t used = 0;
  auto r = parse_reply("250-first\r\n250 sec", used);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_FALSE(parse_reply("hello\r\n", used));
  EXPECT_FALSE(parse_reply("25\r\n", used));
  EXPECT_FALSE(parse_reply("2500 x\r\n", used));
  EXPECT_FALSE(parse_reply("650 x\r\n", used));
  EXPECT_FALSE(parse_reply("250-a\r\n251 b\r\n", used));
  EXPECT_FALSE(parse_reply(std::string(kMaxReplyLine + 10, '2'), used));
  std::string many;
  for (std::size_t i = 0; i < kMaxReplyLines + 1; ++i) many += "250-x\r\n";
  EXPECT_FALSE(parse_reply(many + "250 end\r\n", used));
}

TEST(DotStuff, StuffsLeadingDotsAndTerminates) {
  EXPECT_EQ(dot_stuff("a\r\n.b\r\n..c\r\n"), "a\r\n..b\r\n...c\r\n.\r\n");
  EXPECT_EQ(dot_stuff(".\r\n"), "..\r\n.\r\n");
  EXPECT_EQ(dot_stuff("no end"), "no end\r\n.\r\n");
  EXPECT_EQ(dot_stuff("lf\n.only\n"), "lf\r\n..only\r\n.\r\n");
  EXPECT_EQ(dot_stuff("bare\rcr"), "bare\r\ncr\r\n.\r\n");
  EXPECT_TRUE(needs_no_stuffing("a\r\nb.\r\n"));
  EXPECT_FALSE(needs_no_stuffing("a\r\n.b\r\n"));
  EXPECT_FALSE(needs_no_stuffing(".a\r\n"));
  EXPECT_FALSE(needs_no_stuffing("a\nb\r\n"));
  EXPECT_FALSE(needs_no_stuffing("a\r\nb"));
  EXPECT_FALSE(needs_no_stuffing("a\rb\r\n"));
}

}  // namespace
}  // namespace koban::mail
