// The strict CBOR decoder, authenticatorData parser and COSE key reader: accepted shapes,
// refused shapes, and mutated inputs that must never crash (run under ASan/UBSan).
#include <gtest/gtest.h>

#include <random>

#include "auth/webauthn/authenticator_data.h"
#include "auth/webauthn/cbor.h"
#include "auth/webauthn/public_key.h"

namespace koban::auth::webauthn {
namespace {

using cbor::Item;

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

TEST(WebauthnCbor, DecodesIntegersOfEveryWidth) {
  struct Case { std::string in; std::int64_t v; };
  for (const auto& c : std::vector<Case>{
           {bytes({0x00}), 0}, {bytes({0x17}), 23}, {bytes({0x18, 0x18}), 24},
           {bytes({0x19, 0x01, 0x00}), 256}, {bytes({0x1a, 0x00, 0x01, 0x00, 0x00}), 65536},
           {bytes({0x1b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), INT64_MAX},
           {bytes({0x20}), -1}, {bytes({0x26}), -7}, {bytes({0x39, 0x01, 0x00}), -257},
           {bytes({0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), INT64_MIN}}) {
    auto r = cbor::decode(c.in);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->is_int());
    EXPECT_EQ(r->integer, c.v);
    EXPECT_EQ(cbor::encode(*r), c.in);  // shortest form both ways
  }
}

TEST(WebauthnCbor, DecodesMapsArraysStringsAndSimpleValues) {
  Item m = Item::of_map({{Item::of_text("fmt"), Item::of_text("none")},
                         {Item::of_int(-2), Item::of_bytes(std::string(40, '\xAB'))},
                         {Item::of_text("a"), Item::of_array({Item::of_bool(true), Item::of_bool(false), Item{}})},
                         {Item::of_text("日本"), Item::of_map({})}});
  auto r = cbor::decode(cbor::encode(m));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->is_map());
  ASSERT_NE(r->find("fmt"), nullptr);
  EXPECT_EQ(r->find("fmt")->string, "none");
  ASSERT_NE(r->find(-2), nullptr);
  EXPECT_EQ(r->find(-2)->string, std::string(40, '\xAB'));
  ASSERT_TRUE(r->find("a")->is_array());
  ASSERT_EQ(r->find("a")->array.size(), 3u);
  EXPECT_TRUE(r->find("a")->array[0].boolean);
  EXPECT_EQ(r->find("a")->array[2].type, cbor::Type::null);
  EXPECT_TRUE(r->find("日本")->is_map());
  EXPECT_EQ(r->find("missing"), nullptr);
  EXPECT_EQ(r->find(7), nullptr);
  EXPECT_EQ(cbor::encode(*r), cbor::encode(m));
}

TEST(WebauthnCbor, RefusesWhatWebauthnNeverSends) {
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"empty", ""},
      {"indefinite bytes", bytes({0x5f, 0x41, 0x00, 0xff})},
      {"indefinite map", bytes({0xbf, 0x01, 0x02, 0xff})},
      {"break", bytes({0xff})},
      {"tag", bytes({0xc0, 0x00})},
      {"half float", bytes({0xf9, 0x3c, 0x00})},
      {"undefined", bytes({0xf7})},
      {"reserved info", bytes({0x1c})},
      {"trailing bytes", bytes({0x01, 0x02})},
      {"truncated int", bytes({0x19, 0x01})},
      {"truncated string", bytes({0x45, 0x01, 0x02})},
      {"huge string length", bytes({0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})},
      {"huge array count", bytes({0x9b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00})},
      {"huge map count", bytes({0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})},
      {"uint beyond int64", bytes({0x1b, 0x80, 0, 0, 0, 0, 0, 0, 0})},
      {"nint beyond int64", bytes({0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0})},
      {"duplicate key", bytes({0xa2, 0x01, 0x00, 0x01, 0x00})},
      {"array as key", bytes({0xa1, 0x80, 0x00})},
      {"bad utf-8", bytes({0x62, 0xc3, 0x28})},
      {"surrogate", bytes({0x63, 0xed, 0xa0, 0x80})},
      {"overlong", bytes({0x62, 0xc0, 0xaf})},
  };
  for (const auto& [name, in] : cases) {
    auto r = cbor::decode(in);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << name;
    EXPECT_NE(r.error().message.find("CBOR"), std::string::npos) << name;
  }
}

TEST(WebauthnCbor, EnforcesDepthItemAndSizeLimits) {
  std::string deep(20, '\x81');
  deep.push_back('\x00');
  EXPECT_FALSE(cbor::decode(deep).ok());
  cbor::Limits limits;
  limits.max_depth = 30;
  EXPECT_TRUE(cbor::decode(deep, limits).ok());

  std::vector<Item> many(100, Item::of_int(1));
  std::string wide = cbor::encode(Item::of_array(many));
  limits = {};
  limits.max_items = 50;
  EXPECT_FALSE(cbor::decode(wide, limits).ok());
  EXPECT_TRUE(cbor::decode(wide).ok());
  limits = {};
  limits.max_bytes = 10;
  EXPECT_FALSE(cbor::decode(wide, limits).ok());
}

TEST(WebauthnCbor, DecodePrefixReportsTheLengthUsed) {
  std::string two = cbor::encode(Item::of_map({{Item::of_int(1), Item::of_int(2)}})) + "rest";
  std::size_t used = 0;
  auto r = cbor::decode_prefix(two, used);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(used, two.size() - 4);
}

std::string es256_cose(std::string x, std::string y) {
  return cbor::encode(Item::of_map({{Item::of_int(1), Item::of_int(2)},
                                    {Item::of_int(3), Item::of_int(-7)},
                                    {Item::of_int(-1), Item::of_int(1)},
                                    {Item::of_int(-2), Item::of_bytes(std::move(x))},
                                    {Item::of_int(-3), Item::of_bytes(std::move(y))}}));
}

TEST(WebauthnCoseKey, RefusesPointsOffTheCurveAndOtherAlgorithms) {
  auto off = public_key_from_cose(es256_cose(std::string(32, '\x01'), std::string(32, '\x02')));
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().code, ErrorCode::invalid_argument);
  EXPECT_FALSE(public_key_from_cose(es256_cose(std::string(31, '\x01'), std::string(32, '\x02'))).ok());
  auto eddsa = cbor::encode(Item::of_map({{Item::of_int(1), Item::of_int(1)},
                                          {Item::of_int(3), Item::of_int(-8)},
                                          {Item::of_int(-1), Item::of_int(6)},
                                          {Item::of_int(-2), Item::of_bytes(std::string(32, 'x'))}}));
  auto r = public_key_from_cose(eddsa);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ES256"), std::string::npos);
}

TEST(WebauthnAuthenticatorData, ParsesFlagsCounterAndAttestedData) {
  std::string ad(32, '\x11');
  ad.push_back(static_cast<char>(0x45));  // UP | UV | AT
  ad += bytes({0x00, 0x00, 0x01, 0x02});
  ad += std::string(16, '\x22');  // aaguid
  ad += bytes({0x00, 0x03}) + "abc";
  std::string key = es256_cose(std::string(32, 'x'), std::string(32, 'y'));
  ad += key;
  auto r = parse_authenticator_data(ad);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->user_present());
  EXPECT_TRUE(r->user_verified());
  EXPECT_EQ(r->sign_count, 258u);
  EXPECT_EQ(r->credential_id, "abc");
  EXPECT_EQ(r->cose_key, key);
  EXPECT_FALSE(parse_authenticator_data(ad + "x").ok());              // trailing
  EXPECT_FALSE(parse_authenticator_data(ad.substr(0, 36)).ok());      // short
  EXPECT_FALSE(parse_authenticator_data(ad.substr(0, ad.size() - 1)).ok());
  std::string zero_id = ad;
  zero_id[32 + 1 + 4 + 16 + 1] = 0;
  EXPECT_FALSE(parse_authenticator_data(zero_id).ok());
}

// Mutations of a valid attestation object: every result is either a value or an error,
// never a crash, a leak or undefined behaviour (the sanitizers watch).
TEST(WebauthnCbor, MutatedInputsNeverCrash) {
  std::string ad(32, '\x11');
  ad.push_back(static_cast<char>(0xC5));
  ad += bytes({0, 0, 0, 9}) + std::string(16, '\0') + bytes({0, 4}) + "cred";
  ad += es256_cose(std::string(32, 'x'), std::string(32, 'y'));
  ad += cbor::encode(Item::of_map({{Item::of_text("credProtect"), Item::of_int(2)}}));
  ASSERT_TRUE(parse_authenticator_data(ad).ok());
  std::string att = cbor::encode(Item::of_map({{Item::of_text("fmt"), Item::of_text("none")},
                                               {Item::of_text("attStmt"), Item::of_map({})},
                                               {Item::of_text("authData"), Item::of_bytes(ad)}}));
  std::mt19937 rng(12345);
  int ok_count = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string a = att, b = ad;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t pa = rng() % a.size(), pb = rng() % b.size();
      switch (rng() % 3) {
        case 0: a[pa] = static_cast<char>(rng()); b[pb] = static_cast<char>(rng()); break;
        case 1: a.resize(pa); b.resize(pb); break;
        default: a.insert(pa, 1, static_cast<char>(rng())); b.insert(pb, 1, static_cast<char>(rng()));
      }
      if (a.empty()) a = "\xa1";
      if (b.empty()) b = std::string(1, '\0');
    }
    if (cbor::decode(a).ok()) ++ok_count;
    if (auto p = parse_authenticator_data(b); p.ok() && p->attested)
      (void)public_key_from_cose(p->cose_key);
  }
  EXPECT_LT(ok_count, 3000);  // the mutations did reach the error paths
}

}  // namespace
}  // namespace koban::auth::webauthn
