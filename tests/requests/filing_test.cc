// Administrative request forms on both backends: field validation, filing, remand and
// resubmission with corrected fields, the two-step chain.
#include <gtest/gtest.h>

#include "../workflow/workflow_fixture.h"
#include "requests/filing.h"
#include "requests/forms.h"
#include "requests/requests_migrations.h"

namespace koban::requests {
namespace {

using workflow::RequestState;
using workflow::testing::kWeekday10;

std::map<std::string, std::string> good_grant() {
  return {{"system", "website"}, {"grantee", "中央警察署 生活安全課"}, {"scope", "記事の作成と公開依頼"},
          {"start_date", "2026-12-01"}, {"reason", "防犯情報を掲載するため"}};
}

class FilingTest : public workflow::testing::WorkflowTest {
 protected:
  void SetUp() override {
    WorkflowTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;  // every module already migrated, plus requests
    ASSERT_TRUE(reg.add("store", store::store_migrations()).ok());
    ASSERT_TRUE(reg.add("org", org::org_migrations()).ok());
    ASSERT_TRUE(reg.add("audit", audit::audit_migrations()).ok());
    ASSERT_TRUE(reg.add("workflow", workflow::workflow_migrations()).ok());
    ASSERT_TRUE(reg.add("requests", requests_migrations()).ok());
    auto m = store::migrate(*db_, reg, org::testing::kNow);
    ASSERT_TRUE(m.ok()) << m.error().message;
    using org::Purpose;
    using org::Role;
    grant_ok(head, Purpose::administration, Role::unit_manager, t.chuo);
    grant_ok(staff, Purpose::administration, Role::staff, t.chuo);
    grant_ok(outsider, Purpose::administration, Role::unit_manager, t.kita);
    grant_ok(koho, Purpose::administration, Role::overall_manager, std::nullopt);
    ASSERT_TRUE(register_request_kinds(kinds, cal, "koho").ok());
  }

  Result<workflow::RequestId> file(std::map<std::string, std::string> input, org::PersonId by = 0) {
    return w([&](store::Session& s) {
      return file_request(s, kinds, {.kind = "org.access_grant", .unit_id = t.chuo, .title = "HP運用所属の設定",
                                     .input = input}, {.person = by ? by : staff}, kWeekday10);
    });
  }
  std::int64_t forms() { return scalar("SELECT COUNT(*) FROM request_forms"); }
  std::int64_t requests() { return scalar("SELECT COUNT(*) FROM requests"); }
};

TEST_P(FilingTest, EveryBadFieldIsNamedAndNothingIsWritten) {
  auto input = good_grant();
  input["system"] = "intranet";           // not an option
  input["start_date"] = "2026-02-30";     // no such day
  input["grantee"] = "";                  // required
  input["scope"] = std::string(2001, 'a');  // too long for a textarea
  input["reason"] = "理由\x01";            // control character
  const auto audit_before = audit_rows();
  auto r = file(input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  const auto& m = r.error().message;
  EXPECT_NE(m.find("「対象システム」の選択肢にない値です"), std::string::npos) << m;
  EXPECT_NE(m.find("「利用開始日」は 2026-04-01 の形"), std::string::npos) << m;
  EXPECT_NE(m.find("「対象者又は対象所属」を入力してください"), std::string::npos) << m;
  EXPECT_NE(m.find("「利用の範囲」は2000文字以内"), std::string::npos) << m;
  EXPECT_NE(m.find("「理由」に使えない文字"), std::string::npos) << m;
  EXPECT_EQ(requests(), 0);
  EXPECT_EQ(forms(), 0);
  EXPECT_EQ(audit_rows(), audit_before);

  // A missing select says "選択", line breaks are kept in long text, CRLF becomes LF.
  const FormSpec* f = find_form("org.mail_address");
  ASSERT_NE(f, nullptr);
  auto v = validate_fields(*f, {{"section", "生活安全課"}, {"reason", "一行目\r\n二行目"}});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("「申請の種別」を選択してください"), std::string::npos);
  auto ok = validate_fields(*f, {{"action", "issue"}, {"section", " 生活安全課 "}, {"reason", "一行目\r\n二行目"},
                                  {"evil", "ignored"}});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ((*ok)["reason"], "一行目\n二行目");
  EXPECT_EQ((*ok)["section"], "生活安全課");
  EXPECT_EQ((*ok)["address"], "");
  EXPECT_FALSE(ok->contains("evil"));
}

TEST_P(FilingTest, FormNumberFollowsTheSeed) {
  ASSERT_EQ(all_forms().size(), 6u);
  const FormSpec* g = find_form("org.access_grant");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(form_number(*g, {{"system", "procedures"}}), "別記第3号様式");
  EXPECT_EQ(form_number(*g, {{"system", "website"}}), "別記第4号様式");
  const FormSpec* m = find_form("org.mail_address");
  EXPECT_EQ(form_number(*m, {{"action", "issue"}}), "別記第5号様式");
  EXPECT_EQ(form_number(*m, {{"action", "delete"}}), "別記第7号様式");
  EXPECT_EQ(form_number(*find_form("org.settings_change"), nlohmann::json::object()), "別記第8号様式");
  EXPECT_EQ(form_number(*find_form("org.procedure_change"), {{"action", "stop"}}), "別記第2号様式");
  EXPECT_EQ(find_form("org.unknown"), nullptr);
  for (const auto& f : all_forms()) EXPECT_TRUE(kinds.find(f.kind).ok()) << f.kind;
}

TEST_P(FilingTest, FiledRequestWaitsForTheHeadThenTheReviewerAndIsCarriedOut) {
  auto id = file(good_grant());
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(req(*id).state, RequestState::submitted);
  auto fields = w([&](store::Session& s) { return form_fields(s, *id); });
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ((*fields)["grantee"], "中央警察署 生活安全課");
  EXPECT_THAT(current(*id).approvers, ::testing::ElementsAre(head));

  // The outsider (another station's head) may not decide; the request is unchanged.
  auto refused = w([&](store::Session& s) { return workflow::approve(s, kinds, *id, {.person = outsider}, "", kWeekday10); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::permission_denied);

  ASSERT_OK(w([&](store::Session& s) { return workflow::approve(s, kinds, *id, {.person = head}, "", kWeekday10); }));
  EXPECT_EQ(current(*id).rule_name, "hq_review");
  EXPECT_THAT(current(*id).approvers, ::testing::ElementsAre(koho));
  ASSERT_OK(w([&](store::Session& s) { return workflow::approve(s, kinds, *id, {.person = koho}, "了承", kWeekday10); }));
  EXPECT_EQ(req(*id).state, RequestState::approved);
  ASSERT_OK(w([&](store::Session& s) { return workflow::carry_out(s, kinds, *id, {.person = koho}, kWeekday10); }));
  EXPECT_EQ(req(*id).state, RequestState::carried_out);
}

TEST_P(FilingTest, RemandedRequestIsCorrectedByItsCreatorOnly) {
  auto id = file(good_grant());
  ASSERT_TRUE(id.ok()) << id.error().message;
  ASSERT_OK(w([&](store::Session& s) {
    return workflow::remand(s, kinds, *id, {.person = head}, "利用開始日を見直してください", kWeekday10);
  }));
  auto corrected = good_grant();
  corrected["start_date"] = "2027-01-04";

  auto by_other = w([&](store::Session& s) { return resubmit(s, kinds, *id, corrected, {.person = head}, kWeekday10); });
  ASSERT_FALSE(by_other.ok());
  EXPECT_EQ(by_other.error().code, ErrorCode::permission_denied);
  auto bad = corrected;
  bad["start_date"] = "明日";
  auto invalid = w([&](store::Session& s) { return resubmit(s, kinds, *id, bad, {.person = staff}, kWeekday10); });
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(req(*id).state, RequestState::remanded);

  ASSERT_OK(w([&](store::Session& s) { return resubmit(s, kinds, *id, corrected, {.person = staff}, kWeekday10); }));
  EXPECT_EQ(req(*id).state, RequestState::submitted);
  EXPECT_EQ(req(*id).round, 2);
  auto fields = w([&](store::Session& s) { return form_fields(s, *id); });
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ((*fields)["start_date"], "2027-01-04");
  EXPECT_EQ(scalar_text("SELECT summary FROM audit_log WHERE action = 'requests.form.update'"),
            "修正した項目: 利用開始日");

  // Submitted again: no more corrections until the next remand.
  auto again = w([&](store::Session& s) { return resubmit(s, kinds, *id, corrected, {.person = staff}, kWeekday10); });
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
}

KOBAN_BACKEND_TESTS(FilingTest);

}  // namespace
}  // namespace koban::requests
