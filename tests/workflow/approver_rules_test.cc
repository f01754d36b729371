// The ALERT-4 rule (unit_head_or_stand_in) and the HQ reviewer, through submit().
#include "workflow_fixture.h"

namespace koban::workflow::testing {
namespace {

using ::testing::ElementsAre;

class ApproverRulesTest : public WorkflowTest {};

TEST_P(ApproverRulesTest, WeekdayOfficeHoursGoesToTheHead) {
  auto id = submitted("alert.send", staff, kWeekday10);
  auto st = current(id);
  EXPECT_THAT(st.approvers, ElementsAre(head));
  EXPECT_EQ(st.acting_as, "unit_head");
  EXPECT_EQ(st.rule_name, "unit_head");
  EXPECT_FALSE(st.post_hoc_to.has_value());
  EXPECT_EQ(req(id).state, RequestState::submitted);
}

TEST_P(ApproverRulesTest, HeadAwayGoesToThePrLeadWithAReportToTheHead) {
  ASSERT_OK(w([&](store::Session& s) {
    return org::add_absence(s, head, kWeekday10 - std::chrono::hours(2),
                            kWeekday10 + std::chrono::hours(48), "出張", kWeekday10);
  }));
  auto st = current(submitted("alert.send", staff, kWeekday10));
  EXPECT_THAT(st.approvers, ElementsAre(lead));
  EXPECT_EQ(st.acting_as, "pr_lead_for_absent_head");
  EXPECT_EQ(st.post_hoc_to, std::optional<org::PersonId>(head));
}

TEST_P(ApproverRulesTest, HolidayNightGoesToTheDutyOfficerWithAReportToTheHead) {
  auto st = current(submitted("alert.send", staff, kHoliday2159));
  EXPECT_THAT(st.approvers, ElementsAre(duty));
  EXPECT_EQ(st.acting_as, "duty_officer");
  EXPECT_EQ(st.post_hoc_to, std::optional<org::PersonId>(head));
}

TEST_P(ApproverRulesTest, NightWithoutDutyOfficerFallsBackToTheHead) {
  ASSERT_OK(w([&](store::Session& s) { return org::suspend(s, duty, kHoliday2159); }));
  auto st = current(submitted("alert.send", staff, kHoliday2159));
  EXPECT_THAT(st.approvers, ElementsAre(head));
  EXPECT_EQ(st.acting_as, "unit_head");
}

TEST_P(ApproverRulesTest, HeadsOwnRequestGoesToNobodyAndStaysADraft) {
  // The head is the only approver in office hours and cannot approve their own request.
  auto id = draft("alert.send", head, kWeekday10);
  auto r = w([&](store::Session& s) { return submit(s, kinds, id, {.person = head}, kWeekday10); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(req(id).state, RequestState::draft);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM request_steps"), 0);
}

TEST_P(ApproverRulesTest, HqReviewerIsTheDivisionHeadAndForceWideBusinessOwners) {
  auto id = submitted("site.publish", staff, kWeekday10);
  ASSERT_OK(w([&](store::Session& s) { return approve(s, kinds, id, {.person = head}, "", kWeekday10); }));
  auto st = current(id);
  EXPECT_EQ(st.step_no, 2);
  EXPECT_EQ(st.rule_name, "hq_review");
  EXPECT_EQ(st.acting_as, "hq_reviewer");
  EXPECT_THAT(st.approvers, ElementsAre(koho));
}

KOBAN_BACKEND_TESTS(ApproverRulesTest);

}  // namespace
}  // namespace koban::workflow::testing
