#include "http/cookie.h"

#include <gtest/gtest.h>

namespace koban::http {
namespace {

TEST(Cookie, SafeDefaultsAndRefusesInjection) {
  EXPECT_EQ(set_cookie("koban_session", "abc-_9"), "koban_session=abc-_9; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(set_cookie("s", "v", {.secure = true, .max_age_seconds = 60}),
            "s=v; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Strict");
  EXPECT_EQ(clear_cookie("s"), "s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  EXPECT_EQ(set_cookie("s", "v; Domain=evil"), "");
  EXPECT_EQ(set_cookie("s", "v\r\nX: y"), "");
  EXPECT_EQ(set_cookie("", "v"), "");
}

}  // namespace
}  // namespace koban::http
