#include "workflow/engine.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "org/field_checks.h"
#include "org/permissions.h"
#include "org/units.h"
#include "store/jobs.h"
#include "workflow/engine_internal.h"

namespace koban::workflow {

namespace {

constexpr const char* kRequestColumns =
    "id, kind, object_type, object_id, unit_id, title, state, created_by, round, current_step_id,"
    " created_at, updated_at, submitted_at, decided_at, withdrawn_at, carried_out_at, carried_out_by";

std::optional<Instant> opt_instant(const store::Row& r, std::size_t i) {
  auto v = r.opt_int64(i);
  if (!v) return std::nullopt;
  return from_unix(*v);
}

Request request_from_row(const store::Row& r) {
  Request q;
  q.id = r.int64(0);
  q.kind = r.text(1);
  q.object_type = r.text(2);
  q.object_id = r.text(3);
  q.unit_id = r.int64(4);
  q.title = r.text(5);
  q.state = parse_request_state(r.text(6)).value_or(RequestState::draft);
  q.created_by = r.int64(7);
  q.round = static_cast<int>(r.int64(8));
  q.current_step = r.opt_int64(9);
  q.created_at = from_unix(r.int64(10));
  q.updated_at = from_unix(r.int64(11));
  q.submitted_at = opt_instant(r, 12);
  q.decided_at = opt_instant(r, 13);
  q.withdrawn_at = opt_instant(r, 14);
  q.carried_out_at = opt_instant(r, 15);
  q.carried_out_by = r.opt_int64(16);
  return q;
}

Result<void> check_request_fields(const NewRequest& r) {
  KOBAN_TRY(org::check_text("件名", r.title, 1, kMaxTitleChars));
  KOBAN_TRY(org::check_text("対象の種類", r.object_type, 1, kMaxObjectChars));
  KOBAN_TRY(org::check_text("対象の番号", r.object_id, 1, kMaxObjectChars));
  return ok();
}

// Takes the request's row lock (PostgreSQL; SQLite's single writer already serialises) and
// reads it, so that two approvers deciding at once see each other's decision.
Result<Request> lock_request(store::Session& s, RequestId id) {
  KOBAN_ASSIGN(auto n, s.exec("UPDATE requests SET updated_at = updated_at WHERE id = ?", id));
  if (n == 0) return Error::not_found("申請が見つかりません");
  return get_request(s, id);
}

struct Ctx {
  org::Actor actor;
  const KindSpec* spec = nullptr;
  std::string unit_name;
};

Result<Ctx> load_ctx(store::Session& s, const KindRegistry& kinds, const Request& r, const By& by) {
  Ctx c;
  KOBAN_ASSIGN(c.actor, org::load_actor(s, by.person));
  KOBAN_ASSIGN(c.spec, kinds.find(r.kind));
  KOBAN_ASSIGN(auto unit, org::get_unit(s, r.unit_id));
  c.unit_name = unit.name;
  return c;
}

Result<void> record(store::Session& s, const Ctx& c, const Request& r, const By& by,
                    std::string_view verb, std::string summary, std::string_view event,
                    std::vector<org::PersonId> recipients, Instant now) {
  audit::Event e{.actor_id = c.actor.person,
                 .actor_name = c.actor.display_name,
                 .unit_id = r.unit_id,
                 .unit_name = c.unit_name,
                 .action = "workflow.request." + std::string(verb),
                 .object_type = "request",
                 .object_id = std::to_string(r.id),
                 .summary = c.spec->label + "「" + r.title + "」 " + summary,
                 .address = by.address};
  KOBAN_TRY(audit::append(s, e, now));
  return enqueue_notify(s, r.id, event, std::move(recipients), now);
}

// Runs the chain's step `step_no` (1-based) for the current round and inserts it with its
// approvers. The creator is never an approver.
struct PlannedStep {
  int step_no = 0;
  std::string rule_name;
  ApproverChoice choice;
};

Result<PlannedStep> plan_step(store::Session& s, const KindSpec& spec, const Request& r, int step_no,
                              Instant now) {
  const auto& cs = spec.chain.at(static_cast<std::size_t>(step_no - 1));
  KOBAN_ASSIGN(auto choice, cs.rule(s, r, now));
  auto& p = choice.people;
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
  p.erase(std::remove(p.begin(), p.end(), r.created_by), p.end());
  if (p.empty())
    return Error::not_found("承認者がいません（申請者本人は承認できません）: 第" +
                            std::to_string(step_no) + "段階");
  if (p.size() > kMaxApproversPerStep) p.resize(kMaxApproversPerStep);
  if (choice.post_hoc_to && *choice.post_hoc_to == r.created_by) choice.post_hoc_to.reset();
  return PlannedStep{step_no, cs.name, std::move(choice)};
}

Result<StepId> insert_step(store::Session& s, const Request& r, int round, const PlannedStep& p,
                           Instant now) {
  KOBAN_ASSIGN(auto rows,
               s.query("INSERT INTO request_steps (request_id, round, step_no, rule_name, acting_as,"
                       " post_hoc_to, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       r.id, round, p.step_no, p.rule_name, p.choice.acting_as, p.choice.post_hoc_to,
                       to_unix(now)));
  StepId id = rows.at(0).int64(0);
  for (auto person : p.choice.people)
    KOBAN_TRY(s.exec("INSERT INTO request_step_approvers (step_id, person_id) VALUES (?, ?)", id,
                     person));
  return id;
}

Result<void> require_can(const Ctx& c, org::Action action, const Request& r) {
  return org::require(c.actor, c.spec->purpose, action, r.unit_id);
}

Error wrong_state(const Request& r, std::string_view what) {
  return Error::conflict(std::string("この申請は「") + label(r.state) + "」のため" + std::string(what) +
                         "できません");
}

// The open step of a submitted request, checked to be decidable by `by`.
Result<Step> open_step_for(store::Session& s, const Ctx& c, const Request& r, const By& by,
                           std::string_view what) {
  if (r.state != RequestState::submitted || !r.current_step) return wrong_state(r, what);
  if (by.person == r.created_by)
    return Error::denied("自分が申請したものを" + std::string(what) + "することはできません");
  KOBAN_ASSIGN(auto step, get_step(s, *r.current_step));
  if (!std::binary_search(step.approvers.begin(), step.approvers.end(), by.person))
    return Error::denied("この申請の現在の承認者ではありません");
  KOBAN_TRY(require_can(c, org::Action::approve, r));
  return step;
}

std::string approvers_text(const std::vector<org::PersonId>& people) {
  std::string out;
  for (auto p : people) out += (out.empty() ? "" : ",") + std::to_string(p);
  return out;
}

}  // namespace

Result<void> enqueue_notify(store::Session& s, RequestId id, std::string_view event,
                            std::vector<org::PersonId> recipients, Instant now) {
  std::sort(recipients.begin(), recipients.end());
  recipients.erase(std::unique(recipients.begin(), recipients.end()), recipients.end());
  nlohmann::json j{{"request_id", id}, {"event", event}, {"recipients", recipients}};
  KOBAN_TRY(store::enqueue(s, {.kind = kNotifyJobKind, .payload = j.dump(), .run_at = now}, now));
  return ok();
}

Result<RequestId> create_draft(store::Session& s, const KindRegistry& kinds, const NewRequest& nr,
                               const By& by, Instant now) {
  KOBAN_ASSIGN(const KindSpec* spec, kinds.find(nr.kind));
  KOBAN_TRY(check_request_fields(nr));
  KOBAN_ASSIGN(auto actor, org::load_actor(s, by.person));
  KOBAN_ASSIGN(auto unit, org::get_unit(s, nr.unit_id));
  KOBAN_TRY(org::require(actor, spec->purpose, org::Action::write, nr.unit_id));
  KOBAN_ASSIGN(auto rows,
               s.query("INSERT INTO requests (kind, object_type, object_id, unit_id, title, state,"
                       " created_by, round, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"
                       " RETURNING id",
                       nr.kind, nr.object_type, nr.object_id, nr.unit_id, nr.title,
                       to_string(RequestState::draft), by.person, to_unix(now), to_unix(now)));
  RequestId id = rows.at(0).int64(0);
  KOBAN_ASSIGN(auto r, get_request(s, id));
  Ctx c{std::move(actor), spec, unit.name};
  KOBAN_TRY(record(s, c, r, by, "create", "下書き作成", "created", {}, now));
  return id;
}

Result<void> submit(store::Session& s, const KindRegistry& kinds, RequestId id, const By& by,
                    Instant now) {
  KOBAN_ASSIGN(auto r, lock_request(s, id));
  KOBAN_ASSIGN(auto c, load_ctx(s, kinds, r, by));
  if (r.state != RequestState::draft && r.state != RequestState::remanded)
    return wrong_state(r, "申請");
  if (by.person != r.created_by) return Error::denied("申請できるのは作成者だけです");
  KOBAN_TRY(require_can(c, org::Action::submit, r));
  KOBAN_ASSIGN(auto planned, plan_step(s, *c.spec, r, 1, now));
  const int round = r.round + 1;
  KOBAN_ASSIGN(StepId step, insert_step(s, r, round, planned, now));
  KOBAN_TRY(s.exec("UPDATE requests SET state = ?, round = ?, current_step_id = ?, submitted_at = ?,"
                   " updated_at = ? WHERE id = ?",
                   to_string(RequestState::submitted), round, step, to_unix(now), to_unix(now), id));
  std::string summary = std::string(label(r.state)) + " → 承認待ち（第1段階 " + planned.rule_name + "/" +
                        planned.choice.acting_as + " 承認者: " + approvers_text(planned.choice.people) + "）";
  return record(s, c, r, by, "submit", summary, "submitted", planned.choice.people, now);
}

Result<void> approve(store::Session& s, const KindRegistry& kinds, RequestId id, const By& by,
                     std::string comment, Instant now) {
  KOBAN_TRY(org::check_text("コメント", comment, 0, kMaxCommentChars));
  KOBAN_ASSIGN(auto r, lock_request(s, id));
  KOBAN_ASSIGN(auto c, load_ctx(s, kinds, r, by));
  KOBAN_ASSIGN(auto step, open_step_for(s, c, r, by, "承認"));
  // The next step is planned before anything is written, so that a rule failing (nobody to
  // approve) leaves the request as it was.
  std::optional<PlannedStep> next;
  if (static_cast<std::size_t>(step.step_no) < c.spec->chain.size()) {
    KOBAN_ASSIGN(next, plan_step(s, *c.spec, r, step.step_no + 1, now));
  }
  KOBAN_ASSIGN(auto n, s.exec("UPDATE request_steps SET decision = ?, comment = ?, actor_id = ?,"
                              " decided_at = ? WHERE id = ? AND decision IS NULL",
                              to_string(Decision::approved), comment, by.person, to_unix(now), step.id));
  if (n != 1) return Error::conflict("この段階はすでに決裁されています");
  std::string summary = "第" + std::to_string(step.step_no) + "段階 承認（" + step.acting_as + "）";
  if (next) {
    KOBAN_ASSIGN(StepId next_id, insert_step(s, r, r.round, *next, now));
    KOBAN_TRY(s.exec("UPDATE requests SET current_step_id = ?, updated_at = ? WHERE id = ?", next_id,
                     to_unix(now), id));
    summary += " → 第" + std::to_string(next->step_no) + "段階 承認者: " + approvers_text(next->choice.people);
    KOBAN_TRY(record(s, c, r, by, "approve", summary, "step_approved", next->choice.people, now));
  } else {
    KOBAN_TRY(s.exec("UPDATE requests SET state = ?, current_step_id = NULL, decided_at = ?,"
                     " updated_at = ? WHERE id = ?",
                     to_string(RequestState::approved), to_unix(now), to_unix(now), id));
    summary += " → 承認済み";
    KOBAN_TRY(record(s, c, r, by, "approve", summary, "approved", {r.created_by}, now));
  }
  if (step.post_hoc_to) KOBAN_TRY(enqueue_notify(s, id, "post_hoc_report", {*step.post_hoc_to}, now));
  return ok();
}

Result<void> remand(store::Session& s, const KindRegistry& kinds, RequestId id, const By& by,
                    std::string comment, Instant now) {
  if (comment.find_first_not_of(" \t\r\n") == std::string::npos)
    return Error::invalid("差戻しの理由を入力してください");
  KOBAN_TRY(org::check_text("差戻しの理由", comment, 1, kMaxCommentChars));
  KOBAN_ASSIGN(auto r, lock_request(s, id));
  KOBAN_ASSIGN(auto c, load_ctx(s, kinds, r, by));
  KOBAN_ASSIGN(auto step, open_step_for(s, c, r, by, "差戻し"));
  KOBAN_ASSIGN(auto n, s.exec("UPDATE request_steps SET decision = ?, comment = ?, actor_id = ?,"
                              " decided_at = ? WHERE id = ? AND decision IS NULL",
                              to_string(Decision::remanded), comment, by.person, to_unix(now), step.id));
  if (n != 1) return Error::conflict("この段階はすでに決裁されています");
  KOBAN_TRY(s.exec("UPDATE requests SET state = ?, current_step_id = NULL, decided_at = ?,"
                   " updated_at = ? WHERE id = ?",
                   to_string(RequestState::remanded), to_unix(now), to_unix(now), id));
  std::string summary = "第" + std::to_string(step.step_no) + "段階 差戻し: " + comment;
  return record(s, c, r, by, "remand", summary, "remanded", {r.created_by}, now);
}

Result<void> withdraw(store::Session& s, const KindRegistry& kinds, RequestId id, const By& by,
                      Instant now) {
  KOBAN_ASSIGN(auto r, lock_request(s, id));
  KOBAN_ASSIGN(auto c, load_ctx(s, kinds, r, by));
  if (r.state != RequestState::draft && r.state != RequestState::submitted &&
      r.state != RequestState::remanded)
    return wrong_state(r, "取下げ");
  if (by.person != r.created_by) return Error::denied("取り下げられるのは申請者だけです");
  std::vector<org::PersonId> tell;
  if (r.current_step) {
    KOBAN_ASSIGN(auto step, get_step(s, *r.current_step));
    tell = step.approvers;
    KOBAN_TRY(s.exec("UPDATE request_steps SET decision = ?, actor_id = ?, decided_at = ?"
                     " WHERE id = ? AND decision IS NULL",
                     to_string(Decision::withdrawn), by.person, to_unix(now), step.id));
  }
  KOBAN_TRY(s.exec("UPDATE requests SET state = ?, current_step_id = NULL, withdrawn_at = ?,"
                   " updated_at = ? WHERE id = ?",
                   to_string(RequestState::withdrawn), to_unix(now), to_unix(now), id));
  return record(s, c, r, by, "withdraw", std::string(label(r.state)) + " → 取下げ", "withdrawn",
                std::move(tell), now);
}

Result<void> carry_out(store::Session& s, const KindRegistry& kinds, RequestId id, const By& by,
                       Instant now) {
  KOBAN_ASSIGN(auto r, lock_request(s, id));
  KOBAN_ASSIGN(auto c, load_ctx(s, kinds, r, by));
  if (r.state != RequestState::approved) return wrong_state(r, "実施");
  KOBAN_TRY(require_can(c, org::Action::publish, r));
  KOBAN_TRY(s.exec("UPDATE requests SET state = ?, carried_out_at = ?, carried_out_by = ?,"
                   " updated_at = ? WHERE id = ?",
                   to_string(RequestState::carried_out), to_unix(now), by.person, to_unix(now), id));
  return record(s, c, r, by, "carry_out", "承認済み → 実施済み", "carried_out", {r.created_by}, now);
}

Result<Request> get_request(store::Session& s, RequestId id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kRequestColumns + " FROM requests WHERE id = ?", id));
  if (rows.empty()) return Error::not_found("申請が見つかりません");
  return request_from_row(rows[0]);
}

namespace {

constexpr const char* kStepColumns =
    "id, request_id, round, step_no, rule_name, acting_as, post_hoc_to, created_at, decision,"
    " comment, actor_id, decided_at, acknowledged_at";

Result<Step> step_from_row(store::Session& s, const store::Row& r) {
  Step st;
  st.id = r.int64(0);
  st.request_id = r.int64(1);
  st.round = static_cast<int>(r.int64(2));
  st.step_no = static_cast<int>(r.int64(3));
  st.rule_name = r.text(4);
  st.acting_as = r.text(5);
  st.post_hoc_to = r.opt_int64(6);
  st.created_at = from_unix(r.int64(7));
  if (auto d = r.opt_text(8)) st.decision = parse_decision(*d);
  st.comment = r.text(9);
  st.actor = r.opt_int64(10);
  st.decided_at = opt_instant(r, 11);
  st.acknowledged_at = opt_instant(r, 12);
  KOBAN_ASSIGN(auto people, s.query("SELECT person_id FROM request_step_approvers WHERE step_id = ?"
                                    " ORDER BY person_id", st.id));
  for (const auto& p : people) st.approvers.push_back(p.int64(0));
  return st;
}

}  // namespace

Result<Step> get_step(store::Session& s, StepId id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kStepColumns + " FROM request_steps WHERE id = ?", id));
  if (rows.empty()) return Error::not_found("承認段階が見つかりません");
  return step_from_row(s, rows[0]);
}

Result<std::vector<Step>> steps_of(store::Session& s, RequestId id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kStepColumns +
                                  " FROM request_steps WHERE request_id = ? ORDER BY round, step_no", id));
  std::vector<Step> out;
  for (const auto& row : rows) {
    KOBAN_ASSIGN(auto st, step_from_row(s, row));
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace koban::workflow
