#include "workflow/kinds.h"

#include "org/field_checks.h"

namespace koban::workflow {

Result<void> KindRegistry::add(KindSpec spec) {
  KOBAN_TRY(org::check_ascii_code("申請の種類", spec.kind, 1, 64, true));
  if (spec.chain.empty() || spec.chain.size() > kMaxStepsPerChain)
    return Error::invalid("承認の段階は1から10までです: " + spec.kind);
  for (const auto& step : spec.chain) {
    KOBAN_TRY(org::check_ascii_code("承認段階の名前", step.name, 1, 64, true));
    if (!step.rule) return Error::invalid("承認者の決め方がありません: " + step.name);
  }
  if (kinds_.contains(spec.kind)) return Error::conflict("申請の種類が重複しています: " + spec.kind);
  auto name = spec.kind;
  kinds_.emplace(std::move(name), std::move(spec));
  return ok();
}

Result<const KindSpec*> KindRegistry::find(std::string_view kind) const {
  auto it = kinds_.find(kind);
  if (it == kinds_.end()) return Error::not_found("申請の種類が登録されていません");
  return &it->second;
}

}  // namespace koban::workflow
