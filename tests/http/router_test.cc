#include "http/router.h"

#include <gtest/gtest.h>

namespace koban::http {
namespace {

Response ok_handler(Request&) { return Response::text(200, "x"); }

TEST(Router, MatchesLiteralsParamsAndRest) {
  Router r;
  r.get("/news/:id", ok_handler);
  r.get("/files/*path", ok_handler);
  r.post("/news/:id", ok_handler);
  std::map<std::string, std::string, std::less<>> params;
  auto m = r.match("GET", "/news/42", &params);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/news/:id");
  EXPECT_EQ(params["id"], "42");

  params.clear();
  m = r.match("GET", "/files/a/b%20c.txt", &params);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(params["path"], "a/b c.txt");

  EXPECT_EQ(r.match("GET", "/news", nullptr).route, nullptr);
  EXPECT_EQ(r.match("GET", "/news/1/2", nullptr).route, nullptr);
  EXPECT_EQ(r.match("GET", "/news/", nullptr).route, nullptr);  // empty parameter
}

TEST(Router, HeadMatchesGetAndOtherMethodsGive405) {
  Router r;
  r.get("/a", ok_handler);
  r.post("/a", ok_handler);
  EXPECT_NE(r.match("HEAD", "/a", nullptr).route, nullptr);
  auto m = r.match("DELETE", "/a", nullptr);
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.method_not_allowed);
  EXPECT_EQ(m.allow, "GET, POST");
}

TEST(Router, BadPercentEscapesDoNotMatch) {
  Router r;
  r.get("/n/:id", ok_handler);
  std::map<std::string, std::string, std::less<>> params;
  EXPECT_EQ(r.match("GET", "/n/%zz", &params).route, nullptr);
  EXPECT_EQ(r.match("GET", "/n/%4", &params).route, nullptr);
}

TEST(Message, EscapesAndCookies) {
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(json_escape("a\"b\\\n\x01"), "a\\\"b\\\\\\n\\u0001");
  Request req;
  req.headers = {{"cookie", "a=1; session=xyz; b=2"}};
  EXPECT_EQ(req.cookie("session"), "xyz");
  EXPECT_EQ(req.cookie("missing"), "");
  EXPECT_EQ(percent_encode("安 a/"), "%E5%AE%89%20a%2F");
}

}  // namespace
}  // namespace koban::http
