// Waiting lists, dashboard counts, post-hoc reports and reminders.
#include "workflow_fixture.h"

namespace koban::workflow::testing {
namespace {

class QueuesTest : public WorkflowTest {};

TEST_P(QueuesTest, WaitingForListsOnlyTheCurrentApprovers) {
  auto a = submitted("site.publish", staff, kWeekday10);
  auto b = submitted("alert.send", staff, kWeekday10 + std::chrono::minutes(1));
  auto mine = w([&](store::Session& s) { return waiting_for(s, head); });
  ASSERT_OK(mine);
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].request.id, a);  // oldest first
  EXPECT_EQ((*mine)[1].request.id, b);
  auto none = w([&](store::Session& s) { return waiting_for(s, koho); });
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());

  ASSERT_OK(w([&](store::Session& s) { return approve(s, kinds, a, {.person = head}, "", kWeekday10); }));
  auto head_counts = w([&](store::Session& s) { return dashboard_counts(s, head); });
  ASSERT_OK(head_counts);
  EXPECT_EQ(head_counts->waiting, 1);
  auto koho_list = w([&](store::Session& s) { return waiting_for(s, koho); });
  ASSERT_OK(koho_list);
  ASSERT_EQ(koho_list->size(), 1u);
  EXPECT_EQ((*koho_list)[0].step.step_no, 2);
  auto staff_counts = w([&](store::Session& s) { return dashboard_counts(s, staff); });
  ASSERT_OK(staff_counts);
  EXPECT_EQ(staff_counts->my_submitted, 2);
  EXPECT_EQ(staff_counts->waiting, 0);
}

TEST_P(QueuesTest, StandInApprovalLeavesAReportTheHeadMustAcknowledge) {
  auto id = submitted("alert.send", staff, kHoliday2159);
  auto jobs = notify_jobs();
  ASSERT_OK(w([&](store::Session& s) { return approve(s, kinds, id, {.person = duty}, "当直で承認", kHoliday2159); }));
  EXPECT_EQ(req(id).state, RequestState::approved);
  EXPECT_EQ(notify_jobs(), jobs + 2);  // approved (to the creator) and the post-hoc report
  auto last = scalar_text("SELECT payload FROM jobs WHERE kind = 'workflow.notify' ORDER BY id DESC LIMIT 1");
  EXPECT_NE(last.find("post_hoc_report"), std::string::npos) << last;

  auto pending = w([&](store::Session& s) { return pending_post_hoc(s, head); });
  ASSERT_OK(pending);
  ASSERT_EQ(pending->size(), 1u);
  auto step = (*pending)[0].step;
  EXPECT_EQ(step.acting_as, "duty_officer");
  EXPECT_EQ(step.actor, std::optional<org::PersonId>(duty));
  auto counts = w([&](store::Session& s) { return dashboard_counts(s, head); });
  ASSERT_OK(counts);
  EXPECT_EQ(counts->post_hoc_pending, 1);

  // Nobody acknowledges for the head.
  auto by_other = w([&](store::Session& s) { return acknowledge(s, head, step.id, {.person = duty}, kHoliday2159); });
  ASSERT_FALSE(by_other.ok());
  EXPECT_EQ(by_other.error().code, ErrorCode::permission_denied);
  auto not_theirs = w([&](store::Session& s) { return acknowledge(s, lead, step.id, {.person = lead}, kHoliday2159); });
  ASSERT_FALSE(not_theirs.ok());

  auto audits = audit_rows();
  const Instant next_morning = from_jst({{2026, 11, 24}, 8, 45, 0});
  ASSERT_OK(w([&](store::Session& s) { return acknowledge(s, head, step.id, {.person = head}, next_morning); }));
  EXPECT_EQ(audit_rows(), audits + 1);
  auto twice = w([&](store::Session& s) { return acknowledge(s, head, step.id, {.person = head}, next_morning); });
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::conflict);
  pending = w([&](store::Session& s) { return pending_post_hoc(s, head); });
  ASSERT_OK(pending);
  EXPECT_TRUE(pending->empty());
  auto acked = w([&](store::Session& s) { return get_step(s, step.id); });
  ASSERT_OK(acked);
  EXPECT_EQ(acked->acknowledged_at, std::optional<Instant>(next_morning));
}

TEST_P(QueuesTest, HeadApprovalLeavesNoReport) {
  auto id = submitted("alert.send", staff, kWeekday10);
  ASSERT_OK(w([&](store::Session& s) { return approve(s, kinds, id, {.person = head}, "", kWeekday10); }));
  auto pending = w([&](store::Session& s) { return pending_post_hoc(s, head); });
  ASSERT_OK(pending);
  EXPECT_TRUE(pending->empty());
}

TEST_P(QueuesTest, RemindersForRequestsWaitingTooLong) {
  const auto day = std::chrono::hours(24);
  auto old_one = submitted("alert.send", staff, kWeekday10);
  auto fresh = submitted("site.publish", staff, kWeekday10 + std::chrono::hours(20));
  const Instant check = kWeekday10 + std::chrono::hours(25);

  auto due = w([&](store::Session& s) { return due_reminders(s, check, day); });
  ASSERT_OK(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].request_id, old_one);
  EXPECT_EQ((*due)[0].approvers, std::vector<org::PersonId>{head});
  EXPECT_EQ((*due)[0].waiting_since, kWeekday10);

  auto jobs = notify_jobs();
  ASSERT_OK(w([&](store::Session& s) { return enqueue_reminders(s, check, day); }));
  ASSERT_OK(w([&](store::Session& s) { return enqueue_reminders(s, check + std::chrono::hours(1), day); }));
  EXPECT_EQ(notify_jobs(), jobs + 1);  // once per step and day

  // Decided requests are not reminded.
  ASSERT_OK(w([&](store::Session& s) { return withdraw(s, kinds, old_one, {.person = staff}, check); }));
  due = w([&](store::Session& s) { return due_reminders(s, check + day, day); });
  ASSERT_OK(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].request_id, fresh);
}

KOBAN_BACKEND_TESTS(QueuesTest);

}  // namespace
}  // namespace koban::workflow::testing
