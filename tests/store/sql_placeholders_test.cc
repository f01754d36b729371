#include "store/sql_placeholders.h"

#include <gtest/gtest.h>

namespace koban::store {
namespace {

std::string rw(std::string_view sql, int expect_count) {
  auto r = rewrite_placeholders(sql);
  EXPECT_TRUE(r.ok()) << sql;
  if (!r) return {};
  EXPECT_EQ(r->count, expect_count) << sql;
  return r->sql;
}

TEST(Placeholders, NumbersInOrder) {
  EXPECT_EQ(rw("SELECT a FROM t WHERE b = ? AND c IN (?, ?)", 3),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
}

TEST(Placeholders, SkipsQuotedStringsAndIdentifiers) {
  EXPECT_EQ(rw("SELECT '?', 'it''s ?', \"we?ird\"\"?\", ? FROM t", 1),
            "SELECT '?', 'it''s ?', \"we?ird\"\"?\", $1 FROM t");
}

TEST(Placeholders, SkipsEscapeStringsWithBackslashes) {
  EXPECT_EQ(rw("SELECT E'a\\'?', ?", 1), "SELECT E'a\\'?', $1");
  // A plain string ending in a backslash is not an escape string.
  EXPECT_EQ(rw("SELECT 'a\\', ?", 1), "SELECT 'a\\', $1");
  // "type'..." is not E'...': only a lone E prefix counts.
  EXPECT_EQ(rw("SELECT note'x\\', ?", 1), "SELECT note'x\\', $1");
}

TEST(Placeholders, SkipsComments) {
  EXPECT_EQ(rw("SELECT ? -- what?\n, ? /* why? /* nested? */ */ , ?", 3),
            "SELECT $1 -- what?\n, $2 /* why? /* nested? */ */ , $3");
}

TEST(Placeholders, SkipsDollarQuotes) {
  EXPECT_EQ(rw("SELECT $$a?b$$, $fn$ ? $fn$, ?", 1), "SELECT $$a?b$$, $fn$ ? $fn$, $1");
}

TEST(Placeholders, UnterminatedIsAnError) {
  EXPECT_FALSE(rewrite_placeholders("SELECT 'abc").ok());
  EXPECT_FALSE(rewrite_placeholders("SELECT \"abc").ok());
  EXPECT_FALSE(rewrite_placeholders("SELECT /* abc").ok());
  EXPECT_FALSE(rewrite_placeholders("SELECT $x$ abc").ok());
}

TEST(Placeholders, NoPlaceholders) {
  EXPECT_EQ(rw("SELECT 1", 0), "SELECT 1");
  EXPECT_EQ(rw("", 0), "");
}

}  // namespace
}  // namespace koban::store
