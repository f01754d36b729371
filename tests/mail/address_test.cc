#include "mail/address.h"

#include <gtest/gtest.h>

namespace koban::mail {
namespace {

TEST(Address, AcceptsGoodAddressesAndNormalisesDomain) {
  struct Case {
    const char* in;
    const char* local;
    const char* domain;
  };
  const Case cases[] = {
      {"user@example.jp", "user", "example.jp"},
      {"User.Name+tag@Example.CO.JP", "User.Name+tag", "example.co.jp"},
      {"a..b@docomo.ne.jp", "a..b", "docomo.ne.jp"},      // carrier: consecutive dots
      {"abc.@ezweb.ne.jp", "abc.", "ezweb.ne.jp"},        // carrier: dot before @
      {"x...y.@softbank.ne.jp", "x...y.", "softbank.ne.jp"},
      {"a..b@example.com", "a..b", "example.com"},        // accepted for any domain
      {"o'brien@example.ie", "o'brien", "example.ie"},
      {"!#$%&'*+-/=?^_`{|}~@x-y.example", "!#$%&'*+-/=?^_`{|}~", "x-y.example"},
      {"a@b.c1", "a", "b.c1"},
  };
  for (const auto& c : cases) {
    auto r = parse_address(c.in);
    ASSERT_TRUE(r) << c.in << ": " << r.error().message;
    EXPECT_EQ(r->local, c.local) << c.in;
    EXPECT_EQ(r->domain, c.domain) << c.in;
    EXPECT_TRUE(is_valid_address(c.in));
  }
}

TEST(Address, RejectsBadAddresses) {
  const std::string long_local(65, 'a');
  const std::string long_label(64, 'a');
  const std::string too_long = std::string(64, 'a') + "@" + std::string(60, 'b') + "." +
                               std::string(60, 'c') + "." + std::string(60, 'd') + "." +
                               std::string(4, 'e') + ".jp";  // 255 characters
  ASSERT_EQ(too_long.size(), 255u);
  const std::string bad[] = {
      "",
      "plainaddress",
      "@example.jp",
      "user@",
      "us er@example.jp",
      "user @example.jp",
      "user@exa mple.jp",
      "user\r\n@example.jp",
      "user@example.jp\r\nRCPT TO:<x@y.jp>",
      std::string("us\0er@example.jp", 16),
      "user\t@example.jp",
      ".user@example.jp",
      "ユーザー@example.jp",
      "user@例え.jp",
      "a\"b@example.jp",
      "a(b)@example.jp",
      "a<b>@example.jp",
      "a,b@example.jp",
      "a;b@example.jp",
      "a\\b@example.jp",
      "a@b@example.jp",
      "user@localhost",
      "user@example..jp",
      "user@.example.jp",
      "user@example.jp.",
      "user@-example.jp",
      "user@example-.jp",
      "user@exa_mple.jp",
      "user@192.168.0.1",
      "user@[192.168.0.1]",
      long_local + "@example.jp",
      "user@" + long_label + ".jp",
      too_long,
  };
  for (const auto& b : bad) {
    auto r = parse_address(b);
    EXPECT_FALSE(r) << "accepted: " << b;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
      EXPECT_FALSE(r.error().message.empty());
    }
  }
}

TEST(Address, LengthLimitsAreInclusive) {
  const std::string local64(64, 'a');
  EXPECT_TRUE(parse_address(local64 + "@example.jp"));
  const std::string label63(63, 'b');
  EXPECT_TRUE(parse_address("a@" + label63 + ".jp"));
  // 254 characters exactly.
  const std::string addr = std::string(64, 'a') + "@" + std::string(60, 'b') + "." +
                           std::string(60, 'c') + "." + std::string(60, 'd') + "." +
                           std::string(3, 'e') + ".jp";
  ASSERT_EQ(addr.size(), 254u);
  EXPECT_TRUE(parse_address(addr));
}

TEST(Address, DomainOf) {
  EXPECT_EQ(domain_of("a..b@DoCoMo.ne.jp"), "docomo.ne.jp");
  EXPECT_EQ(domain_of("x@y@Z.jp"), "z.jp");
  EXPECT_EQ(domain_of("nodomain"), "");
  EXPECT_EQ(parse_address("A@B.JP")->str(), "A@b.jp");
}

}  // namespace
}  // namespace koban::mail
