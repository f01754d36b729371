// Request kinds and their approval chains. A feature registers its kind once at start-up,
// naming the purpose its permissions are checked against and the steps of its chain; each step
// is an approver rule that picks, at the moment the step starts, who may decide it:
//
//   workflow::KindRegistry kinds;
//   KOBAN_TRY(kinds.add({.kind = "site.publish", .label = "記事公開依頼",
//                        .purpose = org::Purpose::website,
//                        .chain = {{"unit_head", unit_head_or_stand_in(org::Purpose::website, cal)},
//                                  {"hq_review", hq_reviewer(org::Purpose::website, "koho")}}}));
//
// Ready-made rules are in approver_rules.h. A rule may read the database (it runs inside the
// transition's transaction) but must not write.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "org/ids.h"
#include "org/roles.h"
#include "store/database.h"
#include "workflow/request.h"

namespace koban::workflow {

struct ApproverChoice {
  std::vector<org::PersonId> people{};     // any one of them may decide
  std::string acting_as{};                 // "unit_head", "pr_lead_for_absent_head", "duty_officer"
  std::optional<org::PersonId> post_hoc_to{};  // told afterwards and must acknowledge
};

using ApproverRule =
    std::function<Result<ApproverChoice>(store::Session&, const Request&, Instant now)>;

struct ChainStep {
  std::string name;  // "unit_head", "hq_review": lower-case ASCII, stored with the step
  ApproverRule rule;
};

struct KindSpec {
  std::string kind;   // "site.publish": lower-case ASCII letters, digits, '.', '_'
  std::string label;  // 記事公開依頼 (shown to people)
  org::Purpose purpose = org::Purpose::administration;
  std::vector<ChainStep> chain;  // 1..kMaxStepsPerChain steps
};

class KindRegistry {
 public:
  // invalid_argument for a bad name, an empty or too long chain, a step without a rule;
  // conflict when the kind is already registered.
  Result<void> add(KindSpec spec);
  // not_found (Japanese message) for an unknown kind.
  Result<const KindSpec*> find(std::string_view kind) const;

 private:
  std::map<std::string, KindSpec, std::less<>> kinds_;
};

}  // namespace koban::workflow
