// The password ledger on SQLite and PostgreSQL: sealed at rest, managers only, audit rows and
// notification jobs in the same transaction, refusals that change nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../org/org_fixture.h"
#include "audit/audit_log.h"
#include "auth/secret_box.h"
#include "ledger/ledger.h"
#include "ledger/ledger_migrations.h"
#include "org/permissions.h"

namespace koban::ledger {
namespace {

using org::testing::kNow;
constexpr const char* kSecret = "Tw1tter-Secret-2026!";

auth::SecretBox box_for(char fill) {
  return auth::SecretBox::from_key(std::string(auth::SecretBox::kKeyBytes, fill)).value();
}

class LedgerTest : public org::testing::OrgTest {
 protected:
  void SetUp() override {
    OrgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_TRUE(reg.add("store", store::store_migrations()).ok());
    ASSERT_TRUE(reg.add("org", org::org_migrations()).ok());
    ASSERT_TRUE(reg.add("audit", audit::audit_migrations()).ok());
    ASSERT_TRUE(reg.add("ledger", ledger_migrations()).ok());
    auto m = store::migrate(*db_, reg, kNow);
    ASSERT_TRUE(m.ok()) << m.error().message;
    t = make_tree();
    admin = hire_ok("system.kanri", t.root);
    m1 = hire_ok("koho.kacho", t.koho);
    m2 = hire_ok("koho.hosa", t.koho);
    other = hire_ok("chuo.tanto", t.chuo);
    grant_ok(admin, org::Purpose::administration, org::Role::system_admin, std::nullopt);
    grant_ok(m1, org::Purpose::social, org::Role::business_owner, std::nullopt);
    grant_ok(other, org::Purpose::website, org::Role::staff, t.chuo);
  }

  Who who(org::PersonId p) {
    Who w;
    auto r = db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(w.actor, org::load_actor(s, p));
      return ok();
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    w.unit_name = "試験課";
    w.address = "192.0.2.1";
    return w;
  }

  EntryId create_x() {
    auto r = w([&](store::Session& s) {
      return ledger.create(s, who(admin), {.service_name = "X（旧Twitter）", .account_name = "@sample_police",
                                           .url = "https://x.com/", .secret = kSecret, .notes = "二段階認証は広報課の端末",
                                           .managers = {m1, m2}},
                           kNow);
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(0);
  }

  std::int64_t count(const std::string& sql) {
    std::int64_t n = -1;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query(sql));
      n = rows.at(0).int64(0);
      return ok();
    }).ok());
    return n;
  }
  std::int64_t audits(const std::string& action, const std::string& outcome = "ok") {
    return count("SELECT COUNT(*) FROM audit_log WHERE action = '" + action + "' AND outcome = '" + outcome + "'");
  }
  std::vector<std::string> notify_payloads() {
    std::vector<std::string> out;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT payload FROM jobs WHERE kind = ? ORDER BY id", kNotifyJobKind));
      for (const auto& r : rows) out.push_back(r.text(0));
      return ok();
    }).ok());
    return out;
  }

  Tree t{};
  org::PersonId admin = 0, m1 = 0, m2 = 0, other = 0;
  Ledger ledger{box_for('k')};
};

TEST_P(LedgerTest, SealedAtRestAndWrongKeyCannotOpen) {
  const EntryId id = create_x();
  std::string raw_secret, raw_notes;
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT secret_sealed, notes_sealed FROM ledger_entries WHERE id = ?", id));
    raw_secret = rows.at(0).text(0);
    raw_notes = rows.at(0).text(1);
    return ok();
  }));
  EXPECT_EQ(raw_secret.find(kSecret), std::string::npos);
  EXPECT_EQ(raw_secret.find("Secret"), std::string::npos);
  EXPECT_EQ(raw_notes.find("二段階認証"), std::string::npos);
  EXPECT_GT(raw_secret.size(), std::string(kSecret).size());  // nonce and tag around it
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%Tw1tter%'"), 0);

  auto right = w([&](store::Session& s) { return ledger.reveal(s, who(m1), id, kNow); });
  ASSERT_OK(right);
  EXPECT_EQ(right->secret, kSecret);
  EXPECT_EQ(right->notes, "二段階認証は広報課の端末");

  const Ledger wrong{box_for('z')};
  auto bad = w([&](store::Session& s) { return wrong.reveal(s, who(m1), id, kNow); });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::internal);
  EXPECT_EQ(audits("ledger.secret.view"), 1);  // the failed open recorded nothing
}

TEST_P(LedgerTest, RevealByManagerIsAuditedOthersAreRefused) {
  const EntryId id = create_x();
  EXPECT_EQ(audits("ledger.entry.create"), 1);
  auto seen = w([&](store::Session& s) { return ledger.reveal(s, who(m2), id, kNow); });
  ASSERT_OK(seen);
  EXPECT_EQ(audits("ledger.secret.view"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.secret.view' AND actor_id = " +
                  std::to_string(m2) + " AND object_id = '" + std::to_string(id) + "'"),
            1);
  // Neither an outsider nor the system administrator (not designated) may read the secret.
  for (auto p : {other, admin}) {
    auto r = w([&](store::Session& s) { return ledger.reveal(s, who(p), id, kNow); });
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::permission_denied);
    EXPECT_THAT(r.error().message, ::testing::HasSubstr("パスワード管理者"));
  }
  EXPECT_EQ(audits("ledger.secret.view"), 1);
  auto missing = w([&](store::Session& s) { return ledger.reveal(s, who(m1), id + 100, kNow); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST_P(LedgerTest, ListAndDetailsNeverShowOthersEntries) {
  const EntryId x = create_x();
  auto y = w([&](store::Session& s) {
    return ledger.create(s, who(admin), {.service_name = "YouTube", .account_name = "pref.police", .secret = kSecret,
                                         .managers = {m2}},
                         kNow);
  });
  ASSERT_OK(y);
  auto list_for = [&](org::PersonId p) {
    std::vector<std::string> names;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto l, ledger.list(s, who(p).actor));
      for (const auto& e : l) names.push_back(e.service_name);
      return ok();
    }).ok());
    return names;
  };
  EXPECT_THAT(list_for(admin), ::testing::UnorderedElementsAre("X（旧Twitter）", "YouTube"));
  EXPECT_THAT(list_for(m1), ::testing::ElementsAre("X（旧Twitter）"));
  EXPECT_THAT(list_for(m2), ::testing::SizeIs(2));
  EXPECT_THAT(list_for(other), ::testing::IsEmpty());

  // ok, or the error code of details() for person p on entry id.
  auto d = [&](org::PersonId p, EntryId id) -> std::optional<ErrorCode> {
    auto r = db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto details, ledger.details(s, who(p).actor, id));
      EXPECT_EQ(details.id, id);
      return ok();
    });
    if (r) return std::nullopt;
    return r.error().code;
  };
  EXPECT_EQ(d(m1, x), std::nullopt);
  EXPECT_EQ(d(admin, *y), std::nullopt);
  EXPECT_EQ(d(m1, *y), ErrorCode::permission_denied);
  EXPECT_EQ(d(other, x), ErrorCode::permission_denied);
}

TEST_P(LedgerTest, ChangeEnforcesRulesAuditsAndNotifiesTheOthers) {
  const EntryId id = create_x();
  ASSERT_THAT(notify_payloads(), ::testing::SizeIs(1));  // creation told both managers
  auto weak = w([&](store::Session& s) { return ledger.change_secret(s, who(m1), id, "Short1!", kNow); });
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().code, ErrorCode::invalid_argument);
  EXPECT_THAT(weak.error().message, ::testing::HasSubstr("12文字以上"));
  auto same = w([&](store::Session& s) { return ledger.change_secret(s, who(m1), id, kSecret, kNow); });
  ASSERT_FALSE(same.ok());
  auto outsider = w([&](store::Session& s) { return ledger.change_secret(s, who(other), id, "New-Secret-2027!", kNow); });
  ASSERT_FALSE(outsider.ok());
  EXPECT_EQ(outsider.error().code, ErrorCode::permission_denied);
  EXPECT_EQ(audits("ledger.secret.change"), 0);
  EXPECT_THAT(notify_payloads(), ::testing::SizeIs(1));

  ASSERT_OK(w([&](store::Session& s) { return ledger.change_secret(s, who(m1), id, "New-Secret-2027!", kNow + std::chrono::hours(1)); }));
  EXPECT_EQ(audits("ledger.secret.change"), 1);
  const auto payloads = notify_payloads();
  ASSERT_THAT(payloads, ::testing::SizeIs(2));
  const auto j = nlohmann::json::parse(payloads.back());
  EXPECT_EQ(j["event"], "secret_changed");
  EXPECT_EQ(j["entry_id"], id);
  EXPECT_EQ(j["recipients"], nlohmann::json::array({m2}));  // not the one who changed it
  EXPECT_EQ(payloads.back().find("New-Secret"), std::string::npos);
  auto now_seen = w([&](store::Session& s) { return ledger.reveal(s, who(m2), id, kNow); });
  ASSERT_OK(now_seen);
  EXPECT_EQ(now_seen->secret, "New-Secret-2027!");
}

TEST_P(LedgerTest, OnlyAdministratorsManageTheManagers) {
  const EntryId id = create_x();
  auto by_manager = w([&](store::Session& s) { return ledger.add_manager(s, who(m1), id, other, kNow); });
  ASSERT_FALSE(by_manager.ok());
  EXPECT_EQ(by_manager.error().code, ErrorCode::permission_denied);
  auto create_by_manager = w([&](store::Session& s) {
    return ledger.create(s, who(m1), {.service_name = "Facebook", .account_name = "a", .secret = kSecret}, kNow);
  });
  ASSERT_FALSE(create_by_manager.ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM ledger_entries"), 1);

  ASSERT_OK(w([&](store::Session& s) { return ledger.add_manager(s, who(admin), id, other, kNow); }));
  EXPECT_EQ(audits("ledger.manager.add"), 1);
  auto twice = w([&](store::Session& s) { return ledger.add_manager(s, who(admin), id, other, kNow); });
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::conflict);
  ASSERT_OK(w([&](store::Session& s) { return ledger.reveal(s, who(other), id, kNow); }));

  ASSERT_OK(w([&](store::Session& s) { return ledger.remove_manager(s, who(admin), id, other, kNow); }));
  EXPECT_EQ(audits("ledger.manager.remove"), 1);
  auto gone = w([&](store::Session& s) { return ledger.reveal(s, who(other), id, kNow); });
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::permission_denied);
  auto unknown = w([&](store::Session& s) { return ledger.add_manager(s, who(admin), id, 99999, kNow); });
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::invalid_argument);
}

TEST_P(LedgerTest, CreateValidatesEveryField) {
  auto make = [&](NewEntry e) { return w([&](store::Session& s) { return ledger.create(s, who(admin), e, kNow); }); };
  EXPECT_FALSE(make({.service_name = "", .account_name = "a", .secret = kSecret}).ok());
  EXPECT_FALSE(make({.service_name = "X", .account_name = "a", .url = "javascript:alert(1)", .secret = kSecret}).ok());
  EXPECT_FALSE(make({.service_name = "X\n", .account_name = "a", .secret = kSecret}).ok());
  EXPECT_FALSE(make({.service_name = std::string(kMaxServiceBytes + 1, 'x'), .account_name = "a", .secret = kSecret}).ok());
  EXPECT_FALSE(make({.service_name = "X", .account_name = "a", .secret = "password"}).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM ledger_entries"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), 0);
}

KOBAN_BACKEND_TESTS(LedgerTest);

}  // namespace
}  // namespace koban::ledger
