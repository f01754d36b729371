// TOTP against the RFC 6238 test vectors, base32, otpauth URIs, SecretBox (no database).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/random_bytes.h"
#include "auth/secret_box.h"
#include "auth/totp.h"

namespace koban::auth {
namespace {

const std::string kRfcSecret = "12345678901234567890";  // RFC 6238 appendix B, SHA-1

TEST(Totp, MatchesRfc6238Vectors) {
  const TotpParams eight{.period_seconds = 30, .digits = 8, .window = 1};
  const std::pair<std::int64_t, const char*> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [t, code] : vectors) {
    EXPECT_EQ(totp_code(kRfcSecret, totp_step(from_unix(t), eight), eight), code) << t;
    // The 6-digit code is the last six digits of the same truncated value.
    EXPECT_EQ(totp_code(kRfcSecret, totp_step(from_unix(t))), std::string(code).substr(2)) << t;
  }
}

TEST(Totp, AcceptsOneStepEitherSideAndRefusesReplay) {
  const Instant now = from_unix(1111111111);
  const std::int64_t step = totp_step(now);
  for (int d : {-1, 0, 1}) {
    auto got = match_totp(kRfcSecret, totp_code(kRfcSecret, step + d), now);
    ASSERT_TRUE(got) << d;
    EXPECT_EQ(*got, step + d);
  }
  EXPECT_FALSE(match_totp(kRfcSecret, totp_code(kRfcSecret, step + 2), now));
  EXPECT_FALSE(match_totp(kRfcSecret, totp_code(kRfcSecret, step - 2), now));
  // Already used this step (or a later one): refused.
  EXPECT_FALSE(match_totp(kRfcSecret, totp_code(kRfcSecret, step), now, step));
  EXPECT_FALSE(match_totp(kRfcSecret, totp_code(kRfcSecret, step - 1), now, step));
  EXPECT_TRUE(match_totp(kRfcSecret, totp_code(kRfcSecret, step + 1), now, step));
  // Malformed codes.
  EXPECT_FALSE(match_totp(kRfcSecret, "", now));
  EXPECT_FALSE(match_totp(kRfcSecret, "12345", now));
  EXPECT_FALSE(match_totp(kRfcSecret, totp_code(kRfcSecret, step) + "0", now));
}

TEST(Totp, Base32RoundTripsAndMatchesRfc4648) {
  EXPECT_EQ(base32_encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(base32_encode(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(base32_decode("mzxw 6ytb oi======"), "foobar");
  EXPECT_FALSE(base32_decode("MZXW1"));  // 1 is not in the alphabet
  std::string secret = generate_totp_secret();
  EXPECT_EQ(secret.size(), 20u);
  EXPECT_EQ(base32_decode(base32_encode(secret)), secret);
  EXPECT_NE(generate_totp_secret(), secret);
}

TEST(Totp, OtpauthUriEncodesIssuerAndAccount) {
  std::string uri = otpauth_uri("サンプル県警察", "yamada taro", kRfcSecret);
  EXPECT_EQ(uri,
            "otpauth://totp/%E3%82%B5%E3%83%B3%E3%83%97%E3%83%AB%E7%9C%8C%E8%AD%A6%E5%AF%9F:"
            "yamada%20taro?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=%E3%82%B5%E3%83%B3%E3%83%97%E3%83%AB%E7%9C%8C%E8%AD%A6%E5%AF%9F"
            "&algorithm=SHA1&digits=6&period=30");
}

TEST(SecretBox, SealsOpensAndDetectsTampering) {
  auto box = SecretBox::from_secret("0123456789abcdef-config-secret", "totp");
  ASSERT_TRUE(box);
  std::string sealed = box->seal("seed bytes");
  EXPECT_EQ(sealed.find("seed bytes"), std::string::npos);
  EXPECT_NE(box->seal("seed bytes"), sealed);  // random nonce
  auto opened = box->open(sealed);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, "seed bytes");

  std::string tampered = sealed;
  tampered.back() ^= 1;
  EXPECT_FALSE(box->open(tampered));
  EXPECT_FALSE(box->open(sealed.substr(0, 10)));
  // Another purpose or another secret derives another key.
  EXPECT_FALSE(SecretBox::from_secret("0123456789abcdef-config-secret", "ledger")->open(sealed));
  EXPECT_FALSE(SecretBox::from_secret("another-secret-0123456789", "totp")->open(sealed));
  EXPECT_FALSE(SecretBox::from_secret("short", "totp"));
  EXPECT_FALSE(SecretBox::from_key("too short"));
  EXPECT_TRUE(SecretBox::from_key(std::string(32, 'k')));
}

TEST(RandomBytes, Base64urlIsStrict) {
  std::string raw = random_bytes(32);
  std::string text = base64url_encode(raw);
  EXPECT_EQ(text.size(), 43u);
  EXPECT_EQ(base64url_decode(text), raw);
  EXPECT_FALSE(base64url_decode(text + "="));
  EXPECT_FALSE(base64url_decode("ab+/"));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

}  // namespace
}  // namespace koban::auth
