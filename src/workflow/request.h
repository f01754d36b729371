// The approval engine's data: a Request of some kind (記事公開, 安全安心メール配信, アクセス権付与 ...)
// about one object, and its Steps. A request moves
//
//   draft → submitted → approved → carried_out
//             │  ↑ (resubmit)
//             ├→ remanded (差戻し, with a comment) → submitted …
//             └→ withdrawn (取下げ, by the creator; also from draft or remanded)
//
// Each submission starts a new round of steps (1, 2, ... as the kind's chain says); a step
// lists its assigned approvers and, once decided, the decision, comment, actor and time.
// Nothing is ever deleted. The transitions are in engine.h, the queues in queues.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "org/ids.h"

namespace koban::workflow {

using RequestId = std::int64_t;
using StepId = std::int64_t;

enum class RequestState { draft, submitted, approved, remanded, withdrawn, carried_out };
const char* to_string(RequestState s);  // stored in requests.state
const char* label(RequestState s);      // 下書き, 承認待ち, 承認済み, 差戻し, 取下げ, 実施済み
std::optional<RequestState> parse_request_state(std::string_view s);

enum class Decision { approved, remanded, withdrawn };
const char* to_string(Decision d);
std::optional<Decision> parse_decision(std::string_view s);

struct Request {
  RequestId id = 0;
  std::string kind;         // "site.publish", "alert.send", "org.access_grant"
  std::string object_type;  // what it is about: "article", "alert" ...
  std::string object_id;
  org::UnitId unit_id = 0;  // the unit asking (drives the approver rules and permissions)
  std::string title;
  RequestState state = RequestState::draft;
  org::PersonId created_by = 0;
  int round = 0;            // submissions so far
  std::optional<StepId> current_step;  // the open step while submitted
  Instant created_at{};
  Instant updated_at{};
  std::optional<Instant> submitted_at;
  std::optional<Instant> decided_at;
  std::optional<Instant> withdrawn_at;
  std::optional<Instant> carried_out_at;
  std::optional<org::PersonId> carried_out_by;
};

struct Step {
  StepId id = 0;
  RequestId request_id = 0;
  int round = 0;
  int step_no = 0;
  std::string rule_name;   // the chain's name for the step: "unit_head", "hq_review"
  std::string acting_as;   // "unit_head" | "pr_lead_for_absent_head" | "duty_officer" | ...
  std::vector<org::PersonId> approvers;  // sorted
  std::optional<org::PersonId> post_hoc_to;  // the absent head to be told afterwards
  Instant created_at{};
  std::optional<Decision> decision;
  std::string comment;
  std::optional<org::PersonId> actor;
  std::optional<Instant> decided_at;
  std::optional<Instant> acknowledged_at;
};

// Limits on what people type (code points) and on identifiers.
inline constexpr std::size_t kMaxTitleChars = 200;
inline constexpr std::size_t kMaxCommentChars = 2000;
inline constexpr std::size_t kMaxObjectChars = 100;
inline constexpr std::size_t kMaxApproversPerStep = 50;
inline constexpr std::size_t kMaxStepsPerChain = 10;

}  // namespace koban::workflow
