// The audit chain on both backends: append, verify and tampering, concurrency.
#include "audit/audit_log.h"

#include <atomic>
#include <thread>

#include "../store/test_db.h"
#include "audit/chain_hash.h"
#include "audit/verify.h"
#include "store/migrations.h"

namespace koban::audit {
namespace {

using store::testing::BackendTest;
const Instant kT0 = from_unix(1'800'000'000);

Event event_n(int n) {
  Event e;
  e.actor_id = 100 + n % 3;
  e.actor_name = "職員" + std::to_string(n % 3);
  e.unit_id = n % 2 == 0 ? std::optional<std::int64_t>(7) : std::nullopt;
  e.unit_name = n % 2 == 0 ? "広報課" : "";
  e.action = n % 2 == 0 ? "site.article.approve" : "auth.login";
  e.object_type = "article";
  e.object_id = std::to_string(n);
  e.summary = "変更 " + std::to_string(n);
  e.address = "192.0.2." + std::to_string(n % 250);
  e.outcome = n % 5 == 0 ? Outcome::refused : Outcome::ok;
  return e;
}

class AuditLogTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_OK(reg.add("store", store::store_migrations()));
    ASSERT_OK(reg.add("audit", audit_migrations()));
    ASSERT_OK(store::migrate(*db_, reg, kT0));
  }

  // Appends events 1..n, one transaction each.
  void append_n(int n) {
    for (int i = 1; i <= n; ++i) {
      ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
        KOBAN_ASSIGN(auto seq, append(s, event_n(i), kT0 + std::chrono::seconds(i)));
        if (seq != i) return Error::internal("unexpected seq " + std::to_string(seq));
        return ok();
      }));
    }
  }

  void exec(const std::string& sql) {
    ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(s.exec(sql));
      return ok();
    }));
  }

  std::vector<Record> all_rows() {
    std::vector<Record> out;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
                    KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kAuditColumns +
                                                    " FROM audit_log ORDER BY seq"));
                    for (auto& r : rows) out.push_back(record_from_row(r));
                    return ok();
                  }).ok());
    return out;
  }

  VerifyReport verify_ok_result(int page_size = 4) {
    auto r = verify(*db_, {}, page_size);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : VerifyReport{};
  }
};

TEST_P(AuditLogTest, AppendChainsEachRecordToThePrevious) {
  append_n(5);
  auto rows = all_rows();
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].prev_hash, kGenesisHash);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(rows[i].hash, record_hash(rows[i]));
    if (i > 0) {
      EXPECT_EQ(rows[i].prev_hash, rows[i - 1].hash);
    }
  }
  const Event want = event_n(5);
  EXPECT_EQ(rows[4].event.actor_id, want.actor_id);
  EXPECT_EQ(rows[4].event.unit_id, want.unit_id);
  EXPECT_EQ(rows[4].event.summary, want.summary);
  EXPECT_EQ(rows[4].event.outcome, Outcome::refused);
  EXPECT_EQ(rows[4].at, kT0 + std::chrono::seconds(5));
}

TEST_P(AuditLogTest, RolledBackAppendLeavesNothing) {
  append_n(2);
  auto r = db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(append(s, event_n(3), kT0));
    return Error::conflict("the business change failed");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(all_rows().size(), 2u);
  // The next append continues the chain without a gap.
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto seq, append(s, event_n(4), kT0));
    return seq == 3 ? ok() : Result<void>(Error::internal("seq " + std::to_string(seq)));
  }));
  EXPECT_TRUE(verify_ok_result().ok);
}

TEST_P(AuditLogTest, InvalidActionIsRefusedAndNothingStored) {
  Event e = event_n(1);
  e.action = "DROP TABLE";
  auto r = db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(append(s, e, kT0));
    return ok();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(all_rows().empty());
}

TEST_P(AuditLogTest, VerifyOkOnAGoodChainAcrossPages) {
  append_n(11);
  std::vector<std::int64_t> progress;
  auto r = verify(*db_, [&](std::int64_t n) { progress.push_back(n); }, 4);
  ASSERT_OK(r);
  EXPECT_TRUE(r->ok) << r->message_en;
  EXPECT_EQ(r->rows_checked, 11);
  EXPECT_EQ(r->last_seq, 11);
  EXPECT_EQ(r->last_hash, all_rows().back().hash);
  EXPECT_EQ(r->problem, Problem::none);
  EXPECT_EQ(progress, (std::vector<std::int64_t>{4, 8, 11}));
}

TEST_P(AuditLogTest, VerifyOkOnAnEmptyLog) {
  auto r = verify_ok_result();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.rows_checked, 0);
  EXPECT_EQ(r.last_hash, kGenesisHash);
}

TEST_P(AuditLogTest, EditedSummaryIsFound) {
  append_n(10);
  exec("UPDATE audit_log SET summary = '変更なし' WHERE seq = 6");
  auto r = verify_ok_result();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.problem, Problem::edited);
  EXPECT_EQ(r.bad_seq, 6);
  EXPECT_EQ(r.last_seq, 5);
  EXPECT_NE(r.message_ja.find("seq 6"), std::string::npos) << r.message_ja;
  EXPECT_NE(r.message_en.find("seq 6"), std::string::npos) << r.message_en;
}

TEST_P(AuditLogTest, EditedOutcomeToAnUnknownValueIsFound) {
  append_n(4);  // seq 1..4 are all "ok"
  exec("UPDATE audit_log SET outcome = 'OK ' WHERE seq = 2");
  auto r = verify_ok_result();
  EXPECT_EQ(r.problem, Problem::edited);
  EXPECT_EQ(r.bad_seq, 2);
}

TEST_P(AuditLogTest, DeletedMiddleRowIsFound) {
  append_n(10);
  exec("DELETE FROM audit_log WHERE seq = 5");
  auto r = verify_ok_result();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.problem, Problem::missing);
  EXPECT_EQ(r.bad_seq, 5);
  EXPECT_NE(r.message_en.find("seq 5 missing"), std::string::npos) << r.message_en;
}

TEST_P(AuditLogTest, DeletedFirstRowsAreFound) {
  append_n(6);
  exec("DELETE FROM audit_log WHERE seq <= 2");
  auto r = verify_ok_result();
  EXPECT_EQ(r.problem, Problem::missing);
  EXPECT_EQ(r.bad_seq, 1);
  EXPECT_NE(r.message_en.find("seq 1-2 missing"), std::string::npos) << r.message_en;
}

TEST_P(AuditLogTest, RowInsertedBeforeTheFirstIsFound) {
  append_n(3);
  exec("INSERT INTO audit_log (seq, at, actor_name, unit_name, action, object_type, object_id,"
       " summary, address, outcome, prev_hash, hash) SELECT 0, at, actor_name, unit_name, action,"
       " object_type, object_id, summary, address, outcome, prev_hash, hash FROM audit_log"
       " WHERE seq = 1");
  auto r = verify_ok_result();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.problem, Problem::edited);
  EXPECT_EQ(r.bad_seq, 0);
}

TEST_P(AuditLogTest, SwappedRowsAreFound) {
  append_n(10);
  exec("UPDATE audit_log SET seq = -1 WHERE seq = 4");
  exec("UPDATE audit_log SET seq = 4 WHERE seq = 5");
  exec("UPDATE audit_log SET seq = 5 WHERE seq = -1");
  auto r = verify_ok_result();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.problem, Problem::reordered) << r.message_en;
  EXPECT_EQ(r.bad_seq, 4);
  EXPECT_NE(r.message_en.find("written as seq 5"), std::string::npos) << r.message_en;
}

TEST_P(AuditLogTest, SwappedLastTwoRowsAreFound) {
  append_n(6);
  exec("UPDATE audit_log SET seq = -1 WHERE seq = 5");
  exec("UPDATE audit_log SET seq = 5 WHERE seq = 6");
  exec("UPDATE audit_log SET seq = 6 WHERE seq = -1");
  auto r = verify_ok_result();
  EXPECT_EQ(r.problem, Problem::reordered) << r.message_en;
  EXPECT_EQ(r.bad_seq, 5);
}

TEST_P(AuditLogTest, EditedLastRowIsFound) {
  append_n(7);
  exec("UPDATE audit_log SET actor_id = 1 WHERE seq = 7");
  auto r = verify_ok_result();
  EXPECT_EQ(r.problem, Problem::edited);
  EXPECT_EQ(r.bad_seq, 7);
  EXPECT_EQ(r.last_seq, 6);
}

TEST_P(AuditLogTest, RowRewrittenWithItsHashBreaksTheNextLink) {
  append_n(8);
  // An attacker who knows the encoding rewrites seq 3 and recomputes its hash.
  auto rows = all_rows();
  Record forged = rows[2];
  forged.event.summary = "改ざん";
  forged.hash = record_hash(forged);
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("UPDATE audit_log SET summary = ?, hash = ? WHERE seq = 3",
                     forged.event.summary, forged.hash));
    return ok();
  }));
  auto r = verify_ok_result();
  EXPECT_EQ(r.problem, Problem::broken_link) << r.message_en;
  EXPECT_EQ(r.bad_seq, 4);
  EXPECT_NE(r.message_en.find("seq 3"), std::string::npos) << r.message_en;
}

TEST_P(AuditLogTest, ConcurrentAppendsKeepOneChain) {
  constexpr int kThreads = 4, kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = db_->write([&](store::Session& s) -> Result<void> {
          KOBAN_TRY(append(s, event_n(t * kEach + i), kT0));
          return ok();
        });
        if (!r) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto r = verify_ok_result(16);
  EXPECT_TRUE(r.ok) << r.message_en;
  EXPECT_EQ(r.rows_checked, kThreads * kEach);
}

TEST_P(AuditLogTest, ConcurrentAppendsFromTwoProcessesKeepOneChain) {
  auto other = open_another();
  ASSERT_TRUE(other);
  std::atomic<int> failures{0};
  auto run = [&](store::Database& db, int base) {
    for (int i = 0; i < 20; ++i)
      if (!db.write([&](store::Session& s) -> Result<void> {
            KOBAN_TRY(append(s, event_n(base + i), kT0));
            return ok();
          }))
        ++failures;
  };
  std::thread a([&] { run(*db_, 0); });
  std::thread b([&] { run(*other, 100); });
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  auto r = verify_ok_result(8);
  EXPECT_TRUE(r.ok) << r.message_en;
  EXPECT_EQ(r.rows_checked, 40);
}

TEST_P(AuditLogTest, VerifyCommandExitCodes) {
  append_n(3);
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(run_verify_command(*db_, out), 0);
  exec("UPDATE audit_log SET address = '203.0.113.9' WHERE seq = 2");
  EXPECT_EQ(run_verify_command(*db_, out), 1);
  exec("DROP TABLE audit_log");
  EXPECT_EQ(run_verify_command(*db_, out), 2);
  std::rewind(out);
  std::string text;
  char buf[512];
  while (std::fgets(buf, sizeof buf, out)) text += buf;
  std::fclose(out);
  EXPECT_NE(text.find("監査ログは正常です"), std::string::npos) << text;
  EXPECT_NE(text.find("seq 2"), std::string::npos) << text;
  EXPECT_NE(text.find("could not read the audit log"), std::string::npos) << text;
}

KOBAN_BACKEND_TESTS(AuditLogTest);

}  // namespace
}  // namespace koban::audit
