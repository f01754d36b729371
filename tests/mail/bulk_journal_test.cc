// The bulk journal: records round-trip, a torn tail is dropped and cut off, the flock keeps
// a second sender out.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "../store/test_db.h"
#include "mail/bulk/journal.h"

namespace koban::mail::bulk {
namespace {

class BulkJournalTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = store::testing::make_temp_dir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(BulkJournalTest, RecordsRoundTripFromAnOffset) {
  const std::string path = dir_ + "/1.journal";
  std::uint64_t after_two = 0;
  {
    auto j = Journal::open(path);
    ASSERT_OK(j);
    ASSERT_OK(j->append({1, JournalStatus::sent, 250, 0, "2.0.0 Ok"}));
    auto e = j->append({2, JournalStatus::deferred, 451, 0, "4.7.1 later"});
    ASSERT_OK(e);
    after_two = *e;
    ASSERT_OK(j->append({3, JournalStatus::bounced, 550, 2, std::string(500, 'x')}));
    ASSERT_OK(j->sync());
  }
  auto j = Journal::open(path);
  ASSERT_OK(j);
  auto all = j->read_from(0);
  ASSERT_OK(all);
  ASSERT_EQ(all->records.size(), 3u);
  EXPECT_FALSE(all->torn);
  EXPECT_EQ(all->records[1].item_id, 2);
  EXPECT_EQ(all->records[1].status, JournalStatus::deferred);
  EXPECT_EQ(all->records[1].code, 451);
  EXPECT_EQ(all->records[1].text, "4.7.1 later");
  EXPECT_EQ(all->records[2].attempts_before, 2);
  EXPECT_EQ(all->records[2].text.size(), kMaxJournalText);
  EXPECT_EQ(all->ends[1], after_two);
  EXPECT_EQ(all->end, j->size());
  auto tail = j->read_from(after_two);
  ASSERT_OK(tail);
  ASSERT_EQ(tail->records.size(), 1u);
  EXPECT_EQ(tail->records[0].item_id, 3);
  auto two = j->read_from(0, 2);
  ASSERT_OK(two);
  EXPECT_EQ(two->records.size(), 2u);
  EXPECT_EQ(two->end, after_two);
}

TEST_F(BulkJournalTest, ATornLastRecordIsDroppedAndCutOff) {
  const std::string path = dir_ + "/2.journal";
  std::uint64_t good_end = 0;
  {
    auto j = Journal::open(path);
    ASSERT_OK(j);
    ASSERT_OK(j->append({10, JournalStatus::sent, 250, 0, "ok"}));
    auto e = j->append({11, JournalStatus::sent, 250, 0, "ok"});
    ASSERT_OK(e);
    good_end = *e;
  }
  for (std::size_t cut : {1u, 7u, 12u}) {
    const std::string rec = Journal::encode({12, JournalStatus::sent, 250, 0, "ok"});
    std::FILE* f = std::fopen(path.c_str(), "ab");
    std::fwrite(rec.data(), 1, rec.size() - cut, f);
    std::fclose(f);
    auto j = Journal::open(path);
    ASSERT_OK(j);
    auto r = j->read_from(0);
    ASSERT_OK(r);
    EXPECT_TRUE(r->torn) << cut;
    ASSERT_EQ(r->records.size(), 2u) << cut;
    EXPECT_EQ(r->end, good_end);
    EXPECT_EQ(std::filesystem::file_size(path), good_end);
  }
  // A damaged payload (checksum) at the end is dropped too; appends continue after it.
  {
    std::string rec = Journal::encode({13, JournalStatus::sent, 250, 0, "ok"});
    rec[10] ^= 0x5a;
    std::FILE* f = std::fopen(path.c_str(), "ab");
    std::fwrite(rec.data(), 1, rec.size(), f);
    std::fclose(f);
  }
  auto j = Journal::open(path);
  ASSERT_OK(j);
  auto r = j->read_from(0);
  ASSERT_OK(r);
  EXPECT_TRUE(r->torn);
  EXPECT_EQ(r->records.size(), 2u);
  ASSERT_OK(j->append({14, JournalStatus::sent, 250, 0, "ok"}));
  auto again = j->read_from(0);
  ASSERT_OK(again);
  EXPECT_FALSE(again->torn);
  ASSERT_EQ(again->records.size(), 3u);
  EXPECT_EQ(again->records[2].item_id, 14);
}

TEST_F(BulkJournalTest, ASecondOpenIsRefusedWhileTheFirstHoldsIt) {
  const std::string path = dir_ + "/3.journal";
  auto a = Journal::open(path);
  ASSERT_OK(a);
  auto b = Journal::open(path);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::conflict);
  a->remove();
  EXPECT_FALSE(std::filesystem::exists(path));
  auto c = Journal::open(path);
  EXPECT_TRUE(c.ok());
}

}  // namespace
}  // namespace koban::mail::bulk
