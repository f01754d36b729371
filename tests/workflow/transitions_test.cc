// Transitions: who may do what in which state, and that every transition writes its audit row
// and notify job in the caller's transaction.
#include <nlohmann/json.hpp>

#include "workflow_fixture.h"

namespace koban::workflow::testing {
namespace {

using ::testing::ElementsAre;

class TransitionsTest : public WorkflowTest {
 protected:
  Result<void> approve_as(RequestId id, org::PersonId p, Instant at = kWeekday10) {
    return w([&](store::Session& s) { return approve(s, kinds, id, {.person = p}, "", at); });
  }
};

TEST_P(TransitionsTest, TwoStepChainThenCarryOut) {
  auto id = submitted("site.publish", staff, kWeekday10);
  ASSERT_OK(approve_as(id, head));
  EXPECT_EQ(req(id).state, RequestState::submitted);  // waiting for the HQ review now
  EXPECT_FALSE(approve_as(id, head).ok());            // step 1 is done; head is not on step 2
  ASSERT_OK(approve_as(id, koho));
  EXPECT_EQ(req(id).state, RequestState::approved);

  auto steps = w([&](store::Session& s) { return steps_of(s, id); });
  ASSERT_OK(steps);
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[0].actor, std::optional<org::PersonId>(head));
  EXPECT_EQ((*steps)[1].actor, std::optional<org::PersonId>(koho));
  EXPECT_EQ((*steps)[1].decision, std::optional<Decision>(Decision::approved));

  // Staff may not carry out (no publish permission); the PR section (koho) may.
  auto refused = w([&](store::Session& s) { return carry_out(s, kinds, id, {.person = staff}, kWeekday10); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::permission_denied);
  ASSERT_OK(w([&](store::Session& s) { return carry_out(s, kinds, id, {.person = koho}, kWeekday10); }));
  auto done = req(id);
  EXPECT_EQ(done.state, RequestState::carried_out);
  EXPECT_EQ(done.carried_out_by, std::optional<org::PersonId>(koho));
}

TEST_P(TransitionsTest, CarryOutBeforeApprovalIsRefused) {
  auto id = submitted("alert.send", staff, kWeekday10);
  auto r = w([&](store::Session& s) { return carry_out(s, kinds, id, {.person = head}, kWeekday10); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::conflict);
  EXPECT_EQ(req(id).state, RequestState::submitted);
}

TEST_P(TransitionsTest, NobodyApprovesTheirOwnSubmission) {
  // A rule that (wrongly) names the creator: the engine drops them from the step.
  ASSERT_OK(kinds.add({.kind = "test.self", .label = "試験", .purpose = Purpose::alerts,
                       .chain = {{"self", [&](store::Session&, const Request& r, Instant) -> Result<ApproverChoice> {
                         return ApproverChoice{.people = {r.created_by, head}, .acting_as = "test"};
                       }}}}));
  auto id = submitted("test.self", lead, kWeekday10);
  EXPECT_THAT(current(id).approvers, ElementsAre(head));
  auto r = approve_as(id, lead);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::permission_denied);
  EXPECT_EQ(req(id).state, RequestState::submitted);
}

TEST_P(TransitionsTest, ApprovalBySomeoneNotAssignedIsRefused) {
  auto id = submitted("alert.send", staff, kWeekday10);
  auto audits = audit_rows();
  for (auto p : {lead, outsider, duty, koho}) {
    auto r = approve_as(id, p);
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.error().code, ErrorCode::permission_denied);
  }
  EXPECT_EQ(req(id).state, RequestState::submitted);
  EXPECT_FALSE(current(id).decision.has_value());
  EXPECT_EQ(audit_rows(), audits);
}

TEST_P(TransitionsTest, AssignedButWithoutPermissionIsRefused) {
  auto id = submitted("alert.send", staff, kWeekday10);
  ASSERT_OK(w([&](store::Session& s) { return org::restrict_person(s, head, kWeekday10); }));
  auto r = approve_as(id, head);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::permission_denied);
}

TEST_P(TransitionsTest, RemandNeedsACommentAndResubmissionStartsAgain) {
  auto id = submitted("site.publish", staff, kWeekday10);
  ASSERT_OK(approve_as(id, head));
  for (std::string empty : {"", "   "}) {
    auto r = w([&](store::Session& s) { return remand(s, kinds, id, {.person = koho}, empty, kWeekday10); });
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_EQ(req(id).state, RequestState::submitted);
  ASSERT_OK(w([&](store::Session& s) {
    return remand(s, kinds, id, {.person = koho}, "写真の掲載期限を入れてください", kWeekday10);
  }));
  auto r = req(id);
  EXPECT_EQ(r.state, RequestState::remanded);
  EXPECT_FALSE(r.current_step.has_value());
  // Only the creator resubmits.
  EXPECT_FALSE(w([&](store::Session& s) { return submit(s, kinds, id, {.person = lead}, kWeekday10); }).ok());
  ASSERT_OK(w([&](store::Session& s) { return submit(s, kinds, id, {.person = staff}, kWeekday10); }));
  auto st = current(id);
  EXPECT_EQ(st.round, 2);
  EXPECT_EQ(st.step_no, 1);
  EXPECT_THAT(st.approvers, ElementsAre(head));

  auto steps = w([&](store::Session& s) { return steps_of(s, id); });
  ASSERT_OK(steps);
  ASSERT_EQ(steps->size(), 3u);  // round 1: approved, remanded; round 2: open
  EXPECT_EQ((*steps)[1].decision, std::optional<Decision>(Decision::remanded));
  EXPECT_EQ((*steps)[1].comment, "写真の掲載期限を入れてください");
  EXPECT_EQ((*steps)[1].actor, std::optional<org::PersonId>(koho));
  EXPECT_FALSE((*steps)[2].decision.has_value());
}

TEST_P(TransitionsTest, WithdrawByTheCreatorOnly) {
  auto id = submitted("alert.send", staff, kWeekday10);
  auto r = w([&](store::Session& s) { return withdraw(s, kinds, id, {.person = head}, kWeekday10); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::permission_denied);
  ASSERT_OK(w([&](store::Session& s) { return withdraw(s, kinds, id, {.person = staff}, kWeekday10); }));
  EXPECT_EQ(req(id).state, RequestState::withdrawn);
  auto late = approve_as(id, head);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::conflict);
  auto again = w([&](store::Session& s) { return submit(s, kinds, id, {.person = staff}, kWeekday10); });
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
}

TEST_P(TransitionsTest, AuditAndNotifyCommitWithTheCallerOrNotAtAll) {
  auto id = draft("alert.send", staff, kWeekday10);
  auto audits = audit_rows();
  auto jobs = notify_jobs();

  // The caller's transaction fails after a successful submit: nothing of it remains.
  auto failed = db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(submit(s, kinds, id, {.person = staff}, kWeekday10));
    return Error::internal("caller gave up");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(req(id).state, RequestState::draft);
  EXPECT_EQ(audit_rows(), audits);
  EXPECT_EQ(notify_jobs(), jobs);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM request_steps"), 0);

  ASSERT_OK(w([&](store::Session& s) { return submit(s, kinds, id, {.person = staff, .address = "192.0.2.7"}, kWeekday10); }));
  EXPECT_EQ(audit_rows(), audits + 1);
  EXPECT_EQ(notify_jobs(), jobs + 1);
  auto row = w([&](store::Session& s) -> Result<store::Rows> {
    return s.query("SELECT action, object_id, actor_id, address FROM audit_log ORDER BY seq DESC LIMIT 1");
  });
  ASSERT_OK(row);
  EXPECT_EQ((*row)[0].text(0), "workflow.request.submit");
  EXPECT_EQ((*row)[0].text(1), std::to_string(id));
  EXPECT_EQ((*row)[0].int64(2), staff);
  EXPECT_EQ((*row)[0].text(3), "192.0.2.7");
  auto payload = scalar_text("SELECT payload FROM jobs WHERE kind = 'workflow.notify' ORDER BY id DESC LIMIT 1");
  auto j = nlohmann::json::parse(payload);
  EXPECT_EQ(j["request_id"].get<std::int64_t>(), id);
  EXPECT_EQ(j["event"], "submitted");
  EXPECT_EQ(j["recipients"], nlohmann::json::array({head}));

  ASSERT_OK(approve_as(id, head));
  EXPECT_EQ(audit_rows(), audits + 2);
  payload = scalar_text("SELECT payload FROM jobs WHERE kind = 'workflow.notify' ORDER BY id DESC LIMIT 1");
  j = nlohmann::json::parse(payload);
  EXPECT_EQ(j["event"], "approved");
  EXPECT_EQ(j["recipients"], nlohmann::json::array({staff}));
}

TEST_P(TransitionsTest, UnknownKindAndBadTitleAreRefused) {
  auto r = w([&](store::Session& s) {
    return create_draft(s, kinds, {.kind = "no.such", .object_type = "x", .object_id = "1",
                                   .unit_id = t.chuo, .title = "件名"}, {.person = staff}, kWeekday10);
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  auto long_title = w([&](store::Session& s) {
    return create_draft(s, kinds, {.kind = "alert.send", .object_type = "x", .object_id = "1",
                                   .unit_id = t.chuo, .title = std::string(kMaxTitleChars + 1, 'a')},
                        {.person = staff}, kWeekday10);
  });
  ASSERT_FALSE(long_title.ok());
  EXPECT_EQ(long_title.error().code, ErrorCode::invalid_argument);
  // Staff of another station cannot draft for chuo.
  auto other = w([&](store::Session& s) {
    return create_draft(s, kinds, {.kind = "alert.send", .object_type = "x", .object_id = "1",
                                   .unit_id = t.kita, .title = "件名"}, {.person = staff}, kWeekday10);
  });
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::permission_denied);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM requests"), 0);
}

KOBAN_BACKEND_TESTS(TransitionsTest);

}  // namespace
}  // namespace koban::workflow::testing
